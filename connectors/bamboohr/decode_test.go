package bamboohr_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors/bamboohr"
	"github.com/hrsync/hrsync/connectors/bamboohr/bamboohrtest"
	"github.com/hrsync/hrsync/roster"
)

// TestLooselyTypedFieldsAreRead serves numbers where BambooHR documents
// text — an employeeId and reportsToId as numbers, as some accounts' API
// versions send them — and expects them read as written.
func TestLooselyTypedFieldsAreRead(t *testing.T) {
	srv, src := start(t, bamboohrtest.Options{Employees: 4, Seed: 2}, bamboohr.Config{})
	srv.Update("102", func(e *bamboohrtest.Employee) {
		e.Status, e.TerminationDate = "Inactive", "2024-05-31"
		e.Raw = map[string]any{"employeeId": 102, "reportsToId": 100, "preferredName": nil,
			"employmentStatusName": 1, "terminationDate": 20240531}
	})
	got := byID(first(pullAll(t, src)))
	require.Len(t, got, 4)
	rec := got["102"]
	assert.Equal(t, "100", rec.Values["managerId"])
	assert.Equal(t, "1", rec.Values["employmentType"])
	assert.Equal(t, "20240531", rec.Values["exitDate"], "read as written; the date format rules judge it")
	assert.Equal(t, "inactive", rec.Values["status"])
	assert.Empty(t, rec.Unreadable)
}

// TestAFieldThatCannotBeReadIsThatEmployeesProblem serves objects and
// lists where text belongs: the employee is kept with what could be read,
// and what could not is named.
func TestAFieldThatCannotBeReadIsThatEmployeesProblem(t *testing.T) {
	srv, src := start(t, bamboohrtest.Options{Employees: 4, Seed: 2}, bamboohr.Config{})
	srv.Update("101", func(e *bamboohrtest.Employee) {
		e.Status = "Inactive"
		e.Raw = map[string]any{"departmentName": map[string]any{"id": 3, "name": "Sales"},
			"locationName": []any{"Lisbon"}, "terminationDate": map[string]any{"date": "2024-05-31"}}
	})
	recs, _ := pullAll(t, src)
	require.Len(t, recs, 4)
	rec := byID(recs)["101"]
	assert.Equal(t, map[string]string{
		"department": "departmentName holds an object, not text",
		"location":   "locationName holds a list, not text",
		"exitDate":   "terminationDate holds an object, not text",
	}, rec.Unreadable)
	assert.NotEmpty(t, rec.Values["firstName"])

	_, problems := roster.Rules{}.Normalize(rec)
	assert.Len(t, problems, 3, "one problem each")
}

// TestAnItemThatIsNoEmployeeIsARecordWithoutAnID serves a page whose data
// holds something other than employee objects, and a meta of the wrong
// types: the page is read all the same.
func TestAnItemThatIsNoEmployeeIsARecordWithoutAnID(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data": [
			{"employeeId": 7, "firstName": "Ada", "status": "Active", "_restrictedFields": null},
			"8",
			{"employeeId": {"id": 9}, "firstName": "Bo", "status": "Active"},
			{"firstName": "Cy", "status": "Active"}
		], "meta": {"total": "4", "page": {"limit": "50", "nextCursor": null}}}`))
	}))
	t.Cleanup(ts.Close)
	src, err := bamboohr.New(bamboohr.Config{BaseURL: ts.URL, APIKey: "k", PerMinute: -1, HTTPClient: ts.Client()})
	require.NoError(t, err)

	page, err := src.FetchPage(context.Background(), "")
	require.NoError(t, err)
	assert.Equal(t, []roster.Record{
		{ID: "7", Values: map[string]string{"firstName": "Ada", "status": "active"}},
		{Values: map[string]string{}, Unreadable: map[string]string{"": "data[1] is a string, not an employee object"}},
		{Values: map[string]string{}, Unreadable: map[string]string{"": "data[2]: employeeId holds an object, not text"}},
		{Values: map[string]string{"firstName": "Cy", "status": "active"}},
	}, page.Records)
	assert.Empty(t, page.Next)
}
