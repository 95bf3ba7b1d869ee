package merge

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors/merge/mergetest"
	"github.com/hrsync/hrsync/roster"
)

// TestMergesOwnExampleIsRead serves the employee of Merge's published API
// example (Greg Hirsch) the way its examples and real linked accounts send
// it — numbers where strings are documented, null for lists — and expects
// every value read, with nothing failed and nothing retried.
func TestMergesOwnExampleIsRead(t *testing.T) {
	fake, base := serve(t, mergetest.Options{Employees: 3, Seed: 9})
	greg := fake.Employees()[1]
	fake.Update(greg.ID, func(e *mergetest.Employee) {
		e.FirstName, e.LastName, e.PreferredName = "Greg", "Hirsch", "Greg the egg"
		e.WorkEmail, e.PersonalEmail = "greg@merge.dev", "greg@gmail.com"
		e.DateOfBirth, e.HireDate, e.StartDate = "1990-11-10T00:00:00Z", "2020-10-10T00:00:00Z", "2020-10-11T00:00:00Z"
		e.EmploymentStatus, e.TerminationDate = "INACTIVE", "2021-10-12T00:00:00Z"
		e.Raw = map[string]any{
			"mobile_phone_number": 1234567890,
			"employee_number":     2,
			"ssn":                 1234567890,
			"groups":              nil,
			"employments":         nil,
			"custom_fields":       nil,
			"remote_was_deleted":  "false",
			"remote_data":         []any{map[string]any{"path": "/workers", "data": map[string]any{"id": 19202938}}},
		}
	})

	got := byID(t, pull(t, source(t, base, nil).FetchPage))

	assert.Equal(t, map[string]string{
		"employeeNumber": "2", "firstName": "Greg", "lastName": "Hirsch", "preferredName": "Greg the egg",
		"workEmail": "greg@merge.dev", "personalEmail": "greg@gmail.com", "workPhone": "1234567890",
		"dateOfBirth": "1990-11-10T00:00:00Z", "dateOfJoining": "2020-10-11T00:00:00Z",
		"exitDate": "2021-10-12T00:00:00Z", "managerId": greg.Manager, "status": "inactive", "statusRaw": "INACTIVE",
	}, got[greg.ID])
	assert.Len(t, got, 3, "the others are read as ever")
}

// TestAValueThatCannotBeReadIsThatEmployeesProblem serves values no
// reading makes text of: the employee is kept, with what could not be
// read named, and the page goes on.
func TestAValueThatCannotBeReadIsThatEmployeesProblem(t *testing.T) {
	fake, base := serve(t, mergetest.Options{Employees: 4, Seed: 10})
	odd := fake.Employees()[2]
	fake.Update(odd.ID, func(e *mergetest.Employee) {
		e.Raw = map[string]any{
			"first_name":          map[string]any{"given": "Greg"},
			"mobile_phone_number": []any{"+1 555 0100", "+1 555 0101"},
			"manager":             true,
			"employments":         map[string]any{"id": "x"},
			"remote_was_deleted":  "perhaps",
		}
	})
	s := source(t, base, nil)

	recs := pull(t, s.FetchPage)
	require.Len(t, recs, 4)
	var rec roster.Record
	for _, r := range recs {
		if r.ID == odd.ID {
			rec = r
		}
	}
	require.Equal(t, odd.ID, rec.ID)
	assert.Equal(t, map[string]string{
		"firstName":      "first_name holds an object, not text",
		"workPhone":      "mobile_phone_number holds a list, not text",
		"managerId":      "manager holds a boolean, not an employee id",
		"jobTitle":       "employments holds an object, not a list",
		"employmentType": "employments holds an object, not a list",
		"status":         `remote_was_deleted holds "perhaps", not true or false`,
	}, rec.Unreadable)
	assert.Equal(t, odd.LastName, rec.Values["lastName"], "what could be read is kept")

	e, problems := roster.Rules{}.Normalize(rec)
	assert.Equal(t, odd.ID, e.ID)
	require.Len(t, problems, 6)
	assert.Equal(t, roster.Problem{EmployeeID: odd.ID, Field: roster.FieldFirstName, Code: roster.CodeUnreadable,
		Message: "firstName could not be read: first_name holds an object, not text"}, problems[0])
}

// TestAResultThatIsNoEmployeeIsARecordWithoutAnID serves a page whose
// results are not all employee objects: the others are read, and each odd
// one is an unreadable record.
func TestAResultThatIsNoEmployeeIsARecordWithoutAnID(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"next": null, "previous": null, "results": [
			{"id": 42, "first_name": "Ada", "employment_status": "ACTIVE", "employments": null, "groups": null},
			"0958cbc6-6040-430a-848e-aafacbadf4ae",
			null,
			{"id": {"uuid": "x"}, "first_name": "Bo"}
		]}`))
	}))
	t.Cleanup(srv.Close)

	page, err := source(t, srv.URL, nil).FetchPage(context.Background(), "")
	require.NoError(t, err)
	assert.Equal(t, []roster.Record{
		{ID: "42", Values: map[string]string{"firstName": "Ada", "status": "active", "statusRaw": "ACTIVE"}},
		{Values: map[string]string{}, Unreadable: map[string]string{"": "results[1] is a string, not an employee object"}},
		{Values: map[string]string{}, Unreadable: map[string]string{"": "results[2] is null, not an employee object"}},
		{Values: map[string]string{}, Unreadable: map[string]string{"": "results[3]: id holds an object, not text"}},
	}, page.Records)
	assert.Empty(t, page.Next)
}
