package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The bench runs end to end on a small roster, so the command keeps working;
// its figures are for docs/BENCHMARKS.md, not for assertions.
func TestBenchMeasuresEveryCase(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal server; skipped with -short")
	}
	rows, err := benchSize(context.Background(), 60)
	require.NoError(t, err)
	require.Len(t, rows, 4)
	for _, r := range rows[:3] {
		require.Equal(t, 60, r.Records, r.Case)
		require.NotZero(t, r.HistoryEvents, r.Case)
		require.NotZero(t, r.HistoryBytes, r.Case)
	}
	require.Equal(t, rows[0].HistoryEvents, rows[1].HistoryEvents, "history does not grow with the data")
	var out bytes.Buffer
	printBench(&out, rows)
	require.Equal(t, 5, strings.Count(out.String(), "\n"))
	require.Contains(t, out.String(), "floor: lookup + create, no Temporal")
}
