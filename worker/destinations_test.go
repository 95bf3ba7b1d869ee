package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/hrsync/hrsync/internal/netguard"
	"github.com/hrsync/hrsync/operator"
	"github.com/hrsync/hrsync/workflows"
)

func TestDestinationPolicy(t *testing.T) {
	t.Setenv(allowLoopbackEnv, "")
	t.Setenv(allowPrivateEnv, "")
	p, err := destinationsFromEnv()
	require.NoError(t, err)
	require.Equal(t, netguard.Policy{}, p, "nothing beyond the public internet unless told")

	t.Setenv(allowPrivateEnv, "true")
	p, err = destinationsFromEnv()
	require.NoError(t, err)
	require.Equal(t, netguard.Policy{AllowPrivate: true}, p)

	t.Setenv(allowLoopbackEnv, "maybe")
	_, err = destinationsFromEnv()
	require.EqualError(t, err, allowLoopbackEnv+`="maybe": want true or false`)

	// Dev mode's demo systems are on loopback; it allows that, not more.
	require.Equal(t, netguard.Policy{AllowLoopback: true}, Config{Dev: DevConfig{Enabled: true}}.destinations())
	require.Equal(t, netguard.Policy{}, Config{}.destinations())
}

// A worker outside dev mode, pointed at the dev systems on 127.0.0.1,
// does not reach them: the first sync fails at once, in one sentence that
// names the address and the flag, and the directory stays empty.
func TestAProductionWorkerDoesNotReachLoopback(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test starts a Temporal server; skipped with -short")
	}
	ctx := context.Background()
	logger := zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))
	cfg := Config{DataDir: t.TempDir(), Dev: DevConfig{Enabled: true, Employees: 10}}
	env, err := startDevEnv(ctx, cfg, logger)
	require.NoError(t, err)
	defer env.stop()
	cfg.Temporal = cfg.Temporal.ForDevServer(env.temporal.FrontendHostPort(), env.temporal.Namespace())
	cfg, err = env.withSecrets(cfg)
	require.NoError(t, err)
	cfg.Dev = DevConfig{} // the same systems, seen by a production worker
	r, err := startWorker(ctx, cfg, logger)
	require.NoError(t, err)
	defer r.close()

	op := operator.New(r.client, r.dc)
	require.NoError(t, op.Create(ctx, env.demoConfig()))
	var st workflows.IntegrationStatus
	eventually(t, "the first sync", func() bool {
		st, err = op.Status(ctx, DemoIntegrationID)
		return err == nil && st.LastSync != nil
	})
	require.Equal(t, workflows.StatusFailed, st.LastSync.Status)
	require.Contains(t, st.LastSync.Error, "127.0.0.1 is a loopback address, which this worker does not send to "+
		"(allow with --allow-loopback-destinations)")
	require.LessOrEqual(t, len(st.LastSync.Error), 300, "one sentence")
	require.Empty(t, env.directory.Users())
}
