package activities_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/roster"
)

// planFor plans syncID's snapshot for one employee only.
func (f *fixture) planFor(syncID, employee string) activities.PlanResult {
	f.t.Helper()
	var res activities.PlanResult
	require.NoError(f.t, run(f.t, f.env(), f.acts.Plan, activities.PlanInput{
		IntegrationID: integrationID, SyncID: syncID, SnapshotID: syncID, Config: f.config, Employee: employee}, &res))
	return res
}

func TestAPlanForOneEmployeeLeavesEveryoneElseAlone(t *testing.T) {
	f := newFixture(t, options{})
	f.sync("sync-1")
	active, _ := f.split()
	require.Len(t, active, 20, "this seed has no leavers")

	// Five leavers would block a full run as a mass change; E0004 moved.
	leavers := []string{"E0011", "E0012", "E0013", "E0014", "E0015"}
	for _, id := range leavers {
		require.NoError(t, f.hris.Terminate(id, roster.Date{}))
	}
	require.NoError(t, f.hris.Update("E0004", func(e *roster.Employee) { e.Department = "Moved Dept" }))

	f.fetch("one-1")
	p := f.planFor("one-1", "E0004")
	require.Empty(t, p.Blocks, "the others' departures do not count against a one-employee run")
	require.Equal(t, counts(roster.OpUpdate, 1), p.Counts)
	require.Zero(t, p.Problems)
	pcs := f.changes("one-1")
	require.Len(t, pcs, 1)
	require.Equal(t, roster.OpUpdate, pcs["E0004"].Change.Op)

	f.apply(p.PlanID)
	c := f.commit("one-1")
	require.Equal(t, counts(roster.OpUpdate, 1), c.Applied)
	users := f.directoryByExternalID()
	require.Equal(t, "Moved Dept", users["E0004"].Employee.Department)
	for _, id := range leavers {
		require.True(t, users[id].Active, "%s is left as it was", id)
	}
	applied, err := f.store.Applied(context.Background(), integrationID)
	require.NoError(t, err)
	require.Len(t, applied, 20)
	for _, e := range applied {
		switch e.ID {
		case "E0004":
			require.Equal(t, "Moved Dept", e.Department)
		default:
			require.Equal(t, roster.StatusActive, e.Status, "%s is promoted by no one-employee run", e.ID)
		}
	}

	// A full run afterwards still sees every other change.
	f.fetch("sync-2")
	p = f.plan("sync-2")
	require.Equal(t, 5, p.Counts[roster.OpDeactivate])
	require.Zero(t, p.Counts[roster.OpUpdate], "E0004 is already synced")
	require.Len(t, p.Blocks, 1)
	require.Equal(t, roster.BlockMassChange, p.Blocks[0].Code)
}

func TestAPlanForAnEmployeeNotInTheHRISSaysSo(t *testing.T) {
	f := newFixture(t, options{})
	f.sync("sync-1")
	require.NoError(t, f.hris.Update("E0004", func(e *roster.Employee) { e.Department = "Moved Dept" }))

	f.fetch("one-1")
	p := f.planFor("one-1", "E9999")
	require.Empty(t, p.Blocks)
	require.Equal(t, 1, p.Problems)
	require.Empty(t, f.changes("one-1"), "nothing is planned")
	stored, err := f.store.GetPlan(context.Background(), "one-1")
	require.NoError(t, err)
	require.Equal(t, []roster.Problem{{EmployeeID: "E9999", Code: activities.CodeNotInSource,
		Message: "E9999 is not in the HRIS"}}, stored.Problems)
	f.apply(p.PlanID)
	c := f.commit("one-1")
	require.Empty(t, c.Applied)
	users := f.directoryByExternalID()
	require.NotEqual(t, "Moved Dept", users["E0004"].Employee.Department)
}

func TestAPlanForALeaverDeactivatesOnlyThem(t *testing.T) {
	f := newFixture(t, options{})
	f.sync("sync-1")
	require.NoError(t, f.hris.Terminate("E0007", roster.Date{}))
	require.NoError(t, f.hris.Terminate("E0008", roster.Date{}))
	require.NoError(t, f.hris.Update("E0004", func(e *roster.Employee) { e.Department = "Moved Dept" }))

	f.fetch("one-1")
	p := f.planFor("one-1", "E0007")
	require.Zero(t, p.Problems)
	pcs := f.changes("one-1")
	require.Len(t, pcs, 1)
	require.Equal(t, roster.OpDeactivate, pcs["E0007"].Change.Op)
}
