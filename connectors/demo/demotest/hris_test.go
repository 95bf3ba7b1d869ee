package demotest

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hrsync/hrsync/roster"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newHRIS starts an HRIS on a real server.
func newHRIS(t *testing.T, opts HRISOptions) (*HRIS, string) {
	t.Helper()
	h, err := NewHRIS(opts)
	require.NoError(t, err)
	return h, serve(t, h)
}

func TestHRISDefaults(t *testing.T) {
	h, url := newHRIS(t, HRISOptions{})
	require.Len(t, h.Employees(), 200)
	var page typedPage
	call(t, "GET", url+"/api/employees", "", nil).decode(t, &page)
	require.Len(t, page.Employees, 50)
	require.NotEmpty(t, page.Next)

	empty, err := NewHRIS(HRISOptions{Employees: -1})
	require.NoError(t, err)
	require.Empty(t, empty.Employees())
}

func TestHRISPagingWalksEveryoneOnce(t *testing.T) {
	h, url := newHRIS(t, HRISOptions{Employees: 137, Seed: 5})
	require.NoError(t, h.Terminate("E0003", roster.Date{Year: 2024, Month: 5, Day: 1}))
	want := h.Employees()
	for _, limit := range []int{1, 7, 50, 136, 137, 138, 500, 5000} {
		var got []roster.Employee
		cursor := ""
		for pages := 0; ; pages++ {
			require.Less(t, pages, 200, "paging must end")
			r := call(t, "GET", fmt.Sprintf("%s/api/employees?limit=%d&cursor=%s", url, limit, cursor), "", nil)
			require.Equal(t, http.StatusOK, r.status)
			var page typedPage
			r.decode(t, &page)
			require.LessOrEqual(t, len(page.Employees), min(limit, maxLimit))
			got = append(got, page.Employees...)
			if page.Next == "" {
				break
			}
			cursor = page.Next
		}
		require.Equal(t, want, got, "limit %d", limit)
	}
}

func TestHRISRefusesBadPagingParameters(t *testing.T) {
	_, url := newHRIS(t, HRISOptions{Employees: 5})
	for _, q := range []string{
		"cursor=%21%21%21",
		"cursor=" + base64.RawURLEncoding.EncodeToString([]byte("E0001")),
		"limit=0",
		"limit=ten",
	} {
		r := call(t, "GET", url+"/api/employees?"+q, "", nil)
		require.Equal(t, http.StatusBadRequest, r.status, q)
		require.Equal(t, "application/json", r.header.Get("Content-Type"))
		r.errMsg(t)
	}
}

func TestHRISGetOne(t *testing.T) {
	h, url := newHRIS(t, HRISOptions{Employees: 5})
	var e roster.Employee
	r := call(t, "GET", url+"/api/employees/E0002", "", nil)
	require.Equal(t, http.StatusOK, r.status)
	r.decode(t, &e)
	want, ok := h.Get("E0002")
	require.True(t, ok)
	require.Equal(t, want, e)

	r = call(t, "GET", url+"/api/employees/E9999", "", nil)
	require.Equal(t, http.StatusNotFound, r.status)
	require.Contains(t, r.errMsg(t), "E9999")

	r = call(t, "PUT", url+"/api/employees/E0002", "", nil)
	require.Equal(t, http.StatusMethodNotAllowed, r.status)
	r.errMsg(t)
	require.Equal(t, http.StatusNotFound, call(t, "GET", url+"/api/nothing", "", nil).status)
}

