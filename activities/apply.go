package activities

import (
	"context"
	"fmt"

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

// applyProgress is the heartbeat of Apply.
type applyProgress struct {
	Done  int
	Total int
}

// Apply carries out every pending change of the plan. Each change is
// idempotent — a create first looks the user up by externalId — and its
// outcome is stored as soon as it is known, so a retried attempt continues
// with the changes still pending and never applies one twice. A change the
// directory refuses is recorded as failed and the run goes on; a transient
// error fails the attempt so Temporal retries it.
func (a *Activities) Apply(ctx context.Context, in ApplyInput) (ApplyResult, error) {
	res, err := a.apply(ctx, in)
	return res, classify(err)
}

func (a *Activities) apply(ctx context.Context, in ApplyInput) (ApplyResult, error) {
	res := ApplyResult{Applied: map[roster.Op]int{}}
	changes, err := a.Store.PlanChanges(ctx, in.PlanID)
	if err != nil {
		return res, err
	}
	tgt, err := a.target(in.Target)
	if err != nil {
		return res, err
	}
	progress := applyProgress{Total: len(changes)}
	for _, pc := range changes {
		progress.Done++
		if pc.Status != store.StatusPending {
			continue
		}
		targetID, err := applyChange(ctx, tgt, pc.Change)
		switch {
		case err == nil:
			res.Applied[pc.Change.Op]++
			err = a.Store.RecordOutcome(ctx, in.PlanID, pc.Seq, store.StatusApplied, targetID, "")
		case connectors.IsPermanent(err):
			res.Failed++
			err = a.Store.RecordOutcome(ctx, in.PlanID, pc.Seq, store.StatusFailed, pc.Change.TargetID, err.Error())
		default:
			return res, fmt.Errorf("unable to %s employee %s: %w", pc.Change.Op, pc.Change.EmployeeID, err)
		}
		if err != nil {
			return res, err
		}
		activity.RecordHeartbeat(ctx, progress)
	}
	return res, nil
}

// applyChange performs one change and returns the directory user's id.
func applyChange(ctx context.Context, tgt connectors.Target, c roster.Change) (string, error) {
	switch c.Op {
	case roster.OpCreate:
		existing, found, err := tgt.FindByExternalID(ctx, c.EmployeeID)
		if err != nil {
			return "", err
		}
		if found {
			// An earlier attempt created the user before it could record
			// so: write the planned fields over it instead.
			if err := tgt.UpdateUser(ctx, existing.TargetID, c.Employee, c.Fields); err != nil {
				return "", err
			}
			return existing.TargetID, nil
		}
		return tgt.CreateUser(ctx, c.Employee)
	case roster.OpUpdate:
		return c.TargetID, tgt.UpdateUser(ctx, c.TargetID, c.Employee, linkFields(c))
	case roster.OpReactivate, roster.OpDeactivate:
		// Fields first (an exit date, a re-hire's new department), then the
		// switch, so a retry after either step converges.
		if len(c.Fields) > 0 {
			if err := tgt.UpdateUser(ctx, c.TargetID, c.Employee, c.Fields); err != nil {
				return "", err
			}
		}
		return c.TargetID, tgt.SetActive(ctx, c.TargetID, c.Op == roster.OpReactivate)
	case roster.OpUnchanged, roster.OpSkip:
		return c.TargetID, nil
	}
	return "", connectors.Permanent(fmt.Errorf("unknown operation %q for employee %s", c.Op, c.EmployeeID))
}

// linkFields is the field list of an update; a change that only links a user
// by email still writes the id so the link is stored.
func linkFields(c roster.Change) []roster.Field {
	if len(c.Fields) == 0 && c.Link {
		return []roster.Field{roster.FieldID}
	}
	return c.Fields
}
