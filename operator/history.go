package operator

import (
	"context"
	"fmt"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"

	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/workflows"
)

// Run is one sync as Temporal's visibility records it.
type Run struct {
	WorkflowID string                 `json:"workflowId"`
	Execution  string                 `json:"execution"`
	SyncStatus string                 `json:"syncStatus"`
	StartedAt  time.Time              `json:"startedAt"`
	ClosedAt   *time.Time             `json:"closedAt,omitempty"`
	Summary    *workflows.SyncSummary `json:"summary,omitempty"`
}

// Listed is one integration as visibility records it.
type Listed struct {
	ID         string    `json:"id"`
	SyncStatus string    `json:"syncStatus"`
	StartedAt  time.Time `json:"startedAt"`
}

// maxListed bounds how many rows List and History return.
const maxListed = 1000

// List returns the running integrations.
func (o *Operator) List(ctx context.Context) ([]Listed, error) {
	execs, err := o.list(ctx, fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Running'",
		workflowTypeIntegration), maxListed)
	if err != nil {
		return nil, err
	}
	out := make([]Listed, 0, len(execs))
	for _, e := range execs {
		id, ok := workflows.IntegrationIDFromWorkflowID(e.GetExecution().GetWorkflowId())
		if !ok {
			continue
		}
		out = append(out, Listed{ID: id, SyncStatus: syncStatusOf(e.GetSearchAttributes()),
			StartedAt: e.GetStartTime().AsTime()})
	}
	return out, nil
}

// History returns integration id's sync runs, newest first, at most limit.
func (o *Operator) History(ctx context.Context, id string, limit int) ([]Run, error) {
	if err := integration.CheckID(id); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > maxListed {
		limit = maxListed
	}
	execs, err := o.list(ctx, fmt.Sprintf("WorkflowType = '%s' AND %s = '%s'",
		workflowTypeSync, workflows.IntegrationIDKey.GetName(), id), limit)
	if err != nil {
		return nil, err
	}
	if len(execs) == 0 {
		if err := o.ensureRunning(ctx, id); err != nil {
			return nil, err
		}
	}
	runs, err := o.runs(execs)
	if err != nil {
		return nil, err
	}
	return runs, nil
}

// Finished returns the sync runs of every integration that closed at or
// after since. A run whose summary cannot be decoded is returned without
// one.
func (o *Operator) Finished(ctx context.Context, since time.Time) ([]Run, error) {
	execs, err := o.list(ctx, fmt.Sprintf("WorkflowType = '%s' AND CloseTime >= '%s'",
		workflowTypeSync, since.UTC().Format(time.RFC3339Nano)), maxListed)
	if err != nil {
		return nil, err
	}
	runs, _ := o.runs(execs)
	return runs, nil
}

// runs converts visibility records of sync workflows. The error is the
// first summary that could not be decoded (with another payload key than
// the worker's, or none); every run is returned all the same.
func (o *Operator) runs(execs []*workflowpb.WorkflowExecutionInfo) ([]Run, error) {
	var decodeErr error
	runs := make([]Run, 0, len(execs))
	for _, e := range execs {
		r := Run{
			WorkflowID: e.GetExecution().GetWorkflowId(),
			Execution:  executionStatus(e.GetStatus()),
			SyncStatus: syncStatusOf(e.GetSearchAttributes()),
			StartedAt:  e.GetStartTime().AsTime(),
		}
		if e.GetCloseTime() != nil {
			closed := e.GetCloseTime().AsTime()
			r.ClosedAt = &closed
		}
		if p, ok := e.GetMemo().GetFields()[workflows.MemoSummary]; ok {
			var sum workflows.SyncSummary
			err := o.dc.FromPayload(p, &sum)
			switch {
			case err == nil:
				r.Summary = &sum
			case decodeErr == nil:
				decodeErr = fmt.Errorf("unable to read the summary of %s (is the payload key the worker's?): %w",
					r.WorkflowID, err)
			}
		}
		runs = append(runs, r)
	}
	return runs, decodeErr
}

// Workflow type names as registered (the function names).
const (
	workflowTypeIntegration = "IntegrationWorkflow"
	workflowTypeSync        = "SyncWorkflow"
)

// list pages through visibility for query, up to limit executions.
func (o *Operator) list(ctx context.Context, query string, limit int) ([]*workflowpb.WorkflowExecutionInfo, error) {
	var out []*workflowpb.WorkflowExecutionInfo
	var token []byte
	for {
		resp, err := o.c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: query, NextPageToken: token, PageSize: 100,
		})
		if err != nil {
			return nil, fmt.Errorf("unable to list workflows: %w", err)
		}
		out = append(out, resp.GetExecutions()...)
		token = resp.GetNextPageToken()
		if len(token) == 0 || len(out) >= limit {
			break
		}
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// syncStatusOf reads the SyncStatus search attribute.
func syncStatusOf(sa *commonpb.SearchAttributes) string {
	p, ok := sa.GetIndexedFields()[workflows.SyncStatusKey.GetName()]
	if !ok {
		return ""
	}
	var s string
	if err := converter.GetDefaultDataConverter().FromPayload(p, &s); err != nil {
		return ""
	}
	return s
}

// executionStatus names a workflow's execution status in a word.
func executionStatus(s enumspb.WorkflowExecutionStatus) string {
	switch s {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		return "Running"
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		return "Completed"
	case enumspb.WORKFLOW_EXECUTION_STATUS_FAILED:
		return "Failed"
	case enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:
		return "Canceled"
	case enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED:
		return "Terminated"
	case enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:
		return "TimedOut"
	}
	return s.String()
}
