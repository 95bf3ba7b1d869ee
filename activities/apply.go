package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
)

// The passes of an apply: the first writes users without managers, the
// second links managers once every user of the run exists — a directory
// such as SCIM references a manager by its own id, so a manager created in
// this run must exist first.
const (
	PassWrite = 1
	PassLink  = 2
)

// DefaultBatchSize is how many changes an apply reads, writes and records
// at a time when the target endpoint does not say.
const DefaultBatchSize = 500

// ApplyInput names the plan to apply, the directory to apply it to, and the
// share of the work this activity does.
type ApplyInput struct {
	PlanID string
	Target integration.Endpoint
	// Pass is PassWrite or PassLink; 0 runs both, one after the other.
	Pass int
	// Part is the share of the plan's changes this activity applies, so
	// several activities can apply one plan at once; the zero Part is all.
	Part store.Part
}

// ApplyResult counts what this attempt did.
type ApplyResult struct {
	Applied map[roster.Op]int
	Failed  int
	// Linking counts the changes written in pass 1 whose manager pass 2
	// must link.
	Linking int `json:",omitempty"`
}

// ApplyProgress is the heartbeat of Apply, which operators read through
// Temporal to show how far an apply has got: pass 1 writes users, pass 2
// links managers. Done and Total count this activity's share.
type ApplyProgress struct {
	Pass  int
	Done  int
	Total int
	// Part is the share this activity applies.
	Part store.Part `json:",omitempty"`
	// FailingSince is when the directory began failing this share, kept
	// across attempts until a batch comes through, so status can say how
	// long it has been unreachable.
	FailingSince time.Time `json:",omitzero"`
}

// Apply carries out its share of the plan in batches. Each change is
// idempotent and its outcome is stored with the rest of its batch before
// the next batch is read, so a retried attempt continues where the last
// one stopped and never applies a change twice: only its first batch can
// hold writes the last attempt made without recording them, and that
// batch looks each new user up before creating it. A change the directory
// refuses is recorded as failed and the run goes on. A transient error is
// retried in place, request by request (see retryPolicy), heartbeating
// while it waits; only when one change's retries are spent does it fail
// the attempt, after what was done is recorded, so Temporal retries it.
func (a *Activities) Apply(ctx context.Context, in ApplyInput) (ApplyResult, error) {
	res := ApplyResult{Applied: map[roster.Op]int{}}
	plan, err := a.Store.GetPlan(ctx, in.PlanID)
	if err != nil {
		return res, classify(err)
	}
	tgt, err := a.target(plan.IntegrationID, in.Target)
	if err != nil {
		return res, classify(err)
	}
	if err := assume(tgt, plan.Target); err != nil {
		return res, classify(err)
	}
	ap := &applier{acts: a, in: in, tgt: tgt, res: &res, batch: in.Target.BatchSize, plan: plan,
		retrying: activity.GetInfo(ctx).Attempt > 1, policy: retries}
	if ap.batch <= 0 {
		ap.batch = DefaultBatchSize
	}
	passes := []int{in.Pass}
	if in.Pass == 0 {
		passes = []int{PassWrite, PassLink}
	}
	for _, pass := range passes {
		if err := ap.run(ctx, pass); err != nil {
			return res, classify(err)
		}
	}
	if in.Pass == 0 {
		res.Linking = 0 // the second pass linked them
	}
	return res, nil
}

// applier is the state of one Apply attempt.
type applier struct {
	acts  *Activities
	in    ApplyInput
	tgt   connectors.Target
	res   *ApplyResult
	batch int
	// retrying is true until the first batch of a retried attempt is done.
	retrying bool
	// unbatched is true once a batch has given up on the target's batched
	// writes: the rest of the attempt writes one change at a time.
	unbatched bool
	// policy bounds the retries made in place.
	policy retryPolicy
	// progress is the latest heartbeat, repeated while a retry waits or a
	// request runs.
	progress ApplyProgress
	// inCall is true while a directory request runs (see calling).
	inCall bool
	// plan is the header of the plan applied.
	plan store.Plan
	// drift says what the batch being written found changed in the
	// directory behind hrsync's back (see repair).
	drift []string
}

