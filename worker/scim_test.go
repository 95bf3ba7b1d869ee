package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/hrsync/hrsync/connectors/registry"
	"github.com/hrsync/hrsync/internal/netguard"
	"github.com/hrsync/hrsync/internal/temporalenv"
	"github.com/hrsync/hrsync/operator"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/workflows"
)

// Environment of a worker process the kill test starts from its own binary.
const (
	childWorkerEnv = "HRSYNC_TEST_CHILD_WORKER"
	childTokenEnv  = "HRSYNC_TEST_CHILD_SCIM_TOKEN"
	childStoreEnv  = "HRSYNC_TEST_CHILD_STORE"
)

// TestMain lets this test binary double as a worker process: with
// HRSYNC_TEST_CHILD_WORKER set it runs a worker until it is killed.
func TestMain(m *testing.M) {
	if os.Getenv(childWorkerEnv) != "" {
		os.Exit(runChildWorker())
	}
	os.Exit(m.Run())
}

// startChildWorker starts this test binary as a worker process with env
// added to the environment, and kills it when the test ends.
func startChildWorker(t *testing.T, env ...string) *exec.Cmd {
	t.Helper()
	w := exec.Command(os.Args[0], "-test.run=^$")
	w.Env = append(append(os.Environ(), childWorkerEnv+"=1"), env...)
	w.Stderr = os.Stderr
	require.NoError(t, w.Start())
	t.Cleanup(func() {
		_ = w.Process.Kill()
		_ = w.Wait()
	})
	return w
}

func runChildWorker() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	conn, err := temporalenv.FromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// Not in dev mode, it is told the dev systems on loopback may be reached.
	cfg := Config{Temporal: conn, StorePath: os.Getenv(childStoreEnv),
		Destinations: netguard.Policy{AllowLoopback: true}}
	cfg.devSecrets = registry.StaticSecrets{Values: map[string]string{devSCIMCredential: os.Getenv(childTokenEnv)},
		Hosts: map[string][]string{devSCIMCredential: {"127.0.0.1"}}}
	r, err := startWorker(ctx, cfg, zap.NewNop())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer r.close()
	stopDebug, err := serveDebug(ctx, os.Getenv(debugAddrEnv), zap.NewNop())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer stopDebug()
	<-ctx.Done()
	return 0
}

func TestSCIMDirectoryEqualsTheMappedHRIS(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test starts a Temporal server; skipped with -short")
	}
	s := startDevStack(t, t.TempDir(), 80)
	defer s.close()
	ctx := context.Background()
	_, err := ensureIntegration(ctx, s.op, s.env.demoConfig())
	require.NoError(t, err)
	eventually(t, "the first sync", func() bool { return s.status(t).LastSync != nil })
	require.Equal(t, workflows.StatusCompleted, s.status(t).LastSync.Status, s.status(t).LastSync.Error)

	want := map[string]roster.Employee{}
	for _, e := range s.env.hris.Employees() {
		if e.Status == roster.StatusActive {
			want[e.ID] = e
		}
	}
	users := s.directoryUsers(t)
	require.Len(t, users, len(want))
	managers := 0
	for _, u := range users {
		require.True(t, u.Active)
		require.Equal(t, want[u.Employee.ID], u.Employee, "user %s differs from the HRIS", u.Employee.ID)
		if u.Employee.ManagerID != "" {
			managers++
		}
	}
	require.Greater(t, managers, len(want)/2, "managers are linked")
}

func TestKilledWorkerLeavesNoDuplicates(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test starts a Temporal server and a worker process; skipped with -short")
	}
	ctx := context.Background()
	dir := t.TempDir()
	logger := zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))
	cfg := Config{DataDir: dir, Dev: DevConfig{Enabled: true, Employees: 120, directoryDelay: 20 * time.Millisecond}}
	env, err := startDevEnv(ctx, cfg, logger)
	require.NoError(t, err)
	defer env.stop()
	cfg.Temporal = cfg.Temporal.ForDevServer(env.temporal.FrontendHostPort(), env.temporal.Namespace())
	// The child and the worker that replaces it share one payload key.
	dc, keyEnv := payloadKey(t, dir)
	cfg.Temporal.DataConverter = dc

	// A worker in a process of its own, to be killed in the middle of the
	// first sync's apply.
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), keyEnv, childWorkerEnv+"=1", childTokenEnv+"="+env.scimToken,
		childStoreEnv+"="+filepath.Join(dir, "hrsync.db"), "TEMPORAL_ADDRESS="+cfg.Temporal.Address)
	child.Stderr = os.Stderr
	require.NoError(t, child.Start())
	killed := false
	defer func() {
		if !killed {
			_ = child.Process.Kill()
			_ = child.Wait()
		}
	}()

	c, err := cfg.Temporal.Dial(ctx, logger)
	require.NoError(t, err)
	defer c.Close()
	stack := &devStack{env: env, c: c, op: operator.New(c, dc)}
	icfg := env.demoConfig()
	// Small batches, so the apply is many requests long and the kill lands
	// in its middle.
	icfg.Target.BatchSize, icfg.Target.Parallelism = 1, 1
	_, err = ensureIntegration(ctx, stack.op, icfg)
	require.NoError(t, err)
	eventually(t, "the apply to be under way", func() bool { return len(env.directory.Users()) >= 25 })
	// Its progress is visible while it runs.
	eventually(t, "the apply's progress", func() bool {
		p, err := stack.op.Progress(ctx, workflows.SyncWorkflowID(DemoIntegrationID, 1))
		return err == nil && p.Status == workflows.StatusApplying && p.Total > 0 && p.Applied > 0
	})
	require.NoError(t, child.Process.Signal(syscall.SIGKILL))
	_ = child.Wait()
	killed = true
	before := len(env.directory.Users())
	require.Less(t, before, 110, "the worker was killed before the apply finished")

	// A new worker takes over once the dead one's heartbeat times out.
	cfg, err = env.forWorker(cfg)
	require.NoError(t, err)
	r, err := startWorker(ctx, cfg, logger)
	require.NoError(t, err)
	defer r.close()
	deadline := time.Now().Add(3 * time.Minute)
	for stack.statusOrZero(t).LastSync == nil {
		require.True(t, time.Now().Before(deadline), "the sync did not finish after the worker was killed")
		time.Sleep(500 * time.Millisecond)
	}
	require.Equal(t, workflows.StatusCompleted, stack.status(t).LastSync.Status)

	active := 0
	for _, e := range env.hris.Employees() {
		if e.Status == roster.StatusActive {
			active++
		}
	}
	users := env.directory.Users()
	require.Len(t, users, active, "every active employee exactly once")
	var externalIDs, userNames []string
	for _, u := range users {
		externalIDs = append(externalIDs, u.ExternalID)
		userNames = append(userNames, u.UserName)
	}
	requireUnique(t, externalIDs)
	requireUnique(t, userNames)
}

func requireUnique(t *testing.T, values []string) {
	t.Helper()
	sort.Strings(values)
	for i := 1; i < len(values); i++ {
		require.NotEqual(t, values[i-1], values[i], "duplicate %q", values[i])
	}
}
