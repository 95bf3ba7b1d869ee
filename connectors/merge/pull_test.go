package merge

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors/merge/mergetest"
	"github.com/hrsync/hrsync/roster"
)

func TestFullPullEqualsTheFakesEmployeesMapped(t *testing.T) {
	fake, base := serve(t, mergetest.Options{Employees: 23, Seed: 1})
	s := source(t, base, nil) // 7 per page: 4 pages

	got := byID(t, pull(t, s.FetchPage))

	want := map[string]map[string]string{}
	for _, e := range fake.Employees() {
		want[e.ID] = expected(e)
	}
	assert.Equal(t, want, got)
	assert.Equal(t, 4, fake.Requests())
}

func TestRecordsCarryOnlyDeclaredFields(t *testing.T) {
	_, base := serve(t, mergetest.Options{Employees: 30, Seed: 2})
	fields := Fields()
	for _, f := range []roster.Field{roster.FieldDepartment, roster.FieldLocation} {
		assert.NotContains(t, fields, f, "not supplied by Merge")
	}
	for _, r := range pull(t, source(t, base, nil).FetchPage) {
		for k := range r.Values {
			if k != roster.ValueStatusRaw {
				assert.Contains(t, fields, roster.Field(k))
			}
		}
	}
}

func TestIncrementalPullReturnsExactlyTheChanged(t *testing.T) {
	fake, base := serve(t, mergetest.Options{Employees: 40, Seed: 3})
	s := source(t, base, nil)
	es := fake.Employees()
	from := since(t)
	fake.Update(es[4].ID, func(e *mergetest.Employee) { e.LastName = "Renamed" })
	fake.Update(es[31].ID, func(e *mergetest.Employee) { e.WorkEmail = "moved@example.com" })

	got := byID(t, pull(t, func(ctx contextT, c string) (pageT, error) { return s.FetchChangedPage(ctx, from, c) }))

	require.Len(t, got, 2)
	assert.Equal(t, "Renamed", got[es[4].ID]["lastName"])
	assert.Equal(t, "moved@example.com", got[es[31].ID]["workEmail"])

	later := byID(t, pull(t, func(ctx contextT, c string) (pageT, error) {
		return s.FetchChangedPage(ctx, time.Now().Add(time.Second), c)
	}))
	assert.Empty(t, later)
	everyone := pull(t, func(ctx contextT, c string) (pageT, error) { return s.FetchChangedPage(ctx, time.Time{}, c) })
	assert.Len(t, everyone, 40)
}

func TestLeaversAreInactiveWithExitDate(t *testing.T) {
	fake, base := serve(t, mergetest.Options{Employees: 24, Seed: 4})
	s := source(t, base, nil)
	leaver := find(t, fake, func(e mergetest.Employee) bool { return e.EmploymentStatus == "INACTIVE" })
	stayer := find(t, fake, func(e mergetest.Employee) bool { return e.EmploymentStatus == "ACTIVE" })
	deleted := find(t, fake, func(e mergetest.Employee) bool {
		return e.EmploymentStatus == "ACTIVE" && e.ID != stayer.ID
	})
	from := since(t)
	fake.Update(stayer.ID, func(e *mergetest.Employee) {
		e.EmploymentStatus, e.TerminationDate = "INACTIVE", "2026-02-27T00:00:00Z"
	})
	fake.Update(deleted.ID, func(e *mergetest.Employee) { e.RemoteWasDeleted = true })

	all := byID(t, pull(t, s.FetchPage))
	assert.Equal(t, "inactive", all[leaver.ID]["status"])
	assert.Equal(t, leaver.TerminationDate, all[leaver.ID]["exitDate"])
	assert.NotEmpty(t, leaver.TerminationDate)

	changed := byID(t, pull(t, func(ctx contextT, c string) (pageT, error) { return s.FetchChangedPage(ctx, from, c) }))
	require.Len(t, changed, 2)
	assert.Equal(t, "inactive", changed[stayer.ID]["status"])
	assert.Equal(t, "2026-02-27T00:00:00Z", changed[stayer.ID]["exitDate"])
	assert.Equal(t, "inactive", changed[deleted.ID]["status"], "deleted in the HRIS")
	d, err := roster.DateFormat{}.Parse(changed[stayer.ID]["exitDate"])
	require.NoError(t, err)
	assert.Equal(t, "2026-02-27", d.String())
}

