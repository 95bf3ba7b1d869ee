package merge

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/merge/mergetest"
	"github.com/hrsync/hrsync/roster"
)

// serve runs a fake Merge for the test's lifetime and returns it with its URL.
func serve(t *testing.T, opts mergetest.Options) (*mergetest.Server, string) {
	t.Helper()
	fake := mergetest.New(opts)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, srv.URL
}

// source returns a Source for the fake at base with its default
// credentials and a limit high enough not to slow tests; edit adjusts the
// Config.
func source(t *testing.T, base string, edit func(*Config)) *Source {
	t.Helper()
	cfg := Config{BaseURL: base, APIKey: mergetest.DefaultAPIKey, AccountToken: mergetest.DefaultAccountToken,
		PerMinute: 600_000, PageSize: 7}
	if edit != nil {
		edit(&cfg)
	}
	s, err := New(cfg)
	require.NoError(t, err)
	return s
}

// pull follows cursors from the first page to the last.
func pull(t *testing.T, fetch func(ctx context.Context, cursor string) (connectors.Page, error)) []roster.Record {
	t.Helper()
	var out []roster.Record
	cursor := ""
	for range 1000 {
		page, err := fetch(context.Background(), cursor)
		require.NoError(t, err)
		out = append(out, page.Records...)
		if page.Next == "" {
			return out
		}
		cursor = page.Next
	}
	t.Fatal("paging did not end")
	return nil
}

// byID indexes records by id, failing on duplicates.
func byID(t *testing.T, recs []roster.Record) map[string]map[string]string {
	t.Helper()
	out := make(map[string]map[string]string, len(recs))
	for _, r := range recs {
		require.NotContains(t, out, r.ID, "duplicate record")
		out[r.ID] = r.Values
	}
	return out
}

// find returns the fake's first employee matching ok.
func find(t *testing.T, fake *mergetest.Server, ok func(mergetest.Employee) bool) mergetest.Employee {
	t.Helper()
	for _, e := range fake.Employees() {
		if ok(e) {
			return e
		}
	}
	t.Fatal("no such employee in the fake")
	return mergetest.Employee{}
}

// expected is the spec of the mapping, written independently of recordOf:
// what a fake employee (whose employments all took effect) must become.
func expected(e mergetest.Employee) map[string]string {
	v := map[string]string{
		"employeeNumber": e.EmployeeNumber, "firstName": e.FirstName, "lastName": e.LastName,
		"preferredName": e.PreferredName, "workEmail": e.WorkEmail, "personalEmail": e.PersonalEmail,
		"workPhone": e.MobilePhoneNumber, "dateOfBirth": e.DateOfBirth, "dateOfJoining": e.StartDate,
		"exitDate": e.TerminationDate, "managerId": e.Manager,
	}
	if e.StartDate == "" {
		v["dateOfJoining"] = e.HireDate
	}
	var cur mergetest.Employment
	for _, j := range e.Employments {
		if j.EffectiveDate > cur.EffectiveDate {
			cur = j
		}
	}
	v["jobTitle"], v["employmentType"] = cur.JobTitle, cur.EmploymentType
	switch {
	case e.RemoteWasDeleted:
		v["status"] = "inactive"
	case e.EmploymentStatus == "ACTIVE" || e.EmploymentStatus == "PENDING":
		v["status"], v["statusRaw"] = "active", e.EmploymentStatus
	case e.EmploymentStatus == "INACTIVE":
		v["status"], v["statusRaw"] = "inactive", e.EmploymentStatus
	default:
		v["statusRaw"] = e.EmploymentStatus
	}
	for k, s := range v {
		if strings.TrimSpace(s) == "" {
			delete(v, k)
		}
	}
	return v
}

// since is a moment strictly before anything the test changes next.
func since(t *testing.T) time.Time {
	t.Helper()
	at := time.Now()
	time.Sleep(5 * time.Millisecond)
	return at
}
