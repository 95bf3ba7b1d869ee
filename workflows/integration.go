package workflows

import (
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/store"
)

// StatusSyncing is the integration's SyncStatus while a run is in progress.
const StatusSyncing = "Syncing"

// ErrTypeInvalidConfig marks an integration started with a configuration
// that does not validate.
const ErrTypeInvalidConfig = "InvalidConfig"

// IntegrationWorkflow is the long-running entity of one integration. It holds
// the configuration and state, sleeps until the next scheduled run (a cron in
// the organisation's time zone) or a sync-now, starts one SyncWorkflow per
// run, forwards approve and reject to the run that waits for them, and
// continues-as-new after every run. It returns only when removed.
func IntegrationWorkflow(ctx workflow.Context, in IntegrationInput) (IntegrationResult, error) {
	w, err := newIntegration(ctx, in)
	if err != nil {
		return IntegrationResult{}, err
	}
	return w.run(ctx)
}

// integrationImpl is the state of one IntegrationWorkflow run.
type integrationImpl struct {
	cfg     integration.Config
	state   IntegrationState
	current *runningSync
	// wake is bumped by every handler that changes when the next run is due.
	wake      int
	nextRunAt time.Time
	removing  bool
	removed   bool
	purged    store.Purged
	// refused says why the last approve or reject signal was ignored,
	// until a decision is passed on.
	refused string
	logger  log.Logger

	approveCh workflow.ReceiveChannel
	rejectCh  workflow.ReceiveChannel
	blockedCh workflow.ReceiveChannel
}

// runningSync is the child run in progress.
type runningSync struct {
	info   CurrentSync
	future workflow.ChildWorkflowFuture
	cancel workflow.CancelFunc
}

func newIntegration(ctx workflow.Context, in IntegrationInput) (*integrationImpl, error) {
	cfg := in.Config.WithDefaults()
	if err := cfg.ValidateStored(); err != nil {
		return nil, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("invalid integration config: %v", err), ErrTypeInvalidConfig, err)
	}
	w := &integrationImpl{
		cfg:       cfg,
		logger:    log.With(workflow.GetLogger(ctx), "IntegrationId", cfg.ID),
		approveCh: workflow.GetSignalChannel(ctx, SignalApprove),
		rejectCh:  workflow.GetSignalChannel(ctx, SignalReject),
		blockedCh: blockedChannel(ctx),
	}
	if in.State != nil {
		w.state = *in.State
	} else {
		w.state.CreatedAt = workflow.Now(ctx)
	}
	if err := w.registerHandlers(ctx); err != nil {
		return nil, err
	}
	workflow.Go(ctx, w.pumpSignals)
	return w, nil
}

func (w *integrationImpl) run(ctx workflow.Context) (IntegrationResult, error) {
	for {
		if w.removing {
			// The remove update purges, then sets removed; if the purge fails
			// it clears removing and the integration carries on.
			if err := workflow.Await(ctx, func() bool { return w.removed || !w.removing }); err != nil {
				return IntegrationResult{}, err
			}
			if w.removed {
				return w.finish(ctx)
			}
		}
		trigger, err := w.waitForRun(ctx)
		if err != nil {
			return IntegrationResult{}, err
		}
		if trigger != "" {
			w.runSync(ctx, trigger)
			if !w.removing {
				return IntegrationResult{}, w.continueAsNew(ctx)
			}
			continue
		}
		if !w.removing && workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			return IntegrationResult{}, w.continueAsNew(ctx)
		}
	}
}

