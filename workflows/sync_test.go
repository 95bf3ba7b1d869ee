package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/notify"
	"github.com/hrsync/hrsync/roster"
)

var massChange = []roster.Block{{Code: roster.BlockMassChange, Message: "too many"}}

func syncInput() SyncInput {
	return SyncInput{IntegrationID: "acme", Number: 1, Trigger: TriggerManual,
		Config: testConfig(integration.Schedule{})}
}

func TestSyncAppliesAnUnblockedPlan(t *testing.T) {
	env := newEnv(t, time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC))
	mockActivities(env, nil)

	env.ExecuteWorkflow(SyncWorkflow, syncInput())

	require.NoError(t, env.GetWorkflowError())
	var sum SyncSummary
	require.NoError(t, env.GetWorkflowResult(&sum))
	require.Equal(t, StatusCompleted, sum.Status)
	require.Equal(t, 100, sum.Fetched)
	require.Equal(t, 50, sum.Planned[roster.OpDeactivate])
	require.Equal(t, 50, sum.Applied[roster.OpDeactivate])
	require.NotEmpty(t, sum.ReportID)
	require.Zero(t, sum.Timings.Wait)
}

// blockedSync runs SyncWorkflow on a blocked plan, sending signal after
// delay, and returns the summary and the outcome Commit was asked to record.
func blockedSync(t *testing.T, delay time.Duration, signal string, arg any) (SyncSummary, string, int) {
	t.Helper()
	env := newEnv(t, time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC))
	mockFetchPlan(env, massChange)
	applies := 0
	env.OnActivity(a.Apply, mock.Anything, mock.Anything).Return(
		func(context.Context, activities.ApplyInput) (activities.ApplyResult, error) {
			applies++
			return activities.ApplyResult{}, nil
		}).Maybe()
	outcome := ""
	env.OnActivity(a.Commit, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CommitInput) (activities.CommitResult, error) {
			outcome = in.Outcome
			return activities.CommitResult{ReportID: in.SyncID}, nil
		})
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalApprove, Approval{By: "mallory", PlanID: "some-other-plan"})
	}, time.Hour)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(signal, arg) }, delay)
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: SyncWorkflowID("acme", 1)})

	env.ExecuteWorkflow(SyncWorkflow, syncInput())

	require.NoError(t, env.GetWorkflowError())
	var sum SyncSummary
	require.NoError(t, env.GetWorkflowResult(&sum))
	return sum, outcome, applies
}

func TestSyncRejectedAppliesNothing(t *testing.T) {
	sum, outcome, applies := blockedSync(t, 48*time.Hour, SignalReject, Rejection{By: "dave"})

	require.Equal(t, StatusRejected, sum.Status)
	require.Equal(t, "dave", sum.RejectedBy)
	require.Equal(t, 48*time.Hour, sum.Timings.Wait)
	require.Equal(t, activities.OutcomeRejected, outcome)
	require.Zero(t, applies)
}

func TestSyncApprovalForAnotherPlanIsIgnored(t *testing.T) {
	// The approval naming another plan at 1h is ignored; the right one at 3
	// days lets the run go ahead.
	sum, outcome, applies := blockedSync(t, 72*time.Hour, SignalApprove,
		Approval{By: "carol", PlanID: SyncWorkflowID("acme", 1)})

	require.Equal(t, StatusCompleted, sum.Status)
	require.Equal(t, "carol", sum.ApprovedBy)
	require.Equal(t, 72*time.Hour, sum.Timings.Wait)
	require.Equal(t, activities.OutcomeApplied, outcome)
	require.Equal(t, 1, applies)
}

func TestSyncFailsOnPermanentFetchError(t *testing.T) {
	env := newEnv(t, time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC))
	calls := 0
	env.OnActivity(a.Fetch, mock.Anything, mock.Anything).Return(
		func(context.Context, activities.FetchInput) (activities.FetchResult, error) {
			calls++
			return activities.FetchResult{}, temporal.NewNonRetryableApplicationError(
				"401 unauthorized", activities.ErrTypePermanent, connectors.ErrPermanent)
		})

	env.ExecuteWorkflow(SyncWorkflow, syncInput())

	require.ErrorContains(t, env.GetWorkflowError(), "Fetch failed: 401 unauthorized")
	require.Equal(t, 1, calls, "a permanent error must not be retried")
}

