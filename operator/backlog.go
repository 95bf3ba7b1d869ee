package operator

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/hrsync/hrsync/workflows"
)

// Backlog is what waits on people across every worker of the namespace, as
// Temporal's visibility records it: runs waiting for approval or review,
// and integrations quarantined after an outage. Visibility lags the
// workflows by a second or so.
type Backlog struct {
	// AwaitingApproval counts the running syncs a guard blocked
	// (AwaitingApproval); AwaitingReview those stopped for review
	// (AwaitingReview).
	AwaitingApproval, AwaitingReview int
	// OldestApproval and OldestReview are when the oldest of each started;
	// zero when there is none. A run waits from the end of its plan, a few
	// minutes after it starts; one re-planned after an approval, since.
	OldestApproval, OldestReview time.Time
	// Quarantined counts the integrations an outage paused, until resumed.
	Quarantined int
	// Capped says more runs waited than MaxBacklogListed: the counts and
	// ages are of those listed.
	Capped bool
}

// MaxBacklogListed bounds the waiting runs Backlog lists.
const MaxBacklogListed = 10_000

// backlogPage is how many runs Backlog asks visibility for at a time.
const backlogPage = 1000

// Backlog reads the backlog: one listing of the waiting runs, a page of
// backlogPage at a time, and one count of the quarantined integrations.
func (o *Operator) Backlog(ctx context.Context) (Backlog, error) {
	var b Backlog
	status := workflows.SyncStatusKey.GetName()
	query := fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Running' AND %s IN ('%s', '%s')",
		workflowTypeSync, status, workflows.StatusAwaitingApproval, workflows.StatusAwaitingReview)
	var token []byte
	listed := 0
	for {
		resp, err := o.c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: query, NextPageToken: token, PageSize: backlogPage,
		})
		if err != nil {
			return Backlog{}, fmt.Errorf("unable to list the runs awaiting a decision: %w", err)
		}
		for _, e := range resp.GetExecutions() {
			started := e.GetStartTime().AsTime()
			switch syncStatusOf(e.GetSearchAttributes()) {
			case workflows.StatusAwaitingApproval:
				b.AwaitingApproval++
				b.OldestApproval = earliest(b.OldestApproval, started)
			case workflows.StatusAwaitingReview:
				b.AwaitingReview++
				b.OldestReview = earliest(b.OldestReview, started)
			}
		}
		listed += len(resp.GetExecutions())
		token = resp.GetNextPageToken()
		if len(token) == 0 {
			break
		}
		if listed >= MaxBacklogListed {
			b.Capped = true
			break
		}
	}
	count, err := o.c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{
		Query: fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Running' AND %s = '%s'",
			workflowTypeIntegration, status, workflows.StatusQuarantined),
	})
	if err != nil {
		return Backlog{}, fmt.Errorf("unable to count the quarantined integrations: %w", err)
	}
	b.Quarantined = int(count.GetCount())
	return b, nil
}

// earliest is the earlier of a and b, where a zero a is none.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}
