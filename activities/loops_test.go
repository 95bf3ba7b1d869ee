package activities_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/connectors/scim/scimtest"
	"github.com/hrsync/hrsync/integration"
)

// hostileHRIS speaks the demo HRIS list protocol (GET /api/employees,
// ?cursor=, {"employees":[…],"next":"…"}); next says, for the cursor
// asked, which page (by number) to serve and which cursor to name next.
// It counts the list requests it serves.
func hostileHRIS(t *testing.T, next func(cursor string) (page int, nextCursor string)) (string, *atomic.Int32) {
	t.Helper()
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/employees" || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		requests.Add(1)
		page, nc := next(r.URL.Query().Get("cursor"))
		employees := make([]map[string]any, 3)
		for i := range employees {
			id := fmt.Sprintf("E%03d", page*3+i)
			employees[i] = map[string]any{"id": id, "firstName": "F" + id, "lastName": "L" + id,
				"workEmail": id + "@acme.example", "status": "active"}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"employees": employees, "next": nc})
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &requests
}

func fetchFrom(t *testing.T, url string) (activities.FetchResult, error) {
	t.Helper()
	f := newFixture(t, options{})
	f.source.URL = url
	var res activities.FetchResult
	err := run(t, f.env(), f.acts.Fetch, f.fetchIn("sync-1"), &res)
	return res, err
}

func requirePermanent(t *testing.T, err error, msg string) {
	t.Helper()
	ae := appError(t, err)
	require.Equal(t, activities.ErrTypePermanent, ae.Type())
	require.True(t, ae.NonRetryable())
	require.Contains(t, ae.Error(), msg)
}

func TestFetchStopsASourceThatRepeatsACursor(t *testing.T) {
	// "" → a → b → a → b …: each page new records, the cursors loop.
	url, requests := hostileHRIS(t, func(c string) (int, string) {
		switch c {
		case "":
			return 0, "a"
		case "a":
			return 1, "b"
		}
		return 2, "a"
	})
	_, err := fetchFrom(t, url)
	requirePermanent(t, err, `the demo HRIS returned cursor "a" twice: its paging loops; page 3`)
	require.Equal(t, int32(3), requests.Load())
}

func TestFetchStopsASourceThatSendsTheSamePageForEver(t *testing.T) {
	// A new cursor every time, the same three records every time.
	url, requests := hostileHRIS(t, func(c string) (int, string) {
		n, _ := strconv.Atoi(c)
		return 0, strconv.Itoa(n + 1)
	})
	_, err := fetchFrom(t, url)
	requirePermanent(t, err, "the demo HRIS sent the same 3 records as the page before: its paging loops; page 2")
	require.Equal(t, int32(2), requests.Load())
}

func TestFetchStopsASourceThatNeverEnds(t *testing.T) {
	activities.LimitFetchRecords(t, 30)
	url, requests := hostileHRIS(t, func(c string) (int, string) {
		n, _ := strconv.Atoi(c)
		return n, strconv.Itoa(n + 1)
	})
	_, err := fetchFrom(t, url)
	requirePermanent(t, err, "the demo HRIS sent more than 30 records: its paging loops; page 11")
	require.Equal(t, int32(11), requests.Load())
}

func TestFetchOfAWellBehavedSourcePassesTheGuards(t *testing.T) {
	url, requests := hostileHRIS(t, func(c string) (int, string) {
		switch c {
		case "":
			return 0, "a"
		case "a":
			return 1, "b"
		}
		return 2, ""
	})
	res, err := fetchFrom(t, url)
	require.NoError(t, err)
	require.Equal(t, 9, res.Records)
	require.Equal(t, 3, res.Pages)
	require.Equal(t, int32(3), requests.Load())
}

// A retry resumes the watch from its heartbeat: the cursor it resumes at
// counts as seen, even from a heartbeat written before the guards.
func TestFetchRetryKeepsWatchingForALoop(t *testing.T) {
	url, requests := hostileHRIS(t, func(c string) (int, string) {
		if c == "b" {
			return 2, "a"
		}
		return 1, "b"
	})
	f := newFixture(t, options{})
	f.source.URL = url
	require.NoError(t, f.store.BeginSnapshot(context.Background(), "sync-1", integrationID, "sync-1", 0))
	env := f.env()
	env.SetHeartbeatDetails(activities.FetchProgress{Cursor: "b", Records: 3, Pages: 1, StartedAt: now})
	_, err := env.ExecuteActivity(f.acts.Fetch, f.fetchIn("sync-1"))
	requirePermanent(t, err, `the demo HRIS returned cursor "b" twice: its paging loops; page 3`)
	require.Equal(t, int32(2), requests.Load())
}

// A SCIM directory that answers every list with its first page at
// startIndex 1 and claims more users than it has: Plan ends, permanently,
// without a plan, in a few requests.
func TestPlanStopsADirectoryThatAlwaysAnswersStartIndexOne(t *testing.T) {
	dir, err := scimtest.New(scimtest.Options{Token: "s3cret"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = dir.Close() })
	var lists atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/scim/v2/Users" || r.URL.Query().Has("filter") {
			dir.ServeHTTP(w, r)
			return
		}
		lists.Add(1)
		resources := []map[string]any{}
		for i := 1; i <= 3; i++ {
			resources = append(resources, map[string]any{
				"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
				"id":      fmt.Sprintf("u%d", i), "externalId": fmt.Sprintf("X%d", i),
				"userName": fmt.Sprintf("x%d@example.com", i), "active": true,
			})
		}
		w.Header().Set("Content-Type", "application/scim+json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"schemas":      []string{"urn:ietf:params:scim:api:messages:2.0:ListResponse"},
			"totalResults": 1000, "itemsPerPage": 3, "startIndex": 1, "Resources": resources,
		})
	}))
	t.Cleanup(srv.Close)

	f := newFixture(t, options{})
	setSecret(t, "HRSYNC_SECRET_TEST_SCIM_TOKEN", "s3cret")
	f.target = integration.Endpoint{Kind: "scim", URL: srv.URL + "/scim/v2", CredentialRef: "env:HRSYNC_SECRET_TEST_SCIM_TOKEN"}
	f.config.Target = f.target
	f.fetch("sync-1")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // a safety net only
	defer cancel()
	env := f.env()
	env.SetTestTimeout(30 * time.Second)
	done := make(chan error, 1)
	go func() {
		var res activities.PlanResult
		done <- run(t, env, f.acts.Plan, activities.PlanInput{
			IntegrationID: integrationID, SyncID: "sync-1", SnapshotID: "sync-1", Config: f.config}, &res)
	}()
	select {
	case err := <-done:
		requirePermanent(t, err, "the directory listed the same users again: its paging loops; page 3")
		require.Equal(t, int32(3), lists.Load())
	case <-ctx.Done():
		t.Fatal("Plan did not end")
	}
}
