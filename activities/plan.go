package activities

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
)

// PlanInput names the snapshot to plan from and the integration's settings.
type PlanInput struct {
	IntegrationID string
	SyncID        string
	SnapshotID    string
	// PlanID names the plan; empty means SyncID. A re-plan after an
	// approval gets its own ID so the reviewed plan is kept.
	PlanID string
	// Employee, an HRIS id, limits the plan to that one employee's
	// change and problems: everyone else is left exactly as they are —
	// never deactivated, never counted by the mass-change guards. Privacy
	// holds still apply to the one employee. An id neither in the snapshot
	// nor owned in the directory plans nothing and says so in one problem.
	Employee string `json:",omitempty"`
	// Reconcile makes the plan compare the HRIS with the directory as it
	// is, listing every user, however recent the last reconcile.
	Reconcile bool `json:",omitempty"`
	Config    integration.Config
}

// CodeNotInSource is the problem of a one-employee run whose employee is
// neither in the HRIS nor owned in the directory.
const CodeNotInSource = "not_in_source"

// PlanResult summarises the stored plan: its ID, what it would do, and the
// reasons it must wait for approval, if any. It carries counts, codes and
// IDs only; who changed how stays in the store.
type PlanResult struct {
	PlanID         string
	Counts         map[roster.Op]int
	Problems       int
	Held           int
	Blocks         []roster.Block
	DirectoryUsers int
	// NextExitDate is the earliest future exit date among active employees.
	NextExitDate roster.Date
	// Digest fingerprints the planned changes.
	Digest string
	// NotManaged counts the directory users the integration does not own,
	// which the run leaves alone.
	NotManaged int `json:",omitempty"`
	// Warnings are said once per run: fields the directory cannot store.
	Warnings []string `json:",omitempty"`
	// HeldEmployees are who the plan keeps waiting, by id and reason (see
	// heldEmployees), at most MaxHeldListed of HeldTotal.
	HeldEmployees []HeldEmployee `json:",omitempty"`
	HeldTotal     int            `json:",omitempty"`
	// Reconciled says why the plan compared the HRIS with the directory as
	// it is; "" means it compared with the users as hrsync last wrote them.
	Reconciled string `json:",omitempty"`
}

// Plan turns the staged snapshot into a plan: it maps and validates every
// record under the integration's rules, compares the result with the
// directory, evaluates the guards and stores the plan. Planning again under
// the same plan ID replaces the plan.
func (a *Activities) Plan(ctx context.Context, in PlanInput) (PlanResult, error) {
	res, err := a.plan(ctx, in)
	return res, classify(err)
}

