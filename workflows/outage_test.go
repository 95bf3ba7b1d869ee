package workflows

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/notify"
	"github.com/hrsync/hrsync/roster"
)

// incidents records the NotifyIncident calls and when, on the workflow
// clock, each was made.
type incidents struct {
	mu     sync.Mutex
	inputs []activities.IncidentInput
	at     []time.Time
}

func (n *incidents) events() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var evs []string
	for _, in := range n.inputs {
		evs = append(evs, in.Event)
	}
	return evs
}

// mockIncidents records every NotifyIncident.
func mockIncidents(env *testsuite.TestWorkflowEnvironment) *incidents {
	n := &incidents{}
	env.OnActivity(a.NotifyIncident, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.IncidentInput) (activities.NotifyResult, error) {
			n.mu.Lock()
			defer n.mu.Unlock()
			n.inputs = append(n.inputs, in)
			n.at = append(n.at, env.Now().UTC())
			return activities.NotifyResult{Webhook: 200}, nil
		}).Maybe()
	return n
}

// withWebhook is cfg with a notification webhook.
func withWebhook(cfg integration.Config) integration.Config {
	cfg.Notify.Webhook = &notify.WebhookConfig{URL: "https://hooks.example/hrsync"}
	return cfg
}

// outageTimeout is what a step's activity fails with once the outage
// policy's giveUpAfter has passed: Temporal's schedule-to-close timeout,
// carrying the last attempt's failure.
func outageTimeout() error {
	return temporal.NewTimeoutError(enumspb.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE,
		temporal.NewApplicationError("scim: POST /Users: 503 Service Unavailable", activities.ErrTypeTransient))
}

// mockGivingUpApply stubs an apply that keeps failing for after and then
// gives up at the outage limit, and a commit that records 20 deactivations
// as what reached the directory.
func mockGivingUpApply(env *testsuite.TestWorkflowEnvironment, after time.Duration) {
	mockFetchPlan(env, nil)
	env.OnActivity(a.Apply, mock.Anything, mock.Anything).After(after).Return(activities.ApplyResult{}, outageTimeout())
	env.OnActivity(a.Commit, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CommitInput) (activities.CommitResult, error) {
			return activities.CommitResult{ReportID: in.SyncID, Applied: map[roster.Op]int{roster.OpDeactivate: 20}}, nil
		})
}

func TestSyncThatGivesUpSaysSo(t *testing.T) {
	env := newEnv(t, time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC))
	mockGivingUpApply(env, time.Minute)

	env.ExecuteWorkflow(SyncWorkflow, syncInput())

	sum, ok := failedSummary(env.GetWorkflowError())
	require.True(t, ok)
	require.Equal(t, StatusFailed, sum.Status)
	require.True(t, sum.GaveUp)
	require.Equal(t, 20, sum.Applied[roster.OpDeactivate], "what it did is recorded")
	require.Equal(t, "Apply failed: kept failing until the outage limit; last error: scim: POST /Users: 503 Service "+
		"Unavailable; scheduled runs wait until an administrator resumes the integration.", sum.Error)
}

func TestSyncThatFailsOtherwiseHasNotGivenUp(t *testing.T) {
	env := newEnv(t, time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC))
	mockFetchPlan(env, nil)
	env.OnActivity(a.Apply, mock.Anything, mock.Anything).Return(activities.ApplyResult{},
		temporal.NewNonRetryableApplicationError("directory refused", activities.ErrTypePermanent, nil))
	env.OnActivity(a.Commit, mock.Anything, mock.Anything).Return(activities.CommitResult{}, nil)

	env.ExecuteWorkflow(SyncWorkflow, syncInput())

	sum, ok := failedSummary(env.GetWorkflowError())
	require.True(t, ok)
	require.False(t, sum.GaveUp, "a permanent refusal is not an outage")
}

func TestGivingUpQuarantinesTheIntegration(t *testing.T) {
	start := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	env := newEnv(t, start)
	mockGivingUpApply(env, 24*time.Hour)
	notices := mockIncidents(env)
	cfg := withWebhook(testConfig(integration.Schedule{Cron: "0 2 * * *"}))

	env.ExecuteWorkflow(IntegrationWorkflow, IntegrationInput{Config: cfg,
		State: &IntegrationState{CreatedAt: start, FirstSyncDone: true, Syncs: 6, Requested: &SyncRequest{By: "ops"}}})

	next := continuedWith(t, env)
	last := next.State.LastSync
	require.Equal(t, StatusFailed, last.Status)
	require.True(t, last.GaveUp)
	require.True(t, next.State.Paused, "scheduled runs wait")
	require.Equal(t, last.Error, next.State.Quarantined, "the reason is the run's one sentence")
	require.Contains(t, next.State.Quarantined, "until the outage limit")

	require.Equal(t, []string{notify.EventDelayed, notify.EventQuarantined}, notices.events())
	q := notices.inputs[1]
	require.Equal(t, "acme", q.IntegrationID)
	require.Equal(t, SyncWorkflowID("acme", 7), q.SyncWorkflowID)
	require.Equal(t, last.Error, q.Message)
	require.NotNil(t, q.Config.Notify.Webhook)
}

