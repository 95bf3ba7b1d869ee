package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.uber.org/zap/zaptest"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/codec"
	"github.com/hrsync/hrsync/connectors/registry"
	"github.com/hrsync/hrsync/devserver"
	"github.com/hrsync/hrsync/internal/keys"
	"github.com/hrsync/hrsync/operator"
	"github.com/hrsync/hrsync/store"
	"github.com/hrsync/hrsync/workflows"
)

// stack is an embedded Temporal server with a worker, as dev mode runs
// them: its store in dir, its payloads encrypted with payloadKey.
type stack struct {
	dir        string
	payloadKey string
}

// startStack starts a stack whose connectors resolve secrets, and points
// the starter at its Temporal server (TEMPORAL_ADDRESS) and store
// (HRSYNC_STORE). The payload key is the caller's to hand the starter.
func startStack(t *testing.T, secrets registry.Secrets) stack {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	srv, err := devserver.Start(ctx, devserver.Options{DBPath: filepath.Join(dir, "temporal.db"),
		GRPCPort: 0, UIPort: -1, SearchAttributes: workflows.SearchAttributes(), Logger: zaptest.NewLogger(t)})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Stop() })
	t.Setenv("TEMPORAL_ADDRESS", srv.FrontendHostPort())

	key, err := keys.NewKey("p1")
	require.NoError(t, err)
	pc, err := codec.New(keys.Keyring{Current: key})
	require.NoError(t, err)
	dc := codec.DataConverter(pc)
	c, err := client.Dial(client.Options{HostPort: srv.FrontendHostPort(), DataConverter: dc,
		FailureConverter: codec.FailureConverter(dc)})
	require.NoError(t, err)
	t.Cleanup(c.Close)

	storePath := filepath.Join(dir, "hrsync.db")
	st, err := store.OpenSQLite(ctx, storePath)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	t.Setenv("HRSYNC_STORE", storePath)
	w := worker.New(c, workflows.TaskQueue, worker.Options{})
	workflows.Register(w, &activities.Activities{Store: st, Connectors: registry.New(nil, secrets), Users: operator.New(c, dc)})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	return stack{dir: dir, payloadKey: key.String()}
}
