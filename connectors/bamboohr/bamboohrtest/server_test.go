package bamboohrtest_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors/bamboohr/bamboohrtest"
)

// get sends GET path with key as the Basic user and decodes the answer.
func get(t *testing.T, srv http.Handler, key, path string) (int, http.Header, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if key != "" {
		req.SetBasicAuth(key, "x")
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	var body map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), rec.Body.String())
	return rec.Code, rec.Header(), body
}

func TestAuthNeedsTheKeyAsBasicUser(t *testing.T) {
	srv := bamboohrtest.New(bamboohrtest.Options{APIKey: "k", Employees: 3})
	for _, key := range []string{"", "other"} {
		code, hdr, body := get(t, srv, key, "/api/v1/employees")
		assert.Equal(t, http.StatusUnauthorized, code)
		assert.NotEmpty(t, hdr.Get("X-BambooHR-Message"))
		assert.Equal(t, "Unauthorized", body["error"].(map[string]any)["code"])
	}
	code, _, _ := get(t, srv, "k", "/api/v1/employees")
	assert.Equal(t, http.StatusOK, code)
}

func TestListPagesAndFilters(t *testing.T) {
	srv := bamboohrtest.New(bamboohrtest.Options{APIKey: "k", Employees: 60, Seed: 9})
	code, _, body := get(t, srv, "k", "/api/v1/employees?fields=workEmail,reportsToId")
	require.Equal(t, http.StatusOK, code)
	assert.Len(t, body["data"], 50, "default page[limit] is 50")
	meta := body["meta"].(map[string]any)
	assert.EqualValues(t, 60, meta["total"])
	assert.NotEmpty(t, meta["page"].(map[string]any)["nextCursor"])
	assert.Contains(t, body["_links"], "next")
	emp := body["data"].([]any)[1].(map[string]any)
	assert.Equal(t, "101", emp["employeeId"])
	assert.Equal(t, "100", emp["reportsToId"])
	assert.NotContains(t, emp, "hireDate", "only asked fields come")

	_, _, body = get(t, srv, "k", "/api/v1/employees?filter[status]=inactive&page[limit]=100")
	for _, e := range body["data"].([]any) {
		assert.Equal(t, "Inactive", e.(map[string]any)["status"])
	}
	_, _, body = get(t, srv, "k", "/api/v1/employees?filter[ids][]=103&filter[ids][]=110")
	assert.Len(t, body["data"], 2)
}

func TestListRefusesWhatBambooHRRefuses(t *testing.T) {
	srv := bamboohrtest.New(bamboohrtest.Options{APIKey: "k", Employees: 3})
	for _, q := range []string{"fields=terminationDate", "page[limit]=101", "page[limit]=0", "filter[status]=gone"} {
		code, _, body := get(t, srv, "k", "/api/v1/employees?"+q)
		assert.Equal(t, http.StatusBadRequest, code, q)
		assert.Equal(t, "BadRequest", body["error"].(map[string]any)["code"], q)
	}
	code, _, body := get(t, srv, "k", "/api/v1/employees?page[after]=bogus")
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Equal(t, "BadPage", body["error"].(map[string]any)["code"])
}

func TestChangedNeedsAValidSince(t *testing.T) {
	srv := bamboohrtest.New(bamboohrtest.Options{APIKey: "k", Employees: 3})
	for _, q := range []string{"", "?since=yesterday"} {
		code, _, _ := get(t, srv, "k", "/api/v1/employees/changed"+q)
		assert.Equal(t, http.StatusBadRequest, code, q)
	}
	srv.Update("101", func(e *bamboohrtest.Employee) { e.FirstName = "New" })
	code, _, body := get(t, srv, "k", "/api/v1/employees/changed?since=2025-06-01T00:00:00Z&type=all")
	require.Equal(t, http.StatusOK, code)
	emps := body["employees"].(map[string]any)
	require.Len(t, emps, 1)
	assert.Equal(t, "Updated", emps["101"].(map[string]any)["action"])
}

func TestGetOneGivesTerminationDate(t *testing.T) {
	srv := bamboohrtest.New(bamboohrtest.Options{APIKey: "k", Employees: 3})
	srv.Terminate("102", "2026-01-15")
	_, _, body := get(t, srv, "k", "/api/v1/employees/102?fields=terminationDate,status")
	assert.Equal(t, "2026-01-15", body["terminationDate"])
	assert.Equal(t, "Inactive", body["status"])
	_, _, body = get(t, srv, "k", "/api/v1/employees/100?fields=terminationDate")
	assert.Equal(t, "0000-00-00", body["terminationDate"])
	code, _, _ := get(t, srv, "k", "/api/v1/employees/999?fields=terminationDate")
	assert.Equal(t, http.StatusNotFound, code)
}

func TestGenerationIsDeterministic(t *testing.T) {
	a := bamboohrtest.New(bamboohrtest.Options{Employees: 30, Seed: 4}).Employees()
	b := bamboohrtest.New(bamboohrtest.Options{Employees: 30, Seed: 4}).Employees()
	assert.Equal(t, a, b)
	assert.Equal(t, bamboohrtest.UnknownStatus, a[29].Status)
}
