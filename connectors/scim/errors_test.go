package scim_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/scim"
	"github.com/hrsync/hrsync/connectors/scim/scimtest"
	"github.com/hrsync/hrsync/roster"
	"github.com/stretchr/testify/require"
)

// bumpingTransport bumps user id's version on the server just before each
// of the first n PATCH or PUT requests, as a concurrent writer would.
func bumpingTransport(t *testing.T, srv *scimtest.Server, id *string, n int32) *http.Client {
	var left atomic.Int32
	left.Store(n)
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if (r.Method == http.MethodPatch || r.Method == http.MethodPut) && left.Add(-1) >= 0 {
			require.NoError(t, srv.BumpVersion(*id))
		}
		return http.DefaultTransport.RoundTrip(r)
	})}
}

func TestPreconditionFailedRereadsAndRetriesOnce(t *testing.T) {
	ctx := context.Background()
	for name, f := range map[string]features{"patch": {patch: true, etags: true}, "put": {etags: true}} {
		t.Run(name, func(t *testing.T) {
			srv, base := startServer(t, scimtest.Options{}, f)
			var id string
			c := newClient(t, base, func(cfg *scim.Config) { cfg.HTTPClient = bumpingTransport(t, srv, &id, 1) })
			plain := newClient(t, base, nil)
			e := fullEmployee(t, "E1")
			var err error
			id, err = plain.CreateUser(ctx, e)
			require.NoError(t, err)

			e.Location = "Paris"
			require.NoError(t, c.UpdateUser(ctx, id, e, []roster.Field{roster.FieldLocation}))
			require.Equal(t, e, find(t, c, id).Employee)
			method := map[bool]string{true: http.MethodPatch, false: http.MethodPut}[f.patch]
			_, statuses := requests(srv, method, "/Users/"+id)
			require.Equal(t, []int{http.StatusPreconditionFailed, http.StatusOK}, statuses)

			// A version remembered from the last write goes stale too.
			require.NoError(t, srv.BumpVersion(id))
			require.NoError(t, c.SetActive(ctx, id, false))
			stored, _ := srv.UserByExternalID("E1")
			require.False(t, stored.Active)
		})
	}
}

func TestSecondPreconditionFailedIsRetryable(t *testing.T) {
	ctx := context.Background()
	srv, base := startServer(t, scimtest.Options{}, features{patch: true, etags: true})
	var id string
	c := newClient(t, base, func(cfg *scim.Config) { cfg.HTTPClient = bumpingTransport(t, srv, &id, 100) })
	var err error
	id, err = newClient(t, base, nil).CreateUser(ctx, fullEmployee(t, "E1"))
	require.NoError(t, err)

	err = c.SetActive(ctx, id, false)
	require.Error(t, err)
	require.False(t, connectors.IsPermanent(err))
	var se *scim.SCIMError
	require.True(t, errors.As(err, &se))
	require.Equal(t, http.StatusPreconditionFailed, se.Status)
	_, statuses := requests(srv, http.MethodPatch, "/Users/"+id)
	require.Equal(t, []int{http.StatusPreconditionFailed, http.StatusPreconditionFailed}, statuses)
}

func TestRateLimitIsRetryableWithDelay(t *testing.T) {
	srv, c := setup(t, features{patch: true})
	srv.FailNext(1, http.StatusTooManyRequests, 7*time.Second)
	_, err := c.ListUsers(context.Background(), "")
	require.Error(t, err)
	require.False(t, connectors.IsPermanent(err))
	require.Equal(t, 7*time.Second, connectors.RetryAfter(err))
	var se *scim.SCIMError
	require.True(t, errors.As(err, &se))
	require.Equal(t, http.StatusTooManyRequests, se.Status)
	require.Equal(t, 7*time.Second, se.RetryDelay())

	_, err = c.ListUsers(context.Background(), "")
	require.NoError(t, err, "the next attempt goes through")
}

func TestServerErrorsAreRetryable(t *testing.T) {
	ctx := context.Background()
	srv, c := setup(t, features{patch: true})
	for _, status := range []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusRequestTimeout} {
		srv.FailNext(1, status, 0)
		_, err := c.CreateUser(ctx, fullEmployee(t, "E1"))
		require.Error(t, err)
		require.False(t, connectors.IsPermanent(err), "status %d", status)
		var se *scim.SCIMError
		require.True(t, errors.As(err, &se))
		require.Equal(t, status, se.Status)
	}
	_, err := c.CreateUser(ctx, fullEmployee(t, "E1"))
	require.NoError(t, err)

	// A connection refused is a transport error: retryable.
	dead := newClient(t, "http://127.0.0.1:1/scim/v2", nil)
	_, err = dead.ListUsers(ctx, "")
	require.Error(t, err)
	require.False(t, connectors.IsPermanent(err))
}

