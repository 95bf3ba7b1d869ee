package scim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/scim"
)

// stuckDirectory serves GET /Users as a directory of users users that
// claims total of them and always echoes startIndex 1; when paged is false
// it also ignores the startIndex asked and always sends its first page.
func stuckDirectory(t *testing.T, users, total int, paged bool) (string, *atomic.Int32) {
	t.Helper()
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/scim/v2/Users" || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		requests.Add(1)
		count, _ := strconv.Atoi(r.URL.Query().Get("count"))
		start := 1
		if paged {
			start, _ = strconv.Atoi(r.URL.Query().Get("startIndex"))
		}
		resources := []map[string]any{}
		for i := start; i < start+count && i <= users; i++ {
			resources = append(resources, map[string]any{
				"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
				"id":      fmt.Sprintf("u%d", i), "externalId": fmt.Sprintf("E%d", i),
				"userName": fmt.Sprintf("p%d@example.com", i), "active": true,
			})
		}
		w.Header().Set("Content-Type", "application/scim+json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"schemas":      []string{"urn:ietf:params:scim:api:messages:2.0:ListResponse"},
			"totalResults": total, "itemsPerPage": len(resources), "startIndex": 1, "Resources": resources,
		})
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/scim/v2", &requests
}

// walk lists every page of c, checking that each cursor moves on; the
// context's deadline is only a safety net.
func walk(t *testing.T, c *scim.Client) (ids []string, pages int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cursor, last := "", 0
	for {
		page, err := c.ListUsers(ctx, cursor)
		require.NoError(t, err)
		pages++
		for _, u := range page.Users {
			ids = append(ids, u.TargetID)
		}
		if page.Next == "" {
			return ids, pages
		}
		n, err := strconv.Atoi(page.Next)
		require.NoError(t, err)
		require.Greater(t, n, last, "the cursor moves on")
		cursor, last = page.Next, n
	}
}

// A directory that always answers startIndex 1 and claims more users than
// it has is paged by what was asked and received: the list ends.
func TestListEndsWhenTheDirectoryAlwaysAnswersStartIndexOne(t *testing.T) {
	t.Run("it pages, echoing startIndex 1", func(t *testing.T) {
		base, requests := stuckDirectory(t, 7, 7, true)
		ids, pages := walk(t, newClient(t, base, func(cfg *scim.Config) { cfg.PageSize = 3 }))
		require.Equal(t, []string{"u1", "u2", "u3", "u4", "u5", "u6", "u7"}, ids)
		require.Equal(t, 3, pages)
		require.Equal(t, int32(3), requests.Load())
	})
	t.Run("it sends its first page whatever is asked", func(t *testing.T) {
		base, requests := stuckDirectory(t, 3, 50, false)
		_, pages := walk(t, newClient(t, base, func(cfg *scim.Config) { cfg.PageSize = 3 }))
		// startIndex 1, 4, …, 49: the cursor stops at totalResults.
		require.Equal(t, 17, pages)
		require.Equal(t, int32(17), requests.Load())
	})
}

// An answer larger than the bound, or a 2xx that is not JSON, cannot get
// better on retry: both are permanent, and the body is not read past the
// bound.
func TestHostileAnswersArePermanent(t *testing.T) {
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("startIndex") {
		case "":
			w.WriteHeader(http.StatusNotFound) // no discovery
		default:
			if r.URL.Query().Get("count") == "7" {
				w.Header().Set("Content-Type", "text/html")
				_, _ = w.Write([]byte("<html>proxy error</html>"))
				return
			}
			w.Header().Set("Content-Type", "application/scim+json")
			_, _ = w.Write([]byte(`{"Resources":[`))
			chunk := []byte(strings.Repeat(" ", 64<<10))
			for i := 0; i < 1024; i++ { // up to 64 MiB, more than the bound
				n, err := w.Write(chunk)
				served.Add(int64(n))
				if err != nil {
					return
				}
			}
		}
	}))
	t.Cleanup(srv.Close)
	huge, err := scim.New(scim.Config{BaseURL: srv.URL, Token: "t", PageSize: 100})
	require.NoError(t, err)
	_, err = huge.ListUsers(context.Background(), "")
	require.ErrorContains(t, err, "the answer is larger than 32 MiB")
	require.True(t, connectors.IsPermanent(err))
	require.Less(t, served.Load(), int64(64<<20), "the client stopped reading")

	html, err := scim.New(scim.Config{BaseURL: srv.URL, Token: "t", PageSize: 7})
	require.NoError(t, err)
	_, err = html.ListUsers(context.Background(), "")
	require.ErrorContains(t, err, "the answer is not valid JSON (text/html)")
	require.True(t, connectors.IsPermanent(err))
}
