package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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
	// Each record is normalised as it is read: a roster's records are
	// never all in memory at once, only its employees.
	norm := normalized{employees: make([]roster.Employee, 0, snap.Count)}
	if err := a.Store.ScanSnapshot(ctx, in.SnapshotID, func(r roster.Record) error {
		norm.add(rules, r)
		return nil
	}); err != nil {
		return PlanResult{}, err
	}
	steps.lap("snapshot")
	tgt, err := a.target(cfg.ID, cfg.Target)
	if err != nil {
		return PlanResult{}, err
	}
	desc, detail, err := describe(ctx, tgt)
	if err != nil {
		return PlanResult{}, err
	}
	dirKey := directoryKey(cfg.Target)
	known, err := a.knownDirectory(ctx, in, cfg.Target, dirKey)
	if err != nil {
		return PlanResult{}, err
	}
	directory := known.users
	if known.reconcile != "" {
		if directory, err = listDirectory(ctx, tgt); err != nil {
			return PlanResult{}, err
		}
	}
	steps.lap("directory")
	// The applied roster is the users as hrsync last wrote them; a plan
	// that did not list the directory has just read them as its directory,
	// and finds them there (ownership needs the applied roster only when
	// the integration owns no user: it never is then).
	var applied []roster.Employee
	if known.reconcile != "" {
		if applied, err = a.Store.Applied(ctx, in.IntegrationID); err != nil {
			return PlanResult{}, err
		}
	}
	// The known users are the ones the integration owns, read with their
	// owner; only a listed directory holds users others own or nobody does.
	owned, elsewhere := make(map[string]string, len(known.users)), map[string]string{}
	for _, u := range known.users {
		owned[u.TargetID] = u.Employee.ID
	}
	if known.reconcile != "" {
		if owned, elsewhere, err = a.ownership(ctx, in.IntegrationID, dirKey, directory, applied); err != nil {
			return PlanResult{}, err
		}
	}
	steps.lap("applied")

	sourceCount := len(norm.employees)
	prep := norm.prepare(rules, today)
	diff := roster.Diff(roster.DiffInput{Source: prep.employees, Directory: directory, Today: today,
		Owned: owned, OwnedElsewhere: elsewhere, Stores: desc.Stores,
		Rules: rules, Held: prep.held, Excluded: prep.excluded})
	problems := append(prep.problems, diff.Problems...)
	warnings := append(unstoredWarnings(desc, rules, prep.employees), diff.Warnings...)
	var blocks []roster.Block
	if in.Employee != "" {
		problems = onlyEmployee(in.Employee, &prep, &diff, problems, owned)
	} else {
		blocks = roster.Guard(roster.GuardInput{
			SourceCount: sourceCount, Directory: directory, Owned: owned, Plan: diff, Policy: rules.MassChange,
		})
	}
	if prep.blockRun {
		blocks = append(blocks, roster.Block{Code: roster.BlockHierarchy,
			Message: fmt.Sprintf("%d employees have manager errors; the hierarchy policy is block", prep.hierarchyErrors)})
	}
	// The privacy check compares an update's or a re-hire's identity with
	// what hrsync last applied; nobody else's is looked up.
	compared := map[string]bool{}
	for _, c := range diff.Changes {
		if c.Op == roster.OpUpdate || c.Op == roster.OpReactivate {
			compared[c.EmployeeID] = true
		}
	}
	baseline := make(map[string]roster.Employee, len(compared))
	for _, e := range applied {
		if compared[e.ID] {
			baseline[e.ID] = e
		}
	}
	if known.reconcile == "" {
		for _, u := range directory {
			if compared[u.Employee.ID] {
				baseline[u.Employee.ID] = u.Employee
			}
		}
	}
	holds := roster.Privacy(roster.PrivacyInput{Changes: diff.Changes, Baseline: baseline, Directory: directory, Rules: rules})
	if len(holds) > 0 {
		blocks = append(blocks, roster.Block{Code: roster.BlockPrivacy,
			Message: fmt.Sprintf("%d employees' identities changed and wait for review", len(holds))})
	}
	digest, err := digestOf(diff.Changes)
	if err != nil {
		return PlanResult{}, err
	}
	// What is left to do needs only the changes: the roster and the
	// directory go, so saving a large plan does not drag them through
	// every collection.
	directoryUsers := len(directory)
	directory, known.users, prep.employees, applied, baseline = nil, nil, nil, nil, nil
	steps.lap("rules")
	plan := store.Plan{
		ID: planID, IntegrationID: in.IntegrationID, SyncID: in.SyncID, SnapshotID: in.SnapshotID, CreatedAt: a.now(),
		Counts: diff.Counts(), Blocks: blocks, Problems: problems, Holds: holds, Digest: digest,
		Directory: dirKey, Target: detail, Warnings: warnings, NotManaged: diff.NotManaged, Employee: in.Employee,
		Reconcile: known.reconcile != "",
	}
	if known.reconcile == "" {
		plan.NotManaged = known.notManaged
	}
	if plan.Invite, err = inviteSettingsOf(cfg); err != nil {
		return PlanResult{}, err
	}
	if err := a.Store.SavePlan(ctx, plan, diff.Changes); err != nil {
		return PlanResult{}, err
	}
	steps.lap("save")
	activity.GetLogger(ctx).Info("Plan made", append([]any{"integrationId", in.IntegrationID, "planId", planID,
		"records", sourceCount, "directoryUsers", directoryUsers, "notManaged", plan.NotManaged,
		"reconcile", known.reconcile,
		"changes", len(diff.Changes), "warnings", len(warnings)}, steps.fields...)...)
	res := PlanResult{
		PlanID: plan.ID, Counts: plan.Counts, Problems: len(problems), Held: len(prep.held) + len(holds),
		Blocks: blocks, DirectoryUsers: directoryUsers + known.notManaged, NextExitDate: diff.NextExitDate, Digest: digest,
		NotManaged: plan.NotManaged, Warnings: warnings, Reconciled: known.reconcile,
	}
	if len(blocks) > 0 {
		res.HeldEmployees, res.HeldTotal = heldEmployees(blocks, holds, diff.Changes)
	}
	return res, nil
}

