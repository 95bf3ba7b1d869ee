package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
)

// testConfig is a valid demo integration with the given schedule.
func testConfig(s integration.Schedule) integration.Config {
	return integration.Config{
		ID:       "acme",
		Source:   integration.Endpoint{Kind: "demo", URL: "http://127.0.0.1:8280"},
		Target:   integration.Endpoint{Kind: "demo", URL: "http://127.0.0.1:8281"},
		Schedule: s,
	}
}

func off() *bool { b := false; return &b }

// newEnv returns a test environment starting at start (UTC) with hrsync's
// workflows and activities registered.
func newEnv(t *testing.T, start time.Time) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	env.SetTestTimeout(10 * time.Second)
	Register(env, &activities.Activities{})
	return env
}

// syncRuns records when each mocked SyncWorkflow started and with what input.
type syncRuns struct {
	at     []time.Time
	inputs []SyncInput
}

// mockSync replaces SyncWorkflow with a recorder that completes at once.
func mockSync(env *testsuite.TestWorkflowEnvironment) *syncRuns {
	runs := &syncRuns{}
	env.OnWorkflow(SyncWorkflow, mock.Anything, mock.Anything).Return(
		func(ctx workflow.Context, in SyncInput) (SyncSummary, error) {
			runs.at = append(runs.at, workflow.Now(ctx))
			runs.inputs = append(runs.inputs, in)
			return SyncSummary{WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, Number: in.Number,
				Trigger: in.Trigger, Status: StatusCompleted}, nil
		})
	return runs
}

// continuedWith decodes the input of the run the workflow continued as.
func continuedWith(t *testing.T, env *testsuite.TestWorkflowEnvironment) IntegrationInput {
	t.Helper()
	err := env.GetWorkflowError()
	require.Error(t, err)
	var can *workflow.ContinueAsNewError
	require.ErrorAs(t, err, &can, "expected continue-as-new, got %v", err)
	var next IntegrationInput
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	return next
}

// removeAfter sends the remove update after d, ending the workflow.
func removeAfter(t *testing.T, env *testsuite.TestWorkflowEnvironment, d time.Duration) {
	env.OnActivity(a.Purge, mock.Anything, mock.Anything).Return(
		activities.PurgeResult{Purged: store.Purged{Reports: 1}}, nil).Maybe()
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflowNoRejection(UpdateRemove, "remove", t, RemoveRequest{By: "test"})
	}, d)
}

func status(t *testing.T, env *testsuite.TestWorkflowEnvironment) IntegrationStatus {
	t.Helper()
	v, err := env.QueryWorkflow(QueryStatus)
	require.NoError(t, err)
	var st IntegrationStatus
	require.NoError(t, v.Get(&st))
	return st
}

func TestFirstSyncRunsAtOnceThenContinuesAsNew(t *testing.T) {
	start := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	env := newEnv(t, start)
	runs := mockSync(env)

	env.ExecuteWorkflow(IntegrationWorkflow, IntegrationInput{Config: testConfig(integration.Schedule{})})

	require.Len(t, runs.at, 1)
	require.Equal(t, start, runs.at[0])
	require.Equal(t, TriggerFirst, runs.inputs[0].Trigger)
	require.Equal(t, 1, runs.inputs[0].Number)
	next := continuedWith(t, env)
	require.NotNil(t, next.State)
	require.Equal(t, 1, next.State.Syncs)
	require.True(t, next.State.FirstSyncDone)
	require.Equal(t, StatusCompleted, next.State.LastSync.Status)
	require.Equal(t, SyncWorkflowID("acme", 1), next.State.LastSync.WorkflowID)
	require.Equal(t, start, next.State.CreatedAt)
}

