package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/hrsync/hrsync/internal/netguard"
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
	s := startDevStackTuned(t, t.TempDir(), DevConfig{Employees: 10},
		zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel)),
		func(c *Config) { c.Dev = DevConfig{} }) // the same systems, seen by a production worker
	defer s.close()
	_, err := ensureIntegration(context.Background(), s.op, s.env.demoConfig())
	require.NoError(t, err)
	eventually(t, "the first sync", func() bool { return s.statusOrZero(t).LastSync != nil })
	last := s.status(t).LastSync
	require.Equal(t, workflows.StatusFailed, last.Status)
	require.Contains(t, last.Error, "127.0.0.1 is a loopback address, which this worker does not send to "+
		"(allow with --allow-loopback-destinations)")
	require.LessOrEqual(t, len(last.Error), 300, "one sentence")
	require.Empty(t, s.env.directory.Users())
}

func TestPollersFromTheEnvironmentAndFlags(t *testing.T) {
	t.Setenv(workflowPollersEnv, "")
	n, err := intFromEnv(workflowPollersEnv)
	require.NoError(t, err)
	require.Zero(t, n, "unset leaves the SDK's default")
	t.Setenv(workflowPollersEnv, " 8 ")
	n, err = intFromEnv(workflowPollersEnv)
	require.NoError(t, err)
	require.Equal(t, 8, n)
	for _, bad := range []string{"eight", "-1", "2.5"} {
		t.Setenv(workflowPollersEnv, bad)
		_, err = intFromEnv(workflowPollersEnv)
		require.EqualError(t, err, workflowPollersEnv+`="`+bad+`": want a whole number, 0 or more`)
	}

	// A bad value stops the worker before it starts anything.
	t.Setenv(workflowPollersEnv, "many")
	cmd := newRootCmd()
	cmd.SetArgs([]string{"--store", t.TempDir() + "/hrsync.db"})
	err = cmd.Execute()
	require.ErrorContains(t, err, workflowPollersEnv+`="many"`)
	t.Setenv(workflowPollersEnv, "")
	cmd = newRootCmd()
	cmd.SetArgs([]string{"--store", t.TempDir() + "/hrsync.db", "--activity-pollers", "-3"})
	require.ErrorContains(t, cmd.Execute(), "zero (the SDK's default) or more")
}
