package workflows

import (
	"errors"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/notify"
)

// versionQuarantine pauses an integration whose run gave up after the
// outage limit, and tells the admins; histories recorded before it replay
// along the old path.
const versionQuarantine = "quarantine-on-give-up"

// gaveUp reports whether err ended a run because a step kept failing until
// the outage policy's giveUpAfter, which Temporal enforces as the step's
// schedule-to-close timeout.
func gaveUp(err error) bool {
	var timeout *temporal.TimeoutError
	return errors.As(err, &timeout) && timeout.TimeoutType() == enumspb.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE
}

// quarantine pauses the integration after a run that gave up at the outage
// limit, so no scheduled run meets the same outage, and tells the admins.
// Scheduled runs wait until an administrator resumes it; sync-now still
// works.
func (w *integrationImpl) quarantine(ctx workflow.Context, summary SyncSummary) {
	if workflow.GetVersion(ctx, versionQuarantine, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	reason := summary.Error
	if reason == "" {
		reason = "A sync kept failing until the outage limit."
	}
	w.state.Paused, w.state.Quarantined = true, reason
	w.refreshNextRun(ctx)
	w.publish(ctx)
	w.logger.Warn("Integration quarantined: scheduled syncs wait until it is resumed", "SyncWorkflowId", summary.WorkflowID)
	notifyIncident(ctx, w.logger, activities.IncidentInput{IntegrationID: w.cfg.ID, SyncWorkflowID: summary.WorkflowID,
		Event: notify.EventQuarantined, Message: reason, Config: w.cfg})
}

// notifies reports whether cfg configures any notification channel.
func notifies(cfg notify.Config) bool {
	return cfg.Email != nil || cfg.Webhook != nil
}

// notifyIncident tells the admins what an outage did. A notice that cannot
// be sent is logged; the workflow goes on.
func notifyIncident(ctx workflow.Context, logger log.Logger, in activities.IncidentInput) {
	if !notifies(in.Config.Notify) {
		return
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 5 * time.Second, MaximumAttempts: 5,
			NonRetryableErrorTypes: []string{activities.ErrTypePermanent}},
	})
	if err := workflow.ExecuteActivity(actx, a.NotifyIncident, in).Get(ctx, nil); err != nil {
		logger.Warn("Unable to notify administrators", "Event", in.Event, "Error", err)
	}
}