func TestScheduleFiresAtCronInTimeZone(t *testing.T) {
	// 09:30 UTC is 17:30 in Singapore; the next 02:00 there is 18:00 UTC.
	start := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	env := newEnv(t, start)
	runs := mockSync(env)
	cfg := testConfig(integration.Schedule{Cron: "0 2 * * *", TimeZone: "Asia/Singapore"})
	env.RegisterDelayedCallback(func() {
		st := status(t, env)
		require.Equal(t, StatusIdle, st.Status)
		require.NotNil(t, st.NextRunAt)
		require.Equal(t, time.Date(2026, 3, 10, 18, 0, 0, 0, time.UTC), st.NextRunAt.UTC())
	}, time.Minute)

	env.ExecuteWorkflow(IntegrationWorkflow, IntegrationInput{
		Config: cfg, State: &IntegrationState{CreatedAt: start, FirstSyncDone: true, Syncs: 4},
	})

	require.Len(t, runs.at, 1)
	require.Equal(t, time.Date(2026, 3, 10, 18, 0, 0, 0, time.UTC), runs.at[0].UTC())
	require.Equal(t, TriggerSchedule, runs.inputs[0].Trigger)
	require.Equal(t, 5, runs.inputs[0].Number)
	require.Equal(t, 5, continuedWith(t, env).State.Syncs)
}

func TestFirstSyncAtAGivenTime(t *testing.T) {
	start := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	env := newEnv(t, start)
	runs := mockSync(env)
	cfg := testConfig(integration.Schedule{FirstSync: "2026-03-12T07:15:00Z", AutoSync: off()})

	env.ExecuteWorkflow(IntegrationWorkflow, IntegrationInput{Config: cfg})

	require.Len(t, runs.at, 1)
	require.Equal(t, time.Date(2026, 3, 12, 7, 15, 0, 0, time.UTC), runs.at[0].UTC())
	require.Equal(t, TriggerFirst, runs.inputs[0].Trigger)
}

func TestPauseStopsScheduledRunsUntilResume(t *testing.T) {
	start := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	env := newEnv(t, start)
	runs := mockSync(env)
	cfg := testConfig(integration.Schedule{Cron: "0 2 * * *"})
	state := &IntegrationState{CreatedAt: start, FirstSyncDone: true}

	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflowNoRejection(UpdatePause, "p1", t, PauseRequest{By: "ops"})
	}, time.Hour)
	env.RegisterDelayedCallback(func() {
		// Pausing twice is refused by the validator.
		env.UpdateWorkflow(UpdatePause, "p2", &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { require.ErrorContains(t, err, "already paused") },
			OnAccept:   func() { t.Error("second pause accepted") },
			OnComplete: func(any, error) {},
		}, PauseRequest{})
		st := status(t, env)
		require.Equal(t, StatusPaused, st.Status)
		require.Nil(t, st.NextRunAt)
	}, 2*time.Hour)
	// Three days pass with no run; resume on day 3 at 12:00.
	resumeAt := 3*24*time.Hour + 150*time.Minute
	env.RegisterDelayedCallback(func() {
		require.Empty(t, runs.at, "a paused integration ran")
		env.UpdateWorkflow(UpdateResume, "r1", &testsuite.TestUpdateCallback{
			OnAccept: func() {}, OnReject: func(err error) { t.Error(err) },
			OnComplete: func(v any, err error) {
				require.NoError(t, err)
				st := v.(IntegrationStatus)
				require.NotNil(t, st.NextRunAt, "resume must answer with the next run")
				require.Equal(t, time.Date(2026, 3, 14, 2, 0, 0, 0, time.UTC), st.NextRunAt.UTC())
			},
		}, ResumeRequest{By: "ops"})
	}, resumeAt)

	env.ExecuteWorkflow(IntegrationWorkflow, IntegrationInput{Config: cfg, State: state})

	require.Len(t, runs.at, 1)
	require.Equal(t, time.Date(2026, 3, 14, 2, 0, 0, 0, time.UTC), runs.at[0].UTC())
	require.False(t, continuedWith(t, env).State.Paused)
}

