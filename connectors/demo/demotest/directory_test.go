package demotest

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hrsync/hrsync/roster"
	"github.com/stretchr/testify/require"
)

// newDirectory starts a directory on a real server.
func newDirectory(t *testing.T, opts DirectoryOptions) (*Directory, string) {
	t.Helper()
	d, err := NewDirectory(opts)
	require.NoError(t, err)
	return d, serve(t, d)
}

// createUser posts a user and returns the stored one.
func createUser(t *testing.T, url string, body any) roster.User {
	t.Helper()
	r := call(t, "POST", url+"/api/users", "", body)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	var u roster.User
	r.decode(t, &u)
	return u
}

func TestDirectoryCreateAndGet(t *testing.T) {
	d, url := newDirectory(t, DirectoryOptions{})
	u := createUser(t, url, map[string]any{"active": true, "employee": map[string]any{
		"id": "E0001", "firstName": "Ada", "lastName": "Lovelace", "workEmail": "Ada@Demo.example", "dateOfJoining": "2020-02-03",
	}})
	require.Equal(t, "u-000001", u.TargetID)
	require.True(t, u.Active)
	require.Equal(t, "E0001", u.Employee.ID)
	require.Equal(t, "2020-02-03", u.Employee.DateOfJoining.String())

	var got roster.User
	r := call(t, "GET", url+"/api/users/u-000001", "", nil)
	require.Equal(t, http.StatusOK, r.status)
	r.decode(t, &got)
	require.Equal(t, u, got)
	stored, ok := d.UserByExternalID("E0001")
	require.True(t, ok)
	require.Equal(t, u, stored)
	require.Equal(t, http.StatusNotFound, call(t, "GET", url+"/api/users/u-999999", "", nil).status)

	second := createUser(t, url, map[string]any{"employee": map[string]any{"firstName": "Hand", "workEmail": "hand@demo.example"}})
	require.Equal(t, "u-000002", second.TargetID)
	require.True(t, second.Active, "active defaults to true")
	require.Empty(t, second.Employee.ID, "users made by hand are unlinked")

	for field, body := range map[string]any{
		"workEmail":          map[string]any{"employee": map[string]any{"firstName": "X"}},
		"employee.birthday":  map[string]any{"employee": map[string]any{"workEmail": "x@demo.example", "birthday": "x"}},
		"active":             map[string]any{"active": "yes", "employee": map[string]any{"workEmail": "x@demo.example"}},
		"targetId":           map[string]any{"targetId": "u-7", "employee": map[string]any{"workEmail": "x@demo.example"}},
		"employee.exitDate":  map[string]any{"employee": map[string]any{"workEmail": "x@demo.example", "exitDate": "2020-02-30"}},
		"employee.id":        map[string]any{"employee": map[string]any{"workEmail": "x@demo.example", "id": "a/b"}},
		"employee: must be ": map[string]any{"employee": []string{}},
	} {
		r := call(t, "POST", url+"/api/users", "", body)
		require.Equal(t, http.StatusBadRequest, r.status, field)
		require.Contains(t, r.errMsg(t), field)
	}
}

func TestDirectoryUniqueness(t *testing.T) {
	_, url := newDirectory(t, DirectoryOptions{})
	first := createUser(t, url, map[string]any{"employee": map[string]any{"id": "E0001", "workEmail": "ada@demo.example"}})
	other := createUser(t, url, map[string]any{"employee": map[string]any{"id": "E0002", "workEmail": "bo@demo.example"}})

	r := call(t, "POST", url+"/api/users", "", map[string]any{"employee": map[string]any{"id": "E0003", "workEmail": " ADA@demo.EXAMPLE"}})
	require.Equal(t, http.StatusConflict, r.status)
	msg := r.errMsg(t)
	require.Contains(t, msg, first.TargetID)
	require.NotContains(t, strings.ToLower(msg), "ada@")

	r = call(t, "POST", url+"/api/users", "", map[string]any{"employee": map[string]any{"id": "E0001", "workEmail": "cy@demo.example"}})
	require.Equal(t, http.StatusConflict, r.status)
	require.Contains(t, r.errMsg(t), "E0001")

	r = call(t, "PATCH", url+"/api/users/"+other.TargetID, "", map[string]any{
		"employee": map[string]any{"workEmail": "Ada@demo.example"}, "fields": []string{"workEmail"}})
	require.Equal(t, http.StatusConflict, r.status)
	r = call(t, "PATCH", url+"/api/users/"+other.TargetID, "", map[string]any{"employee": map[string]any{"id": "E0001"}})
	require.Equal(t, http.StatusConflict, r.status)
	r = call(t, "PATCH", url+"/api/users/"+first.TargetID, "", map[string]any{
		"employee": map[string]any{"id": "E0001", "workEmail": "ADA@demo.example"}, "fields": []string{"workEmail"}})
	require.Equal(t, http.StatusOK, r.status, "a user may keep its own email in another case")
}

