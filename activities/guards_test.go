package activities_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/connectors/demo/demotest"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
)

// requireNothingWritten checks that plan planID waits with every write
// pending, that it cannot be committed as applied, and that the directory
// is still before.
func (f *fixture) requireNothingWritten(planID string, before []roster.User) {
	f.t.Helper()
	for _, pc := range f.changes(planID) {
		if pc.Change.Op != roster.OpUnchanged && pc.Change.Op != roster.OpSkip {
			require.Equal(f.t, store.StatusPending, pc.Status, pc.Change.EmployeeID)
		}
	}
	_, err := f.commitErr(planID, activities.OutcomeApplied)
	require.Error(f.t, err, "a plan with pending changes is not committed as applied")
	require.Equal(f.t, before, f.dir.Users(), "planning applies nothing")
}

// A mapping naming a field the HRIS does not have blanks it for everyone:
// the run waits for approval, saying which field and for how many, and
// writes nothing.
func TestMappingThatClearsAFieldForEveryoneIsBlocked(t *testing.T) {
	f := newFixture(t, options{})
	f.sync("sync-1")
	active, _ := f.split()
	require.Len(t, active, 20, "this seed has no leavers")

	f.config.Mapping = []roster.MapRule{{To: roster.FieldDepartment, From: []string{"departmnt"}}}
	before := f.dir.Users()
	f.fetch("sync-2")
	p := f.plan("sync-2")
	require.Equal(t, 20, p.Counts[roster.OpUpdate])
	require.Equal(t, []roster.Block{{Code: roster.BlockFieldCleared,
		Message: "department would be cleared for 20 of 20 users (100%, limit 10%)"}}, p.Blocks)
	f.requireNothingWritten("sync-2", before)
	for _, u := range f.dir.Users() {
		require.NotEmpty(t, u.Employee.Department, "department is kept for %s", u.Employee.ID)
	}

	// An administrator who means it raises the limit for the integration.
	f.config.MassChange.MaxClearPercent = 100
	f.fetch("sync-3")
	require.Empty(t, f.plan("sync-3").Blocks)
}

// A run updating more than 30% of the directory (and at least 50 people)
// waits for approval and writes nothing.
func TestMassUpdateIsBlocked(t *testing.T) {
	f := newFixture(t, options{hris: demotest.HRISOptions{Employees: 200}})
	f.sync("sync-1")
	active, _ := f.split()
	n := len(active)

	retitle := func(people []roster.Employee, title string) {
		for _, e := range people {
			require.NoError(t, f.hris.Update(e.ID, func(e *roster.Employee) { e.JobTitle = title }))
		}
	}
	// 30% is within the limit.
	retitle(active[:n*30/100], "Engineer II")
	f.fetch("sync-2")
	p := f.plan("sync-2")
	require.Equal(t, n*30/100, p.Counts[roster.OpUpdate])
	require.Empty(t, p.Blocks)

	// A few more is not.
	updates := n*30/100 + 3
	retitle(active[:updates], "Engineer III")
	before := f.dir.Users()
	f.fetch("sync-3")
	p = f.plan("sync-3")
	require.Equal(t, updates, p.Counts[roster.OpUpdate])
	require.Equal(t, []roster.Block{{Code: roster.BlockMassUpdate, Message: fmt.Sprintf(
		"%d of %d users (%.0f%%) would be updated (limit 30%%)", updates, n, 100*float64(updates)/float64(n))}}, p.Blocks)
	f.requireNothingWritten("sync-3", before)

	stored, err := f.store.GetPlan(context.Background(), "sync-3")
	require.NoError(t, err)
	require.Equal(t, p.Blocks, stored.Blocks)
}
