package scimtest

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestAuthentication(t *testing.T) {
	e := newEnv(t, Options{})
	for _, token := range []string{"", "wrong"} {
		r := e.send(http.MethodGet, e.base+"/Users", token, nil)
		r.requireError(t, http.StatusUnauthorized, "")
		require.Contains(t, r.header.Get("WWW-Authenticate"), "Bearer")
	}
	r := e.send(http.MethodGet, e.base+"/ServiceProviderConfig", "", nil)
	require.Equal(t, http.StatusUnauthorized, r.status, "every endpoint needs the token")
	// The scheme is case-insensitive.
	r = e.send(http.MethodGet, e.base+"/Users", "", nil, "Authorization", "bearer "+testToken)
	r.requireStatus(t, http.StatusOK)
	// The page needs none.
	require.Equal(t, http.StatusOK, e.send(http.MethodGet, e.url+"/", "", nil).status)

	// Without a Token there is no authentication.
	srv, err := New(Options{})
	require.NoError(t, err)
	hs := httptest.NewServer(srv)
	defer func() { hs.Close(); require.NoError(t, srv.Close()) }()
	e.send(http.MethodGet, hs.URL+"/scim/v2/Users", "", nil).requireStatus(t, http.StatusOK)
}

func TestFailNext(t *testing.T) {
	e := newEnv(t, Options{})
	e.srv.FailNext(2, http.StatusTooManyRequests, 1500*time.Millisecond)
	for range 2 {
		r := e.do(http.MethodGet, "/Users", nil)
		r.requireError(t, http.StatusTooManyRequests, "")
		require.Equal(t, "2", r.header.Get("Retry-After"))
	}
	e.do(http.MethodGet, "/Users", nil).requireStatus(t, http.StatusOK)

	e.srv.FailNext(1, http.StatusServiceUnavailable, 0)
	r := e.do(http.MethodPost, "/Users", newUser("ann", nil))
	r.requireError(t, http.StatusServiceUnavailable, "")
	require.Empty(t, r.header.Get("Retry-After"))
	require.Empty(t, e.srv.Users(), "a failed request touches nothing")
	// The page is not under BasePath: it never fails.
	e.srv.FailNext(1, http.StatusInternalServerError, 0)
	require.Equal(t, http.StatusOK, e.send(http.MethodGet, e.url+"/", "", nil).status)
	e.do(http.MethodGet, "/Users", nil).requireError(t, http.StatusInternalServerError, "")
	// Failures come before authentication.
	e.srv.FailNext(1, http.StatusTooManyRequests, time.Second)
	e.send(http.MethodGet, e.base+"/Users", "", nil).requireError(t, http.StatusTooManyRequests, "")
	// n <= 0 cancels a plan.
	e.srv.FailNext(5, http.StatusTooManyRequests, 0)
	e.srv.FailNext(0, http.StatusTooManyRequests, 0)
	e.do(http.MethodGet, "/Users", nil).requireStatus(t, http.StatusOK)
}

func TestRequestsLog(t *testing.T) {
	e := newEnv(t, Options{})
	id := e.create(newUser("ann", nil))["id"].(string)
	e.srv.FailNext(1, http.StatusTooManyRequests, time.Second)
	e.patch(id, op("replace", "title", "x"))
	e.patch(id, op("replace", "title", "x"))
	e.do(http.MethodPut, "/Users/"+id, newUser("ann", nil))
	e.do(http.MethodPost, "/Bulk", bulkBody(0))
	e.send(http.MethodGet, e.url+"/", "", nil)
	e.do(http.MethodGet, "/Users?filter="+`userName+eq+"ann"`, nil)
	require.Equal(t, []RequestLog{
		{Method: "POST", Path: "/scim/v2/Users", Status: 201},
		{Method: "PATCH", Path: "/scim/v2/Users/" + id, Status: 429},
		{Method: "PATCH", Path: "/scim/v2/Users/" + id, Status: 200},
		{Method: "PUT", Path: "/scim/v2/Users/" + id, Status: 200},
		{Method: "POST", Path: "/scim/v2/Bulk", Status: 200},
		{Method: "GET", Path: "/", Status: 200},
		{Method: "GET", Path: "/scim/v2/Users", Status: 200},
	}, e.srv.Requests())
}

func TestPersistence(t *testing.T) {
	db := t.TempDir() + "/dir/scim.db"
	srv, err := New(Options{DBPath: db})
	require.NoError(t, err)
	boss := mustCreate(t, srv, newUser("boss", nil))
	rep := mustCreate(t, srv, newUser("rep", map[string]any{"externalId": "E2",
		enterpriseSchema: ent("manager", map[string]any{"value": boss})}))
	require.NoError(t, srv.BumpVersion(rep))
	before := srv.Users()
	require.NoError(t, srv.Close())

	srv, err = New(Options{DBPath: db})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, srv.Close()) })
	require.Equal(t, before, srv.Users())
	u, ok := srv.UserByExternalID("E2")
	require.True(t, ok)
	require.Equal(t, `W/"2"`, u.Version)
	// Uniqueness and ordering survive too.
	_, err = srv.createUser(t.Context(), "http://x/scim/v2", newUser("BOSS", nil))
	require.Equal(t, http.StatusConflict, asSCIM(err).status)
	third := mustCreate(t, srv, newUser("third", nil))
	require.Equal(t, third, srv.Users()[2].ID)

	// In-memory servers are private.
	a, err := New(Options{})
	require.NoError(t, err)
	defer func() { require.NoError(t, a.Close()) }()
	b, err := New(Options{})
	require.NoError(t, err)
	defer func() { require.NoError(t, b.Close()) }()
	mustCreate(t, a, newUser("only-in-a", nil))
	require.Len(t, a.Users(), 1)
	require.Empty(t, b.Users())
}

// mustCreate creates a user straight through the store and returns its id.
func mustCreate(t *testing.T, srv *Server, body map[string]any) string {
	t.Helper()
	rec, err := srv.createUser(t.Context(), "http://x/scim/v2", body)
	require.NoError(t, err)
	return rec.ID
}
