package scim_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/hrsync/hrsync/connectors/scim"
	"github.com/hrsync/hrsync/connectors/scim/scimtest"
	"github.com/hrsync/hrsync/roster"
	"github.com/stretchr/testify/require"
)

func TestListPagesThroughEveryUser(t *testing.T) {
	ctx := context.Background()
	for _, maxResults := range []int{0, 2} {
		t.Run(fmt.Sprintf("maxResults=%d", maxResults), func(t *testing.T) {
			srv, base := startServer(t, scimtest.Options{MaxResults: maxResults}, features{patch: true})
			c := newClient(t, base, func(cfg *scim.Config) { cfg.PageSize = 3 })
			want := map[string]roster.Employee{}
			for i := range 7 {
				e := roster.Employee{ID: fmt.Sprintf("E%d", i), FirstName: "P", WorkEmail: fmt.Sprintf("p%d@example.com", i),
					Status: roster.StatusActive}
				id, err := c.CreateUser(ctx, e)
				require.NoError(t, err)
				want[id] = e
			}

			page, err := c.ListUsers(ctx, "")
			require.NoError(t, err)
			require.NotEmpty(t, page.Next)

			got := map[string]roster.Employee{}
			for _, u := range listAll(t, c) {
				require.NotContains(t, got, u.TargetID, "listed twice")
				got[u.TargetID] = u.Employee
			}
			require.Equal(t, want, got)
			lists, _ := requests(srv, http.MethodGet, "/Users")
			require.Greater(t, lists, 3, "several pages were read")

			last, err := c.ListUsers(ctx, "8")
			require.NoError(t, err)
			require.Empty(t, last.Users)
			require.Empty(t, last.Next)
		})
	}
}

func TestListPageCursors(t *testing.T) {
	ctx := context.Background()
	_, base := startServer(t, scimtest.Options{}, features{patch: true})
	c := newClient(t, base, func(cfg *scim.Config) { cfg.PageSize = 3 })
	for i := range 7 {
		_, err := c.CreateUser(ctx, roster.Employee{ID: fmt.Sprintf("E%d", i), WorkEmail: fmt.Sprintf("p%d@example.com", i)})
		require.NoError(t, err)
	}
	var cursors []string
	var sizes []int
	cursor := ""
	for {
		page, err := c.ListUsers(ctx, cursor)
		require.NoError(t, err)
		sizes = append(sizes, len(page.Users))
		cursors = append(cursors, page.Next)
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	require.Equal(t, []int{3, 3, 1}, sizes)
	require.Equal(t, []string{"4", "7", ""}, cursors)

	empty, err := newClient(t, base, nil).ListUsers(ctx, "")
	require.NoError(t, err)
	require.Len(t, empty.Users, 7)
	require.Empty(t, empty.Next)
}

func TestFindByExternalIDEscapesTheFilter(t *testing.T) {
	ctx := context.Background()
	_, c := setup(t, features{patch: true})
	ids := []string{`a"b`, `a\b`, `a"b\"c`, `x" or userName pr or externalId eq "y`, "tab\there", "E1"}
	targets := map[string]string{}
	for i, ext := range ids {
		e := roster.Employee{ID: ext, FirstName: "Q", WorkEmail: fmt.Sprintf("q%d@example.com", i), Status: roster.StatusActive}
		id, err := c.CreateUser(ctx, e)
		require.NoError(t, err)
		targets[ext] = id
	}
	for _, ext := range ids {
		u, found, err := c.FindByExternalID(ctx, ext)
		require.NoError(t, err)
		require.True(t, found, ext)
		require.Equal(t, targets[ext], u.TargetID, ext)
		require.Equal(t, ext, u.Employee.ID)
	}
	for _, ext := range []string{`a"`, `a\`, `x`, `e1`} {
		_, found, err := c.FindByExternalID(ctx, ext)
		require.NoError(t, err)
		require.False(t, found, ext)
	}
	require.Len(t, targets, len(ids))
}

func TestFindByUserName(t *testing.T) {
	ctx := context.Background()
	_, c := setup(t, features{patch: true})
	e := fullEmployee(t, "E1")
	id, err := c.CreateUser(ctx, e)
	require.NoError(t, err)
	u, found, err := c.FindByUserName(ctx, "ADA.e1@EXAMPLE.com")
	require.NoError(t, err)
	require.True(t, found, "userName is compared case-insensitively")
	require.Equal(t, id, u.TargetID)
	_, found, err = c.FindByUserName(ctx, "ada@example.com")
	require.NoError(t, err)
	require.False(t, found)
}

func TestListAsksForTheProvidersMaxResults(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name       string
		maxResults int
		hideSPC    bool
		wantCount  string
		wantPages  int
	}{
		{name: "the provider's maxResults", maxResults: 4, wantCount: "4", wantPages: 3},
		{name: "capped at 1000", maxResults: 5000, wantCount: "1000", wantPages: 1},
		{name: "no ServiceProviderConfig: 100", hideSPC: true, wantCount: "100", wantPages: 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := scimtest.New(scimtest.Options{Token: token, MaxResults: tt.maxResults})
			require.NoError(t, err)
			t.Cleanup(func() { _ = srv.Close() })
			var mu sync.Mutex
			var counts []string
			hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.hideSPC && strings.HasSuffix(r.URL.Path, "/ServiceProviderConfig") {
					http.NotFound(w, r)
					return
				}
				if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/Users") && r.URL.Query().Has("startIndex") {
					mu.Lock()
					counts = append(counts, r.URL.Query().Get("count"))
					mu.Unlock()
				}
				srv.ServeHTTP(w, r)
			}))
			t.Cleanup(hs.Close)
			c := newClient(t, hs.URL+"/scim/v2", func(cfg *scim.Config) { cfg.PageSize = 0 })
			for i := range 10 {
				_, err := c.CreateUser(ctx, roster.Employee{ID: fmt.Sprintf("E%d", i), FirstName: "P",
					WorkEmail: fmt.Sprintf("p%d@example.com", i), Status: roster.StatusActive})
				require.NoError(t, err)
			}
			require.Len(t, listAll(t, c), 10)
			require.Len(t, counts, tt.wantPages)
			for _, n := range counts {
				require.Equal(t, tt.wantCount, n)
			}
		})
	}
}