func TestQuarantinedIntegrationRunsOnlyWhenAsked(t *testing.T) {
	start := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	env := newEnv(t, start)
	runs := mockSync(env)
	reason := "Apply failed: kept failing until the outage limit; scheduled runs wait until an administrator resumes the integration."
	state := &IntegrationState{CreatedAt: start, FirstSyncDone: true, Syncs: 7, Paused: true, Quarantined: reason}

	env.RegisterDelayedCallback(func() {
		st := status(t, env)
		require.Equal(t, StatusQuarantined, st.Status)
		require.Equal(t, reason, st.Quarantined)
		require.True(t, st.Paused)
		require.Nil(t, st.NextRunAt, "no scheduled run while quarantined")
		env.UpdateWorkflow(UpdatePause, "p1", &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { require.ErrorContains(t, err, "quarantined") },
			OnAccept:   func() { t.Error("pause accepted while quarantined") },
			OnComplete: func(any, error) {},
		}, PauseRequest{})
		env.UpdateWorkflowNoRejection(UpdateSyncNow, "s1", t, SyncRequest{By: "ops"})
	}, 3*24*time.Hour)

	env.ExecuteWorkflow(IntegrationWorkflow, IntegrationInput{Config: testConfig(integration.Schedule{}), State: state})

	require.Len(t, runs.at, 1, "sync-now runs while quarantined; the schedule does not")
	require.Equal(t, start.Add(3*24*time.Hour), runs.at[0])
	require.Equal(t, reason, continuedWith(t, env).State.Quarantined, "a run does not lift the quarantine; resume does")
}

func TestResumeLiftsTheQuarantine(t *testing.T) {
	start := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	env := newEnv(t, start)
	runs := mockSync(env)
	state := &IntegrationState{CreatedAt: start, FirstSyncDone: true, Paused: true, Quarantined: "Fetch failed: …"}

	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateResume, "r1", &testsuite.TestUpdateCallback{
			OnAccept: func() {}, OnReject: func(err error) { t.Error(err) },
			OnComplete: func(v any, err error) {
				require.NoError(t, err)
				st := v.(IntegrationStatus)
				require.Equal(t, StatusIdle, st.Status)
				require.Empty(t, st.Quarantined)
				require.False(t, st.Paused)
				require.Equal(t, time.Date(2026, 3, 12, 2, 0, 0, 0, time.UTC), st.NextRunAt.UTC())
			},
		}, ResumeRequest{By: "ops"})
	}, 36*time.Hour)

	env.ExecuteWorkflow(IntegrationWorkflow, IntegrationInput{Config: testConfig(integration.Schedule{}), State: state})

	require.Len(t, runs.at, 1)
	require.Equal(t, time.Date(2026, 3, 12, 2, 0, 0, 0, time.UTC), runs.at[0].UTC(), "the schedule goes on")
	next := continuedWith(t, env)
	require.False(t, next.State.Paused)
	require.Empty(t, next.State.Quarantined)
}

func TestSlowSyncSendsOneDelayedNotice(t *testing.T) {
	start := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	env := newEnv(t, start)
	// The fetch and the apply each take 40 minutes: past notifyAfter
	// twice, told once.
	env.OnActivity(a.Fetch, mock.Anything, mock.Anything).After(40 * time.Minute).Return(
		func(_ context.Context, in activities.FetchInput) (activities.FetchResult, error) {
			return activities.FetchResult{SnapshotID: in.SyncID, Records: 100}, nil
		})
	env.OnActivity(a.Plan, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PlanInput) (activities.PlanResult, error) {
			return activities.PlanResult{PlanID: in.SyncID, Counts: map[roster.Op]int{roster.OpCreate: 5}}, nil
		})
	env.OnActivity(a.Apply, mock.Anything, mock.Anything).After(40*time.Minute).Return(activities.ApplyResult{}, nil)
	env.OnActivity(a.Commit, mock.Anything, mock.Anything).Return(activities.CommitResult{}, nil)
	notices := mockIncidents(env)
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: SyncWorkflowID("acme", 1)})
	in := syncInput()
	in.Config = withWebhook(in.Config)

	env.ExecuteWorkflow(SyncWorkflow, in)

	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, []string{notify.EventDelayed}, notices.events())
	d := notices.inputs[0]
	require.Equal(t, start.Add(30*time.Minute), notices.at[0], "at notifyAfter")
	require.Equal(t, SyncWorkflowID("acme", 1), d.SyncWorkflowID)
	require.Equal(t, "Sync 1 has been running since 2026-03-10 09:30 UTC and is still fetching from the HRIS; "+
		"a step that keeps failing is retried for up to 24h, then the run fails and the integration is quarantined.", d.Message)
}

