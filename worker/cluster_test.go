package main

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/hrsync/hrsync/operator"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store/storetest"
	"github.com/hrsync/hrsync/workflows"
)

// The production topology on one machine: Temporal on PostgreSQL (a
// database made for this run, schema by the server's own tool, dropped at
// the end), the store on PostgreSQL, and two worker processes. One is
// killed mid-apply of a 2,000-employee first sync; the other finishes it,
// and the directory ends equal to the HRIS with no one twice.
func TestClusterOnPostgresSurvivesAKilledWorker(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test starts Temporal on PostgreSQL and two worker processes; skipped with -short")
	}
	temporalDSN := storetest.PostgresDatabase(t)
	storeDSN := storetest.PostgresDSN(t)
	ctx := context.Background()
	logger := zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))
	const employees = 2000
	// Each directory write is slowed, so the apply lasts many seconds and
	// the kill lands in its middle.
	cfg := Config{DataDir: t.TempDir(), Dev: DevConfig{Enabled: true, Employees: employees,
		TemporalPostgres: temporalDSN, directoryDelay: 5 * time.Millisecond, memoryHRIS: true}}
	env, err := startDevEnv(ctx, cfg, logger)
	require.NoError(t, err)
	defer env.stop()
	require.Contains(t, env.temporal.Persistence(), "PostgreSQL")
	cfg.Temporal = cfg.Temporal.ForDevServer(env.temporal.FrontendHostPort(), env.temporal.Namespace())
	dc, keyEnv := payloadKey(t, cfg.DataDir)
	cfg.Temporal.DataConverter = dc

	workers := map[int]*exec.Cmd{} // by pid
	for range 2 {
		w := startChildWorker(t, keyEnv, childStoreEnv+"="+storeDSN, childTokenEnv+"="+env.scimToken,
			"TEMPORAL_ADDRESS="+cfg.Temporal.Address)
		workers[w.Process.Pid] = w
	}

	c, err := cfg.Temporal.Dial(ctx, logger)
	require.NoError(t, err)
	defer c.Close()
	op := operator.New(c, dc)
	icfg := env.demoConfig()
	icfg.Schedule.FirstSync = "2099-01-01T00:00:00Z"
	icfg.Target.BatchSize = 10
	require.NoError(t, op.Create(ctx, icfg))
	res, err := op.SyncNow(ctx, icfg.ID, "test", false)
	require.NoError(t, err)
	syncID := res.WorkflowID

	// Kill the worker that holds the apply, once it is under way.
	var victim int
	eventuallyWithin(t, 2*time.Minute, "the apply to be under way", func() bool {
		p, err := op.Progress(ctx, syncID)
		if err != nil || p.Status != workflows.StatusApplying || p.Applied == 0 {
			return false
		}
		victim = applyingWorker(c, syncID)
		return victim != 0
	})
	require.Contains(t, workers, victim, "the apply runs in one of the two worker processes")
	require.NoError(t, workers[victim].Process.Signal(syscall.SIGKILL))
	_ = workers[victim].Wait()
	p, err := op.Progress(ctx, syncID)
	require.NoError(t, err)
	require.True(t, p.Running, "the worker was killed before the sync finished")
	require.Less(t, len(env.directory.Users()), employees, "the worker was killed before the apply finished")

	waitCtx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()
	sum, err := op.WaitForSync(waitCtx, syncID, nil)
	require.NoError(t, err)
	require.Equal(t, workflows.StatusCompleted, sum.Status, sum.Error)
	require.Zero(t, sum.Failed)

	want := map[string]roster.Employee{}
	for _, e := range env.hris.Employees() {
		if e.Status == roster.StatusActive {
			want[e.ID] = e
		}
	}
	require.Equal(t, len(want), sum.Applied[roster.OpCreate], "each employee is created once")
	users := scimUsers(t, env.scimURL(), env.scimToken)
	require.Len(t, users, len(want), "the directory has every active employee exactly once")
	var externalIDs []string
	for _, u := range users {
		externalIDs = append(externalIDs, u.Employee.ID)
		require.Equal(t, want[u.Employee.ID], u.Employee, "user %s differs from the HRIS", u.Employee.ID)
	}
	requireUnique(t, externalIDs)

	// The history says the survivor finished it: the apply's last attempt
	// and the workflow's last task were its.
	survivor := 0
	for pid := range workers {
		if pid != victim {
			survivor = pid
		}
	}
	applies, lastTask := historyIdentities(t, c, syncID)
	require.NotEmpty(t, applies)
	for _, id := range applies {
		require.Equal(t, survivor, pidOf(id), "every apply was finished by the surviving worker (%s)", id)
	}
	require.Equal(t, survivor, pidOf(lastTask), "the surviving worker completed the sync")
	t.Logf("worker %d was killed mid-apply; worker %d finished the sync: %d created", victim, survivor,
		sum.Applied[roster.OpCreate])
}

// applyingWorker is the process id of the worker running one of the
// sync's apply activities, or 0 when none is running yet.
func applyingWorker(c client.Client, syncID string) int {
	desc, err := c.DescribeWorkflowExecution(context.Background(), syncID, "")
	if err != nil {
		return 0
	}
	for _, a := range desc.GetPendingActivities() {
		if a.GetActivityType().GetName() == "Apply" && a.GetState() == enums.PENDING_ACTIVITY_STATE_STARTED {
			return pidOf(a.GetLastWorkerIdentity())
		}
	}
	return 0
}

// historyIdentities reads the sync's history: the identities of the
// workers whose apply attempts completed, and of the one that completed
// its last workflow task.
func historyIdentities(t *testing.T, c client.Client, syncID string) (applies []string, lastTask string) {
	t.Helper()
	scheduled := map[int64]string{}
	started := map[int64]string{}
	it := c.GetWorkflowHistory(context.Background(), syncID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		require.NoError(t, err)
		switch {
		case e.GetActivityTaskScheduledEventAttributes() != nil:
			scheduled[e.GetEventId()] = e.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName()
		case e.GetActivityTaskStartedEventAttributes() != nil:
			a := e.GetActivityTaskStartedEventAttributes()
			started[e.GetEventId()] = a.GetIdentity()
		case e.GetActivityTaskCompletedEventAttributes() != nil:
			a := e.GetActivityTaskCompletedEventAttributes()
			if scheduled[a.GetScheduledEventId()] == "Apply" {
				applies = append(applies, started[a.GetStartedEventId()])
			}
		case e.GetWorkflowTaskCompletedEventAttributes() != nil:
			lastTask = e.GetWorkflowTaskCompletedEventAttributes().GetIdentity()
		}
	}
	return applies, lastTask
}

// pidOf is the process id in an SDK worker identity, "pid@host@...".
func pidOf(identity string) int {
	pid, _ := strconv.Atoi(strings.SplitN(identity, "@", 2)[0])
	return pid
}

// eventuallyWithin waits up to d for cond.
func eventuallyWithin(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		require.True(t, time.Now().Before(deadline), fmt.Sprintf("waited %s for %s", d, what))
		time.Sleep(100 * time.Millisecond)
	}
}