func TestHRISCreate(t *testing.T) {
	h, url := newHRIS(t, HRISOptions{Employees: 10})
	r := call(t, "POST", url+"/api/employees", "", map[string]any{
		"firstName": "Ada", "lastName": "Lovelace", "workEmail": "ada@demo.example",
		"dateOfJoining": "2026-01-05", "managerId": "E0001", "custom": map[string]string{"tShirtSize": "M"},
	})
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	var e roster.Employee
	r.decode(t, &e)
	require.Equal(t, "E0011", e.ID)
	require.Equal(t, roster.StatusActive, e.Status)
	require.Equal(t, roster.Date{Year: 2026, Month: time.January, Day: 5}, e.DateOfJoining)
	stored, ok := h.Get("E0011")
	require.True(t, ok)
	require.Equal(t, e, stored)

	r = call(t, "POST", url+"/api/employees", "", map[string]any{"id": "X-1", "firstName": "Bo", "workEmail": "bo@demo.example"})
	require.Equal(t, http.StatusCreated, r.status)
	r = call(t, "POST", url+"/api/employees", "", map[string]any{"id": "X-1", "firstName": "Bo", "workEmail": "bo@demo.example"})
	require.Equal(t, http.StatusConflict, r.status)
	require.Contains(t, r.errMsg(t), "X-1")

	for field, body := range map[string]any{
		"firstName":   map[string]any{"workEmail": "x@demo.example"},
		"workEmail":   map[string]any{"firstName": "X"},
		"dateOfBirth": map[string]any{"firstName": "X", "workEmail": "x@demo.example", "dateOfBirth": "31/12/1990"},
		"managerId":   map[string]any{"firstName": "X", "workEmail": "x@demo.example", "managerId": "E4040"},
		"status":      map[string]any{"firstName": "X", "workEmail": "x@demo.example", "status": "on-leave"},
		"shoeSize":    map[string]any{"firstName": "X", "workEmail": "x@demo.example", "shoeSize": "42"},
		"lastName":    map[string]any{"firstName": "X", "workEmail": "x@demo.example", "lastName": 7},
		"body":        "[1,2]",
	} {
		r := call(t, "POST", url+"/api/employees", "", body)
		require.Equal(t, http.StatusBadRequest, r.status, field)
		require.Contains(t, r.errMsg(t), field)
	}
}

func TestHRISPatchMergesOnlyGivenFields(t *testing.T) {
	h, url := newHRIS(t, HRISOptions{Employees: 10, Seed: 1})
	require.NoError(t, h.Update("E0009", func(e *roster.Employee) { e.PreferredName = "Pip" }))
	before, _ := h.Get("E0009")

	r := call(t, "PATCH", url+"/api/employees/E0009", "", `{"jobTitle":"Principal Engineer","preferredName":null,"custom":{"tShirtSize":"XL","pronouns":"they/them"}}`)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	var got roster.Employee
	r.decode(t, &got)

	want := clone(before)
	want.JobTitle, want.PreferredName = "Principal Engineer", ""
	want.Custom["tShirtSize"], want.Custom["pronouns"] = "XL", "they/them"
	require.Equal(t, want, got)
	stored, _ := h.Get("E0009")
	require.Equal(t, want, stored)

	r = call(t, "PATCH", url+"/api/employees/E0009", "", `{"custom":{"pronouns":null}}`)
	require.Equal(t, http.StatusOK, r.status)
	stored, _ = h.Get("E0009")
	require.NotContains(t, stored.Custom, "pronouns")
	require.Equal(t, "CC-"+deptCode(stored.Department), stored.Custom["costCenter"])

	r = call(t, "PATCH", url+"/api/employees/E0009", "", `{"id":"E0010"}`)
	require.Equal(t, http.StatusBadRequest, r.status)
	require.Contains(t, r.errMsg(t), "id")
	r = call(t, "PATCH", url+"/api/employees/E0001", "", `{"managerId":"E0009"}`)
	require.Equal(t, http.StatusBadRequest, r.status, "E0009 reports up to E0001")
	require.Contains(t, r.errMsg(t), "managerId")
	r = call(t, "PATCH", url+"/api/employees/E0404", "", `{"jobTitle":"x"}`)
	require.Equal(t, http.StatusNotFound, r.status)
}

// deptCode is the cost-centre code of a generated department.
func deptCode(name string) string {
	for _, d := range append(departments, executive) {
		if d.name == name {
			return d.code
		}
	}
	return ""
}

