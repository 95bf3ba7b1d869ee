package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	sdkpb "go.temporal.io/api/sdk/v1"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/roster"
)

// metadata reads what the Web UI renders of a workflow: its handlers and
// current details, from the SDK's __temporal_workflow_metadata query.
func metadata(t *testing.T, env *testsuite.TestWorkflowEnvironment) *sdkpb.WorkflowMetadata {
	t.Helper()
	v, err := env.QueryWorkflow("__temporal_workflow_metadata")
	require.NoError(t, err)
	var md sdkpb.WorkflowMetadata
	require.NoError(t, v.Get(&md))
	return &md
}

func names(defs []*sdkpb.WorkflowInteractionDefinition) []string {
	var out []string
	for _, d := range defs {
		out = append(out, d.GetName())
	}
	return out
}

// From the Web UI, the integration offers approve and reject, as updates
// that refuse a decision naming no one and as signals that ignore it, and
// not the runs' internal sync-blocked notice.
func TestApprovalFromTheWebUINamesWhoApproves(t *testing.T) {
	env := newEnv(t, time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC))
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{&Interceptor{}}})
	mockActivities(env, massChange)

	env.RegisterDelayedCallback(func() {
		require.Equal(t, StatusAwaitingApproval, status(t, env).Status)
		md := metadata(t, env)
		require.Equal(t, []string{SignalApprove, SignalReject}, names(md.GetDefinition().GetSignalDefinitions()),
			"the internal sync-blocked signal is not offered")
		require.Subset(t, names(md.GetDefinition().GetUpdateDefinitions()), []string{UpdateApprove, UpdateReject})

		env.UpdateWorkflow(UpdateApprove, "nobody", &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { require.ErrorContains(t, err, `say who decides`) },
			OnAccept:   func() { t.Error("an approval naming no one was accepted") },
			OnComplete: func(any, error) {},
		}, Approval{})
		env.UpdateWorkflow(UpdateApprove, "other-plan", &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { require.ErrorContains(t, err, "not the one waiting") },
			OnAccept:   func() { t.Error("an approval for another plan was accepted") },
			OnComplete: func(any, error) {},
		}, Approval{By: "carol", PlanID: "some-other-plan"})
		env.SignalWorkflow(SignalApprove, Approval{})
	}, 6*time.Hour)
	env.RegisterDelayedCallback(func() {
		require.Equal(t, StatusAwaitingApproval, status(t, env).Status, "the unnamed signal was ignored")
		require.Contains(t, metadata(t, env).GetCurrentDetails(), "without `by` was ignored")
		env.UpdateWorkflow(UpdateApprove, "carol", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { require.NoError(t, err) },
			OnAccept: func() {},
			OnComplete: func(v any, err error) {
				require.NoError(t, err)
				require.Equal(t, SyncWorkflowID("acme", 1), v.(BlockedSync).WorkflowID)
			},
		}, Approval{By: "carol", PlanID: SyncWorkflowID("acme", 1)})
	}, 7*time.Hour)

	env.ExecuteWorkflow(IntegrationWorkflow, IntegrationInput{Config: testConfig(integration.Schedule{})})

	next := continuedWith(t, env)
	require.Equal(t, StatusCompleted, next.State.LastSync.Status)
	require.Equal(t, "carol", next.State.LastSync.ApprovedBy)
	require.Equal(t, 7*time.Hour, next.State.LastSync.Timings.Wait)
}

// Without the interceptor the integration still hears of the block, by the
// signal's own channel.
func TestBlockedNoticeReachesAnIntegrationWithoutTheInterceptor(t *testing.T) {
	env := newEnv(t, time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC))
	mockActivities(env, massChange)
	env.RegisterDelayedCallback(func() {
		require.Equal(t, StatusAwaitingApproval, status(t, env).Status)
		env.UpdateWorkflowNoRejection(UpdateReject, "dave", t, Rejection{By: "dave", Reason: "not today"})
	}, time.Hour)

	env.ExecuteWorkflow(IntegrationWorkflow, IntegrationInput{Config: testConfig(integration.Schedule{})})

	require.Equal(t, StatusRejected, continuedWith(t, env).State.LastSync.Status)
}

// A waiting run's details say why it waits, whom it holds by HRIS id and
// reason, and how to decide; a signal that names no one is ignored there.
func TestWaitingSyncDetailsListHeldEmployees(t *testing.T) {
	env := newEnv(t, time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC))
	env.OnActivity(a.Fetch, mock.Anything, mock.Anything).Return(activities.FetchResult{SnapshotID: "s", Records: 3}, nil)
	env.OnActivity(a.Plan, mock.Anything, mock.Anything).Return(activities.PlanResult{PlanID: "plan-1",
		Counts: map[roster.Op]int{roster.OpUpdate: 1},
		Blocks: []roster.Block{{Code: roster.BlockPrivacy, Message: "1 employees' identities changed"}},
		Held:   2, HeldTotal: 2, HeldEmployees: []activities.HeldEmployee{
			{EmployeeID: "E0004", Code: roster.HoldIdentityChange, Reason: "name, email changed"},
			{EmployeeID: "E0009", Code: activities.CodeHeldBack, Reason: "invalid_email"}}}, nil)
	env.OnActivity(a.Commit, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CommitInput) (activities.CommitResult, error) {
			return activities.CommitResult{ReportID: in.SyncID}, nil
		})
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalReject, Rejection{})
	}, time.Hour)
	env.RegisterDelayedCallback(func() {
		details := metadata(t, env).GetCurrentDetails()
		for _, want := range []string{"AwaitingApproval", "privacy: 1 employees' identities changed",
			"2 employees held", "E0004: identity_change, name, email changed", "E0009: held_back, invalid_email",
			"Send Update `approve`", `{"by": "your name"}`, "integration/acme", "`reject` signal without `by` was ignored"} {
			require.Contains(t, details, want)
		}
		env.SignalWorkflow(SignalReject, Rejection{By: "dave"})
	}, 2*time.Hour)

	env.ExecuteWorkflow(SyncWorkflow, syncInput())

	var sum SyncSummary
	require.NoError(t, env.GetWorkflowResult(&sum))
	require.Equal(t, StatusRejected, sum.Status)
	require.Equal(t, "dave", sum.RejectedBy)
}