func TestClientErrorsArePermanent(t *testing.T) {
	ctx := context.Background()
	srv, base := startServer(t, scimtest.Options{}, features{patch: true})
	wrong := newClient(t, base, func(cfg *scim.Config) { cfg.Token = "wrong" })
	_, err := wrong.ListUsers(ctx, "")
	require.True(t, connectors.IsPermanent(err))
	var se *scim.SCIMError
	require.True(t, errors.As(err, &se))
	require.Equal(t, http.StatusUnauthorized, se.Status)

	c := newClient(t, base, nil)
	err = c.UpdateUser(ctx, "no-such-id", fullEmployee(t, "E1"), []roster.Field{roster.FieldJobTitle})
	require.True(t, connectors.IsPermanent(err))
	require.True(t, errors.As(err, &se))
	require.Equal(t, http.StatusNotFound, se.Status)

	_, err = c.ListUsers(ctx, "page two")
	require.True(t, connectors.IsPermanent(err))

	srv.FailNext(1, http.StatusForbidden, 0)
	_, _, err = c.FindByExternalID(ctx, "E1")
	require.True(t, connectors.IsPermanent(err))
}

func TestErrorBodyIsParsedAndSanitised(t *testing.T) {
	var calls atomic.Int32
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/scim+json")
		w.WriteHeader(http.StatusBadRequest)
		// A number status, and a detail that echoes a userName.
		_, _ = w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":400,` +
			`"scimType":"invalidSyntax","detail":"userName 'jane.doe@example.com' is not valid ` + strings.Repeat("x", 300) + `"}`))
	}))
	t.Cleanup(hs.Close)
	c := newClient(t, hs.URL, nil)
	_, _, err := c.FindByUserName(context.Background(), "jane.doe@example.com")
	require.True(t, connectors.IsPermanent(err))
	var se *scim.SCIMError
	require.True(t, errors.As(err, &se))
	require.Equal(t, http.StatusBadRequest, se.Status)
	require.Equal(t, "invalidSyntax", se.ScimType)
	require.True(t, strings.HasPrefix(se.Detail, "userName '<email>' is not valid xxx"))
	require.Len(t, []rune(se.Detail), 200)
	require.NotContains(t, err.Error(), "jane")
	require.NotContains(t, err.Error(), "filter", "the query, which holds the userName, is not in the message")
	require.Equal(t, "/Users", se.Path)
}

func TestBasicAuth(t *testing.T) {
	ctx := context.Background()
	srv, err := scimtest.New(scimtest.Options{DBPath: t.TempDir() + "/scim.db", Token: token})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	srv.SetPatch(true)
	// A gateway that takes basic credentials in front of the bearer-token
	// server.
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user != "admin" || pass != "pa:ss" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		r.Header.Set("Authorization", "Bearer "+token)
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)

	c, err := scim.New(scim.Config{BaseURL: hs.URL + "/scim/v2", Username: "admin", Password: "pa:ss"})
	require.NoError(t, err)
	id, err := c.CreateUser(ctx, fullEmployee(t, "E1"))
	require.NoError(t, err)
	require.NoError(t, c.SetActive(ctx, id, false))

	bad, err := scim.New(scim.Config{BaseURL: hs.URL + "/scim/v2", Username: "admin", Password: "nope"})
	require.NoError(t, err)
	_, err = bad.ListUsers(ctx, "")
	require.True(t, connectors.IsPermanent(err))
}

func TestConfigIsValidated(t *testing.T) {
	for name, cfg := range map[string]scim.Config{
		"no url":          {Token: "t"},
		"not http":        {BaseURL: "ftp://example.com/scim", Token: "t"},
		"relative":        {BaseURL: "/scim/v2", Token: "t"},
		"no auth":         {BaseURL: "https://example.com/scim/v2"},
		"both auths":      {BaseURL: "https://example.com/scim/v2", Token: "t", Username: "u", Password: "p"},
		"no password":     {BaseURL: "https://example.com/scim/v2", Username: "u"},
		"status userName": {BaseURL: "https://example.com/scim/v2", Token: "t", UserNameFrom: roster.FieldStatus},
		"unknown field":   {BaseURL: "https://example.com/scim/v2", Token: "t", UserNameFrom: "shoeSize"},
		"core as custom":  {BaseURL: "https://example.com/scim/v2", Token: "t", CustomSchema: scim.CoreSchema},
		"negative page":   {BaseURL: "https://example.com/scim/v2", Token: "t", PageSize: -1},
	} {
		_, err := scim.New(cfg)
		require.Error(t, err, name)
		require.True(t, connectors.IsPermanent(err), name)
	}
	_, err := scim.New(scim.Config{BaseURL: "https://example.com/scim/v2/", Username: "u", Password: "p",
		UserNameFrom: roster.CustomField("login")})
	require.NoError(t, err)
}

func TestConcurrentUseFetchesFeaturesOnce(t *testing.T) {
	ctx := context.Background()
	srv, c := setup(t, features{patch: true, etags: true})
	const n = 8
	employees := make([]roster.Employee, n)
	for i := range employees {
		employees[i] = fullEmployee(t, fmt.Sprintf("E%d", i))
	}
	ids, errs := make([]string, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { ids[i], errs[i] = c.CreateUser(ctx, employees[i]) })
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
	}
	for i := range n {
		wg.Go(func() { errs[i] = c.SetActive(ctx, ids[i], false) })
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
	}
	spc, _ := requests(srv, http.MethodGet, "/ServiceProviderConfig")
	require.Equal(t, 1, spc)
	for _, u := range srv.Users() {
		require.False(t, u.Active)
	}
}
