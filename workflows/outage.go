package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/notify"
)

// Change IDs of the outage notices; histories recorded before them replay
// along the old path.
const (
	// versionDelayNotice tells the admins once when a run is still going
	// the outage policy's notifyAfter after it started.
	versionDelayNotice = "notify-on-delay"
	// versionQuarantine pauses an integration whose run gave up after the
	// outage limit, and tells the admins.
	versionQuarantine = "quarantine-on-give-up"
	// versionFailedNotice tells the admins when a run fails.
	versionFailedNotice = "notify-on-failure"
)

// notifyFailed tells the admins a run failed, in its one sentence, unless
// it gave up after the outage limit (its integration's quarantine notice
// tells that) or found the HRIS mid-sync (the next run looks again).
func (s *syncImpl) notifyFailed(ctx workflow.Context, status string) {
	if s.summary.GaveUp || status == StatusSourceNotReady || !notifies(s.in.Config.Notify) {
		return
	}
	if workflow.GetVersion(ctx, versionFailedNotice, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	notifyIncident(ctx, s.logger, activities.IncidentInput{IntegrationID: s.in.IntegrationID,
		SyncWorkflowID: s.summary.WorkflowID, Event: notify.EventFailed, Message: s.summary.Error, Config: s.in.Config})
}

// gaveUp reports whether err ended a run because a step kept failing until
// the outage policy's giveUpAfter, which Temporal enforces as the step's
// schedule-to-close timeout.
func gaveUp(err error) bool {
	var timeout *temporal.TimeoutError
	return errors.As(err, &timeout) && timeout.TimeoutType() == enumspb.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE
}

// watchDelay arranges the run's one "sync delayed" notice: if the run is
// still fetching, planning or applying the outage policy's notifyAfter after
// it started, the admins are told which step it is in and since when. Time
// spent waiting for an approval is a person's, not an outage's: a run found
// waiting gets notifyAfter again from the decision. Nothing is arranged when
// the integration has no notification channel.
func (s *syncImpl) watchDelay(ctx workflow.Context) {
	cfg := s.in.Config
	if !notifies(cfg.Notify) {
		return
	}
	if workflow.GetVersion(ctx, versionDelayNotice, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	outage := cfg.Outage.WithDefaults()
	workflow.Go(ctx, func(ctx workflow.Context) {
		step := ""
		for {
			if workflow.Sleep(ctx, time.Duration(outage.NotifyAfter)) != nil {
				return // the run was cancelled
			}
			if step = s.step(ctx); !awaitingPerson(step) {
				break
			}
			if workflow.Await(ctx, func() bool { return !awaitingPerson(s.step(ctx)) }) != nil {
				return
			}
		}
		if step != StatusFetching && step != StatusPlanning && step != StatusApplying {
			return // the run has ended
		}
		msg := fmt.Sprintf("Sync %d has been running since %s and is still %s; a step that keeps failing is retried "+
			"for up to %s, then the run fails and the integration is quarantined.",
			s.in.Number, s.summary.StartedAt.UTC().Format("2006-01-02 15:04 MST"), stepWords[step],
			shortDuration(time.Duration(outage.GiveUpAfter)))
		s.logger.Warn("Sync delayed; telling the administrators", "Step", step)
		notifyIncident(ctx, s.logger, activities.IncidentInput{IntegrationID: s.in.IntegrationID,
			SyncWorkflowID: s.summary.WorkflowID, Event: notify.EventDelayed, Message: msg, Config: cfg})
	})
}

// stepWords say what a run does in each step that can meet an outage.
var stepWords = map[string]string{
	StatusFetching: "fetching from the HRIS",
	StatusPlanning: "planning",
	StatusApplying: "applying changes to the directory",
}

// step is the step the run is in: the SyncStatus setStatus last published.
// awaitingPerson reports whether a run in step waits for an
// administrator: an approval or a review.
func awaitingPerson(step string) bool {
	return step == StatusAwaitingApproval || step == StatusAwaitingReview
}

func (s *syncImpl) step(ctx workflow.Context) string {
	st, _ := workflow.GetTypedSearchAttributes(ctx).GetKeyword(SyncStatusKey)
	return st
}

// shortDuration writes d as "24h" or "1h30m" rather than "24h0m0s".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
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