func TestSyncWithApproveGoesThroughABlock(t *testing.T) {
	env := newEnv(t, time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC))
	mockActivities(env, massChange)
	in := syncInput()
	in.Approved, in.RequestedBy = true, "erin"

	env.ExecuteWorkflow(SyncWorkflow, in)

	require.NoError(t, env.GetWorkflowError())
	var sum SyncSummary
	require.NoError(t, env.GetWorkflowResult(&sum))
	require.Equal(t, StatusCompleted, sum.Status)
	require.Equal(t, "erin (sync --approve)", sum.ApprovedBy)
	require.Zero(t, sum.Timings.Wait)
}

// replanEnv runs a blocked sync that is approved after an hour; the
// re-plan's result is given.
func replanEnv(t *testing.T, replan activities.PlanResult, secondDecision string) (SyncSummary, []string, string) {
	t.Helper()
	env := newEnv(t, time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC))
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: SyncWorkflowID("acme", 1)})
	var snapshots []string
	env.OnActivity(a.Fetch, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.FetchInput) (activities.FetchResult, error) {
			snapshots = append(snapshots, in.SnapshotID)
			return activities.FetchResult{SnapshotID: in.SnapshotID, Records: 100}, nil
		})
	env.OnActivity(a.Plan, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PlanInput) (activities.PlanResult, error) {
			if in.PlanID == in.SyncID {
				return activities.PlanResult{PlanID: in.PlanID, Digest: "d1", Blocks: massChange,
					Counts: map[roster.Op]int{roster.OpDeactivate: 50}}, nil
			}
			replan.PlanID = in.PlanID
			if replan.Counts == nil {
				replan.Counts = map[roster.Op]int{roster.OpUpdate: 3}
			}
			return replan, nil
		})
	applied := ""
	env.OnActivity(a.Apply, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ApplyInput) (activities.ApplyResult, error) {
			applied = in.PlanID
			return activities.ApplyResult{}, nil
		}).Maybe()
	env.OnActivity(a.Commit, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CommitInput) (activities.CommitResult, error) {
			return activities.CommitResult{ReportID: in.SyncID}, nil
		})
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalApprove, Approval{By: "carol"}) }, time.Hour)
	if secondDecision != "" {
		env.RegisterDelayedCallback(func() { env.SignalWorkflow(secondDecision, Approval{By: "dave"}) }, 2*time.Hour)
	}

	env.ExecuteWorkflow(SyncWorkflow, syncInput())

	require.NoError(t, env.GetWorkflowError())
	var sum SyncSummary
	require.NoError(t, env.GetWorkflowResult(&sum))
	return sum, snapshots, applied
}

func TestApprovedPlanIsAppliedWhenTheHRISIsUnchanged(t *testing.T) {
	sum, snapshots, applied := replanEnv(t, activities.PlanResult{Digest: "d1", Blocks: massChange}, "")

	require.Equal(t, []string{SyncWorkflowID("acme", 1), SyncWorkflowID("acme", 1) + "/replan-1"}, snapshots)
	require.Equal(t, SyncWorkflowID("acme", 1), applied, "exactly the reviewed plan")
	require.Equal(t, StatusCompleted, sum.Status)
	require.Equal(t, "carol", sum.ApprovedBy)
	require.Equal(t, 1, sum.Replans)
}

func TestApprovedPlanIsReviewedAgainWhenTheHRISChanged(t *testing.T) {
	sum, _, applied := replanEnv(t, activities.PlanResult{Digest: "d2", Blocks: massChange}, SignalApprove)

	require.Equal(t, SyncWorkflowID("acme", 1)+"/replan-1", applied, "the new plan, once reviewed")
	require.Equal(t, "dave", sum.ApprovedBy)
	require.Equal(t, 2*time.Hour, sum.Timings.Wait+time.Hour)
	require.Equal(t, 2, sum.Replans)
}

func TestApprovedPlanWhoseBlockCleared(t *testing.T) {
	sum, _, applied := replanEnv(t, activities.PlanResult{Digest: "d3"}, "")

	require.Equal(t, SyncWorkflowID("acme", 1)+"/replan-1", applied, "nothing blocks the new plan")
	require.Equal(t, StatusCompleted, sum.Status)
}

func TestBlockedSyncNotifiesWhenConfigured(t *testing.T) {
	env := newEnv(t, time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC))
	mockActivities(env, massChange)
	var notified activities.NotifyInput
	env.OnActivity(a.Notify, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.NotifyInput) (activities.NotifyResult, error) {
			notified = in
			return activities.NotifyResult{Webhook: 200}, nil
		})
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalReject, Rejection{By: "carol"}) }, time.Hour)
	in := syncInput()
	in.Config.Notify.Webhook = &notify.WebhookConfig{URL: "https://hooks.example/hrsync"}

	env.ExecuteWorkflow(SyncWorkflow, in)

	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, "acme", notified.IntegrationID)
	require.NotEmpty(t, notified.PlanID)
}

