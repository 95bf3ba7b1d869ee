package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hrsync/hrsync/activities"
)

// MemoSummary is the memo key under which a finished sync keeps its summary,
// so listing runs shows their counts without fetching each result.
const MemoSummary = "summary"

// retryPolicy is shared by every sync activity: quick first retries, a
// bounded backoff, and no retry of errors classified permanent.
var retryPolicy = &temporal.RetryPolicy{
	InitialInterval:        time.Second,
	BackoffCoefficient:     2,
	MaximumInterval:        time.Minute,
	MaximumAttempts:        10,
	NonRetryableErrorTypes: []string{activities.ErrTypePermanent},
}

// SyncWorkflow is one run of an integration: fetch the HRIS into a staged
// snapshot, plan against the directory, wait for an administrator when a
// guard blocks the plan, apply it and commit the report. Its history holds
// IDs and counts only, never the records.
func SyncWorkflow(ctx workflow.Context, in SyncInput) (SyncSummary, error) {
	s := newSync(ctx, in)
	return s.run(ctx)
}

// syncImpl is the state of one SyncWorkflow.
type syncImpl struct {
	in      SyncInput
	summary SyncSummary
	logger  log.Logger
}

func newSync(ctx workflow.Context, in SyncInput) *syncImpl {
	in.Config = in.Config.WithDefaults()
	id := workflow.GetInfo(ctx).WorkflowExecution.ID
	return &syncImpl{
		in:     in,
		logger: log.With(workflow.GetLogger(ctx), "IntegrationId", in.IntegrationID, "SyncNumber", in.Number),
		summary: SyncSummary{
			WorkflowID: id, Number: in.Number, Trigger: in.Trigger, StartedAt: workflow.Now(ctx),
		},
	}
}

func (s *syncImpl) run(ctx workflow.Context) (SyncSummary, error) {
	summary, err := s.steps(ctx)
	if err == nil {
		return summary, nil
	}
	status := StatusFailed
	if temporal.IsCanceledError(err) {
		status = StatusCancelled
		ctx, _ = workflow.NewDisconnectedContext(ctx)
	}
	s.setStatus(ctx, status)
	return s.summary, err
}

func (s *syncImpl) steps(ctx workflow.Context) (SyncSummary, error) {
	syncID := s.summary.WorkflowID

	s.setStatus(ctx, StatusFetching)
	var fetched activities.FetchResult
	if err := s.activity(ctx, &s.summary.Timings.Fetch, time.Hour, a.Fetch, activities.FetchInput{
		IntegrationID: s.in.IntegrationID, SyncID: syncID, Source: s.in.Config.Source,
	}, &fetched); err != nil {
		return s.summary, fmt.Errorf("fetch failed: %w", err)
	}
	s.summary.Fetched = fetched.Records

	s.setStatus(ctx, StatusPlanning)
	var plan activities.PlanResult
	if err := s.activity(ctx, &s.summary.Timings.Plan, time.Hour, a.Plan, activities.PlanInput{
		IntegrationID: s.in.IntegrationID, SyncID: syncID, SnapshotID: fetched.SnapshotID, Config: s.in.Config,
	}, &plan); err != nil {
		return s.summary, fmt.Errorf("plan failed: %w", err)
	}
	s.summary.PlanID, s.summary.Planned = plan.PlanID, plan.Counts
	s.summary.Problems, s.summary.Blocks = plan.Problems, plan.Blocks

	outcome := activities.OutcomeApplied
	if len(plan.Blocks) > 0 {
		approved, err := s.awaitDecision(ctx, plan)
		if err != nil {
			return s.summary, err
		}
		if !approved {
			outcome = activities.OutcomeRejected
		}
	}

	if outcome == activities.OutcomeApplied {
		s.setStatus(ctx, StatusApplying)
		var applied activities.ApplyResult
		if err := s.activity(ctx, &s.summary.Timings.Apply, 2*time.Hour, a.Apply, activities.ApplyInput{
			PlanID: plan.PlanID, Target: s.in.Config.Target,
		}, &applied); err != nil {
			return s.summary, fmt.Errorf("apply failed: %w", err)
		}
	}

	var committed activities.CommitResult
	if err := s.activity(ctx, &s.summary.Timings.Commit, 10*time.Minute, a.Commit, activities.CommitInput{
		IntegrationID: s.in.IntegrationID, SyncID: syncID, PlanID: plan.PlanID, Outcome: outcome,
	}, &committed); err != nil {
		return s.summary, fmt.Errorf("commit failed: %w", err)
	}
	s.summary.ReportID, s.summary.Applied, s.summary.Failed = committed.ReportID, committed.Applied, committed.Failed
	s.summary.FinishedAt = workflow.Now(ctx)

	switch {
	case outcome == activities.OutcomeRejected:
		s.summary.Status = StatusRejected
	case committed.Failed > 0:
		s.summary.Status = StatusCompletedErrors
	default:
		s.summary.Status = StatusCompleted
	}
	s.setStatus(ctx, s.summary.Status)
	if err := workflow.UpsertMemo(ctx, map[string]any{MemoSummary: s.summary}); err != nil {
		s.logger.Warn("Unable to record summary memo", "Error", err)
	}
	return s.summary, nil
}