func (a *Activities) plan(ctx context.Context, in PlanInput) (PlanResult, error) {
	defer startKeepAlive(ctx).stop()
	cfg := in.Config.WithDefaults()
	rules := cfg.Rules.WithDefaults()
	planID := in.PlanID
	if planID == "" {
		planID = in.SyncID
	}
	steps := newStopwatch()
	snap, err := a.Store.GetSnapshot(ctx, in.SnapshotID)
	if err != nil {
		return PlanResult{}, err
	}
	if !snap.Complete {
		return PlanResult{}, fmt.Errorf("snapshot %s is incomplete: %w", in.SnapshotID, store.ErrNotFound)
	}
	today, err := a.today(cfg.Schedule.TimeZone)
	if err != nil {
		return PlanResult{}, err
	}
	tgt, err := a.target(cfg.ID, cfg.Target)
	if err != nil {
		return PlanResult{}, err
	}
	desc, detail, err := describe(ctx, tgt)
	if err != nil {
		return PlanResult{}, err
	}
	// The first pass reads every record, checks it alone and keeps an
	// outline of it for the checks of the whole roster; no record is kept.
	src, err := a.survey(ctx, in.SnapshotID, rules, today, desc)
	if err != nil {
		return PlanResult{}, err
	}
	steps.lap("snapshot")
	dirKey := directoryKey(cfg.Target)
	known, err := a.knownDirectory(ctx, in, cfg.Target, dirKey)
	if err != nil {
		return PlanResult{}, err
	}
	side, err := a.directorySide(ctx, in, known, dirKey, tgt, src.census)
	if err != nil {
		return PlanResult{}, err
	}
	steps.lap("directory")

	// The second pass plans the roster part by part, each against the
	// directory users it can match, and stores each part's changes.
	differ := roster.NewDiffer(roster.DiffInput{Directory: side.directory, Today: today,
		Owned: side.owned, OwnedElsewhere: side.elsewhere, Present: side.present(), Stores: desc.Stores,
		Rules: rules, Held: src.held, Excluded: src.excluded}, src.census)
	w, err := a.Store.BeginPlan(ctx, planID)
	if err != nil {
		return PlanResult{}, err
	}
	out := newPlanOutput(w, in.Employee)
	if err := a.eachPart(ctx, in.SnapshotID, rules, func(part []roster.Employee) error {
		users, owned, err := side.partUsers(ctx, a.Store, in.IntegrationID, part)
		if err != nil {
			return err
		}
		ready, waiting := differ.Plan(part, users, owned)
		if err := out.check(ctx, a.Store, in.IntegrationID, side, rules, users, append(ready, waiting...)); err != nil {
			return err
		}
		return out.write(ctx, ready, users)
	}); err != nil {
		return PlanResult{}, err
	}
	rest, restOwned := side.rest()
	diff := differ.Finish(rest, restOwned)
	if err := out.write(ctx, diff.Changes, nil); err != nil {
		return PlanResult{}, err
	}
	if err := out.settle(ctx, a.Store, in.IntegrationID, side, rules); err != nil {
		return PlanResult{}, err
	}
	steps.lap("rules")

	problems := append(src.problems, diff.Problems...)
	warnings := append(src.unstored.warnings(), diff.Warnings...)
	var blocks []roster.Block
	if in.Employee != "" {
		isKnown, err := side.knows(ctx, a.Store, in.IntegrationID, in.Employee)
		if err != nil {
			return PlanResult{}, err
		}
		problems = onlyEmployee(in.Employee, &src.prepared, &diff, problems, isKnown || src.census.Copies(in.Employee) > 0)
	} else {
		tally := differ.Tally()
		blocks = roster.Guard(roster.GuardInput{SourceCount: src.count, Tally: &tally, Policy: rules.MassChange})
	}
	if src.blockRun {
		blocks = append(blocks, roster.Block{Code: roster.BlockHierarchy,
			Message: fmt.Sprintf("%d employees have manager errors; the hierarchy policy is block", src.hierarchyErrors)})
	}
	holds := out.holds
	if len(holds) > 0 {
		blocks = append(blocks, roster.Block{Code: roster.BlockPrivacy,
			Message: fmt.Sprintf("%d employees' identities changed and wait for review", len(holds))})
	}
	plan := store.Plan{
		ID: planID, IntegrationID: in.IntegrationID, SyncID: in.SyncID, SnapshotID: in.SnapshotID, CreatedAt: a.now(),
		Counts: out.counts, Blocks: blocks, Problems: problems, Holds: holds, Digest: out.digest(),
		Directory: dirKey, Target: detail, Warnings: warnings, NotManaged: diff.NotManaged, Employee: in.Employee,
		Reconcile: known.reconcile != "", Unwritten: out.unwritten,
	}
	if known.reconcile == "" {
		plan.NotManaged = known.notManaged
	}
	if plan.Invite, err = inviteSettingsOf(cfg); err != nil {
		return PlanResult{}, err
	}
	if err := out.finish(ctx, plan); err != nil {
		return PlanResult{}, err
	}
	steps.lap("save")
	activity.GetLogger(ctx).Info("Plan made", append([]any{"integrationId", in.IntegrationID, "planId", planID,
		"records", src.count, "directoryUsers", side.users, "notManaged", plan.NotManaged,
		"reconcile", known.reconcile,
		"changes", out.written, "warnings", len(warnings)}, steps.fields...)...)
	res := PlanResult{
		PlanID: plan.ID, Counts: plan.Counts, Problems: len(problems), Held: len(src.held) + len(holds),
		Blocks: blocks, DirectoryUsers: side.users + known.notManaged, NextExitDate: diff.NextExitDate, Digest: plan.Digest,
		NotManaged: plan.NotManaged, Warnings: warnings, Reconciled: known.reconcile,
	}
	if len(blocks) > 0 {
		res.HeldEmployees, res.HeldTotal = heldEmployees(blocks, holds, out.concerned)
	}
	a.countProblems(problems)
	return res, nil
}

