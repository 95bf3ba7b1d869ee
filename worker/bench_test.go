package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/roster"
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
	rows, err := benchSize(context.Background(), 60, "", "", "", profiles)
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

// The many-tenants bench runs a few small tenants end to end: every run
// completes, and each directory holds its own tenant's people and no one
// else's. Its timings are not asserted.
func TestBenchTenantsKeepsEachTenantsDirectoryApart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal server; skipped with -short")
	}
	benchWorkerArgs = func(dsn, _ string) ([]string, []string) {
		return []string{"-test.run=^$"}, []string{childWorkerEnv + "=1", childStoreEnv + "=" + dsn}
	}
	const tenants, employees = 5, 3
	checked := 0
	res, err := benchTenants(context.Background(), tenantsOptions{Tenants: tenants, Employees: employees,
		Timeout: time.Minute, lead: 2 * time.Second, align: time.Second,
		inspect: func(sys *tenantSystems) {
			require.Len(t, sys.Tenants, tenants)
			emails := map[string]string{} // work email → tenant
			for _, tn := range sys.Tenants {
				var active []string
				for _, e := range tn.HRIS.Employees() {
					if e.Status == roster.StatusActive {
						active = append(active, e.ID+" "+strings.ToLower(e.WorkEmail))
					}
				}
				var users []string
				for _, u := range tn.Directory.Users() {
					users = append(users, u.ExternalID+" "+strings.ToLower(u.UserName))
					require.NotContains(t, emails, strings.ToLower(u.UserName), "a user in two tenants' directories")
					emails[strings.ToLower(u.UserName)] = tn.ID
				}
				require.NotEmpty(t, active, tn.ID)
				require.ElementsMatch(t, active, users, "%s's directory holds exactly its active employees", tn.ID)
				checked++
			}
		}}, io.Discard)
	require.NoError(t, err)
	require.Equal(t, tenants, checked)
	require.Equal(t, tenants, res.Completed, "runs by status: %v, errors: %v", res.Statuses, res.Errors)
	require.Zero(t, res.Failed)
	require.Zero(t, res.Mismatched, res.Problems)
	require.Equal(t, tenants, res.Histories)
	require.Positive(t, res.Events[0])
	require.Positive(t, res.PeakRSS)
	require.GreaterOrEqual(t, res.AllDone, res.FirstDone)

	var out bytes.Buffer
	printTenants(&out, []tenantsResult{res})
	require.Contains(t, out.String(), "5 × 3")
}
