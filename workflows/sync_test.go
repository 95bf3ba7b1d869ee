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

	require.ErrorContains(t, env.GetWorkflowError(), "fetch failed")
	require.Equal(t, 1, calls, "a permanent error must not be retried")
}