// run applies the share's changes for one pass, batch by batch.
func (ap *applier) run(ctx context.Context, pass int) error {
	status := store.StatusPending
	if pass == PassLink {
		status = store.StatusLinking
	}
	planID, part := ap.in.PlanID, ap.in.Part
	ap.progress = ApplyProgress{Pass: pass, Part: part}
	if activity.HasHeartbeatDetails(ctx) {
		var last ApplyProgress
		if err := activity.GetHeartbeatDetails(ctx, &last); err == nil && last.Pass == pass {
			ap.progress.Done, ap.progress.FailingSince = last.Done, last.FailingSince
		}
	}
	left, err := ap.acts.Store.CountWithStatus(ctx, planID, status, part)
	if err != nil {
		return err
	}
	ap.progress.Total = ap.progress.Done + left
	ap.beat(ctx)
	after := -1
	for {
		changes, err := ap.acts.Store.ChangesWithStatus(ctx, planID, status, part, after, ap.batch)
		if err != nil {
			return err
		}
		if len(changes) == 0 {
			return nil
		}
		for i := range changes {
			// A digest is for the privacy check alone; no directory sees it.
			changes[i].Change.Employee.DateOfBirthDigest = ""
		}
		var outcomes []store.Outcome
		if pass == PassWrite {
			outcomes, err = ap.write(ctx, changes)
		} else {
			outcomes, err = ap.link(ctx, changes)
		}
		// What was done before a transient error is recorded all the same,
		// so the retry does not do it again.
		done := make([]store.Outcome, 0, len(outcomes))
		for _, o := range outcomes {
			if o.Status != "" {
				done = append(done, o)
			}
		}
		if rerr := ap.acts.Store.RecordOutcomes(ctx, planID, done); rerr != nil {
			return errors.Join(err, rerr)
		}
		ap.acts.countOutcomes(changes, outcomes)
		if derr := ap.recordDrift(ctx); derr != nil {
			return errors.Join(err, derr)
		}
		if err != nil {
			if ap.progress.FailingSince.IsZero() {
				ap.progress.FailingSince = ap.acts.now().UTC()
			}
			ap.progress.Done += len(done)
			ap.beat(ctx)
			return err
		}
		ap.progress.FailingSince = time.Time{}
		for i, o := range outcomes {
			switch o.Status {
			case store.StatusApplied:
				ap.res.Applied[changes[i].Change.Op]++
			case store.StatusFailed:
				ap.res.Failed++
			case store.StatusLinking:
				ap.res.Linking++
			}
		}
		ap.retrying = false
		after = changes[len(changes)-1].Seq
		ap.progress.Done += len(changes)
		ap.beat(ctx)
	}
}