func TestManagersWithAndWithoutExpand(t *testing.T) {
	fake, base := serve(t, mergetest.Options{Employees: 15, Seed: 5})
	plain := source(t, base, nil)
	expanded := source(t, base, nil)
	expanded.expand = "employments,manager"

	a, b := byID(t, pull(t, plain.FetchPage)), byID(t, pull(t, expanded.FetchPage))
	managed := 0
	for _, e := range fake.Employees() {
		assert.Equal(t, e.Manager, a[e.ID]["managerId"], "without expand")
		assert.Equal(t, e.Manager, b[e.ID]["managerId"], "with expand=manager")
		if e.Manager != "" {
			managed++
			assert.Contains(t, a, e.Manager, "a manager is an employee, by Merge id")
		}
	}
	assert.Equal(t, 14, managed)
	assert.Equal(t, a, b)
}

func TestUnknownStatusIsLeftToTheStatusMap(t *testing.T) {
	fake, base := serve(t, mergetest.Options{Employees: 10, Seed: 6})
	leave := find(t, fake, func(e mergetest.Employee) bool { return e.EmploymentStatus == "On Leave" })
	pending := find(t, fake, func(e mergetest.Employee) bool { return e.EmploymentStatus == "PENDING" })
	none := find(t, fake, func(e mergetest.Employee) bool { return e.EmploymentStatus == "ACTIVE" })
	fake.Update(none.ID, func(e *mergetest.Employee) { e.EmploymentStatus = "" })

	got := byID(t, pull(t, source(t, base, nil).FetchPage))
	assert.NotContains(t, got[leave.ID], "status")
	assert.Equal(t, "On Leave", got[leave.ID][roster.ValueStatusRaw])
	assert.Equal(t, "active", got[pending.ID]["status"], "not started yet; start-date rules decide")
	assert.Equal(t, "PENDING", got[pending.ID][roster.ValueStatusRaw], "so a status map may say otherwise")
	assert.NotContains(t, got[none.ID], "status")
	assert.NotContains(t, got[none.ID], roster.ValueStatusRaw)

	// The source's statusMap is the rules' to apply, to Merge's words too.
	rules := roster.Rules{StatusMap: map[string]roster.Status{"ON LEAVE": roster.StatusActive, "pending": roster.StatusInactive}}
	for id, want := range map[string]roster.Status{leave.ID: roster.StatusActive, pending.ID: roster.StatusInactive} {
		e, problems := rules.Normalize(roster.Record{ID: id, Values: got[id]})
		assert.Empty(t, problems)
		assert.Equal(t, want, e.Status, id)
	}
	_, problems := roster.Rules{}.Normalize(roster.Record{ID: leave.ID, Values: got[leave.ID]})
	assert.Equal(t, []roster.Problem{{EmployeeID: leave.ID, Field: roster.FieldStatus, Code: roster.CodeInvalidStatus,
		Message: `status "On Leave" is not active or inactive, nor in the source's statusMap`}}, problems,
		"without a map, one problem naming the word")
}

func TestCurrentEmploymentIgnoresFutureAndDeleted(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	raws := []string{
		`{"job_title":"Old","employment_type":"PART_TIME","effective_date":"2020-01-01T00:00:00Z"}`,
		`{"job_title":"Now","employment_type":"FULL_TIME","effective_date":"2024-01-01T00:00:00Z"}`,
		`{"job_title":"Gone","effective_date":"2025-01-01T00:00:00Z","remote_was_deleted":true}`,
		`{"job_title":"Next","effective_date":"2027-01-01T00:00:00Z"}`,
		`"9b0c1c1e-0000-4000-8000-000000000000"`,
	}
	list := func(items []string) json.RawMessage { return json.RawMessage("[" + strings.Join(items, ",") + "]") }
	job, bad := currentEmployment(list(raws), now)
	require.Empty(t, bad)
	assert.Equal(t, "Now", job.JobTitle.s)
	assert.Equal(t, "FULL_TIME", job.EmploymentType.s)

	job, _ = currentEmployment(list(raws[3:]), now)
	assert.Equal(t, "Next", job.JobTitle.s, "only a future job: it is the one")
	job, _ = currentEmployment(list(raws[4:]), now)
	assert.Equal(t, employment{}, job, "ids alone give no job")
	job, bad = currentEmployment(json.RawMessage("null"), now)
	assert.Equal(t, employment{}, job, "null is no employments")
	assert.Empty(t, bad)
	_, bad = currentEmployment(json.RawMessage(`{"id":"x"}`), now)
	assert.Equal(t, "holds an object, not a list", bad)
}
