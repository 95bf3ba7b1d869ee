package activities

import (
	"context"
	"fmt"
	"slices"

	"go.temporal.io/sdk/activity"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
)

// ApplyInput names the plan to apply and the directory to apply it to.
type ApplyInput struct {
	PlanID string
	Target integration.Endpoint
}

// ApplyResult counts what this attempt did.
type ApplyResult struct {
	Applied map[roster.Op]int
	Failed  int
}

// ApplyProgress is the heartbeat of Apply, which operators read through
// Temporal to show how far an apply has got: pass 1 writes users, pass 2
// links managers.
type ApplyProgress struct {
	Pass  int
	Done  int
	Total int
}

// Apply carries out the plan in two passes. The first writes every pending
// change without managers; the second links managers, once every user of
// the run exists — a directory such as SCIM references a manager by its own
// id, so a manager created in this run must exist first. Each change is
// idempotent (a create first looks the user up by externalId) and its
// outcome is stored as soon as it is known, so a retried attempt continues
// where the last one stopped and never applies a change twice. A change the
// directory refuses is recorded as failed and the run goes on; a transient
// error fails the attempt so Temporal retries it.
func (a *Activities) Apply(ctx context.Context, in ApplyInput) (ApplyResult, error) {
	res, err := a.apply(ctx, in)
	return res, classify(err)
}

func (a *Activities) apply(ctx context.Context, in ApplyInput) (ApplyResult, error) {
	res := ApplyResult{Applied: map[roster.Op]int{}}
	tgt, err := a.target(in.Target)
	if err != nil {
		return res, err
	}
	changes, err := a.Store.PlanChanges(ctx, in.PlanID)
	if err != nil {
		return res, err
	}
	progress := ApplyProgress{Pass: 1, Total: len(changes)}
	for _, pc := range changes {
		progress.Done++
		if pc.Status != store.StatusPending {
			continue
		}
		targetID, err := applyChange(ctx, tgt, pc.Change)
		status := store.StatusApplied
		if needsManager(pc.Change) {
			status = store.StatusLinking
		}
		if err := a.record(ctx, in.PlanID, pc, &res, status, targetID, err); err != nil {
			return res, err
		}
		activity.RecordHeartbeat(ctx, progress)
	}

	// The second pass reads the outcomes back: it needs the ids creates got.
	changes, err = a.Store.PlanChanges(ctx, in.PlanID)
	if err != nil {
		return res, err
	}
	ids := make(map[string]string, len(changes))
	for _, pc := range changes {
		if pc.TargetID != "" {
			ids[pc.Change.EmployeeID] = pc.TargetID
		}
	}
	progress = ApplyProgress{Pass: 2, Total: len(changes)}
	for _, pc := range changes {
		progress.Done++
		if pc.Status != store.StatusLinking {
			continue
		}
		warning, err := linkManager(ctx, tgt, pc, ids)
		if err == nil && warning != "" {
			// The user is in the directory; only its manager could not be
			// linked. The report says so, and the next run tries again.
			res.Applied[pc.Change.Op]++
			err = a.Store.RecordOutcome(ctx, in.PlanID, pc.Seq, store.StatusApplied, pc.TargetID, warning)
			if err != nil {
				return res, err
			}
			continue
		}
		if err := a.record(ctx, in.PlanID, pc, &res, store.StatusApplied, pc.TargetID, err); err != nil {
			return res, err
		}
		activity.RecordHeartbeat(ctx, progress)
	}
	return res, nil
}

// record stores the outcome of one step of a change: status when it worked,
// failed when the directory refused it. A transient error is returned so
// the attempt fails and is retried.
func (a *Activities) record(ctx context.Context, planID string, pc store.PlannedChange, res *ApplyResult,
	status store.ChangeStatus, targetID string, stepErr error) error {
	switch {
	case stepErr == nil:
		if status == store.StatusApplied {
			res.Applied[pc.Change.Op]++
		}
		return a.Store.RecordOutcome(ctx, planID, pc.Seq, status, targetID, "")
	case connectors.IsPermanent(stepErr):
		res.Failed++
		if targetID == "" {
			targetID = pc.Change.TargetID
		}
		return a.Store.RecordOutcome(ctx, planID, pc.Seq, store.StatusFailed, targetID, stepErr.Error())
	}
	return fmt.Errorf("unable to %s employee %s: %w", pc.Change.Op, pc.Change.EmployeeID, stepErr)
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
	case roster.OpReactivate, roster.OpDeactivate:
		// Fields first (an exit date, a re-hire's new department), then the
		// switch, so a retry after either step converges.
		if len(fields) > 0 {
			if err := tgt.UpdateUser(ctx, c.TargetID, c.Employee, fields); err != nil {
				return "", err
			}
		}
		return c.TargetID, tgt.SetActive(ctx, c.TargetID, c.Op == roster.OpReactivate)
	case roster.OpUnchanged, roster.OpSkip:
		return c.TargetID, nil
	}
	return "", connectors.Permanent(fmt.Errorf("unknown operation %q for employee %s", c.Op, c.EmployeeID))
}

// linkManager sets the manager of a written change. A manager this run
// wrote is found by the id it recorded; any other is looked up in the
// directory by HRIS id. A manager who is not in the directory (a leaver
// never synced, say) leaves the manager unset and is returned as a warning.
func linkManager(ctx context.Context, tgt connectors.Target, pc store.PlannedChange, ids map[string]string) (string, error) {
	managerID := pc.Change.Employee.ManagerID
	if managerID == "" {
		return "", tgt.SetManager(ctx, pc.TargetID, connectors.ManagerRef{})
	}
	ref := connectors.ManagerRef{ExternalID: managerID, TargetID: ids[managerID]}
	if ref.TargetID == "" {
		u, found, err := tgt.FindByExternalID(ctx, managerID)
		if err != nil {
			return "", err
		}
		if !found {
			return fmt.Sprintf("manager %s is not in the directory; manager left unset", managerID), nil
		}
		ref.TargetID = u.TargetID
	}
	return "", tgt.SetManager(ctx, pc.TargetID, ref)
}

// linkFields is the field list of an update; a change that only links a user
// by email still writes the id so the link is stored.
func linkFields(c roster.Change, fields []roster.Field) []roster.Field {
	if len(fields) == 0 && c.Link {
		return []roster.Field{roster.FieldID}
	}
	return fields
}
