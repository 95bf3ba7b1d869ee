package activities_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/connectors/demo/demotest"
	"github.com/hrsync/hrsync/connectors/registry"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
)

// The demo HRIS lists what changed, so a second fetch reads only that and
// composes a snapshot equal to what a full pull reads.
func TestFetchOfTheDemoHRISIsIncremental(t *testing.T) {
	ctx := context.Background()
	hris, err := demotest.NewHRIS(demotest.HRISOptions{Employees: 120, Seed: 4, PageSize: 25})
	require.NoError(t, err)
	var lists, changedLists atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/api/employees" {
			lists.Add(1)
			if r.URL.Query().Has("modified_after") {
				changedLists.Add(1)
			}
		}
		hris.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "hrsync.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	acts := &activities.Activities{Store: st, Connectors: registry.New(nil, nil)} // the real clock, as the HRIS's
	source := integration.Endpoint{Kind: "demo", URL: srv.URL}
	fetch := fetcher(t, acts, source)

	first := fetch("s1", roster.Rules{})
	require.False(t, first.Incremental, "the first pull is full")
	require.Equal(t, 120, first.Records)
	require.Equal(t, 5, first.Pages)
	require.Zero(t, changedLists.Load())

	// An update, a leaver, an edit over the API and a joiner.
	require.NoError(t, hris.Update("E0005", func(e *roster.Employee) { e.JobTitle = "Principal Engineer" }))
	require.NoError(t, hris.Terminate("E0017", roster.Date{Year: 2026, Month: 5, Day: 31}))
	req, err := http.NewRequest(http.MethodPatch, srv.URL+"/api/employees/E0050", strings.NewReader(`{"department":"Legal"}`))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, hris.Add(roster.Employee{FirstName: "Ada", WorkEmail: "ada@demo.example"}))

	lists.Store(0)
	second := fetch("s2", roster.Rules{})
	require.True(t, second.Incremental)
	require.Equal(t, 4, second.Changed)
	require.Equal(t, 121, second.Records)
	require.Equal(t, int32(1), lists.Load(), "one page of changes, not the roster")
	require.Equal(t, int32(1), changedLists.Load())

	// A full pull of the same roster reads the very same records.
	fullSource := source
	fullSource.FullPullDays = -1
	full := fetcher(t, acts, fullSource)("s3", roster.Rules{})
	require.False(t, full.Incremental)
	require.Equal(t, 121, full.Records)
	incremental, err := st.SnapshotRecords(ctx, "s2")
	require.NoError(t, err)
	pulled, err := st.SnapshotRecords(ctx, "s3")
	require.NoError(t, err)
	require.Equal(t, pulled, incremental)
	byID := map[string]roster.Record{}
	for _, r := range incremental {
		byID[r.ID] = r
	}
	require.Equal(t, "Principal Engineer", byID["E0005"].Values["jobTitle"])
	require.Equal(t, string(roster.StatusInactive), byID["E0017"].Values["status"])
	require.Equal(t, "Legal", byID["E0050"].Values["department"])
	require.Equal(t, "Ada", byID["E0121"].Values["firstName"])

	// Someone removed from the HRIS reaches the next incremental pull as
	// a leaver, with their last record: an inactive status, no blanks.
	require.NoError(t, hris.Remove("E0030"))
	third := fetch("s4", roster.Rules{})
	require.True(t, third.Incremental)
	records, err := st.SnapshotRecords(ctx, "s4")
	require.NoError(t, err)
	found := false
	for _, r := range records {
		if r.ID == "E0030" {
			found = true
			require.Equal(t, string(roster.StatusInactive), r.Values["status"])
			require.Equal(t, byID["E0030"].Values["workEmail"], r.Values["workEmail"])
			require.NotContains(t, r.Values, "deleted")
		}
	}
	require.True(t, found)
}