// onlyEmployee narrows a plan to employee id: its changes, problems and
// holds are that employee's alone, and the hierarchy policy blocks the run
// only for that employee's own manager errors. It returns the problems
// kept, or the one problem saying the employee is nowhere to be synced.
func onlyEmployee(id string, prep *prepared, diff *roster.DiffResult, problems []roster.Problem,
	owned map[string]string) []roster.Problem {
	known := slices.ContainsFunc(prep.employees, func(e roster.Employee) bool { return e.ID == id })
	for _, employeeID := range owned {
		known = known || employeeID == id
	}
	diff.Changes = slices.DeleteFunc(diff.Changes, func(c roster.Change) bool { return c.EmployeeID != id })
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
		diff.Changes = nil
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
	p := prepared{excluded: map[string]string{}, held: map[string]string{}, employees: n.employees, problems: n.problems}
	for _, e := range p.employees {
		if out, why := rules.Excluded(e, today); out {
			p.excluded[e.ID] = why
		}
	}
	p.problems = append(p.problems, rules.ValidateScopeOn(p.employees, p.excluded, today)...)
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

// digestOf fingerprints what a plan's changes write. The values a change
// found before it (kept for a review to show) are left out, so a plan
// fingerprints the same as one made before they were kept.
func digestOf(changes []roster.Change) (string, error) {
	h := sha256.New()
	enc := json.NewEncoder(h)
	for _, c := range changes {
		c.Before = nil
		if err := enc.Encode(c); err != nil {
			return "", fmt.Errorf("unable to fingerprint plan: %w", err)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
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