func TestHRISTerminate(t *testing.T) {
	h, url := newHRIS(t, HRISOptions{Employees: 10})
	r := call(t, "POST", url+"/api/employees/E0004/terminate", "", `{"exitDate":"2026-03-31"}`)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	e, _ := h.Get("E0004")
	require.Equal(t, roster.StatusInactive, e.Status)
	require.Equal(t, "2026-03-31", e.ExitDate.String())

	r = call(t, "POST", url+"/api/employees/E0005/terminate", "", nil)
	require.Equal(t, http.StatusOK, r.status)
	e, _ = h.Get("E0005")
	require.Equal(t, roster.StatusInactive, e.Status)
	require.Equal(t, roster.DateOf(time.Now()), e.ExitDate)

	var page typedPage
	call(t, "GET", url+"/api/employees", "", nil).decode(t, &page)
	require.Len(t, page.Employees, 10, "terminated people are still listed")

	r = call(t, "POST", url+"/api/employees/E0006/terminate", "", `{"exitDate":"soon"}`)
	require.Equal(t, http.StatusBadRequest, r.status)
	require.Contains(t, r.errMsg(t), "exitDate")
	require.Equal(t, http.StatusNotFound, call(t, "POST", url+"/api/employees/E0404/terminate", "", nil).status)
}

func TestHRISGoMethods(t *testing.T) {
	h, err := NewHRIS(HRISOptions{Employees: 3})
	require.NoError(t, err)
	require.NoError(t, h.Add(roster.Employee{ID: "E0100", FirstName: "Kai", WorkEmail: "kai@demo.example"}))
	require.NoError(t, h.Add(roster.Employee{FirstName: "Lea", WorkEmail: "lea@demo.example"}))
	_, ok := h.Get("E0101")
	require.True(t, ok, "the next id follows the highest")
	require.Error(t, h.Add(roster.Employee{ID: "E0100", FirstName: "Kai", WorkEmail: "kai@demo.example"}))
	require.Error(t, h.Add(roster.Employee{FirstName: "No Email"}))
	require.Error(t, h.Update("E0100", func(e *roster.Employee) { e.ID = "E0200" }))
	require.Error(t, h.Update("E0404", func(*roster.Employee) {}))

	e, _ := h.Get("E0100")
	e.Custom = map[string]string{"k": "v"}
	stored, _ := h.Get("E0100")
	require.Nil(t, stored.Custom, "Get returns a copy")
}

func TestHRISToken(t *testing.T) {
	_, url := newHRIS(t, HRISOptions{Employees: 3, Token: "s3cret"})
	for _, token := range []string{"", "wrong"} {
		r := call(t, "GET", url+"/api/employees", token, nil)
		require.Equal(t, http.StatusUnauthorized, r.status)
		r.errMsg(t)
		require.Equal(t, http.StatusUnauthorized, call(t, "GET", url+"/", token, nil).status)
	}
	require.Equal(t, http.StatusOK, call(t, "GET", url+"/api/employees", "s3cret", nil).status)
}

func TestHRISFailNext(t *testing.T) {
	h, url := newHRIS(t, HRISOptions{Employees: 3})
	h.FailNext(2, http.StatusServiceUnavailable)
	for range 2 {
		r := call(t, "GET", url+"/api/employees", "", nil)
		require.Equal(t, http.StatusServiceUnavailable, r.status)
		require.Equal(t, "1", r.header.Get("Retry-After"))
		r.errMsg(t)
	}
	require.Equal(t, http.StatusOK, call(t, "GET", url+"/api/employees", "", nil).status)

	h.FailNext(1, http.StatusBadGateway)
	r := call(t, "GET", url+"/api/employees", "", nil)
	require.Equal(t, http.StatusBadGateway, r.status)
	require.Empty(t, r.header.Get("Retry-After"))
}

func TestHRISStatePersists(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state", "hris.json")
	h, err := NewHRIS(HRISOptions{Employees: 20, Seed: 9, StatePath: path})
	require.NoError(t, err)
	require.FileExists(t, path, "the generated roster is saved at once")
	require.NoError(t, h.Update("E0007", func(e *roster.Employee) { e.JobTitle = "Chief of Staff" }))
	require.NoError(t, h.Terminate("E0008", roster.Date{Year: 2026, Month: 2, Day: 1}))
	require.NoError(t, h.Add(roster.Employee{FirstName: "New", WorkEmail: "new@demo.example"}))

	again, err := NewHRIS(HRISOptions{Employees: 5, Seed: 1, StatePath: path})
	require.NoError(t, err)
	require.Equal(t, h.Employees(), again.Employees(), "state wins over generation options")

	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary files are left behind")

	require.NoError(t, os.WriteFile(path, []byte("{not json"), 0o644))
	_, err = NewHRIS(HRISOptions{StatePath: path})
	require.Error(t, err)
}

