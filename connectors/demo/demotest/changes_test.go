package demotest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/hrsync/hrsync/roster"
	"github.com/stretchr/testify/require"
)

// instant is a time after every modification made before the call and at
// or before every one made after it, even on a clock coarser than Go's.
func instant() time.Time {
	time.Sleep(time.Millisecond)
	return time.Now().UTC()
}

// since is the query that lists the employees modified at or after t.
func since(t time.Time) string {
	return "modified_after=" + url.QueryEscape(t.Format(time.RFC3339Nano))
}

// servedPage is GET /api/employees with each employee as sent.
type servedPage struct {
	Employees []map[string]any `json:"employees"`
	Next      string           `json:"next"`
}

// listIDs walks every page of GET /api/employees?query&limit=limit and
// returns the ids listed, in order, and how many pages it took.
func listIDs(t *testing.T, base, query string, limit int) ([]string, int) {
	t.Helper()
	var ids []string
	cursor := ""
	for pages := 1; ; pages++ {
		require.Less(t, pages, 500, "paging must end")
		r := call(t, "GET", fmt.Sprintf("%s/api/employees?%s&limit=%d&cursor=%s", base, query, limit, cursor), "", nil)
		require.Equal(t, http.StatusOK, r.status, string(r.body))
		var page servedPage
		r.decode(t, &page)
		require.LessOrEqual(t, len(page.Employees), limit)
		for _, e := range page.Employees {
			ids = append(ids, e["id"].(string))
		}
		if page.Next == "" {
			return ids, pages
		}
		require.NotEmpty(t, page.Employees, "a page that names a next one has employees")
		cursor = page.Next
	}
}

func TestHRISListsOnlyTheEmployeesModifiedAfter(t *testing.T) {
	h, base := newHRIS(t, HRISOptions{Employees: 30, Seed: 2})
	mark := instant()

	// Every way the HRIS changes someone: in Go and over the API.
	require.NoError(t, h.Update("E0003", func(e *roster.Employee) { e.JobTitle = "Staff Engineer" }))
	require.NoError(t, h.Terminate("E0005", roster.Date{Year: 2026, Month: 4, Day: 30}))
	require.NoError(t, h.Add(roster.Employee{FirstName: "Ada", WorkEmail: "ada@demo.example"})) // E0031
	require.NoError(t, h.SetRaw("E0011", "dateOfBirth", "31/02/1990"))
	require.Equal(t, http.StatusOK, call(t, "PATCH", base+"/api/employees/E0007", "", `{"department":"Legal"}`).status)
	require.Equal(t, http.StatusOK, call(t, "POST", base+"/api/employees/E0009/terminate", "", nil).status)
	require.Equal(t, http.StatusCreated, call(t, "POST", base+"/api/employees", "",
		`{"firstName":"Bo","workEmail":"bo@demo.example"}`).status) // E0032
	require.Equal(t, http.StatusOK, call(t, "PUT", base+"/api/employees/E0013/raw", "", `{"field":"custom.badge","value":"7"}`).status)
	require.NoError(t, h.Remove("E0015"))

	ids, _ := listIDs(t, base, since(mark), 50)
	require.Equal(t, []string{"E0003", "E0005", "E0007", "E0009", "E0011", "E0013", "E0015", "E0031", "E0032"}, ids,
		"the changed, terminated, removed and added, in id order; not the untouched")

	all, _ := listIDs(t, base, since(mark.Add(-time.Hour)), 50)
	require.Len(t, all, 32, "everyone was modified within the hour, the removed included")
	full, _ := listIDs(t, base, "", 50)
	require.Len(t, full, 31, "a full listing no longer shows the removed")
	none, pages := listIDs(t, base, since(instant()), 50)
	require.Empty(t, none)
	require.Equal(t, 1, pages)
}

// TestHRISListsARemovedEmployeeAsATombstone: among the changes, an employee
// removed is their last record, inactive and marked deleted.
func TestHRISListsARemovedEmployeeAsATombstone(t *testing.T) {
	h, base := newHRIS(t, HRISOptions{Employees: 5, Seed: 4})
	gone, ok := h.Get("E0002")
	require.True(t, ok)
	mark := instant()
	require.NoError(t, h.Remove("E0002"))

	var page servedPage
	call(t, "GET", base+"/api/employees?"+since(mark), "", nil).decode(t, &page)
	require.Len(t, page.Employees, 1)
	tomb := page.Employees[0]
	require.Equal(t, "E0002", tomb["id"])
	require.Equal(t, true, tomb[DeletedKey])
	require.Equal(t, "inactive", tomb["status"])
	require.Equal(t, gone.WorkEmail, tomb["workEmail"], "the last record, not a blank one")
}

