package activities_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors/registry"
	"github.com/hrsync/hrsync/connectors/scim/scimtest"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
)

// The README's promises about tricky rosters, kept end to end from a CSV
// export to a SCIM directory: a leaver is deactivated whatever else is
// wrong with the record, a repeated HRIS id holds back every copy, and the
// source's statusMap reads the file's own status words.
func TestRosterPromisesFromACSVExport(t *testing.T) {
	srv, err := scimtest.New(scimtest.Options{Token: interopToken})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	dir := serveDirectory(t, srv, "/scim/v2", true)
	acts := interopActivities(t)
	path := filepath.Join(t.TempDir(), "employees.csv")
	acts.Connectors = registry.New(nil, nil).WithFileRoots(filepath.Dir(path))
	write := func(rows ...string) {
		t.Helper()
		body := "id,firstName,lastName,workEmail,status,managerId\n" + strings.Join(rows, "\n") + "\n"
		require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
	}
	cfg := integration.Config{ID: "csvco",
		Source: integration.Endpoint{Kind: "csv", URL: "file://" + path,
			StatusMap: map[string]string{"Employed": "active", "Terminated": "inactive"}},
		Target: integration.Endpoint{Kind: "scim", URL: dir.base, CredentialRef: "env:HRSYNC_SECRET_INTEROP_SCIM_TOKEN"},
	}
	runs := 0
	sync := func() (problems []roster.Problem, changes map[string]store.PlannedChange) {
		t.Helper()
		runs++
		plan, _ := syncOnce(t, acts, cfg, fmt.Sprintf("integration/csvco/sync/%d", runs), false)
		require.Empty(t, plan.Blocks)
		p, err := acts.Store.GetPlan(context.Background(), plan.PlanID)
		require.NoError(t, err)
		pcs, err := acts.Store.PlanChanges(context.Background(), plan.PlanID)
		require.NoError(t, err)
		changes = map[string]store.PlannedChange{}
		for _, pc := range pcs {
			changes[pc.Change.EmployeeID] = pc
		}
		return p.Problems, changes
	}

	write("E1,Ann,Lee,ann@x.test,Employed,",
		"E2,Bo,Tan,bo@x.test,Employed,E1",
		"E3,Cy,Ng,cy@x.test,Employed,E1",
		"E5,Di,Ho,di@x.test,Employed,E1",
		"E5,Ed,Ho,ed@x.test,Employed,E1")
	problems, _ := sync()
	users := dir.users(t)
	require.Len(t, users, 3, "E1–E3 are created; neither copy of E5 is")
	require.NotContains(t, users, "E5")
	var codes []string
	for _, p := range problems {
		codes = append(codes, p.EmployeeID+" "+p.Code)
	}
	require.Equal(t, []string{"E5 duplicate_id"}, codes, "one cause, one problem")

	// E2 leaves with an email that no longer reads, E3 leaves with a manager
	// the HRIS no longer has: both are deactivated all the same.
	write("E1,Ann,Lee,ann@x.test,Employed,",
		"E2,Bo,Tan,not-an-email,Terminated,E1",
		"E3,Cy,Ng,cy@x.test,Terminated,E9")
	problems, changes := sync()
	users = dir.users(t)
	require.False(t, active(users["E2"]))
	require.False(t, active(users["E3"]))
	require.True(t, active(users["E1"]))
	require.Equal(t, roster.OpDeactivate, changes["E2"].Change.Op)
	require.Equal(t, store.StatusApplied, changes["E2"].Status)
	codes = nil
	for _, p := range problems {
		codes = append(codes, p.EmployeeID+" "+p.Code)
	}
	require.Equal(t, []string{"E2 invalid_email"}, codes, "a leaver's bad email is still reported; its manager is not checked")

	// A status word the map does not know is one problem, not two.
	write("E1,Ann,Lee,ann@x.test,On Leave,")
	problems, _ = sync()
	codes = nil
	for _, p := range problems {
		codes = append(codes, p.EmployeeID+" "+p.Code)
	}
	require.Equal(t, []string{"E1 invalid_status"}, codes)
}
