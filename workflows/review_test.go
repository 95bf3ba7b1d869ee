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
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/roster"
)

// reviewedSync runs SyncWorkflow on in with an unblocked plan. An hour in,
// an approval naming no plan arrives, and at two hours one naming another
// plan — a review takes neither; signal arg follows after delay. It returns
// the summary, the outcome Commit recorded, how many applies ran and the
// run's SyncStatus seen at 90 minutes.
func reviewedSync(t *testing.T, in SyncInput, delay time.Duration, signal string, arg any) (SyncSummary, string, int, string) {
	t.Helper()
	env := newEnv(t, time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC))
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: SyncWorkflowID("acme", 1)})
	mockFetchPlan(env, nil)
	applies := 0
	env.OnActivity(a.Apply, mock.Anything, mock.Anything).Return(
		func(_ context.Context, ai activities.ApplyInput) (activities.ApplyResult, error) {
			require.Equal(t, SyncWorkflowID("acme", 1), ai.PlanID, "the reviewed plan is applied, never a re-plan")
			applies++
			return activities.ApplyResult{}, nil
		}).Maybe()
	outcome := ""
	env.OnActivity(a.Commit, mock.Anything, mock.Anything).Return(
		func(_ context.Context, ci activities.CommitInput) (activities.CommitResult, error) {
			outcome = ci.Outcome
			return activities.CommitResult{ReportID: ci.SyncID}, nil
		})
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalApprove, Approval{By: "mallory"}) }, time.Hour)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalApprove, Approval{By: "mallory", PlanID: "some-other-plan"})
	}, 2*time.Hour)
	var statuses []string
	env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		st, _ := args.Get(0).(temporal.SearchAttributes).GetKeyword(SyncStatusKey)
		statuses = append(statuses, st)
	}).Return(nil)
	status := ""
	env.RegisterDelayedCallback(func() { status = statuses[len(statuses)-1] }, 90*time.Minute)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(signal, arg) }, delay)

	env.ExecuteWorkflow(SyncWorkflow, in)

	require.NoError(t, env.GetWorkflowError())
	var sum SyncSummary
	require.NoError(t, env.GetWorkflowResult(&sum))
	return sum, outcome, applies, status
}

func reviewInput() SyncInput {
	in := syncInput()
	in.Review = true
	return in
}

func TestReviewWaitsForAnApprovalOfItsPlan(t *testing.T) {
	sum, outcome, applies, status := reviewedSync(t, reviewInput(), 72*time.Hour, SignalApprove,
		Approval{By: "carol", PlanID: SyncWorkflowID("acme", 1)})

	require.Equal(t, StatusAwaitingReview, status, "a review waits even with nothing blocked")
	require.Equal(t, StatusCompleted, sum.Status)
	require.True(t, sum.Reviewed)
	require.Equal(t, "carol", sum.ApprovedBy)
	require.Equal(t, 72*time.Hour, sum.Timings.Wait)
	require.Equal(t, activities.OutcomeApplied, outcome)
	require.Equal(t, 1, applies)
}

func TestReviewRejectedAppliesNothing(t *testing.T) {
	sum, outcome, applies, _ := reviewedSync(t, reviewInput(), 3*time.Hour, SignalReject, Rejection{By: "dave"})

	require.Equal(t, StatusRejected, sum.Status)
	require.Equal(t, "dave", sum.RejectedBy)
	require.Equal(t, activities.OutcomeRejected, outcome)
	require.Zero(t, applies)
}

func TestReviewSettingStopsItsKindOfRun(t *testing.T) {
	// Scheduled runs wait for review; a manual one goes straight through.
	in := syncInput()
	in.Trigger = TriggerSchedule
	in.Config.Review = integration.ReviewPolicy{Scheduled: true}
	sum, _, applies, status := reviewedSync(t, in, 3*time.Hour, SignalApprove,
		Approval{By: "carol", PlanID: SyncWorkflowID("acme", 1)})
	require.Equal(t, StatusAwaitingReview, status)
	require.True(t, sum.Reviewed)
	require.Equal(t, 1, applies)

	env := newEnv(t, time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC))
	mockActivities(env, nil)
	in.Trigger = TriggerManual
	env.ExecuteWorkflow(SyncWorkflow, in)
	require.NoError(t, env.GetWorkflowError())
	sum = SyncSummary{}
	require.NoError(t, env.GetWorkflowResult(&sum))
	require.Equal(t, StatusCompleted, sum.Status)
	require.False(t, sum.Reviewed)
	require.Zero(t, sum.Timings.Wait)
}

func TestSyncNowForReviewReachesTheRun(t *testing.T) {
	start := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	env := newEnv(t, start)
	runs := mockSync(env)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflowNoRejection(UpdateSyncNow, "s1", t, SyncRequest{By: "erin", Review: true})
	}, time.Minute)

	env.ExecuteWorkflow(IntegrationWorkflow, IntegrationInput{Config: testConfig(integration.Schedule{AutoSync: off()}),
		State: &IntegrationState{CreatedAt: start, FirstSyncDone: true}})

	require.Len(t, runs.inputs, 1)
	require.True(t, runs.inputs[0].Review)
	require.False(t, runs.inputs[0].Approved)
}

func TestStatusSaysAwaitingReview(t *testing.T) {
	w := &integrationImpl{current: &runningSync{info: CurrentSync{
		Blocked: &BlockedSync{PlanID: "p", Planned: map[roster.Op]int{}, Review: true}}}}
	require.Equal(t, StatusAwaitingReview, w.status().Status)
	w.current.info.Blocked.Review = false
	require.Equal(t, StatusAwaitingApproval, w.status().Status)
}
