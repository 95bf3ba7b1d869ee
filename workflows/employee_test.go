package workflows

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/log"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/roster"
)

func TestSyncNowForOneEmployeeReachesThePlan(t *testing.T) {
	start := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	env := newEnv(t, start)
	runs := mockSync(env)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflowNoRejection(UpdateSyncNow, "s1", t, SyncRequest{By: "erin", Employee: "E0123"})
	}, time.Minute)
	env.ExecuteWorkflow(IntegrationWorkflow, IntegrationInput{Config: testConfig(integration.Schedule{AutoSync: off()}),
		State: &IntegrationState{CreatedAt: start, FirstSyncDone: true}})
	require.Len(t, runs.inputs, 1)
	require.Equal(t, "E0123", runs.inputs[0].Employee)

	// The run hands the employee to its plan, and says whom it synced.
	env = newEnv(t, start)
	env.OnActivity(a.Fetch, mock.Anything, mock.Anything).Return(activities.FetchResult{SnapshotID: "s", Records: 3}, nil)
	var planned []string
	env.OnActivity(a.Plan, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PlanInput) (activities.PlanResult, error) {
			planned = append(planned, in.Employee)
			return activities.PlanResult{PlanID: in.SyncID, Counts: map[roster.Op]int{roster.OpUpdate: 1}}, nil
		})
	env.OnActivity(a.Apply, mock.Anything, mock.Anything).Return(activities.ApplyResult{}, nil)
	env.OnActivity(a.Commit, mock.Anything, mock.Anything).Return(activities.CommitResult{}, nil)
	in := syncInput()
	in.Employee = "E0123"
	env.ExecuteWorkflow(SyncWorkflow, in)
	require.NoError(t, env.GetWorkflowError())
	var sum SyncSummary
	require.NoError(t, env.GetWorkflowResult(&sum))
	require.Equal(t, []string{"E0123"}, planned)
	require.Equal(t, "E0123", sum.Employee)
}

func TestSyncRequestsForDifferentEmployeesMakeOneFullRun(t *testing.T) {
	w := &integrationImpl{logger: log.NewStructuredLogger(slog.New(slog.DiscardHandler))}
	_, err := w.syncNow(nil, SyncRequest{Employee: "E1"})
	require.NoError(t, err)
	_, err = w.syncNow(nil, SyncRequest{Employee: "E1"})
	require.NoError(t, err)
	require.Equal(t, "E1", w.state.Requested.Employee, "the same employee twice is still one")
	_, err = w.syncNow(nil, SyncRequest{Employee: "E2"})
	require.NoError(t, err)
	require.Empty(t, w.state.Requested.Employee)
}