func TestDirectoryPatchSetsOnlyListedFields(t *testing.T) {
	d, url := newDirectory(t, DirectoryOptions{})
	u := createUser(t, url, map[string]any{"employee": map[string]any{
		"firstName": "Ada", "lastName": "Byron", "workEmail": "ada@demo.example", "department": "Maths",
		"jobTitle": "Analyst", "custom": map[string]string{"costCenter": "CC-1", "tShirtSize": "S"},
	}})
	r := call(t, "PATCH", url+"/api/users/"+u.TargetID, "", map[string]any{
		"employee": map[string]any{
			"id": "E0042", "firstName": "Augusta", "lastName": "Lovelace", "department": "Engineering",
			"jobTitle": "Engineer", "custom": map[string]string{"costCenter": "CC-9", "tShirtSize": "XL"},
		},
		"fields": []string{"firstName", "department", "custom.costCenter"},
	})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	got, ok := d.Get(u.TargetID)
	require.True(t, ok)
	want := u
	want.Employee.ID = "E0042"
	want.Employee.FirstName, want.Employee.Department = "Augusta", "Engineering"
	want.Employee.Custom = map[string]string{"costCenter": "CC-9", "tShirtSize": "S"}
	require.Equal(t, want, got)

	r = call(t, "PATCH", url+"/api/users/"+u.TargetID, "", map[string]any{
		"employee": map[string]any{"dateOfBirth": "1815-12-10"}, "fields": []string{"dateOfBirth", "custom.tShirtSize", "jobTitle"},
	})
	require.Equal(t, http.StatusOK, r.status)
	got, _ = d.Get(u.TargetID)
	require.Equal(t, "1815-12-10", got.Employee.DateOfBirth.String())
	require.Equal(t, map[string]string{"costCenter": "CC-9"}, got.Employee.Custom, "a listed custom field absent from employee is removed")
	require.Empty(t, got.Employee.JobTitle)
	require.Equal(t, "E0042", got.Employee.ID, "no employee.id leaves the link alone")

	for _, fields := range [][]string{{"shoeSize"}, {"custom."}} {
		r = call(t, "PATCH", url+"/api/users/"+u.TargetID, "", map[string]any{"employee": map[string]any{}, "fields": fields})
		require.Equal(t, http.StatusBadRequest, r.status)
		require.Contains(t, r.errMsg(t), "fields")
	}
	r = call(t, "PATCH", url+"/api/users/"+u.TargetID, "", map[string]any{"employee": map[string]any{}, "fields": []string{"workEmail"}})
	require.Equal(t, http.StatusBadRequest, r.status, "the userName cannot be emptied")
	require.Equal(t, http.StatusNotFound, call(t, "PATCH", url+"/api/users/u-404", "", `{"fields":[]}`).status)
}

func TestDirectorySetActive(t *testing.T) {
	d, url := newDirectory(t, DirectoryOptions{})
	u := createUser(t, url, map[string]any{"employee": map[string]any{"id": "E0001", "workEmail": "a@demo.example"}})
	r := call(t, "PUT", url+"/api/users/"+u.TargetID+"/active", "", `{"active":false}`)
	require.Equal(t, http.StatusOK, r.status)
	got, _ := d.Get(u.TargetID)
	require.False(t, got.Active)
	require.Equal(t, u.Employee, got.Employee)

	for _, body := range []string{`{}`, `{"active":null}`, `{"active":"no"}`, ``} {
		r = call(t, "PUT", url+"/api/users/"+u.TargetID+"/active", "", body)
		require.Equal(t, http.StatusBadRequest, r.status, body)
	}
	require.Equal(t, http.StatusNotFound, call(t, "PUT", url+"/api/users/u-404/active", "", `{"active":true}`).status)
}