// waitForRun sleeps until a run is due or something changes, and returns the
// run's trigger, or "" when it woke for any other reason.
func (w *integrationImpl) waitForRun(ctx workflow.Context) (string, error) {
	now := workflow.Now(ctx)
	due, trigger, scheduled := w.refreshNextRun(ctx)
	w.publish(ctx)
	seen := w.wake
	woken := func() bool { return w.removing || w.state.Requested != nil || w.wake != seen }
	fired := false
	switch {
	case !scheduled:
		if err := workflow.Await(ctx, woken); err != nil {
			return "", err
		}
	case !due.After(now):
		fired = true
	default:
		ok, err := workflow.AwaitWithTimeout(ctx, due.Sub(now), woken)
		if err != nil {
			return "", err
		}
		fired = !ok
	}
	switch {
	case w.removing:
		return "", nil
	case w.state.Requested != nil:
		return TriggerManual, nil
	case fired:
		return trigger, nil
	}
	return "", nil
}

// refreshNextRun recomputes when the next automatic run falls and why.
func (w *integrationImpl) refreshNextRun(ctx workflow.Context) (time.Time, string, bool) {
	due, trigger, scheduled := w.due(workflow.Now(ctx))
	w.nextRunAt = due
	return due, trigger, scheduled
}

// exitDateMargin is how long after midnight an exit-date run starts, so the
// day has begun on every worker's clock.
const exitDateMargin = time.Minute

// due returns when the next automatic run falls and its trigger, and false
// when none is scheduled (paused, or auto-sync off after the first sync).
// A future exit date seen by the last sync brings the run forward to that
// day, so the person is deactivated on their exit date.
func (w *integrationImpl) due(now time.Time) (time.Time, string, bool) {
	if w.state.Paused {
		return time.Time{}, "", false
	}
	if !w.state.FirstSyncDone {
		at, err := w.cfg.Schedule.FirstSyncAt(w.state.CreatedAt)
		if err != nil {
			w.logger.Error("Unable to compute first sync time", "Error", err)
			return time.Time{}, "", false
		}
		return at, TriggerFirst, true
	}
	if !w.cfg.Schedule.AutoSyncOn() {
		return time.Time{}, "", false
	}
	next, err := w.cfg.Schedule.NextRun(now)
	if err != nil {
		w.logger.Error("Unable to compute next run", "Error", err)
		return time.Time{}, "", false
	}
	if exit := w.state.NextExitDate; !exit.IsZero() {
		if loc, err := time.LoadLocation(w.cfg.Schedule.TimeZone); err == nil {
			at := time.Date(exit.Year, exit.Month, exit.Day, 0, 0, 0, 0, loc).Add(exitDateMargin).UTC()
			if at.Before(next) {
				return at, TriggerExitDate, true
			}
		}
	}
	return next, TriggerSchedule, true
}

// runSync runs one SyncWorkflow as a child and records its summary.
func (w *integrationImpl) runSync(ctx workflow.Context, trigger string) {
	w.state.Syncs++
	n := w.state.Syncs
	var req SyncRequest
	if w.state.Requested != nil {
		req = *w.state.Requested
	}
	w.state.Requested = nil
	id := SyncWorkflowID(w.cfg.ID, n)

	childCtx, cancel := workflow.WithCancel(ctx)
	childCtx = workflow.WithChildOptions(childCtx, workflow.ChildWorkflowOptions{
		WorkflowID:          id,
		WaitForCancellation: true,
		ParentClosePolicy:   enumspb.PARENT_CLOSE_POLICY_REQUEST_CANCEL,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			IntegrationIDKey.ValueSet(w.cfg.ID), SyncStatusKey.ValueSet(StatusFetching)),
		StaticSummary: fmt.Sprintf("Sync %d of integration %s (%s)", n, w.cfg.ID, trigger),
	})
	future := workflow.ExecuteChildWorkflow(childCtx, SyncWorkflow, SyncInput{
		IntegrationID: w.cfg.ID, Number: n, Trigger: trigger, RequestedBy: req.By, Approved: req.Approve,
		Review: req.Review, Employee: req.Employee, Reconcile: req.Reconcile, Config: w.cfg,
	})
	started := workflow.Now(ctx)
	w.current = &runningSync{
		info:   CurrentSync{WorkflowID: id, Number: n, Trigger: trigger, StartedAt: started},
		future: future,
		cancel: cancel,
	}
	w.publish(ctx)

	var summary SyncSummary
	if err := future.Get(ctx, &summary); err != nil {
		w.logger.Error("Sync did not complete", "SyncWorkflowId", id, "Error", err)
		var ok bool
		if summary, ok = failedSummary(err); !ok {
			status := statusOfError(err)
			summary = SyncSummary{WorkflowID: id, Number: n, Trigger: trigger, Status: status,
				StartedAt: started, FinishedAt: workflow.Now(ctx), Error: failureSentence(err, status)}
		}
	}
	w.current = nil
	w.state.LastSync = &summary
	if req.Employee == "" {
		// A run for one employee is not the integration's first sync.
		w.state.FirstSyncDone = true
	}
	if summary.Status != StatusFailed && summary.Status != StatusCancelled {
		w.state.NextExitDate = summary.NextExitDate
	}
	w.logger.Info("Sync finished", "SyncWorkflowId", id, "Status", summary.Status)
	if summary.GaveUp {
		w.quarantine(ctx, summary)
	}
}