// activity runs one activity with the sync's retry policy and a heartbeat
// timeout, and records how long it took.
func (s *syncImpl) activity(ctx workflow.Context, took *time.Duration, timeout time.Duration,
	fn, input, result any) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: timeout,
		HeartbeatTimeout:    2 * time.Minute,
		RetryPolicy:         retryPolicy,
	})
	start := workflow.Now(ctx)
	err := workflow.ExecuteActivity(ctx, fn, input).Get(ctx, result)
	*took = workflow.Now(ctx).Sub(start)
	return err
}

// awaitDecision tells the integration the plan is blocked and waits, as long
// as it takes, for approve or reject. An approval naming another plan is
// ignored.
func (s *syncImpl) awaitDecision(ctx workflow.Context, plan activities.PlanResult) (bool, error) {
	s.setStatus(ctx, StatusAwaitingApproval)
	since := workflow.Now(ctx)
	blocked := BlockedSync{WorkflowID: s.summary.WorkflowID, PlanID: plan.PlanID, Blocks: plan.Blocks,
		Planned: plan.Counts, Since: since}
	if parent := workflow.GetInfo(ctx).ParentWorkflowExecution; parent != nil {
		if err := workflow.SignalExternalWorkflow(ctx, parent.ID, "", signalSyncBlocked, blocked).Get(ctx, nil); err != nil {
			s.logger.Warn("Unable to tell the integration the sync is blocked", "Error", err)
		}
	}
	s.logger.Info("Sync blocked; waiting for approval", "PlanId", plan.PlanID, "Blocks", len(plan.Blocks))

	approveCh := workflow.GetSignalChannel(ctx, SignalApprove)
	rejectCh := workflow.GetSignalChannel(ctx, SignalReject)
	var decided, approved bool
	for !decided {
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(approveCh, func(c workflow.ReceiveChannel, _ bool) {
			var ap Approval
			c.Receive(ctx, &ap)
			if ap.PlanID != "" && ap.PlanID != plan.PlanID {
				s.logger.Warn("Approval names another plan; ignored", "PlanId", ap.PlanID)
				return
			}
			decided, approved, s.summary.ApprovedBy = true, true, ap.By
		})
		sel.AddReceive(rejectCh, func(c workflow.ReceiveChannel, _ bool) {
			var rj Rejection
			c.Receive(ctx, &rj)
			decided, s.summary.RejectedBy = true, rj.By
		})
		sel.AddReceive(ctx.Done(), func(workflow.ReceiveChannel, bool) { decided = true })
		sel.Select(ctx)
	}
	s.summary.Timings.Wait = workflow.Now(ctx).Sub(since)
	if err := ctx.Err(); err != nil {
		return false, temporal.NewCanceledError("sync cancelled while awaiting approval")
	}
	s.logger.Info("Sync decision received", "Approved", approved)
	return approved, nil
}

// setStatus publishes the run's phase as its SyncStatus search attribute and
// in the Web UI's current details.
func (s *syncImpl) setStatus(ctx workflow.Context, status string) {
	if err := workflow.UpsertTypedSearchAttributes(ctx, SyncStatusKey.ValueSet(status)); err != nil {
		s.logger.Warn("Unable to set search attribute", "Error", err)
	}
	details := fmt.Sprintf("**%s** · integration %s · run %d (%s)", status, s.in.IntegrationID, s.in.Number, s.in.Trigger)
	if status == StatusAwaitingApproval {
		details += fmt.Sprintf(" · send signal `%s` or `%s` to integration/%s", SignalApprove, SignalReject, s.in.IntegrationID)
	}
	workflow.SetCurrentDetails(ctx, details)
}
