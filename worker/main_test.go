package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/hrsync/hrsync/codec"
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
