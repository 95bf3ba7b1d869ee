package main

import (
	"context"
	"database/sql"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/internal/faultproxy"
	"github.com/hrsync/hrsync/workflows"
)

// Removing an integration while its sync is fetching, through the real
// Temporal server: the remove returns, no row of the integration is left
// in any table of the store (it is the only integration there, so no row
// at all), and its HRIS hears nothing more from hrsync.
func TestScenarioRemoveDuringAFetchLeavesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal server; skipped with -short")
	}
	dir := t.TempDir()
	// A roster of many small pages, each held a little by the proxy, so
	// the fetch is well under way, and far from done, when the remove
	// comes.
	s := startDevStackWith(t, dir, DevConfig{Employees: 5000, hrisPageSize: 10, memoryHRIS: true})
	t.Cleanup(func() { s.close() })
	ctx := context.Background()
	hris := faultproxy.Start(t, faultproxy.Options{Upstream: s.env.hrisURL, Seed: 1, Rate: 1,
		Faults: []faultproxy.Fault{faultproxy.Delay}, Delay: [2]time.Duration{40 * time.Millisecond, 60 * time.Millisecond}})
	cfg := s.env.demoConfig()
	cfg.ID, cfg.Name = "leaving", "An integration removed mid-fetch"
	cfg.Source.URL = hris.URL()
	cfg.Schedule.FirstSync = "2099-01-01T00:00:00Z" // started by hand below
	require.NoError(t, s.op.Create(ctx, cfg))
	run, err := s.op.SyncNow(ctx, cfg.ID, "test", false)
	require.NoError(t, err)

	db := openStoreFile(t, cfg0Store(dir))
	eventually(t, "the fetch to stage some rows", func() bool {
		return storeRows(t, db)["snapshot_records"] >= 100
	})
	res, err := s.op.Remove(ctx, cfg.ID, "test")
	require.NoError(t, err)
	require.Positive(t, res.Purged.Records, "the remove came during the fetch")
	requests := hris.Stats().Total
	t.Logf("remove purged %d staged rows; the HRIS had %d requests", res.Purged.Records, requests)
	p, err := s.op.Progress(ctx, run.WorkflowID)
	require.NoError(t, err)
	require.False(t, p.Running, "the run ended before the purge")
	require.Equal(t, workflows.StatusCancelled, p.Status, "the run was cancelled, not failed")
	require.Empty(t, openActivities(t, s, run.WorkflowID), "the run ended with activities still running")

	// Nothing may come after: poll a few seconds for a late row or request.
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		for table, n := range storeRows(t, db) {
			require.Zero(t, n, "rows left in %s after remove returned", table)
		}
		require.Equal(t, requests, hris.Stats().Total, "requests to the HRIS after remove returned")
	}
}

// openStoreFile opens dev mode's SQLite store at path for reading it
// table by table.
func openStoreFile(t *testing.T, path string) *sql.DB {
	t.Helper()
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// storeRows counts the rows of every table of the store but its schema
// version.
func storeRows(t *testing.T, db *sql.DB) map[string]int {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'schema_version'`)
	require.NoError(t, err)
	var tables []string
	for rows.Next() {
		var name string
		require.NoError(t, rows.Scan(&name))
		tables = append(tables, name)
	}
	require.NoError(t, rows.Err())
	require.NoError(t, rows.Close())
	require.NotEmpty(t, tables)
	counts := map[string]int{}
	for _, table := range tables {
		var n int
		require.NoError(t, db.QueryRow(`SELECT COUNT(*) FROM "`+table+`"`).Scan(&n))
		counts[table] = n
	}
	return counts
}

// openActivities lists the activities of workflowID's latest run that had
// not ended, as its history has them, when the run did.
func openActivities(t *testing.T, s *devStack, workflowID string) []string {
	t.Helper()
	open := map[int64]string{}
	for _, ev := range workflowHistory(t, s.c, workflowID, "").GetEvents() {
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil {
			open[ev.GetEventId()] = a.GetActivityType().GetName()
		}
		for _, scheduled := range []int64{
			ev.GetActivityTaskCompletedEventAttributes().GetScheduledEventId(),
			ev.GetActivityTaskFailedEventAttributes().GetScheduledEventId(),
			ev.GetActivityTaskTimedOutEventAttributes().GetScheduledEventId(),
			ev.GetActivityTaskCanceledEventAttributes().GetScheduledEventId(),
		} {
			delete(open, scheduled)
		}
	}
	var names []string
	for _, name := range open {
		names = append(names, name)
	}
	return names
}
