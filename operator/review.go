package operator

import (
	"context"
	"errors"
	"fmt"

	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
	"github.com/hrsync/hrsync/workflows"
)

// ErrNotWaiting means review found no sync waiting for a decision.
var ErrNotWaiting = errors.New("no sync is awaiting review or approval")

// Review is a waiting plan as an administrator reviews it: what it would do
// to each employee. It is read from the store, never from workflow history.
type Review struct {
	IntegrationID string            `json:"integrationId"`
	PlanID        string            `json:"planId"`
	Planned       map[roster.Op]int `json:"planned"`
	Blocks        []roster.Block    `json:"blocks,omitempty"`
	Changes       []ReviewChange    `json:"changes"`
}

// ReviewChange is one employee's planned change: its operation, why, and
// the fields it writes (identity fields by name only).
type ReviewChange struct {
	EmployeeID string               `json:"employeeId"`
	Op         roster.Op            `json:"op"`
	Reason     string               `json:"reason,omitempty"`
	Fields     []roster.ReviewField `json:"fields,omitempty"`
}

// Waiting returns the run of integration id that waits for a decision —
// for review or for approval.
func (o *Operator) Waiting(ctx context.Context, id string) (workflows.BlockedSync, error) {
	st, err := o.Status(ctx, id)
	if err != nil {
		return workflows.BlockedSync{}, err
	}
	if st.Current == nil || st.Current.Blocked == nil {
		return workflows.BlockedSync{}, fmt.Errorf("%w on integration %s", ErrNotWaiting, id)
	}
	return *st.Current.Blocked, nil
}

// ReviewPlan reads plan planID from st as a review shows it; unchanged
// employees are left out unless all.
func ReviewPlan(ctx context.Context, st *store.Store, planID string, all bool) (Review, error) {
	plan, err := st.GetPlan(ctx, planID)
	if err != nil {
		return Review{}, fmt.Errorf("unable to read plan %s: %w", planID, err)
	}
	changes, err := st.PlanChanges(ctx, planID)
	if err != nil {
		return Review{}, err
	}
	r := Review{IntegrationID: plan.IntegrationID, PlanID: plan.ID, Planned: plan.Counts, Blocks: plan.Blocks,
		Changes: make([]ReviewChange, 0, len(changes))}
	for _, pc := range changes {
		c := pc.Change
		if c.Op == roster.OpUnchanged && !all {
			continue
		}
		r.Changes = append(r.Changes, ReviewChange{EmployeeID: c.EmployeeID, Op: c.Op, Reason: c.Reason, Fields: c.Review()})
	}
	return r, nil
}