func TestDelayedNoticeFollowsTheOutagePolicy(t *testing.T) {
	start := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	env := newEnv(t, start)
	mockFetchPlan(env, nil)
	env.OnActivity(a.Apply, mock.Anything, mock.Anything).After(20*time.Minute).Return(activities.ApplyResult{}, nil)
	env.OnActivity(a.Commit, mock.Anything, mock.Anything).Return(activities.CommitResult{}, nil)
	notices := mockIncidents(env)
	in := syncInput()
	in.Config = withWebhook(in.Config)
	in.Config.Outage = integration.OutagePolicy{NotifyAfter: integration.Duration(10 * time.Minute),
		GiveUpAfter: integration.Duration(90 * time.Minute)}

	env.ExecuteWorkflow(SyncWorkflow, in)

	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, []string{notify.EventDelayed}, notices.events())
	require.Equal(t, start.Add(10*time.Minute), notices.at[0])
	require.Contains(t, notices.inputs[0].Message, "still applying changes to the directory")
	require.Contains(t, notices.inputs[0].Message, "for up to 1h30m,")
}

func TestFastSyncSendsNoDelayedNotice(t *testing.T) {
	env := newEnv(t, time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC))
	mockActivities(env, nil)
	notices := mockIncidents(env)
	in := syncInput()
	in.Config = withWebhook(in.Config)

	env.ExecuteWorkflow(SyncWorkflow, in)

	require.NoError(t, env.GetWorkflowError())
	require.Empty(t, notices.events())
}

func TestWaitingForApprovalIsNotADelay(t *testing.T) {
	start := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	for _, tt := range []struct {
		name  string
		apply time.Duration
		want  []string
	}{
		{"a quick apply after the decision", time.Minute, nil},
		{"an apply past notifyAfter from the decision", 45 * time.Minute, []string{notify.EventDelayed}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t, start)
			mockFetchPlan(env, massChange)
			env.OnActivity(a.Apply, mock.Anything, mock.Anything).After(tt.apply).Return(activities.ApplyResult{}, nil)
			env.OnActivity(a.Commit, mock.Anything, mock.Anything).Return(activities.CommitResult{}, nil)
			env.OnActivity(a.Notify, mock.Anything, mock.Anything).Return(activities.NotifyResult{}, nil)
			notices := mockIncidents(env)
			env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalApprove, Approval{By: "carol"}) }, 2*time.Hour)
			in := syncInput()
			in.Config = withWebhook(in.Config)

			env.ExecuteWorkflow(SyncWorkflow, in)

			require.NoError(t, env.GetWorkflowError())
			require.Equal(t, tt.want, notices.events())
			if len(tt.want) > 0 {
				require.Equal(t, start.Add(2*time.Hour+30*time.Minute), notices.at[0], "notifyAfter from the decision")
				require.Contains(t, notices.inputs[0].Message, "since 2026-03-10 09:30 UTC", "since the run started")
			}
		})
	}
}

func TestNoChannelNoDelayTimer(t *testing.T) {
	env := newEnv(t, time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC))
	mockFetchPlan(env, nil)
	env.OnActivity(a.Apply, mock.Anything, mock.Anything).After(time.Hour).Return(activities.ApplyResult{}, nil)
	env.OnActivity(a.Commit, mock.Anything, mock.Anything).Return(activities.CommitResult{}, nil)
	notices := mockIncidents(env)

	env.ExecuteWorkflow(SyncWorkflow, syncInput())

	require.NoError(t, env.GetWorkflowError())
	require.Empty(t, notices.events(), "with nowhere to send it, nothing is sent")
}

func TestGaveUpIsAScheduleToCloseTimeout(t *testing.T) {
	require.True(t, gaveUp(outageTimeout()))
	require.True(t, gaveUp(errors.Join(errors.New("part 1 ok"), outageTimeout())))
	require.False(t, gaveUp(temporal.NewTimeoutError(enumspb.TIMEOUT_TYPE_START_TO_CLOSE, nil)))
	require.False(t, gaveUp(errors.New("apply failed: directory refused")))
}

// A failed run tells the admins, in its one sentence, when the integration
// has a notification channel.
func TestFailedSyncNotifies(t *testing.T) {
	env := newEnv(t, time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC))
	env.OnActivity(a.Fetch, mock.Anything, mock.Anything).Return(activities.FetchResult{},
		temporal.NewNonRetryableApplicationError("401 unauthorized", activities.ErrTypePermanent, nil))
	var notices []activities.IncidentInput
	env.OnActivity(a.NotifyIncident, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.IncidentInput) (activities.NotifyResult, error) {
			notices = append(notices, in)
			return activities.NotifyResult{Webhook: 200}, nil
		})
	in := syncInput()
	in.Config.Notify.Webhook = &notify.WebhookConfig{URL: "https://hooks.example/hrsync"}

	env.ExecuteWorkflow(SyncWorkflow, in)

	require.ErrorContains(t, env.GetWorkflowError(), "Fetch failed: 401 unauthorized")
	require.Len(t, notices, 1)
	require.Equal(t, notify.EventFailed, notices[0].Event)
	require.Equal(t, "acme", notices[0].IntegrationID)
	require.Contains(t, notices[0].Message, "Fetch failed: 401 unauthorized")
}