func TestHRISModifiedAfterIncludesItsOwnInstant(t *testing.T) {
	h, base := newHRIS(t, HRISOptions{Employees: 5})
	before := instant()
	require.NoError(t, h.Update("E0002", func(e *roster.Employee) { e.Location = "Lisbon" }))

	var page servedPage
	call(t, "GET", base+"/api/employees?"+since(before), "", nil).decode(t, &page)
	require.Len(t, page.Employees, 1)
	at, err := time.Parse(time.RFC3339Nano, page.Employees[0]["modifiedAt"].(string))
	require.NoError(t, err)
	require.False(t, at.Before(before))
	require.Equal(t, time.UTC, at.Location())

	ids, _ := listIDs(t, base, since(at), 10)
	require.Equal(t, []string{"E0002"}, ids, "modified at the very instant asked for")
	ids, _ = listIDs(t, base, since(at.Add(time.Nanosecond)), 10)
	require.Empty(t, ids)

	var one map[string]any
	call(t, "GET", base+"/api/employees/E0002", "", nil).decode(t, &one)
	require.Equal(t, page.Employees[0]["modifiedAt"], one["modifiedAt"], "an employee read alone carries it too")
}

func TestHRISModifiedAfterPagesLikeTheFullListing(t *testing.T) {
	h, base := newHRIS(t, HRISOptions{Employees: 120, Seed: 3, PageSize: 25})
	mark := instant()
	var want []string
	for i, e := range h.Employees() {
		if i%3 == 0 {
			require.NoError(t, h.Update(e.ID, func(e *roster.Employee) { e.JobTitle += " II" }))
			want = append(want, e.ID)
		}
	}
	require.Len(t, want, 40)
	for _, limit := range []int{1, 7, 25, 39, 40, 41, 500} {
		got, pages := listIDs(t, base, since(mark), limit)
		require.Equal(t, want, got, "limit %d", limit)
		require.Equal(t, (40+limit-1)/limit, pages, "limit %d: no empty page at the end", limit)
	}

	// Without a limit the server's page size applies, as to everyone.
	var page servedPage
	call(t, "GET", base+"/api/employees?"+since(mark), "", nil).decode(t, &page)
	require.Len(t, page.Employees, 25)
	require.NotEmpty(t, page.Next)

	// A cursor of either listing resumes after the same id.
	var full servedPage
	call(t, "GET", base+"/api/employees?limit=10", "", nil).decode(t, &full)
	got, _ := listIDs(t, base, since(mark)+"&cursor="+full.Next, 100)
	require.Equal(t, slices.DeleteFunc(slices.Clone(want), func(id string) bool { return id <= "E0010" }), got)
}

func TestHRISRefusesABadModifiedAfter(t *testing.T) {
	h, base := newHRIS(t, HRISOptions{Employees: 5, Token: "t0k"})
	for _, v := range []string{"yesterday", "2026-03-10", "2026-03-10T09:30:00", "2026-03-10 09:30:00Z", "1773135000"} {
		r := call(t, "GET", base+"/api/employees?modified_after="+url.QueryEscape(v), "t0k", nil)
		require.Equal(t, http.StatusBadRequest, r.status, v)
		require.Equal(t, "application/json", r.header.Get("Content-Type"))
		require.Contains(t, r.errMsg(t), "modified_after", v)
	}
	for _, v := range []string{"2026-03-10T09:30:00Z", "2026-03-10T09:30:00.123456789Z", "2026-03-10T10:30:00+01:00"} {
		require.Equal(t, http.StatusOK, call(t, "GET", base+"/api/employees?modified_after="+url.QueryEscape(v), "t0k", nil).status, v)
	}

	// The same token and injected failures as the full listing.
	r := call(t, "GET", base+"/api/employees?"+since(time.Now()), "", nil)
	require.Equal(t, http.StatusUnauthorized, r.status)
	r.errMsg(t)
	h.FailNext(1, http.StatusServiceUnavailable)
	r = call(t, "GET", base+"/api/employees?"+since(time.Now()), "t0k", nil)
	require.Equal(t, http.StatusServiceUnavailable, r.status)
	require.Equal(t, "1", r.header.Get("Retry-After"))
}

func TestHRISStateKeepsModificationTimes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hris.json")
	h, err := NewHRIS(HRISOptions{Employees: 10, StatePath: path})
	require.NoError(t, err)
	mark := instant()
	require.NoError(t, h.Update("E0004", func(e *roster.Employee) { e.JobTitle = "Chief of Staff" }))

	again, base := newHRIS(t, HRISOptions{StatePath: path})
	ids, _ := listIDs(t, base, since(mark), 50)
	require.Equal(t, []string{"E0004"}, ids, "a restart does not make everyone look modified")
	require.Equal(t, h.Employees(), again.Employees())

	// A state file from before modification times were kept: everyone
	// counts as modified when it is loaded.
	var st map[string]json.RawMessage
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &st))
	require.Contains(t, st, "modified")
	delete(st, "modified")
	raw, err = json.Marshal(st)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, raw, 0o644))
	loaded := instant()
	_, base = newHRIS(t, HRISOptions{StatePath: path})
	ids, _ = listIDs(t, base, since(loaded), 50)
	require.Len(t, ids, 10)
}
