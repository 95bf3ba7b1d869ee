package justlogintest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func get(t *testing.T, ts *httptest.Server, path, token string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, ts.URL+path, nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := ts.Client().Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestUsersEndpoint(t *testing.T) {
	s := New(Options{ClientID: "c", ClientSecret: "s", Users: 30, Seed: 1})
	ts := httptest.NewServer(s)
	defer ts.Close()
	at, _ := s.Issue()

	assert.Equal(t, http.StatusUnauthorized, get(t, ts, UsersPath, "").StatusCode)
	assert.Equal(t, http.StatusBadRequest, get(t, ts, UsersPath+"?limit=101", at).StatusCode)

	active := 0
	for _, u := range s.Users() {
		if u.IsActive {
			active++
		}
	}
	resp := get(t, ts, UsersPath+"?limit=100", at)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var users []map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&users))
	assert.Len(t, users, active, "active users only by default")
	assert.NotContains(t, users[0], "manager", "includes are opt-in")
	var p pagination
	require.NoError(t, json.Unmarshal([]byte(resp.Header.Get("x-pagination")), &p))
	assert.Equal(t, pagination{TotalCount: active, PageSize: active, CurrentPage: 1, TotalPages: 1}, p)

	resp = get(t, ts, UsersPath+"?activeStatus=all&include=manager,department,employment&page=3&limit=10", at)
	users = nil
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&users))
	assert.Len(t, users, 10)
	assert.Contains(t, users[0], "employment")
	require.NoError(t, json.Unmarshal([]byte(resp.Header.Get("x-pagination")), &p))
	assert.Equal(t, pagination{TotalCount: 30, PageSize: 10, CurrentPage: 3, TotalPages: 3, HasPrevious: true}, p)

	s.ExpireAccessTokens()
	assert.Equal(t, http.StatusUnauthorized, get(t, ts, UsersPath, at).StatusCode)
}

func TestTokenEndpoint(t *testing.T) {
	s := New(Options{ClientID: "c", ClientSecret: "s", RotateRefreshTokens: true})
	ts := httptest.NewServer(s)
	defer ts.Close()
	_, rt := s.Issue()
	post := func(form url.Values, basic bool) (int, map[string]any) {
		req, _ := http.NewRequest(http.MethodPost, TokenURL(ts.URL), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if basic {
			req.SetBasicAuth("c", "s")
		}
		resp, err := ts.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var body map[string]any
		json.NewDecoder(resp.Body).Decode(&body) //nolint:errcheck
		return resp.StatusCode, body
	}
	refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
	status, body := post(refresh, true)
	assert.Equal(t, http.StatusUnauthorized, status, "credentials go in the body")
	assert.Equal(t, "invalid_client", body["error"])

	refresh.Set("client_id", "c")
	refresh.Set("client_secret", "s")
	status, body = post(refresh, false)
	require.Equal(t, http.StatusOK, status)
	assert.NotEqual(t, rt, body["refresh_token"], "rotated")

	status, body = post(refresh, false)
	assert.Equal(t, http.StatusBadRequest, status, "a used refresh token is refused")
	assert.Equal(t, "invalid_grant", body["error"])
}
