package main

import (
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/hrsync/hrsync/codec"
	"github.com/hrsync/hrsync/credentials"
)

func TestWorkerRefusesToRunWithoutAPayloadKeyUnlessTold(t *testing.T) {
	t.Setenv(codec.KeyEnv, "")
	cfg := Config{DataDir: t.TempDir(), StorePath: filepath.Join(t.TempDir(), "hrsync.db")}
	_, err := startWorker(context.Background(), cfg, zap.NewNop())
	require.ErrorContains(t, err, "--allow-plaintext-history")

	// Told, it goes on to dial Temporal, which is not there.
	cfg.AllowPlaintextHistory = true
	cfg.Temporal.Address = "127.0.0.1:1"
	_, err = startWorker(context.Background(), cfg, zap.NewNop())
	require.ErrorContains(t, err, "unable to reach Temporal")
}

func TestTemporalPostgresNeedsDevMode(t *testing.T) {
	cmd := newRootCmd()
	cmd.SetArgs([]string{"--temporal-postgres", "postgres://postgres@127.0.0.1:5432/temporal"})
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	require.ErrorContains(t, cmd.Execute(), "needs --dev")
}

// A worker started on dev mode's data dir takes the credentials key and
// the demo systems' secrets dev mode keeps there, so it can run the demo
// integration's syncs as a replica; elsewhere it has neither.
func TestAWorkerOnDevModesDataDirJoinsIt(t *testing.T) {
	t.Setenv(credentials.KeyEnv, "")
	dir := t.TempDir()
	env := &devEnv{scimToken: "dev-token", directoryURL: "http://127.0.0.1:8281", hrisURL: "http://127.0.0.1:8280"}
	devCfg, err := env.forWorker(Config{DataDir: dir})
	require.NoError(t, err)

	plain := Config{DataDir: dir}
	ring, err := plain.storeKeys()
	require.NoError(t, err)
	require.NotNil(t, ring)
	require.Equal(t, devCfg.credentialsKey.String(), ring.Current.String())
	secrets, _, err := plain.secrets(nil, nil, zap.NewNop())
	require.NoError(t, err)
	got, err := secrets.Secret(devSCIMCredential, credentials.UseFor("", "http://127.0.0.1:8281/scim/v2"))
	require.NoError(t, err)
	require.Equal(t, "dev-token", got)
	_, err = secrets.Secret(devSCIMCredential, credentials.UseFor("", "https://elsewhere.example/scim/v2"))
	require.Error(t, err, "the token still goes only to the dev directory")

	elsewhere := Config{DataDir: t.TempDir()}
	ring, err = elsewhere.storeKeys()
	require.NoError(t, err)
	require.Nil(t, ring)
	secrets, _, err = elsewhere.secrets(nil, nil, zap.NewNop())
	require.NoError(t, err)
	_, err = secrets.Secret(devSCIMCredential, credentials.UseFor("", "http://127.0.0.1:8281/scim/v2"))
	require.Error(t, err)
}