func TestApplyRunsInParallelPartsThenLinks(t *testing.T) {
	env := newEnv(t, time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC))
	in := syncInput()
	in.Config.Target.Parallelism, in.Config.Target.BatchSize = 4, 500
	env.OnActivity(a.Fetch, mock.Anything, mock.Anything).Return(
		activities.FetchResult{SnapshotID: "s", Records: 1300}, nil)
	env.OnActivity(a.Plan, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PlanInput) (activities.PlanResult, error) {
			return activities.PlanResult{PlanID: in.SyncID, Counts: map[roster.Op]int{
				roster.OpCreate: 1200, roster.OpUpdate: 1, roster.OpUnchanged: 99}}, nil
		})
	var calls []activities.ApplyInput
	env.OnActivity(a.Apply, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ApplyInput) (activities.ApplyResult, error) {
			calls = append(calls, in)
			return activities.ApplyResult{Applied: map[roster.Op]int{roster.OpCreate: 10}, Linking: 100}, nil
		})
	env.OnActivity(a.Commit, mock.Anything, mock.Anything).Return(activities.CommitResult{}, nil)

	env.ExecuteWorkflow(SyncWorkflow, in)

	require.NoError(t, env.GetWorkflowError())
	type call struct{ Pass, Index, Of int }
	var got []call
	for _, c := range calls {
		got = append(got, call{c.Pass, c.Part.Index, c.Part.Of})
	}
	// 1,201 writes in batches of 500 need three parts; the 300 links
	// they leave fit in one.
	require.ElementsMatch(t, []call{{1, 0, 3}, {1, 1, 3}, {1, 2, 3}, {2, 0, 1}}, got)
}

// An apply that keeps failing until the outage policy gives up ends the run
// Failed, but the run still commits what reached the directory, and its
// summary says so.
func TestFailedApplyStillReportsWhatItWrote(t *testing.T) {
	env := newEnv(t, time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC))
	mockFetchPlan(env, nil)
	env.OnActivity(a.Apply, mock.Anything, mock.Anything).Return(activities.ApplyResult{},
		temporal.NewNonRetryableApplicationError("directory refused", activities.ErrTypePermanent, nil))
	outcome := ""
	env.OnActivity(a.Commit, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CommitInput) (activities.CommitResult, error) {
			outcome = in.Outcome
			return activities.CommitResult{ReportID: in.SyncID, Applied: map[roster.Op]int{roster.OpDeactivate: 20}}, nil
		})

	env.ExecuteWorkflow(SyncWorkflow, syncInput())

	require.ErrorContains(t, env.GetWorkflowError(), "Apply failed: directory refused")
	require.Equal(t, activities.OutcomeFailed, outcome)
	sum, ok := failedSummary(env.GetWorkflowError())
	require.True(t, ok, "the failure carries the run's summary for the integration to keep")
	require.Equal(t, StatusFailed, sum.Status)
	require.Equal(t, 20, sum.Applied[roster.OpDeactivate], "what the run wrote before it stopped")
	require.NotEmpty(t, sum.ReportID)
	require.Equal(t, "Apply failed: directory refused; the next scheduled run tries again.", sum.Error)
}

func TestSyncActivitiesRetryForTheOutagePolicyNotACount(t *testing.T) {
	p := integration.OutagePolicy{GiveUpAfter: integration.Duration(6 * time.Hour), MaxBackoff: integration.Duration(time.Minute)}
	o := outageOptions(p, time.Hour)
	require.Equal(t, 6*time.Hour, o.ScheduleToCloseTimeout)
	require.Zero(t, o.RetryPolicy.MaximumAttempts, "worker crashes never use up a budget of attempts")
	require.Equal(t, time.Minute, o.RetryPolicy.MaximumInterval)
	require.Equal(t, 15*time.Second, o.HeartbeatTimeout)
	d := outageOptions(integration.OutagePolicy{}, time.Hour)
	require.Equal(t, integration.DefaultGiveUpAfter, d.ScheduleToCloseTimeout)
	require.Equal(t, integration.DefaultMaxBackoff, d.RetryPolicy.MaximumInterval)
}