// write makes pass 1's writes for a batch: creates, activation switches
// and field updates, managers aside. A target that batches gets the creates
// and switches in one call, except in the first batch of a retried attempt,
// where each create first looks its user up. Every request is retried in
// place while it fails for a passing reason; the outcomes returned with an
// error are those settled before it, to be recorded all the same.
func (ap *applier) write(ctx context.Context, changes []store.PlannedChange) ([]store.Outcome, error) {
	out := make([]store.Outcome, len(changes))
	bt, batched := ap.tgt.(connectors.BatchTarget)
	batched = batched && !ap.retrying && !ap.unbatched
	var writes []connectors.Write
	var at []int
	for i, pc := range changes {
		c := pc.Change
		if w, ok := batchWrite(c); batched && ok {
			// A re-hire's fields go first, then the switch, so a retry after
			// either step converges; a leaver's fields go after the switch
			// (see finishLeaver), so nothing can hold a deactivation back.
			if fields := withoutManager(c.Fields); c.Op == roster.OpReactivate && len(fields) > 0 {
				if err := ap.change().target().UpdateUser(ctx, c.TargetID, c.Employee, fields); err != nil {
					if out[i], err = outcomeOf(pc, "", err); err != nil {
						return out, err
					}
					continue
				}
			}
			writes, at = append(writes, w), append(at, i)
			continue
		}
		var err error
		if out[i], err = ap.applyOne(ctx, pc); err != nil {
			return out, err
		}
	}
	if len(writes) == 0 {
		return out, nil
	}
	results, settled, err := ap.writeBatch(ctx, bt, writes)
	if err != nil {
		return out, fmt.Errorf("unable to write a batch of %d users: %w", len(writes), err)
	}
	// What the batch settled comes first, so it is recorded whatever
	// happens to the rest.
	for j, i := range at {
		if !settled[j] || (results[j].Err == nil && changes[i].Change.Op == roster.OpDeactivate) {
			continue
		}
		targetID, werr := results[j].TargetID, results[j].Err
		if errors.Is(werr, connectors.ErrUserGone) {
			targetID, werr = ap.repair(ctx, changes[i])
		}
		if out[i], err = outcomeOf(changes[i], targetID, werr); err != nil {
			return out, err
		}
	}
	// Then a leaver's other fields, and what the batch left to be made on
	// its own.
	for j, i := range at {
		pc := changes[i]
		switch {
		case !settled[j]:
			out[i], err = ap.applyOne(ctx, pc)
		case results[j].Err == nil && pc.Change.Op == roster.OpDeactivate:
			ferr := finishLeaver(ctx, ap.change().target(), pc.Change)
			out[i], err = outcomeOf(pc, results[j].TargetID, ferr)
		}
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// applyOne makes change pc's pass 1 writes on their own and returns its
// outcome. Each request is retried in place while it fails for a passing
// reason; a create that fails so is retried whole, so its user is looked
// up again before it is created.
func (ap *applier) applyOne(ctx context.Context, pc store.PlannedChange) (store.Outcome, error) {
	ch := ap.change()
	tgt := ch.target()
	var targetID string
	err := ch.retry(ctx, func() error {
		var err error
		targetID, err = applyChange(ctx, tgt, pc.Change)
		return err
	})
	if errors.Is(err, connectors.ErrUserGone) {
		targetID, err = ap.repair(ctx, pc)
	}
	return outcomeOf(pc, targetID, err)
}

// repair answers a write that found its user gone: deleted in the
// directory since hrsync wrote it. A leaver's deactivation is done — the
// user is no longer active anywhere; anyone else's user is made again as
// the plan has the employee (its manager is set by the next reconcile).
// Either way the old user is forgotten, and the drift recorded so the
// integration's next run reconciles the whole directory.
func (ap *applier) repair(ctx context.Context, pc store.PlannedChange) (string, error) {
	c := pc.Change
	ap.drift = append(ap.drift, fmt.Sprintf("user %s of employee %s was deleted in the directory", c.TargetID, c.EmployeeID))
	if err := ap.acts.Store.Disown(ctx, ap.plan.Directory, c.TargetID); err != nil {
		return "", err
	}
	switch c.Op {
	case roster.OpDeactivate:
		return "", nil
	case roster.OpUpdate, roster.OpReactivate:
		e := c.Employee
		e.ManagerID = ""
		var targetID string
		err := ap.change().retry(ctx, func() error {
			var err error
			targetID, err = ap.tgt.CreateUser(ctx, e)
			return err
		})
		return targetID, err
	}
	return "", connectors.Permanent(fmt.Errorf("employee %s: %w", c.EmployeeID, connectors.ErrUserGone))
}

// recordDrift marks the integration as drifted when this batch's writes
// found its directory changed behind hrsync's back, by themselves or as
// the target noticed, so that its next run reconciles.
func (ap *applier) recordDrift(ctx context.Context) error {
	if r, ok := ap.tgt.(connectors.DriftReporter); ok {
		if d := r.Drift(); d != "" {
			ap.drift = append(ap.drift, d)
		}
	}
	if len(ap.drift) == 0 {
		return nil
	}
	drift := ap.drift[0]
	if len(ap.drift) > 1 {
		drift += fmt.Sprintf(" (and %d more)", len(ap.drift)-1)
	}
	ap.drift = nil
	activity.GetLogger(ctx).Warn("Directory changed behind hrsync's back; the next run reconciles",
		"integrationId", ap.plan.IntegrationID, "drift", drift)
	return ap.acts.Store.MarkDrift(ctx, ap.plan.IntegrationID, drift, ap.acts.now())
}

// leaverFieldsError is a leaver's field update that failed after the
// leaver was deactivated: the deactivation stands, and the report says
// what was not written.
type leaverFieldsError struct{ err error }

func (e *leaverFieldsError) Error() string {
	return "deactivated, but its other changes were not written: " + e.err.Error()
}

func (e *leaverFieldsError) Unwrap() error { return e.err }

// finishLeaver writes a deactivated leaver's field changes (an exit date,
// say). The switch is made first and on its own, so a directory that
// refuses an attribute never keeps a leaver active.
func finishLeaver(ctx context.Context, tgt connectors.Target, c roster.Change) error {
	fields := withoutManager(c.Fields)
	if len(fields) == 0 {
		return nil
	}
	if err := tgt.UpdateUser(ctx, c.TargetID, c.Employee, fields); err != nil {
		return &leaverFieldsError{err: err}
	}
	return nil
}

// batchWrite is the batched write that finishes change c in pass 1, and
// false for a change written on its own (an update of fields).
func batchWrite(c roster.Change) (connectors.Write, bool) {
	switch c.Op {
	case roster.OpCreate:
		e := c.Employee
		e.ManagerID = ""
		return connectors.Write{Kind: connectors.WriteCreate, Employee: e}, true
	case roster.OpReactivate, roster.OpDeactivate:
		return connectors.Write{Kind: connectors.WriteActive, TargetID: c.TargetID, Active: c.Op == roster.OpReactivate}, true
	}
	return connectors.Write{}, false
}

// countOutcomes counts, in the metrics, the outcomes of changes just
// stored (outcomes[i] is that of changes[i]): each change applied under
// its operation, each failed under its code. A change written in pass 1
// whose manager pass 2 links counts once linked. A stored outcome is never
// stored again — a retried attempt goes on from the changes still pending
// — so each change counts once.
func (a *Activities) countOutcomes(changes []store.PlannedChange, outcomes []store.Outcome) {
	for i, o := range outcomes {
		switch o.Status {
		case store.StatusApplied:
			a.Metrics.Applied(string(changes[i].Change.Op), 1)
		case store.StatusFailed:
			a.Metrics.ApplyFailed(o.Code)
		}
	}
}

// failureCode names why the directory refused a change for good, in a word
// for metrics: the HTTP status of its answer ("409"), or "other".
func failureCode(err error) string {
	if status := connectors.StatusOf(err); status >= 100 && status <= 599 {
		return strconv.Itoa(status)
	}
	return "other"
}

// outcomeOf is the outcome of pass 1 for change pc: written (and waiting
// for its manager, if it sets one), or refused by the directory. A
// transient error, or a refused credential (no one employee's doing), is
// returned so the attempt fails.
func outcomeOf(pc store.PlannedChange, targetID string, err error) (store.Outcome, error) {
	o := store.Outcome{Seq: pc.Seq, Status: store.StatusApplied, TargetID: targetID}
	var partial *leaverFieldsError
	switch {
	case errors.Is(err, connectors.ErrBadCredential):
		return store.Outcome{}, fmt.Errorf("unable to %s employee %s: %w", pc.Change.Op, pc.Change.EmployeeID, err)
	case errors.As(err, &partial) && connectors.IsPermanent(err):
		if o.TargetID == "" {
			o.TargetID = pc.Change.TargetID
		}
		o.Error = err.Error()
		return o, nil
	case err == nil:
		if needsManager(pc.Change) {
			o.Status = store.StatusLinking
		}
		return o, nil
	case connectors.IsPermanent(err):
		if o.TargetID == "" {
			o.TargetID = pc.Change.TargetID
		}
		o.Status, o.Error, o.Code = store.StatusFailed, err.Error(), failureCode(err)
		return o, nil
	}
	return store.Outcome{}, fmt.Errorf("unable to %s employee %s: %w", pc.Change.Op, pc.Change.EmployeeID, err)
}

// link sets the managers of a batch of written changes. A manager the plan
// knows (written by this run, or already in the directory) is referenced by
// the directory id the plan recorded; any other is looked up by HRIS id. A
// manager who is not in the directory (a leaver never synced, say) leaves
// the manager unset, with a warning in the report. Requests are retried in
// place as write's are.
func (ap *applier) link(ctx context.Context, changes []store.PlannedChange) ([]store.Outcome, error) {
	var managers []string
	for _, pc := range changes {
		if m := pc.Change.Employee.ManagerID; m != "" && !slices.Contains(managers, m) {
			managers = append(managers, m)
		}
	}
	ids, err := ap.acts.Store.TargetIDs(ctx, ap.in.PlanID, managers)
	if err != nil {
		return nil, err
	}
	out := make([]store.Outcome, len(changes))
	bt, batched := ap.tgt.(connectors.BatchTarget)
	batched = batched && !ap.unbatched
	var writes []connectors.Write
	var at []int
	for i, pc := range changes {
		out[i] = store.Outcome{Seq: pc.Seq, Status: store.StatusApplied, TargetID: pc.TargetID}
		ref := connectors.ManagerRef{}
		if m := pc.Change.Employee.ManagerID; m != "" {
			ref = connectors.ManagerRef{ExternalID: m, TargetID: ids[m]}
		}
		if ref.ExternalID != "" && ref.TargetID == "" {
			u, found, err := ap.change().target().FindByExternalID(ctx, ref.ExternalID)
			if err != nil {
				if out[i], err = linkOutcome(pc, err); err != nil {
					return out, err
				}
				continue
			}
			if !found {
				// The user is in the directory; only its manager could not be
				// linked. The report says so, and the next run tries again.
				out[i].Error = fmt.Sprintf("manager %s is not in the directory; manager left unset", ref.ExternalID)
				out[i].Left = managerLeft(pc.Change)
				continue
			}
			ref.TargetID = u.TargetID
		}
		if batched {
			writes = append(writes, connectors.Write{Kind: connectors.WriteManager, TargetID: pc.TargetID, Manager: ref})
			at = append(at, i)
			out[i] = store.Outcome{} // decided with the batch
			continue
		}
		if out[i], err = ap.linkOne(ctx, pc, ref); err != nil {
			return out, err
		}
	}
	if len(writes) == 0 {
		return out, nil
	}
	results, settled, err := ap.writeBatch(ctx, bt, writes)
	if err != nil {
		return out, fmt.Errorf("unable to link the managers of %d users: %w", len(writes), err)
	}
	// What the batch settled comes first, so it is recorded whatever
	// happens to the rest.
	for j, i := range at {
		if !settled[j] {
			continue
		}
		out[i] = store.Outcome{Seq: changes[i].Seq, Status: store.StatusApplied, TargetID: changes[i].TargetID}
		if results[j].Err != nil {
			if out[i], err = linkOutcome(changes[i], results[j].Err); err != nil {
				return out, err
			}
		}
	}
	for j, i := range at {
		if settled[j] {
			continue
		}
		if out[i], err = ap.linkOne(ctx, changes[i], writes[j].Manager); err != nil {
			return out, err
		}
	}
	return out, nil
}

// linkOne sets the manager of change pc on its own, retrying while it
// fails for a passing reason, and returns its outcome.
func (ap *applier) linkOne(ctx context.Context, pc store.PlannedChange, ref connectors.ManagerRef) (store.Outcome, error) {
	if err := ap.change().target().SetManager(ctx, pc.TargetID, ref); err != nil {
		return linkOutcome(pc, err)
	}
	return store.Outcome{Seq: pc.Seq, Status: store.StatusApplied, TargetID: pc.TargetID}, nil
}

// linkOutcome is the outcome of a manager link the directory refused, or
// the error to retry it with (a transient one, or a refused credential).
func linkOutcome(pc store.PlannedChange, err error) (store.Outcome, error) {
	if connectors.IsPermanent(err) && !errors.Is(err, connectors.ErrBadCredential) {
		return store.Outcome{Seq: pc.Seq, Status: store.StatusFailed, TargetID: pc.TargetID, Error: err.Error(),
			Code: failureCode(err)}, nil
	}
	return store.Outcome{}, fmt.Errorf("unable to link the manager of employee %s: %w", pc.Change.EmployeeID, err)
}

// needsManager reports whether a change sets or clears a manager, which the
// second pass does.
func needsManager(c roster.Change) bool {
	switch c.Op {
	case roster.OpCreate:
		return c.Employee.ManagerID != ""
	case roster.OpUpdate, roster.OpReactivate:
		return slices.Contains(c.Fields, roster.FieldManagerID)
	}
	return false
}

// withoutManager returns fields less the manager.
func withoutManager(fields []roster.Field) []roster.Field {
	return slices.DeleteFunc(slices.Clone(fields), func(f roster.Field) bool { return f == roster.FieldManagerID })
}

// applyChange performs one change, managers aside, and returns the
// directory user's id.
func applyChange(ctx context.Context, tgt connectors.Target, c roster.Change) (string, error) {
	fields := withoutManager(c.Fields)
	switch c.Op {
	case roster.OpCreate:
		existing, found, err := tgt.FindByExternalID(ctx, c.EmployeeID)
		if err != nil {
			return "", err
		}
		if found {
			// An earlier attempt created the user before it could record
			// so: write the planned fields over it instead.
			if err := tgt.UpdateUser(ctx, existing.TargetID, c.Employee, fields); err != nil {
				return "", err
			}
			return existing.TargetID, nil
		}
		e := c.Employee
		e.ManagerID = ""
		return tgt.CreateUser(ctx, e)
	case roster.OpUpdate:
		if len(fields) == 0 && !c.Link {
			return c.TargetID, nil
		}
		return c.TargetID, tgt.UpdateUser(ctx, c.TargetID, c.Employee, linkFields(c, fields))
	case roster.OpDeactivate:
		if err := tgt.SetActive(ctx, c.TargetID, false); err != nil {
			return "", err
		}
		return c.TargetID, finishLeaver(ctx, tgt, c)
	case roster.OpReactivate:
		// Fields first (a re-hire's new department), then the switch, so a
		// retry after either step converges.
		if len(fields) > 0 {
			if err := tgt.UpdateUser(ctx, c.TargetID, c.Employee, fields); err != nil {
				return "", err
			}
		}
		return c.TargetID, tgt.SetActive(ctx, c.TargetID, true)
	case roster.OpUnchanged, roster.OpSkip:
		return c.TargetID, nil
	}
	return "", connectors.Permanent(fmt.Errorf("unknown operation %q for employee %s", c.Op, c.EmployeeID))
}

// linkFields is the field list of an update; a change that only links a user
// by email still writes the id so the link is stored.
func linkFields(c roster.Change, fields []roster.Field) []roster.Field {
	if len(fields) == 0 && c.Link {
		return []roster.Field{roster.FieldID}
	}
	return fields
}

// managerLeft is who change c leaves in the directory when its manager
// could not be linked: a new user has none, anyone else keeps the one the
// directory had. That is what the run promotes, so the next run, whichever
// directory it compares with, links the manager once there is one.
func managerLeft(c roster.Change) *roster.Employee {
	e := c.Employee
	e.ManagerID = ""
	if c.Op != roster.OpCreate {
		e.ManagerID = c.Before[roster.FieldManagerID]
	}
	if c.Inactive {
		e.Status = roster.StatusInactive
	}
	return &e
}