func TestDirectoryListing(t *testing.T) {
	d, url := newDirectory(t, DirectoryOptions{PageSize: 4})
	for i := range 23 {
		_, err := d.Add(roster.User{Active: i%3 != 0, Employee: roster.Employee{
			ID: fmt.Sprintf("E%04d", i+1), WorkEmail: fmt.Sprintf("p%d@demo.example", i)}})
		require.NoError(t, err)
	}
	want := d.Users()
	require.Len(t, want, 23)
	for _, limit := range []string{"", "1", "5", "23", "100"} {
		var got []roster.User
		cursor := ""
		for {
			r := call(t, "GET", url+"/api/users?limit="+limit+"&cursor="+cursor, "", nil)
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			var page userPage
			r.decode(t, &page)
			if limit == "" {
				require.LessOrEqual(t, len(page.Users), 4)
			}
			got = append(got, page.Users...)
			if page.Next == "" {
				break
			}
			cursor = page.Next
		}
		require.Equal(t, want, got, "limit %q", limit)
	}
	require.Equal(t, http.StatusBadRequest, call(t, "GET", url+"/api/users?cursor=zzz", "", nil).status)

	var page userPage
	call(t, "GET", url+"/api/users?externalId=E0007", "", nil).decode(t, &page)
	require.Len(t, page.Users, 1)
	require.Equal(t, "E0007", page.Users[0].Employee.ID)
	require.Empty(t, page.Next)
	r := call(t, "GET", url+"/api/users?externalId=E9999", "", nil)
	require.JSONEq(t, `{"users":[],"next":""}`, string(r.body))
}

func TestDirectoryTokenAndFailNext(t *testing.T) {
	d, url := newDirectory(t, DirectoryOptions{Token: "tok"})
	r := call(t, "GET", url+"/api/users", "", nil)
	require.Equal(t, http.StatusUnauthorized, r.status)
	r.errMsg(t)
	require.Equal(t, http.StatusOK, call(t, "GET", url+"/api/users", "tok", nil).status)

	d.FailNext(1, http.StatusTooManyRequests)
	r = call(t, "GET", url+"/api/users", "tok", nil)
	require.Equal(t, http.StatusTooManyRequests, r.status)
	require.Equal(t, "1", r.header.Get("Retry-After"))
	require.Equal(t, http.StatusOK, call(t, "GET", url+"/api/users", "tok", nil).status)
}

func TestDirectoryStatePersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "directory.json")
	d, err := NewDirectory(DirectoryOptions{StatePath: path})
	require.NoError(t, err)
	require.FileExists(t, path)
	a, err := d.Add(roster.User{Active: true, Employee: roster.Employee{ID: "E0001", WorkEmail: "a@demo.example",
		Custom: map[string]string{"costCenter": "CC-1"}}})
	require.NoError(t, err)
	_, err = d.Add(roster.User{Employee: roster.Employee{WorkEmail: "b@demo.example"}})
	require.NoError(t, err)

	again, err := NewDirectory(DirectoryOptions{StatePath: path})
	require.NoError(t, err)
	require.Equal(t, d.Users(), again.Users())
	got, ok := again.UserByExternalID("E0001")
	require.True(t, ok)
	require.Equal(t, a, got)
	c, err := again.Add(roster.User{Employee: roster.Employee{WorkEmail: "c@demo.example"}})
	require.NoError(t, err)
	require.Equal(t, "u-000003", c.TargetID, "ids keep counting after a reload")
	_, err = again.Add(roster.User{Employee: roster.Employee{WorkEmail: "A@demo.example"}})
	require.Error(t, err, "uniqueness survives a reload")

	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	require.Len(t, entries, 1)
}

func TestDirectoryPage(t *testing.T) {
	d, url := newDirectory(t, DirectoryOptions{})
	_, err := d.Add(roster.User{Active: true, Employee: roster.Employee{ID: "E0001", FirstName: "Grace", LastName: "Hopper",
		WorkEmail: "grace@demo.example", Department: "Navy"}})
	require.NoError(t, err)
	_, err = d.Add(roster.User{Active: false, Employee: roster.Employee{ID: "E0002", FirstName: "<b>Bold</b>",
		WorkEmail: "bold@demo.example", ManagerID: "E0001"}})
	require.NoError(t, err)

	r := call(t, "GET", url+"/", "", nil)
	require.Equal(t, http.StatusOK, r.status)
	page := string(r.body)
	require.Contains(t, page, "1 active, 1 inactive")
	require.Contains(t, page, "Grace Hopper (E0001)", "managers are shown by name")
	require.Contains(t, page, "&lt;b&gt;Bold&lt;/b&gt;")
	require.Less(t, strings.Index(page, "bold@demo.example"), strings.Index(page, "grace@demo.example"),
		"the most recent change comes first")
	require.Equal(t, http.StatusMethodNotAllowed, call(t, "POST", url+"/", "", nil).status)
}
