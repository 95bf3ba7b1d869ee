package activities_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/connectors/merge/mergetest"
	"github.com/hrsync/hrsync/connectors/registry"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
)

// mergeSource serves h as a Merge HRIS and returns activities on a store
// of their own, and the source endpoint that reads it.
func mergeSource(t *testing.T, h http.Handler) (*activities.Activities, *store.Store, integration.Endpoint) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	setSecret(t, "HRSYNC_SECRET_TEST_MERGE", mergetest.DefaultAPIKey+":"+mergetest.DefaultAccountToken)
	st, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "hrsync.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	acts := &activities.Activities{Store: st, Connectors: registry.New(nil, nil)}
	return acts, st, integration.Endpoint{Kind: "merge", URL: srv.URL, CredentialRef: "env:HRSYNC_SECRET_TEST_MERGE", RateLimit: 100000}
}

// fetcher returns a function that runs one fetch from source, under rules,
// for the sync it names.
func fetcher(t *testing.T, acts *activities.Activities, source integration.Endpoint) func(string, roster.Rules) activities.FetchResult {
	var ts testsuite.WorkflowTestSuite
	return func(syncID string, rules roster.Rules) activities.FetchResult {
		t.Helper()
		env := ts.NewTestActivityEnvironment()
		env.RegisterActivity(acts)
		var res activities.FetchResult
		require.NoError(t, run(t, env, acts.Fetch, activities.FetchInput{IntegrationID: integrationID, SyncID: syncID,
			Source: source, Rules: rules}, &res))
		return res
	}
}

func TestFetchIsIncrementalBetweenFullPulls(t *testing.T) {
	ctx := context.Background()
	fake := mergetest.New(mergetest.Options{Employees: 30, Seed: 3, PageSize: 10})
	acts, st, source := mergeSource(t, fake)
	clock := time.Now()
	acts.Now = func() time.Time { return clock }
	fetch := fetcher(t, acts, source)

	first := fetch("s1", roster.Rules{})
	require.False(t, first.Incremental, "the first pull is full")
	require.Equal(t, 30, first.Records)
	full, err := st.SnapshotRecords(ctx, "s1")
	require.NoError(t, err)

	// Two people change; the next sync reads only them, yet its snapshot is
	// the whole roster with their changes.
	clock = clock.Add(time.Hour)
	ids := []string{fake.Employees()[4].ID, fake.Employees()[17].ID}
	for _, id := range ids {
		fake.Update(id, func(e *mergetest.Employee) { e.LastName = "Changed" })
	}
	before := fake.Requests()
	second := fetch("s2", roster.Rules{})
	require.True(t, second.Incremental)
	require.Equal(t, 2, second.Changed)
	require.Equal(t, 30, second.Records)
	require.Less(t, fake.Requests()-before, 4, "an incremental pull reads one page of changes, not the roster")
	records, err := st.SnapshotRecords(ctx, "s2")
	require.NoError(t, err)
	require.Len(t, records, 30)
	for i, r := range records {
		require.Equal(t, full[i].ID, r.ID, "the roster keeps its order")
		if r.ID == ids[0] || r.ID == ids[1] {
			require.Equal(t, "Changed", r.Values["lastName"])
		} else {
			require.Equal(t, full[i], r)
		}
	}
	_, err = st.GetSnapshot(ctx, "s2/changes")
	require.ErrorIs(t, err, store.ErrNotFound, "the staged changes are cleaned up")

	// New rules need every field again: a full pull.
	third := fetch("s3", roster.Rules{Fields: roster.FieldSelection{Exclude: []roster.Field{roster.FieldPersonalEmail}}})
	require.False(t, third.Incremental)

	// A week after the last full pull, the next one is full again.
	clock = clock.Add(8 * 24 * time.Hour)
	fourth := fetch("s4", roster.Rules{Fields: roster.FieldSelection{Exclude: []roster.Field{roster.FieldPersonalEmail}}})
	require.False(t, fourth.Incremental)
	clock = clock.Add(time.Hour)
	fifth := fetch("s5", roster.Rules{Fields: roster.FieldSelection{Exclude: []roster.Field{roster.FieldPersonalEmail}}})
	require.True(t, fifth.Incremental)
	require.Zero(t, fifth.Changed)
	require.Equal(t, 30, fifth.Records)
}

// A fetch heartbeats before it asks its source anything, even whether its
// data is ready: a cancel reaches an activity only in the answer to a
// heartbeat, and a slow first request must not look like a lost worker.
func TestFetchHeartbeatsBeforeItsFirstRequest(t *testing.T) {
	fake := mergetest.New(mergetest.Options{Employees: 3, Seed: 3})
	var beats, beatsAtFirst atomic.Int32
	beatsAtFirst.Store(-1)
	acts, _, source := mergeSource(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		beatsAtFirst.CompareAndSwap(-1, beats.Load())
		fake.ServeHTTP(w, r)
	}))
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestActivityEnvironment()
	env.RegisterActivity(acts)
	env.SetOnActivityHeartbeatListener(func(*activity.Info, converter.EncodedValues) { beats.Add(1) })
	var res activities.FetchResult
	require.NoError(t, run(t, env, acts.Fetch, activities.FetchInput{IntegrationID: integrationID, SyncID: "s1",
		Source: source}, &res))
	require.Equal(t, 3, res.Records)
	require.Positive(t, beatsAtFirst.Load(), "heartbeats before the first request")
}

// An incremental pull of a roster larger than one batch of compose lays the
// changes over the base record for record, keeping its order and size.
func TestAnIncrementalPullComposesALargeRosterInBatches(t *testing.T) {
	ctx := context.Background()
	fake := mergetest.New(mergetest.Options{Employees: 2345, Seed: 5, PageSize: 100})
	acts, st, source := mergeSource(t, fake)
	clock := time.Now()
	acts.Now = func() time.Time { return clock }
	fetch := fetcher(t, acts, source)
	require.False(t, fetch("s1", roster.Rules{}).Incremental)
	full, err := st.SnapshotRecords(ctx, "s1")
	require.NoError(t, err)

	clock = clock.Add(time.Hour)
	changed := map[string]bool{}
	for _, i := range []int{0, 999, 1000, 2344} { // either side of each batch boundary, and the last
		id := fake.Employees()[i].ID
		changed[id] = true
		fake.Update(id, func(e *mergetest.Employee) { e.LastName = "Changed" })
	}
	res := fetch("s2", roster.Rules{})
	require.True(t, res.Incremental)
	require.Equal(t, len(changed), res.Changed)
	require.Equal(t, 2345, res.Records)
	records, err := st.SnapshotRecords(ctx, "s2")
	require.NoError(t, err)
	require.Len(t, records, 2345)
	for i, r := range records {
		require.Equal(t, full[i].ID, r.ID, "the roster keeps its order")
		if changed[r.ID] {
			require.Equal(t, "Changed", r.Values["lastName"])
		} else {
			require.Equal(t, full[i], r)
		}
	}
}
