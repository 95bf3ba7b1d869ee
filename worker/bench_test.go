package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/integration"
)

// The bench runs end to end on a small roster, so the command keeps working;
// its figures are for docs/BENCHMARKS.md, not for assertions.
func TestBenchMeasuresEveryCase(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal server; skipped with -short")
	}
	benchWorkerArgs = func(dsn, _ string) ([]string, []string) {
		return []string{"-test.run=^$"}, []string{childWorkerEnv + "=1", childStoreEnv + "=" + dsn}
	}
	profiles := t.TempDir()
	rows, err := benchSize(context.Background(), 60, "", "", profiles)
	require.NoError(t, err)
	require.Len(t, rows, 5)
	for _, r := range rows[:4] {
		require.Equal(t, 60, r.Records, r.Case)
		require.NotZero(t, r.HistoryEvents, r.Case)
		require.NotZero(t, r.HistoryBytes, r.Case)
		require.Positive(t, r.PeakRSS, "the worker's own, read from /proc: %s", r.Case)
	}
	// An apply adds three events (scheduled, started, completed) per part
	// and pass, and a pass has at most the target's parallelism of parts,
	// whatever the size of the roster.
	require.LessOrEqual(t, rows[0].HistoryEvents, rows[1].HistoryEvents+2*3*integration.DefaultParallelism,
		"history does not grow with the data")
	var out bytes.Buffer
	printBench(&out, rows)
	require.Equal(t, 6, strings.Count(out.String(), "\n"))
	require.Contains(t, out.String(), "floor: the first sync's requests, no Temporal")
	require.Equal(t, 60, rows[4].Records, "the floor creates every active employee")
	for _, name := range []string{"cpu-60.pprof", "allocs-60.pprof"} {
		info, err := os.Stat(filepath.Join(profiles, name))
		require.NoError(t, err, "the profiled re-sync's %s", name)
		require.Positive(t, info.Size(), name)
	}
}