func TestSyncNowRunsImmediatelyWithAutoSyncOff(t *testing.T) {
	start := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	env := newEnv(t, start)
	runs := mockSync(env)
	cfg := testConfig(integration.Schedule{AutoSync: off()})
	state := &IntegrationState{CreatedAt: start, FirstSyncDone: true, Syncs: 2}

	var res SyncNowResult
	env.RegisterDelayedCallback(func() {
		require.Nil(t, status(t, env).NextRunAt, "auto-sync off must schedule nothing")
		env.UpdateWorkflow(UpdateSyncNow, "s1", &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) { t.Errorf("sync-now rejected: %v", err) },
			OnComplete: func(v any, err error) {
				require.NoError(t, err)
				res = v.(SyncNowResult)
			},
		}, SyncRequest{By: "alice"})
	}, 5*time.Hour)

	env.ExecuteWorkflow(IntegrationWorkflow, IntegrationInput{Config: cfg, State: state})

	require.Len(t, runs.at, 1)
	require.Equal(t, start.Add(5*time.Hour), runs.at[0])
	require.Equal(t, TriggerManual, runs.inputs[0].Trigger)
	require.Equal(t, "alice", runs.inputs[0].RequestedBy)
	require.Equal(t, SyncNowResult{WorkflowID: SyncWorkflowID("acme", 3), Number: 3}, res)
	next := continuedWith(t, env)
	require.Nil(t, next.State.Requested)
	require.Equal(t, 3, next.State.Syncs)
}

func TestSyncNowDuringSyncIsCarriedAcrossContinueAsNew(t *testing.T) {
	start := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	env := newEnv(t, start)
	// The sync takes an hour; a sync-now arrives in the middle of it.
	env.OnWorkflow(SyncWorkflow, mock.Anything, mock.Anything).Return(
		func(ctx workflow.Context, in SyncInput) (SyncSummary, error) {
			if err := workflow.Sleep(ctx, time.Hour); err != nil {
				return SyncSummary{}, err
			}
			return SyncSummary{Number: in.Number, Status: StatusCompleted}, nil
		})
	var res SyncNowResult
	env.RegisterDelayedCallback(func() {
		st := status(t, env)
		require.Equal(t, StatusSyncing, st.Status)
		require.Equal(t, SyncWorkflowID("acme", 1), st.Current.WorkflowID)
		env.UpdateWorkflow(UpdateSyncNow, "s1", &testsuite.TestUpdateCallback{
			OnAccept: func() {}, OnReject: func(err error) { t.Error(err) },
			OnComplete: func(v any, err error) { res = v.(SyncNowResult) },
		}, SyncRequest{By: "bob"})
		// An approval with nothing blocked is handled (ignored), not lost.
		env.SignalWorkflow(SignalApprove, Approval{By: "bob"})
	}, 30*time.Minute)

	env.ExecuteWorkflow(IntegrationWorkflow, IntegrationInput{Config: testConfig(integration.Schedule{})})

	require.Equal(t, SyncNowResult{WorkflowID: SyncWorkflowID("acme", 2), Number: 2, Queued: true}, res)
	next := continuedWith(t, env)
	require.Equal(t, 1, next.State.Syncs)
	require.NotNil(t, next.State.Requested, "the queued sync-now must survive continue-as-new")
	require.Equal(t, "bob", next.State.Requested.By)
}

func TestQueuedSyncNowRunsFirstInNextRun(t *testing.T) {
	start := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	env := newEnv(t, start)
	runs := mockSync(env)
	state := &IntegrationState{CreatedAt: start, FirstSyncDone: true, Syncs: 1, Requested: &SyncRequest{By: "bob"}}

	env.ExecuteWorkflow(IntegrationWorkflow, IntegrationInput{Config: testConfig(integration.Schedule{}), State: state})

	require.Len(t, runs.at, 1)
	require.Equal(t, start, runs.at[0])
	require.Equal(t, 2, runs.inputs[0].Number)
	require.Equal(t, "bob", runs.inputs[0].RequestedBy)
}

func TestContinueAsNewWhenSuggestedWhileIdle(t *testing.T) {
	start := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	env := newEnv(t, start)
	mockSync(env)
	env.SetContinueAsNewSuggested(true)
	state := &IntegrationState{CreatedAt: start, FirstSyncDone: true, Syncs: 7, Paused: true}
	cfg := testConfig(integration.Schedule{})
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflowNoRejection(UpdateConfig, "c1", t, func() integration.Config {
			c := cfg
			c.Name = "Acme Pte Ltd"
			return c
		}())
	}, time.Hour)

	env.ExecuteWorkflow(IntegrationWorkflow, IntegrationInput{Config: cfg, State: state})

	next := continuedWith(t, env)
	require.Equal(t, 7, next.State.Syncs)
	require.True(t, next.State.Paused)
	require.Equal(t, "Acme Pte Ltd", next.Config.Name)
}