// pumpSignals handles approve, reject and the runs' blocked notices for the
// life of the workflow run.
func (w *integrationImpl) pumpSignals(ctx workflow.Context) {
	for {
		w.selectSignal(ctx, false)
	}
}

// selectSignal handles one signal; with async it only takes one that is
// already there and reports whether it found one.
func (w *integrationImpl) selectSignal(ctx workflow.Context, async bool) bool {
	sel := workflow.NewSelector(ctx)
	sel.AddReceive(w.approveCh, func(c workflow.ReceiveChannel, _ bool) {
		var ap Approval
		c.Receive(ctx, &ap)
		if cur := w.current; cur != nil && cur.info.Blocked != nil && cur.info.Blocked.Review &&
			ap.PlanID != cur.info.Blocked.PlanID {
			// A review approves one plan: an approval that does not name
			// it stays here, and the run keeps waiting.
			w.logger.Warn("Approval does not name the plan under review; ignored",
				"PlanId", ap.PlanID, "Reviewing", cur.info.Blocked.PlanID)
			return
		}
		w.signalled(ctx, SignalApprove, ap.By, ap)
	})
	sel.AddReceive(w.rejectCh, func(c workflow.ReceiveChannel, _ bool) {
		var rj Rejection
		c.Receive(ctx, &rj)
		w.signalled(ctx, SignalReject, rj.By, rj)
	})
	sel.AddReceive(w.blockedCh, func(c workflow.ReceiveChannel, _ bool) {
		var b BlockedSync
		c.Receive(ctx, &b)
		if w.current != nil && w.current.info.WorkflowID == b.WorkflowID {
			w.current.info.Blocked = &b
			w.publish(ctx)
		}
	})
	if async {
		if !sel.HasPending() {
			return false
		}
	}
	sel.Select(ctx)
	return true
}

// signalled handles an approve or reject signal: one that names no one is
// refused, and shown so in the details; any other is forwarded.
func (w *integrationImpl) signalled(ctx workflow.Context, name, by string, decision any) {
	if w.refused = refuseUnnamed(ctx, w.logger, name, by); w.refused != "" {
		w.publish(ctx)
		return
	}
	if err := w.forward(ctx, name, decision); err != nil {
		w.logger.Warn("Signal not passed to the sync", "Signal", name, "Error", err)
	}
}

// forward passes an approval or rejection to the run waiting for it. With no
// run waiting, the decision has nothing to apply to and is dropped.
func (w *integrationImpl) forward(ctx workflow.Context, name string, decision any) error {
	if w.current == nil || w.current.info.Blocked == nil {
		return errors.New("no sync is awaiting approval")
	}
	if err := w.current.future.SignalChildWorkflow(ctx, name, decision).Get(ctx, nil); err != nil {
		return fmt.Errorf("unable to pass %s to the sync: %w", name, err)
	}
	w.current.info.Blocked, w.refused = nil, ""
	w.publish(ctx)
	return nil
}