func TestHRISPageEscapesHTML(t *testing.T) {
	h, url := newHRIS(t, HRISOptions{Employees: 3})
	require.NoError(t, h.Add(roster.Employee{FirstName: "<script>alert(1)</script>", WorkEmail: "x@demo.example", ManagerID: "E0001"}))
	r := call(t, "GET", url+"/", "", nil)
	require.Equal(t, http.StatusOK, r.status)
	page := string(r.body)
	require.Contains(t, page, "&lt;script&gt;alert(1)&lt;/script&gt;")
	require.NotContains(t, page, "<script>")
	require.Contains(t, page, "E0001")
	require.Contains(t, page, "curl -X PATCH")
	require.True(t, strings.HasPrefix(r.header.Get("Content-Type"), "text/html"))
}

func TestHRISConcurrentUse(t *testing.T) {
	h, url := newHRIS(t, HRISOptions{Employees: 50, StatePath: filepath.Join(t.TempDir(), "hris.json")})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			id := fmt.Sprintf("E%04d", i+2)
			assert.NoError(t, h.Update(id, func(e *roster.Employee) { e.JobTitle = "Busy" }))
			assert.NoError(t, h.Add(roster.Employee{ID: fmt.Sprintf("C%d", i), FirstName: "C", WorkEmail: "c@demo.example"}))
			resp, err := http.Get(url + "/api/employees?limit=7")
			if assert.NoError(t, err) {
				assert.Equal(t, http.StatusOK, resp.StatusCode)
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	require.Len(t, h.Employees(), 58)
}

// typedPage is GET /api/employees decoded into employees.
type typedPage struct {
	Employees []roster.Employee `json:"employees"`
	Next      string            `json:"next"`
}

func TestHRISServesRawValues(t *testing.T) {
	dir := t.TempDir()
	opts := HRISOptions{Employees: 3, StatePath: dir + "/hris.json"}
	h, url := newHRIS(t, opts)
	require.NoError(t, h.SetRaw("E0002", "dateOfBirth", "31/02/1990"))
	r := call(t, "PUT", url+"/api/employees/E0003/raw", "", `{"field":"custom.badge","value":"=1+1"}`)
	require.Equal(t, http.StatusOK, r.status)

	var page struct {
		Employees []map[string]any `json:"employees"`
	}
	call(t, "GET", url+"/api/employees", "", nil).decode(t, &page)
	require.Equal(t, "31/02/1990", page.Employees[1]["dateOfBirth"])
	require.Equal(t, "=1+1", page.Employees[2]["custom"].(map[string]any)["badge"])
	e, _ := h.Get("E0002")
	require.NotEqual(t, "31/02/1990", e.DateOfBirth.String(), "the validated value is kept underneath")

	// Overrides survive a restart and can be removed.
	again, err := NewHRIS(opts)
	require.NoError(t, err)
	served, err := again.served(again.mustGet("E0002"))
	require.NoError(t, err)
	require.Equal(t, "31/02/1990", served["dateOfBirth"])
	require.NoError(t, again.SetRaw("E0002", "dateOfBirth", ""))
	served, err = again.served(again.mustGet("E0002"))
	require.NoError(t, err)
	require.Equal(t, e.DateOfBirth.String(), served["dateOfBirth"])

	require.Error(t, h.SetRaw("E9999", "workEmail", "x"))
	require.Error(t, h.SetRaw("E0001", "id", "x"))
}

func TestHRISRemove(t *testing.T) {
	h, url := newHRIS(t, HRISOptions{Employees: 3})
	require.NoError(t, h.Remove("E0003"))
	r := call(t, "DELETE", url+"/api/employees/E0002", "", nil)
	require.Equal(t, http.StatusNoContent, r.status)
	require.Len(t, h.Employees(), 1)
	require.Equal(t, http.StatusNotFound, call(t, "DELETE", url+"/api/employees/E0002", "", nil).status)
}
