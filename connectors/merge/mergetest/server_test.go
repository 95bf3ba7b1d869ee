package mergetest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// get calls the fake with the default credentials unless auth is false.
func get(t *testing.T, s *Server, path string, q url.Values, auth bool) (int, http.Header, map[string]any) {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, path+"?"+q.Encode(), nil)
	if auth {
		r.Header.Set("Authorization", "Bearer "+DefaultAPIKey)
		r.Header.Set("X-Account-Token", DefaultAccountToken)
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	var body map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body), w.Body.String())
	return w.Code, w.Result().Header, body
}

func TestAuthNeedsBothHeaders(t *testing.T) {
	s := New(Options{Employees: 2})
	code, _, body := get(t, s, EmployeesPath, nil, false)
	assert.Equal(t, http.StatusUnauthorized, code)
	assert.NotEmpty(t, body["detail"])

	r := httptest.NewRequest(http.MethodGet, EmployeesPath, nil)
	r.Header.Set("Authorization", "Bearer "+DefaultAPIKey)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	assert.Equal(t, http.StatusUnauthorized, w.Code, "no account token")
}

func TestGeneratedRosterIsDeterministicAndVaried(t *testing.T) {
	a, b := New(Options{Employees: 20, Seed: 9}).Employees(), New(Options{Employees: 20, Seed: 9}).Employees()
	assert.Equal(t, a, b)
	count := map[string]int{}
	heads := 0
	for _, e := range a {
		count[e.EmploymentStatus]++
		if e.EmploymentStatus == "INACTIVE" {
			assert.NotEmpty(t, e.TerminationDate)
		}
		if e.Manager == "" {
			heads++
		}
	}
	assert.Equal(t, 1, heads)
	assert.Equal(t, 1, count["PENDING"])
	assert.Equal(t, 1, count["On Leave"])
	assert.GreaterOrEqual(t, count["INACTIVE"], 2)
}

func TestPagingExpandAndFilters(t *testing.T) {
	s := New(Options{Employees: 12, PageSize: 5})
	code, _, body := get(t, s, EmployeesPath, url.Values{"page_size": {"500"}}, true)
	require.Equal(t, http.StatusOK, code)
	assert.Len(t, body["results"], 5, "page_size is capped")
	require.NotNil(t, body["next"])
	assert.Nil(t, body["previous"])

	first := body["results"].([]any)
	withMgr := first[0].(map[string]any)
	for _, r := range first {
		if r.(map[string]any)["manager"] != nil {
			withMgr = r.(map[string]any)
		}
	}
	assert.IsType(t, "", withMgr["manager"])
	assert.IsType(t, "", withMgr["employments"].([]any)[0])

	_, _, body = get(t, s, EmployeesPath, url.Values{"expand": {"employments,manager"}, "page_size": {"5"}}, true)
	for _, r := range body["results"].([]any) {
		m := r.(map[string]any)
		if m["manager"] != nil {
			assert.NotEmpty(t, m["manager"].(map[string]any)["id"])
		}
		assert.Contains(t, m["employments"].([]any)[0].(map[string]any), "job_title")
	}

	code, _, _ = get(t, s, EmployeesPath, url.Values{"cursor": {"nonsense"}}, true)
	assert.Equal(t, http.StatusNotFound, code)
	code, _, _ = get(t, s, EmployeesPath, url.Values{"modified_after": {"yesterday"}}, true)
	assert.Equal(t, http.StatusBadRequest, code)

	id := s.Employees()[3].ID
	s.Update(id, func(e *Employee) { e.RemoteWasDeleted = true })
	_, _, body = get(t, s, EmployeesPath, url.Values{"modified_after": {time.Now().Add(-time.Minute).Format(time.RFC3339)}}, true)
	assert.Empty(t, body["results"], "deleted records need include_deleted_data")
	_, _, body = get(t, s, EmployeesPath, url.Values{"modified_after": {time.Now().Add(-time.Minute).Format(time.RFC3339)},
		"include_deleted_data": {"true"}}, true)
	require.Len(t, body["results"], 1)
	assert.Equal(t, id, body["results"].([]any)[0].(map[string]any)["id"])
}

func TestRateLimitAnswers429WithRetryAfter(t *testing.T) {
	s := New(Options{Employees: 1, PerMinute: 2})
	for range 2 {
		code, _, _ := get(t, s, EmployeesPath, nil, true)
		require.Equal(t, http.StatusOK, code)
	}
	code, h, body := get(t, s, EmployeesPath, nil, true)
	assert.Equal(t, http.StatusTooManyRequests, code)
	assert.Equal(t, "Request was throttled.", body["detail"])
	assert.Equal(t, "60", h.Get("Retry-After"))
	assert.Equal(t, 3, s.Requests())
	assert.Equal(t, 1, s.Throttled())
}

func TestSyncStatusShape(t *testing.T) {
	s := New(Options{InitialSync: true})
	code, _, body := get(t, s, SyncStatusPath, nil, true)
	require.Equal(t, http.StatusOK, code)
	var emp map[string]any
	for _, r := range body["results"].([]any) {
		if m := r.(map[string]any); m["model_name"] == "Employee" {
			emp = m
		}
	}
	require.NotNil(t, emp)
	assert.Equal(t, "hris.Employee", emp["model_id"])
	assert.Equal(t, SyncSyncing, emp["status"])
	assert.Equal(t, true, emp["is_initial_sync"])
	assert.Nil(t, emp["last_sync_finished"])
}