func TestUpdateConfigValidatorRefusesBadConfig(t *testing.T) {
	start := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	env := newEnv(t, start)
	mockSync(env)
	cfg := testConfig(integration.Schedule{AutoSync: off()})
	var rejections []string
	reject := func(id string, c integration.Config) {
		env.UpdateWorkflow(UpdateConfig, id, &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { rejections = append(rejections, err.Error()) },
			OnAccept:   func() { t.Errorf("update %s accepted", id) },
			OnComplete: func(any, error) {},
		}, c)
	}
	env.RegisterDelayedCallback(func() {
		bad := cfg
		bad.Schedule.Cron = "every day at two"
		reject("cron", bad)
		other := cfg
		other.ID = "other"
		reject("id", other)
		tz := cfg
		tz.Schedule.TimeZone = "Mars/Olympus"
		reject("tz", tz)
	}, time.Minute)
	removeAfter(t, env, time.Hour)

	env.ExecuteWorkflow(IntegrationWorkflow, IntegrationInput{Config: cfg,
		State: &IntegrationState{CreatedAt: start, FirstSyncDone: true}})

	require.NoError(t, env.GetWorkflowError())
	require.Len(t, rejections, 3)
	require.Contains(t, rejections[0], "cron")
	require.Contains(t, rejections[1], "cannot change")
	require.Contains(t, rejections[2], "Mars/Olympus")
}

func TestRemoveEndsTheIntegrationAndPurges(t *testing.T) {
	start := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	env := newEnv(t, start)
	runs := mockSync(env)
	removeAfter(t, env, time.Hour)

	env.ExecuteWorkflow(IntegrationWorkflow, IntegrationInput{
		Config: testConfig(integration.Schedule{}),
		State:  &IntegrationState{CreatedAt: start, FirstSyncDone: true},
	})

	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res IntegrationResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.True(t, res.Removed)
	require.Equal(t, int64(1), res.Purged.Reports)
	require.Empty(t, runs.at)
}

func TestInvalidConfigFailsTheWorkflow(t *testing.T) {
	env := newEnv(t, time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC))
	cfg := testConfig(integration.Schedule{})
	cfg.Source.Kind = "workday"

	env.ExecuteWorkflow(IntegrationWorkflow, IntegrationInput{Config: cfg})

	require.ErrorContains(t, env.GetWorkflowError(), `source.kind: "workday" is not one of`)
}

func TestApprovalReachesTheBlockedSync(t *testing.T) {
	start := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	env := newEnv(t, start)
	blocks := []roster.Block{{Code: roster.BlockMassChange, Message: "the run would deactivate 50 of 100 users"}}
	mockActivities(env, blocks)

	env.RegisterDelayedCallback(func() {
		st := status(t, env)
		require.Equal(t, StatusAwaitingApproval, st.Status)
		require.NotNil(t, st.Current.Blocked)
		require.Equal(t, blocks, st.Current.Blocked.Blocks)
		env.SignalWorkflow(SignalApprove, Approval{By: "carol"})
	}, 6*time.Hour)

	env.ExecuteWorkflow(IntegrationWorkflow, IntegrationInput{Config: testConfig(integration.Schedule{})})

	next := continuedWith(t, env)
	require.Equal(t, StatusCompleted, next.State.LastSync.Status)
	require.Equal(t, "carol", next.State.LastSync.ApprovedBy)
	require.Equal(t, 6*time.Hour, next.State.LastSync.Timings.Wait)
}

// mockActivities stubs the sync activities: a fetch of 100, a plan with the
// given blocks, and an apply and commit that succeed.
func mockActivities(env *testsuite.TestWorkflowEnvironment, blocks []roster.Block) {
	mockFetchPlan(env, blocks)
	env.OnActivity(a.Apply, mock.Anything, mock.Anything).Return(
		activities.ApplyResult{Applied: map[roster.Op]int{roster.OpDeactivate: 50}}, nil)
	env.OnActivity(a.Commit, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CommitInput) (activities.CommitResult, error) {
			applied := map[roster.Op]int{}
			if in.Outcome == activities.OutcomeApplied {
				applied[roster.OpDeactivate] = 50
			}
			return activities.CommitResult{ReportID: in.SyncID, Applied: applied}, nil
		})
}

