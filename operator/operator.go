// Package operator is what an administrator can do to integrations through
// Temporal: create, inspect, sync, pause, resume, approve, reject, remove and
// read their history. The starter CLI and dev mode both use it.
package operator

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/workflows"
)

// Errors callers tell apart.
var (
	// ErrNotFound means no running integration has that ID.
	ErrNotFound = errors.New("integration not found")
	// ErrExists means an integration with that ID is already running.
	ErrExists = errors.New("integration already exists")
	// ErrNotAwaitingApproval means approve or reject found no blocked sync.
	ErrNotAwaitingApproval = errors.New("no sync is awaiting approval")
)

// Operator performs operations on integrations.
type Operator struct {
	c  client.Client
	dc converter.DataConverter
}

// New returns an Operator over c. dc decodes memos; nil means the default
// data converter.
func New(c client.Client, dc converter.DataConverter) *Operator {
	if dc == nil {
		dc = converter.GetDefaultDataConverter()
	}
	return &Operator{c: c, dc: dc}
}

// Create validates cfg and starts its integration workflow.
func (o *Operator) Create(ctx context.Context, cfg integration.Config) error {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("invalid integration config:\n%w", err)
	}
	_, err := o.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       workflows.IntegrationWorkflowID(cfg.ID),
		TaskQueue:                workflows.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		// Without this the SDK hands back the running integration as if it
		// had just been created.
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.IntegrationIDKey.ValueSet(cfg.ID), workflows.SyncStatusKey.ValueSet(workflows.StatusIdle)),
		StaticSummary: fmt.Sprintf("Integration %s: %s → %s", cfg.ID, cfg.Source.Kind, cfg.Target.Kind),
	}, workflows.IntegrationWorkflow, workflows.IntegrationInput{Config: cfg})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return fmt.Errorf("%w: %s", ErrExists, cfg.ID)
	}
	if err != nil {
		return fmt.Errorf("unable to start integration %s: %w", cfg.ID, err)
	}
	return nil
}

// ensureRunning returns ErrNotFound unless integration id's workflow runs.
func (o *Operator) ensureRunning(ctx context.Context, id string) error {
	if err := integration.CheckID(id); err != nil {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	desc, err := o.c.DescribeWorkflowExecution(ctx, workflows.IntegrationWorkflowID(id), "")
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if err != nil {
		return fmt.Errorf("unable to look up integration %s: %w", id, err)
	}
	if desc.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		return fmt.Errorf("%w: %s (it was removed or has ended)", ErrNotFound, id)
	}
	return nil
}

// Status returns integration id's state, last sync and next run.
func (o *Operator) Status(ctx context.Context, id string) (workflows.IntegrationStatus, error) {
	var st workflows.IntegrationStatus
	if err := o.ensureRunning(ctx, id); err != nil {
		return st, err
	}
	v, err := o.c.QueryWorkflow(ctx, workflows.IntegrationWorkflowID(id), "", workflows.QueryStatus)
	if err != nil {
		return st, fmt.Errorf("unable to query integration %s (is a worker running?): %w", id, err)
	}
	if err := v.Get(&st); err != nil {
		return st, fmt.Errorf("unable to decode status of %s: %w", id, err)
	}
	return st, nil
}

// SyncNow asks integration id to sync now and says which run that will be.
// With approve, the run goes ahead through any block.
func (o *Operator) SyncNow(ctx context.Context, id, by string, approve bool) (workflows.SyncNowResult, error) {
	return o.SyncNowWith(ctx, id, workflows.SyncRequest{By: by, Approve: approve})
}

// SyncNowWith asks integration id for the sync req describes (with
// req.Review, one that stops for review once planned).
func (o *Operator) SyncNowWith(ctx context.Context, id string, req workflows.SyncRequest) (workflows.SyncNowResult, error) {
	var res workflows.SyncNowResult
	err := o.update(ctx, id, workflows.UpdateSyncNow, req, &res)
	return res, err
}

// Preview fetches and maps integration id's HRIS under its current rules
// without applying anything, and returns where the CSV waits in the store.
func (o *Operator) Preview(ctx context.Context, id string) (workflows.PreviewResult, error) {
	var res workflows.PreviewResult
	st, err := o.Status(ctx, id)
	if err != nil {
		return res, err
	}
	run, err := o.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                    workflows.PreviewWorkflowID(id, time.Now().UTC().Format("20060102T150405.000000000")),
		TaskQueue:             workflows.TaskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(workflows.IntegrationIDKey.ValueSet(id)),
		StaticSummary:         "Preview of integration " + id,
	}, workflows.PreviewWorkflow, workflows.PreviewInput{IntegrationID: id, Config: st.Config})
	if err != nil {
		return res, fmt.Errorf("unable to start preview of %s: %w", id, err)
	}
	if err := run.Get(ctx, &res); err != nil {
		return res, fmt.Errorf("preview of %s failed: %w", id, err)
	}
	return res, nil
}