// countProblems counts a plan's problems by code in the metrics.
func (a *Activities) countProblems(problems []roster.Problem) {
	if a.Metrics == nil {
		return
	}
	byCode := map[string]int{}
	for _, p := range problems {
		byCode[p.Code]++
	}
	for code, n := range byCode {
		a.Metrics.Problems(code, n)
	}
}

// onlyEmployee narrows a plan to employee id: its problems and holds are
// that employee's alone (its changes were kept as they were written), and
// the hierarchy policy blocks the run only for that employee's own manager
// errors. It returns the problems kept, or the one problem saying the
// employee is nowhere to be synced.
func onlyEmployee(id string, prep *prepared, diff *roster.DiffResult, problems []roster.Problem, known bool) []roster.Problem {
	diff.Problems = nil
	diff.NotManaged = 0
	problems = slices.DeleteFunc(problems, func(p roster.Problem) bool { return p.EmployeeID != id })
	held := prep.held[id]
	prep.held = map[string]string{}
	prep.blockRun = prep.blockRun && held != "" && slices.ContainsFunc(strings.Split(held, ", "), roster.IsHierarchy)
	if held != "" {
		prep.held[id] = held
	}
	if prep.blockRun {
		prep.hierarchyErrors = 1
	}
	if !known {
		return []roster.Problem{{EmployeeID: id, Code: CodeNotInSource,
			Message: id + " is not in the HRIS"}}
	}
	return problems
}

// prepared is a snapshot under the rules: normalised employees, who is held
// back or left out, and the problems found.
type prepared struct {
	employees       []roster.Employee
	problems        []roster.Problem
	held            map[string]string
	excluded        map[string]string
	blockRun        bool
	hierarchyErrors int
}

// normalized is a roster under the rules, record by record: its employees
// and what normalising them found.
type normalized struct {
	employees []roster.Employee
	problems  []roster.Problem
}

// add normalises one record.
func (n *normalized) add(rules roster.Rules, rec roster.Record) {
	e, problems := rules.Normalize(rec)
	n.employees = append(n.employees, e)
	n.problems = append(n.problems, problems...)
}

// prepare normalises, filters and validates records.
func prepare(records []roster.Record, rules roster.Rules, today roster.Date) prepared {
	var n normalized
	for _, rec := range records {
		n.add(rules, rec)
	}
	return n.prepare(rules, today)
}

// prepare filters and validates the normalised roster.
func (n normalized) prepare(rules roster.Rules, today roster.Date) prepared {
	excluded := map[string]string{}
	for _, e := range n.employees {
		if out, why := rules.Excluded(e, today); out {
			excluded[e.ID] = why
		}
	}
	p := settle(rules, append(n.problems, rules.ValidateScopeOn(n.employees, excluded, today)...), excluded)
	p.employees = n.employees
	return p
}

// settle holds back everyone with a problem, and says whether the
// hierarchy policy blocks the run.
func settle(rules roster.Rules, problems []roster.Problem, excluded map[string]string) prepared {
	p := prepared{excluded: excluded, held: map[string]string{}, problems: problems}
	held, blockRun := rules.Hold(p.problems)
	p.blockRun = blockRun
	for id, problems := range held {
		codes := make([]string, 0, len(problems))
		for _, pr := range problems {
			if !slices.Contains(codes, pr.Code) {
				codes = append(codes, pr.Code)
			}
		}
		if slices.ContainsFunc(codes, roster.IsHierarchy) {
			p.hierarchyErrors++
		}
		slices.Sort(codes)
		p.held[id] = strings.Join(codes, ", ")
	}
	return p
}

// stopwatch times an activity's steps for the line it logs when done, so
// an operator can see where a slow run's time went.
type stopwatch struct {
	last   time.Time
	fields []any
}

func newStopwatch() *stopwatch { return &stopwatch{last: time.Now()} }

// lap records the time since the previous lap as step's duration.
func (s *stopwatch) lap(step string) {
	now := time.Now()
	s.fields = append(s.fields, step, now.Sub(s.last).Round(time.Millisecond).String())
	s.last = now
}

// today is the organisation's current calendar date.
func (a *Activities) today(timeZone string) (roster.Date, error) {
	loc, err := time.LoadLocation(timeZone)
	if err != nil {
		return roster.Date{}, fmt.Errorf("time zone %q: %w", timeZone, err)
	}
	return roster.DateOf(a.now().In(loc)), nil
}