// continueAsNew drains every pending signal and handler, then starts a fresh
// run carrying the state.
func (w *integrationImpl) continueAsNew(ctx workflow.Context) error {
	for w.selectSignal(ctx, true) {
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	for w.selectSignal(ctx, true) {
	}
	state := w.state
	return workflow.NewContinueAsNewError(ctx, IntegrationWorkflow, IntegrationInput{Config: w.cfg, State: &state})
}

// finish ends a removed integration.
func (w *integrationImpl) finish(ctx workflow.Context) (IntegrationResult, error) {
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return IntegrationResult{}, err
	}
	w.publish(ctx)
	return IntegrationResult{Removed: true, Purged: w.purged}, nil
}

// publish updates the SyncStatus search attribute and the Web UI's current
// details from the state.
func (w *integrationImpl) publish(ctx workflow.Context) {
	st := w.status()
	if err := workflow.UpsertTypedSearchAttributes(ctx, SyncStatusKey.ValueSet(st.Status)); err != nil {
		w.logger.Warn("Unable to set search attribute", "Error", err)
	}
	details := fmt.Sprintf("**%s** · %d syncs", st.Status, st.Syncs)
	if st.NextRunAt != nil {
		details += " · next run " + st.NextRunAt.Format(time.RFC3339)
	}
	if b := st.Current; b != nil && b.Blocked != nil {
		details += fmt.Sprintf(" · %s awaits approval (plan `%s`; its details list whom it holds): "+
			"send update `%s` or `%s` to this workflow with {\"by\": \"your name\"}",
			b.WorkflowID, b.Blocked.PlanID, UpdateApprove, UpdateReject)
		if w.refused != "" {
			details += "\n\n" + w.refused
		}
	}
	if st.Quarantined != "" {
		details += fmt.Sprintf(" · quarantined after an outage: send update `%s` to this workflow to resume", UpdateResume)
	}
	workflow.SetCurrentDetails(ctx, details)
}

// status answers the status query.
func (w *integrationImpl) status() IntegrationStatus {
	st := IntegrationStatus{
		ID: w.cfg.ID, Name: w.cfg.Name, Paused: w.state.Paused, AutoSync: w.cfg.Schedule.AutoSyncOn(),
		Schedule: w.cfg.Schedule.Cron, TimeZone: w.cfg.Schedule.TimeZone, Syncs: w.state.Syncs,
		Requested: w.state.Requested != nil, LastSync: w.state.LastSync, Config: w.cfg,
		CreatedAt: w.state.CreatedAt, Quarantined: w.state.Quarantined,
	}
	if !w.nextRunAt.IsZero() && !w.removing {
		next := w.nextRunAt
		st.NextRunAt = &next
	}
	if w.current != nil {
		cur := w.current.info
		st.Current = &cur
	}
	switch {
	case w.removing:
		st.Status = StatusRemoved
	case w.current != nil && w.current.info.Blocked != nil && w.current.info.Blocked.Review:
		st.Status = StatusAwaitingReview
	case w.current != nil && w.current.info.Blocked != nil:
		st.Status = StatusAwaitingApproval
	case w.current != nil:
		st.Status = StatusSyncing
	case w.state.Quarantined != "":
		st.Status = StatusQuarantined
	case w.state.Paused:
		st.Status = StatusPaused
	default:
		st.Status = StatusIdle
	}
	return st
}

// purge deletes the integration's stored data; it runs inside the remove
// update once no sync is running.
func (w *integrationImpl) purge(ctx workflow.Context) (activities.PurgeResult, error) {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 10},
	})
	var res activities.PurgeResult
	var refs []string
	for _, e := range []integration.Endpoint{w.cfg.Source, w.cfg.Target} {
		refs = append(refs, e.CredentialRef)
		if e.OAuth != nil {
			refs = append(refs, e.OAuth.TokenRef)
		}
	}
	err := workflow.ExecuteActivity(actx, a.Purge, activities.PurgeInput{IntegrationID: w.cfg.ID, Credentials: refs}).Get(ctx, &res)
	return res, err
}