// mockFetchPlan stubs Fetch (100 records) and Plan (50 deactivations, with
// the given blocks).
func mockFetchPlan(env *testsuite.TestWorkflowEnvironment, blocks []roster.Block) {
	env.OnActivity(a.Fetch, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.FetchInput) (activities.FetchResult, error) {
			return activities.FetchResult{SnapshotID: in.SyncID, Records: 100, Pages: 2}, nil
		})
	env.OnActivity(a.Plan, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PlanInput) (activities.PlanResult, error) {
			return activities.PlanResult{PlanID: in.SyncID, Counts: map[roster.Op]int{roster.OpDeactivate: 50,
				roster.OpUnchanged: 50}, Blocks: blocks}, nil
		})
}

func TestExitDateBringsTheNextRunForward(t *testing.T) {
	// Tuesday 10 March; the cron runs on Mondays; someone leaves on the 12th
	// in Singapore, whose midnight is 16:00 UTC the day before.
	start := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	env := newEnv(t, start)
	runs := mockSync(env)
	cfg := testConfig(integration.Schedule{Cron: "0 2 * * 1", TimeZone: "Asia/Singapore"})
	state := &IntegrationState{CreatedAt: start, FirstSyncDone: true, NextExitDate: roster.Date{Year: 2026, Month: 3, Day: 12}}

	env.ExecuteWorkflow(IntegrationWorkflow, IntegrationInput{Config: cfg, State: state})

	require.Len(t, runs.at, 1)
	require.Equal(t, time.Date(2026, 3, 11, 16, 1, 0, 0, time.UTC), runs.at[0].UTC())
	require.Equal(t, TriggerExitDate, runs.inputs[0].Trigger)
}

func TestExitDateAfterTheNextCronWaitsForIt(t *testing.T) {
	start := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	env := newEnv(t, start)
	runs := mockSync(env)
	state := &IntegrationState{CreatedAt: start, FirstSyncDone: true, NextExitDate: roster.Date{Year: 2026, Month: 4, Day: 1}}

	env.ExecuteWorkflow(IntegrationWorkflow, IntegrationInput{Config: testConfig(integration.Schedule{}), State: state})

	require.Equal(t, time.Date(2026, 3, 11, 2, 0, 0, 0, time.UTC), runs.at[0].UTC())
	require.Equal(t, TriggerSchedule, runs.inputs[0].Trigger)
}

func TestSyncNowWithApproveIsPassedOn(t *testing.T) {
	start := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	env := newEnv(t, start)
	runs := mockSync(env)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflowNoRejection(UpdateSyncNow, "s1", t, SyncRequest{By: "erin", Approve: true})
	}, time.Minute)

	env.ExecuteWorkflow(IntegrationWorkflow, IntegrationInput{Config: testConfig(integration.Schedule{AutoSync: off()}),
		State: &IntegrationState{CreatedAt: start, FirstSyncDone: true}})

	require.Len(t, runs.inputs, 1)
	require.True(t, runs.inputs[0].Approved)
	require.Equal(t, "erin", runs.inputs[0].RequestedBy)
}

func TestRefusedCredentialAsksForReconnect(t *testing.T) {
	start := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	env := newEnv(t, start)
	attempts := 0
	env.OnActivity(a.Fetch, mock.Anything, mock.Anything).Return(
		func(context.Context, activities.FetchInput) (activities.FetchResult, error) {
			attempts++
			return activities.FetchResult{}, temporal.NewNonRetryableApplicationError(
				"merge: GET /api/hris/v1/employees: 401 Unauthorized", activities.ErrTypeBadCredential, nil)
		})

	env.ExecuteWorkflow(IntegrationWorkflow, IntegrationInput{Config: testConfig(integration.Schedule{})})

	next := continuedWith(t, env)
	require.Equal(t, StatusReconnect, next.State.LastSync.Status)
	require.Contains(t, next.State.LastSync.Error, "401 Unauthorized")
	require.Equal(t, 1, attempts, "a refused credential is not retried")
}
