package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/hrsync/hrsync/connectors/scim/scimtest"
	"github.com/hrsync/hrsync/credentials"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/operator"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store/storetest"
	"github.com/hrsync/hrsync/workflows"
)

// workersTokenEnv carries the directories' token to the worker processes.
const workersTokenEnv = credentials.EnvPrefix + "TEST_WORKERS_SCIM_TOKEN"

// Two worker processes share one PostgreSQL store and sync ten integrations
// at once, each into a directory of its own; one worker is killed in the
// middle, and the other finishes every sync with each employee exactly once.
func TestTwoWorkersOnOnePostgresStore(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test starts a Temporal server and two worker processes; skipped with -short")
	}
	dsn := storetest.PostgresDSN(t)
	ctx := context.Background()
	logger := zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))
	cfg := Config{DataDir: t.TempDir(), Dev: DevConfig{Enabled: true, Employees: 150}}
	env, err := startDevEnv(ctx, cfg, logger)
	require.NoError(t, err)
	defer env.stop()
	cfg.Temporal = cfg.Temporal.ForDevServer(env.temporal.FrontendHostPort(), env.temporal.Namespace())
	dc, keyEnv := payloadKey(t, cfg.DataDir)
	cfg.Temporal.DataConverter = dc

	// Ten directories whose writes are slowed, so each sync's apply lasts
	// seconds: the kill lands mid-apply however long the setup took.
	const integrations = 10
	token := "workers-token"
	dirs := make([]*scimtest.Server, integrations)
	urls := make([]string, integrations)
	for i := range dirs {
		dirs[i], err = scimtest.New(scimtest.Options{Token: token})
		require.NoError(t, err)
		t.Cleanup(func() { _ = dirs[i].Close() })
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost {
				time.Sleep(50 * time.Millisecond)
			}
			dirs[i].ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)
		urls[i] = srv.URL + "/scim/v2"
	}

	workers := make([]*exec.Cmd, 2)
	for i := range workers {
		workers[i] = startChildWorker(t, keyEnv, childStoreEnv+"="+dsn, workersTokenEnv+"="+token,
			workersTokenEnv+credentials.HostsSuffix+"=127.0.0.1", "TEMPORAL_ADDRESS="+cfg.Temporal.Address)
	}

	c, err := cfg.Temporal.Dial(ctx, logger)
	require.NoError(t, err)
	defer c.Close()
	op := operator.New(c, dc)
	syncs := make([]string, integrations)
	for i := range integrations {
		icfg := env.demoConfig()
		icfg.ID, icfg.Name = fmt.Sprintf("acme-%d", i), fmt.Sprintf("Acme %d", i)
		// A limit the applies keep to through the store's shared budget,
		// one per directory host, high enough not to slow them.
		icfg.Target = integration.Endpoint{Kind: "scim", URL: urls[i], CredentialRef: "env:" + workersTokenEnv,
			BatchSize: 5, Parallelism: 2, RateLimit: 6000}
		icfg.Schedule.FirstSync = "2099-01-01T00:00:00Z"
		require.NoError(t, op.Create(ctx, icfg))
		res, err := op.SyncNow(ctx, icfg.ID, "test", false)
		require.NoError(t, err)
		syncs[i] = res.WorkflowID
	}

	// Kill the first worker once the applies are under way and before they
	// are done.
	eventually(t, "the applies to be under way", func() bool {
		for _, id := range syncs {
			if p, err := op.Progress(ctx, id); err == nil && p.Status == workflows.StatusApplying && p.Applied > 0 {
				return true
			}
		}
		return false
	})
	require.NoError(t, workers[0].Process.Signal(syscall.SIGKILL))
	_ = workers[0].Wait()
	unfinished := 0
	for _, id := range syncs {
		if p, err := op.Progress(ctx, id); err == nil && p.Running {
			unfinished++
		}
	}
	require.Positive(t, unfinished, "the worker was killed before every sync finished")

	want := map[string]roster.Employee{}
	for _, e := range env.hris.Employees() {
		if e.Status == roster.StatusActive {
			want[e.ID] = e
		}
	}
	waitCtx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()
	for i, id := range syncs {
		sum, err := op.WaitForSync(waitCtx, id, nil)
		require.NoError(t, err, "sync %s", id)
		require.Equal(t, workflows.StatusCompleted, sum.Status, "sync %s: %s", id, sum.Error)
		require.Zero(t, sum.Failed, "sync %s", id)
		require.Equal(t, len(want), sum.Applied[roster.OpCreate], "sync %s creates each employee once", id)

		users := scimUsers(t, urls[i], token)
		require.Len(t, users, len(want), "directory %d has every active employee exactly once", i)
		var externalIDs []string
		for _, u := range users {
			externalIDs = append(externalIDs, u.Employee.ID)
			require.Equal(t, want[u.Employee.ID], u.Employee, "directory %d: user %s differs from the HRIS", i, u.Employee.ID)
		}
		requireUnique(t, externalIDs)
	}
}