// Pause stops integration id's scheduled syncs.
func (o *Operator) Pause(ctx context.Context, id, by, reason string) (workflows.IntegrationStatus, error) {
	var st workflows.IntegrationStatus
	err := o.update(ctx, id, workflows.UpdatePause, workflows.PauseRequest{By: by, Reason: reason}, &st)
	return st, err
}

// Resume restarts integration id's scheduled syncs.
func (o *Operator) Resume(ctx context.Context, id, by string) (workflows.IntegrationStatus, error) {
	var st workflows.IntegrationStatus
	err := o.update(ctx, id, workflows.UpdateResume, workflows.ResumeRequest{By: by}, &st)
	return st, err
}

// UpdateConfig replaces integration cfg.ID's configuration.
func (o *Operator) UpdateConfig(ctx context.Context, cfg integration.Config) (workflows.IntegrationStatus, error) {
	var st workflows.IntegrationStatus
	err := o.update(ctx, cfg.ID, workflows.UpdateConfig, cfg, &st)
	return st, err
}

// Remove ends integration id and purges its stored data. A stored
// credential another integration still names is kept, and the result says
// so.
func (o *Operator) Remove(ctx context.Context, id, by string) (workflows.RemoveResult, error) {
	var res workflows.RemoveResult
	err := o.update(ctx, id, workflows.UpdateRemove, workflows.RemoveRequest{By: by}, &res)
	return res, err
}

// update sends a validated update and waits for its result.
func (o *Operator) update(ctx context.Context, id, name string, arg, result any) error {
	if err := o.ensureRunning(ctx, id); err != nil {
		return err
	}
	h, err := o.c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflows.IntegrationWorkflowID(id),
		UpdateName:   name,
		Args:         []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, result)
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return fmt.Errorf("%s refused: %s", name, appErr.Message())
	}
	if err != nil {
		return fmt.Errorf("unable to %s integration %s: %w", name, id, err)
	}
	return nil
}

// Approve lets integration id's blocked sync go ahead. With planID set, the
// approval holds only for that plan, and is refused here when another plan
// waits. A run waiting for review is approved for the plan waiting now
// when planID is empty: the approval always names the plan.
func (o *Operator) Approve(ctx context.Context, id, by, planID string) (workflows.BlockedSync, error) {
	return o.decide(ctx, id, workflows.SignalApprove, workflows.Approval{By: by, PlanID: planID})
}

// Reject discards integration id's blocked sync.
func (o *Operator) Reject(ctx context.Context, id, by, reason string) (workflows.BlockedSync, error) {
	return o.decide(ctx, id, workflows.SignalReject, workflows.Rejection{By: by, Reason: reason})
}

// decide signals a decision to an integration with a blocked sync.
func (o *Operator) decide(ctx context.Context, id, signal string, arg any) (workflows.BlockedSync, error) {
	st, err := o.Status(ctx, id)
	if err != nil {
		return workflows.BlockedSync{}, err
	}
	if st.Current == nil || st.Current.Blocked == nil {
		return workflows.BlockedSync{}, fmt.Errorf("%w on integration %s", ErrNotAwaitingApproval, id)
	}
	if ap, ok := arg.(workflows.Approval); ok {
		waiting := st.Current.Blocked.PlanID
		switch {
		case ap.PlanID != "" && ap.PlanID != waiting:
			return workflows.BlockedSync{}, fmt.Errorf("plan %s is not the one waiting on integration %s (%s): "+
				"review that one first", ap.PlanID, id, waiting)
		case ap.PlanID == "" && st.Current.Blocked.Review:
			ap.PlanID = waiting
			arg = ap
		}
	}
	if err := o.c.SignalWorkflow(ctx, workflows.IntegrationWorkflowID(id), "", signal, arg); err != nil {
		return workflows.BlockedSync{}, fmt.Errorf("unable to %s integration %s: %w", signal, id, err)
	}
	return *st.Current.Blocked, nil
}

// WaitForSync waits for sync workflowID to finish and returns its summary.
// The run may not have started yet (a sync-now queued behind another);
// WaitForSync waits for it to appear. progress, when set, is called with
// how far the run has got, every time it is looked at.
func (o *Operator) WaitForSync(ctx context.Context, workflowID string, progress func(Progress)) (workflows.SyncSummary, error) {
	var sum workflows.SyncSummary
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		p, err := o.Progress(ctx, workflowID)
		var nf *serviceerror.NotFound
		switch {
		case errors.As(err, &nf):
			// Not started yet.
		case err != nil:
			return sum, err
		default:
			if progress != nil {
				progress(p)
			}
			if !p.Running {
				if err := o.c.GetWorkflow(ctx, workflowID, "").Get(ctx, &sum); err != nil {
					return sum, fmt.Errorf("sync %s did not complete: %w", workflowID, err)
				}
				return sum, nil
			}
		}
		select {
		case <-ctx.Done():
			return sum, ctx.Err()
		case <-tick.C:
		}
	}
}
