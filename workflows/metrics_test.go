package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/internal/metrics"
	"github.com/hrsync/hrsync/internal/metrics/metricstest"
)

// newMeteredEnv is newEnv recording the workflows' metrics into m.
func newMeteredEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, *metrics.Metrics) {
	t.Helper()
	m, err := metrics.New(nil)
	require.NoError(t, err)
	var ts testsuite.WorkflowTestSuite
	ts.SetMetricsHandler(m.SDK())
	env := ts.NewTestWorkflowEnvironment()
	env.SetStartTime(time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC))
	env.SetTestTimeout(10 * time.Second)
	Register(env, &activities.Activities{})
	return env, m
}

func TestSyncCountsItsStartFinishAndPhases(t *testing.T) {
	env, m := newMeteredEnv(t)
	mockActivities(env, massChange)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalApprove, Approval{By: "carol", PlanID: SyncWorkflowID("acme", 1)})
	}, 26*time.Hour)
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: SyncWorkflowID("acme", 1)})

	env.ExecuteWorkflow(SyncWorkflow, syncInput())

	require.NoError(t, env.GetWorkflowError())
	got := metricstest.Gather(t, m.Registry())
	require.Equal(t, 1.0, got.Sum(MetricSyncsStarted, map[string]string{"trigger": TriggerManual}))
	require.Equal(t, 1.0, got.Sum(MetricSyncsFinished, map[string]string{"status": "completed"}))
	require.Equal(t, 1.0, got.Sum(MetricSyncsFinished, nil))
	require.Equal(t, 1.0, got.Sum(MetricPhaseDuration, map[string]string{"phase": "wait"}))
	for _, s := range got[MetricPhaseDuration].GetMetric() {
		if metricstest.Has(s, map[string]string{"phase": "wait"}) {
			require.Equal(t, (26 * time.Hour).Seconds(), s.GetHistogram().GetSampleSum())
		}
	}
}

func TestAFailedSyncIsCountedFailed(t *testing.T) {
	env, m := newMeteredEnv(t)
	env.OnActivity(a.Fetch, mock.Anything, mock.Anything).Return(
		func(context.Context, activities.FetchInput) (activities.FetchResult, error) {
			return activities.FetchResult{}, temporal.NewNonRetryableApplicationError(
				"401 unauthorized", activities.ErrTypePermanent, connectors.ErrPermanent)
		})
	env.OnActivity(a.Notify, mock.Anything, mock.Anything).Return(nil).Maybe()

	env.ExecuteWorkflow(SyncWorkflow, syncInput())

	require.Error(t, env.GetWorkflowError())
	got := metricstest.Gather(t, m.Registry())
	require.Equal(t, 1.0, got.Sum(MetricSyncsStarted, nil))
	require.Equal(t, 1.0, got.Sum(MetricSyncsFinished, map[string]string{"status": "failed"}))
	require.Equal(t, 1.0, got.Sum(MetricSyncsFinished, nil))
}
