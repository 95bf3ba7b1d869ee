package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
)

// MemoSummary is the memo key under which a finished sync keeps its summary,
// so listing runs shows their counts without fetching each result.
const MemoSummary = "summary"

// retryPolicy is the preview's: quick first retries, a bounded backoff, a
// few attempts, and no retry of errors classified permanent.
var retryPolicy = &temporal.RetryPolicy{
	InitialInterval:        time.Second,
	BackoffCoefficient:     2,
	MaximumInterval:        time.Minute,
	MaximumAttempts:        10,
	NonRetryableErrorTypes: nonRetryable,
}

// nonRetryable are the error types no retry can fix.
var nonRetryable = []string{activities.ErrTypePermanent, activities.ErrTypeBadCredential, activities.ErrTypeNotReady}

// outageOptions are the options of a sync's activities: an attempt may run
// for timeout and must heartbeat, and retries go on — however many it
// takes, worker crashes included — with waits that grow to the outage
// policy's MaxBackoff, until its GiveUpAfter has passed since the first.
func outageOptions(p integration.OutagePolicy, timeout time.Duration) workflow.ActivityOptions {
	p = p.WithDefaults()
	return workflow.ActivityOptions{
		StartToCloseTimeout:    timeout,
		ScheduleToCloseTimeout: time.Duration(p.GiveUpAfter),
		HeartbeatTimeout:       heartbeatTimeout,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        time.Duration(p.MaxBackoff),
			NonRetryableErrorTypes: nonRetryable,
		},
	}
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
			Employee: in.Employee,
		},
	}
}

func (s *syncImpl) run(ctx workflow.Context) (SyncSummary, error) {
	s.recordStarted(ctx)
	s.watchDelay(ctx)
	summary, err := s.steps(ctx)
	if err == nil {
		s.recordFinished(ctx, summary.Status)
		return summary, nil
	}
	status := statusOfError(err)
	if status == StatusCancelled {
		ctx, _ = workflow.NewDisconnectedContext(ctx)
	}
	s.logger.Error("Sync failed", "Status", status, "Error", err)
	s.summary.Status, s.summary.Error = status, failureSentence(err, status)
	s.summary.GaveUp = status == StatusFailed && gaveUp(err)
	s.summary.FinishedAt = workflow.Now(ctx)
	s.setStatus(ctx, status)
	s.recordFinished(ctx, status)
	if workflow.GetVersion(ctx, versionRecordFailed, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return s.summary, err
	}
	if err := workflow.UpsertMemo(ctx, map[string]any{MemoSummary: s.summary}); err != nil {
		s.logger.Warn("Unable to record summary memo", "Error", err)
	}
	if status == StatusCancelled {
		return s.summary, err
	}
	s.notifyFailed(ctx, status)
	// The run's failure is its one sentence, with the summary — counts of
	// what it applied included — as details for the integration to keep.
	return s.summary, temporal.NewNonRetryableApplicationError(s.summary.Error, ErrTypeSyncFailed, nil, s.summary)
}

// ErrTypeSyncFailed is the type of a failed SyncWorkflow's error, whose
// details are the run's SyncSummary.
const ErrTypeSyncFailed = "SyncFailed"

// failedSummary is the summary a failed run left in its error, if any.
func failedSummary(err error) (SyncSummary, bool) {
	var appErr *temporal.ApplicationError
	var sum SyncSummary
	if !errors.As(err, &appErr) || appErr.Type() != ErrTypeSyncFailed || !appErr.HasDetails() {
		return sum, false
	}
	if appErr.Details(&sum) != nil || sum.Status == "" {
		return sum, false
	}
	return sum, true
}

// recordPartial closes a run whose apply stopped part way: what reached
// the directory is reported per employee and becomes the applied roster,
// so a failed or cancelled run still says whom it wrote. It runs even when
// the run was cancelled, and a failure of its own is only logged.
func (s *syncImpl) recordPartial(ctx workflow.Context, plan activities.PlanResult) {
	if workflow.GetVersion(ctx, versionRecordFailed, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	ctx, _ = workflow.NewDisconnectedContext(ctx)
	var committed activities.CommitResult
	if err := s.activity(ctx, &s.summary.Timings.Commit, 10*time.Minute, a.Commit, activities.CommitInput{
		IntegrationID: s.in.IntegrationID, SyncID: s.summary.WorkflowID, PlanID: plan.PlanID,
		Outcome: activities.OutcomeFailed,
	}, &committed); err != nil {
		s.logger.Warn("Unable to record what the failed run applied", "Error", err)
		return
	}
	s.summary.ReportID, s.summary.Applied, s.summary.Failed = committed.ReportID, committed.Applied, committed.Failed
}

// Change IDs of versioned behaviour; histories recorded before a change
// replay along the old path.
const (
	versionNotify   = "notify-on-block"
	versionReplan   = "replan-on-approve"
	versionParallel = "parallel-apply"
	// versionRecordFailed reports what a failed apply wrote and keeps a
	// failed run's summary in its memo.
	versionRecordFailed = "record-failed-runs"
	// versionWaitCancel makes a cancelled run wait until its activities
	// have stopped (see activityOptions).
	versionWaitCancel = "wait-for-activity-cancel"
	// versionReview lets a run stop for review (see resolveReview).
	versionReview = "review-mode"
)

func (s *syncImpl) steps(ctx workflow.Context) (SyncSummary, error) {
	fetched, err := s.fetch(ctx, s.summary.WorkflowID)
	if err != nil {
		return s.summary, err
	}
	s.summary.Fetched = fetched.Records
	plan, err := s.plan(ctx, fetched.SnapshotID, s.summary.WorkflowID)
	if err != nil {
		return s.summary, err
	}

	outcome := activities.OutcomeApplied
	if s.reviews() && workflow.GetVersion(ctx, versionReview, workflow.DefaultVersion, 1) == 1 {
		approved, err := s.resolveReview(ctx, plan)
		if err != nil {
			return s.summary, err
		}
		if !approved {
			outcome = activities.OutcomeRejected
		}
	} else if len(plan.Blocks) > 0 {
		var approved bool
		plan, approved, err = s.resolveBlocked(ctx, plan)
		if err != nil {
			return s.summary, err
		}
		if !approved {
			outcome = activities.OutcomeRejected
		}
	}

	if outcome == activities.OutcomeApplied {
		s.setStatus(ctx, StatusApplying)
		if err := s.apply(ctx, plan); err != nil {
			s.recordPartial(ctx, plan)
			return s.summary, fmt.Errorf("apply failed: %w", err)
		}
	}

	var committed activities.CommitResult
	if err := s.activity(ctx, &s.summary.Timings.Commit, 10*time.Minute, a.Commit, activities.CommitInput{
		IntegrationID: s.in.IntegrationID, SyncID: s.summary.WorkflowID, PlanID: plan.PlanID, Outcome: outcome,
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

// apply carries out the plan. Each pass runs as several activities at once,
// each applying its share of the changes (the target's parallelism, fewer
// for a small plan); the second pass, which links managers, starts once
// every user of the first exists.
func (s *syncImpl) apply(ctx workflow.Context, plan activities.PlanResult) error {
	start := workflow.Now(ctx)
	defer func() { s.summary.Timings.Apply = workflow.Now(ctx).Sub(start) }()
	target := s.in.Config.Target
	if workflow.GetVersion(ctx, versionParallel, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		var took time.Duration
		return s.activity(ctx, &took, 2*time.Hour, a.Apply, activities.ApplyInput{PlanID: plan.PlanID, Target: target}, nil)
	}
	toWrite := 0
	for _, op := range []roster.Op{roster.OpCreate, roster.OpUpdate, roster.OpReactivate, roster.OpDeactivate} {
		toWrite += plan.Counts[op]
	}
	written, err := s.applyPass(ctx, plan.PlanID, activities.PassWrite, toWrite)
	if err != nil {
		return err
	}
	_, err = s.applyPass(ctx, plan.PlanID, activities.PassLink, written.Linking)
	return err
}

// applyPass runs one pass of the apply over n changes in parallel parts and
// sums up their results.
func (s *syncImpl) applyPass(ctx workflow.Context, planID string, pass, n int) (activities.ApplyResult, error) {
	total := activities.ApplyResult{Applied: map[roster.Op]int{}}
	target := s.in.Config.Target
	parts := partsFor(n, target)
	if parts == 0 {
		return total, nil
	}
	ctx = workflow.WithActivityOptions(ctx, s.activityOptions(ctx, 2*time.Hour))
	futures := make([]workflow.Future, parts)
	for i := range futures {
		futures[i] = workflow.ExecuteActivity(ctx, a.Apply, activities.ApplyInput{
			PlanID: planID, Target: target, Pass: pass, Part: store.Part{Index: i, Of: parts},
		})
	}
	var errs []error
	for _, f := range futures {
		var res activities.ApplyResult
		if err := f.Get(ctx, &res); err != nil {
			errs = append(errs, err)
			continue
		}
		for _, op := range roster.Ops {
			total.Applied[op] += res.Applied[op]
		}
		total.Failed += res.Failed
		total.Linking += res.Linking
	}
	return total, errors.Join(errs...)
}

// partsFor is how many activities apply n changes to target: its
// parallelism, but no more than one per batch.
func partsFor(n int, target integration.Endpoint) int {
	parallel, batch := target.Parallelism, target.BatchSize
	if parallel <= 0 {
		parallel = integration.DefaultParallelism
	}
	if batch <= 0 {
		batch = activities.DefaultBatchSize
	}
	return min(parallel, (n+batch-1)/batch)
}

// fetch stages the HRIS roster in snapshot snapshotID.
func (s *syncImpl) fetch(ctx workflow.Context, snapshotID string) (activities.FetchResult, error) {
	s.setStatus(ctx, StatusFetching)
	var fetched activities.FetchResult
	err := s.activity(ctx, &s.summary.Timings.Fetch, time.Hour, a.Fetch, activities.FetchInput{
		IntegrationID: s.in.IntegrationID, SyncID: s.summary.WorkflowID, SnapshotID: snapshotID,
		Source: s.in.Config.Source, Rules: s.in.Config.Rules,
	}, &fetched)
	if err != nil {
		return fetched, fmt.Errorf("fetch failed: %w", err)
	}
	return fetched, nil
}

// plan plans from a snapshot and records the plan's counts in the summary.
func (s *syncImpl) plan(ctx workflow.Context, snapshotID, planID string) (activities.PlanResult, error) {
	s.setStatus(ctx, StatusPlanning)
	var plan activities.PlanResult
	if err := s.activity(ctx, &s.summary.Timings.Plan, time.Hour, a.Plan, activities.PlanInput{
		IntegrationID: s.in.IntegrationID, SyncID: s.summary.WorkflowID, SnapshotID: snapshotID, PlanID: planID,
		Employee: s.in.Employee, Reconcile: s.in.Reconcile, Config: s.in.Config,
	}, &plan); err != nil {
		return plan, fmt.Errorf("plan failed: %w", err)
	}
	s.summary.PlanID, s.summary.Planned = plan.PlanID, plan.Counts
	s.summary.Problems, s.summary.Blocks, s.summary.Held = plan.Problems, plan.Blocks, plan.Held
	s.summary.NextExitDate = plan.NextExitDate
	s.summary.NotManaged, s.summary.Warnings = plan.NotManaged, plan.Warnings
	s.summary.Reconciled = plan.Reconciled
	return plan, nil
}

// resolveBlocked settles a blocked plan: a run started with approval goes
// ahead; otherwise the administrators are told and the run waits for their
// decision. An approved plan is recomputed from a fresh fetch: if nothing
// changed, exactly the reviewed plan is applied; if the HRIS moved, the new
// plan is applied when nothing blocks it, and reviewed again when something
// does. It returns the plan to apply and whether it was approved.
func (s *syncImpl) resolveBlocked(ctx workflow.Context, plan activities.PlanResult) (activities.PlanResult, bool, error) {
	for {
		if s.in.Approved {
			by := s.in.RequestedBy
			if by == "" {
				by = "operator"
			}
			s.summary.ApprovedBy = by + " (sync --approve)"
			return plan, true, nil
		}
		if workflow.GetVersion(ctx, versionNotify, workflow.DefaultVersion, 1) == 1 {
			s.notify(ctx, plan)
		}
		approved, err := s.awaitDecision(ctx, plan, false)
		if err != nil || !approved {
			return plan, approved, err
		}
		if workflow.GetVersion(ctx, versionReplan, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
			return plan, true, nil
		}
		s.summary.Replans++
		round := fmt.Sprintf("%s/replan-%d", s.summary.WorkflowID, s.summary.Replans)
		fetched, err := s.fetch(ctx, round)
		if err != nil {
			return plan, false, err
		}
		s.summary.Fetched = fetched.Records
		again, err := s.plan(ctx, fetched.SnapshotID, round)
		if err != nil {
			return plan, false, err
		}
		switch {
		case again.Digest == plan.Digest:
			s.logger.Info("HRIS unchanged since review; applying the reviewed plan", "PlanId", plan.PlanID)
			s.summary.PlanID, s.summary.Planned, s.summary.Blocks = plan.PlanID, plan.Counts, plan.Blocks
			return plan, true, nil
		case len(again.Blocks) == 0:
			s.logger.Info("HRIS changed since review and nothing blocks the new plan", "PlanId", again.PlanID)
			return again, true, nil
		}
		s.logger.Info("HRIS changed since review; the new plan waits for review", "PlanId", again.PlanID)
		s.summary.ApprovedBy = ""
		plan = again
	}
}

// reviews reports whether the run stops for review: asked for by whoever
// started it, or set for its kind of run in the integration's config.
func (s *syncImpl) reviews() bool {
	return s.in.Review || s.in.Config.Review.Applies(s.in.Trigger == TriggerManual)
}

// resolveReview settles a run that stops for review, whatever the guards
// said: it waits, as long as it takes, for an approval naming its plan or a
// rejection. An approved plan is applied as it is — exactly what the
// administrator reviewed, never a re-plan. An automatic run tells the
// administrators it waits; a manual one was started by one of them.
func (s *syncImpl) resolveReview(ctx workflow.Context, plan activities.PlanResult) (bool, error) {
	s.summary.Reviewed = true
	if s.in.Trigger != TriggerManual {
		s.notify(ctx, plan)
	}
	return s.awaitDecision(ctx, plan, true)
}

// notify tells the administrators the run waits. A failed notification is
// logged; the run waits all the same.
func (s *syncImpl) notify(ctx workflow.Context, plan activities.PlanResult) {
	cfg := s.in.Config
	if cfg.Notify.Email == nil && cfg.Notify.Webhook == nil {
		return
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 5 * time.Second, MaximumAttempts: 5,
			NonRetryableErrorTypes: []string{activities.ErrTypePermanent}},
	})
	err := workflow.ExecuteActivity(actx, a.Notify, activities.NotifyInput{
		IntegrationID: s.in.IntegrationID, SyncWorkflowID: s.summary.WorkflowID, PlanID: plan.PlanID, Config: cfg,
	}).Get(ctx, nil)
	if err != nil {
		s.logger.Warn("Unable to notify administrators", "Error", err)
	}
}

// heartbeatTimeout is how long an activity may go without heartbeating
// before Temporal gives its attempt to another worker: every sync activity
// heartbeats every few seconds while it runs, so a worker that dies is
// replaced within this time.
const heartbeatTimeout = 15 * time.Second

// statusOfError is the SyncStatus of a run that ended with err: a refused
// credential asks for reconnecting, a source mid-sync says so, a
// cancellation is one; anything else failed.
func statusOfError(err error) string {
	if temporal.IsCanceledError(err) {
		return StatusCancelled
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		var appErr *temporal.ApplicationError
		if !errors.As(e, &appErr) {
			break
		}
		switch appErr.Type() {
		case activities.ErrTypeBadCredential:
			return StatusReconnect
		case activities.ErrTypeNotReady:
			return StatusSourceNotReady
		}
		e = appErr
	}
	return StatusFailed
}

// activity runs one activity with the sync's outage options, and records
// how long it took.
func (s *syncImpl) activity(ctx workflow.Context, took *time.Duration, timeout time.Duration,
	fn, input, result any) error {
	ctx = workflow.WithActivityOptions(ctx, s.activityOptions(ctx, timeout))
	start := workflow.Now(ctx)
	err := workflow.ExecuteActivity(ctx, fn, input).Get(ctx, result)
	*took = workflow.Now(ctx).Sub(start)
	return err
}

// activityOptions are the options of the run's fetch, plan, apply and
// commit: the outage options, and a cancellation that waits for the
// activity to stop. Without the wait a cancelled run — and the remove that
// purges once the run has ended — would go on while the activity still
// reads the source and writes the store until a heartbeat tells it; with
// it, the run ends only once the activity has returned.
func (s *syncImpl) activityOptions(ctx workflow.Context, timeout time.Duration) workflow.ActivityOptions {
	o := outageOptions(s.in.Config.Outage, timeout)
	o.WaitForCancellation = workflow.GetVersion(ctx, versionWaitCancel, workflow.DefaultVersion, 1) == 1
	return o
}

// awaitDecision tells the integration the plan is blocked — or, with
// review, waits for review — and waits, as long as it takes, for approve or
// reject. An approval naming another plan is ignored; so, in a review, is
// one naming none.
func (s *syncImpl) awaitDecision(ctx workflow.Context, plan activities.PlanResult, review bool) (bool, error) {
	status := StatusAwaitingApproval
	if review {
		status = StatusAwaitingReview
	}
	s.setStatus(ctx, status)
	since := workflow.Now(ctx)
	blocked := BlockedSync{WorkflowID: s.summary.WorkflowID, PlanID: plan.PlanID, Blocks: plan.Blocks,
		Planned: plan.Counts, Since: since, Review: review}
	if parent := workflow.GetInfo(ctx).ParentWorkflowExecution; parent != nil {
		if err := workflow.SignalExternalWorkflow(ctx, parent.ID, "", signalSyncBlocked, blocked).Get(ctx, nil); err != nil {
			s.logger.Warn("Unable to tell the integration the sync is blocked", "Error", err)
		}
	}
	s.logger.Info("Sync waiting for a decision", "Status", status, "PlanId", plan.PlanID, "Blocks", len(plan.Blocks))
	details := awaitingDetails(s.in, plan)
	workflow.SetCurrentDetails(ctx, details)

	approveCh := workflow.GetSignalChannel(ctx, SignalApprove)
	rejectCh := workflow.GetSignalChannel(ctx, SignalReject)
	var decided, approved bool
	for !decided {
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(approveCh, func(c workflow.ReceiveChannel, _ bool) {
			var ap Approval
			c.Receive(ctx, &ap)
			if refused := refuseUnnamed(ctx, s.logger, SignalApprove, ap.By); refused != "" {
				workflow.SetCurrentDetails(ctx, details+"\n\n"+refused)
				return
			}
			if ap.PlanID != plan.PlanID && (ap.PlanID != "" || review) {
				s.logger.Warn("Approval names another plan; ignored", "PlanId", ap.PlanID)
				return
			}
			decided, approved, s.summary.ApprovedBy = true, true, ap.By
		})
		sel.AddReceive(rejectCh, func(c workflow.ReceiveChannel, _ bool) {
			var rj Rejection
			c.Receive(ctx, &rj)
			if refused := refuseUnnamed(ctx, s.logger, SignalReject, rj.By); refused != "" {
				workflow.SetCurrentDetails(ctx, details+"\n\n"+refused)
				return
			}
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
	switch status {
	case StatusAwaitingApproval:
		details += fmt.Sprintf(" · send update `%s` or `%s` with {\"by\": \"your name\"} to integration/%s",
			UpdateApprove, UpdateReject, s.in.IntegrationID)
	case StatusAwaitingReview:
		details += fmt.Sprintf(" · list the plan with `starter review %s`, then send update `%s` with "+
			"{\"by\": \"your name\", \"planId\": \"%s\"}, or `%s`, to integration/%s", s.in.IntegrationID, UpdateApprove,
			s.summary.PlanID, UpdateReject, s.in.IntegrationID)
	case StatusFetching, StatusPlanning, StatusApplying:
		p := s.in.Config.Outage.WithDefaults()
		details += fmt.Sprintf(" · a step that fails is retried, waiting up to %s between tries, for %s: "+
			"the pending activity shows each try's error, and `starter status %s` says since when",
			p.MaxBackoff, p.GiveUpAfter, s.in.IntegrationID)
	}
	workflow.SetCurrentDetails(ctx, details)
}
