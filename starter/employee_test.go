package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/codec"
	"github.com/hrsync/hrsync/roster"
)

func TestSyncOneEmployeeOnDemand(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal server; skipped with -short")
	}
	stk := startStack(t, nil)
	t.Setenv(codec.KeyEnv, stk.payloadKey)
	hris, hrisSrv, directory, dirSrv := demoSystems(t, 12, 3)
	cfg := filepath.Join(stk.dir, "one.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf(`id: one
source: {kind: demo, url: %q}
target: {kind: demo, url: %q}
schedule: {firstSync: scheduled}
massChange: {maxDeactivatePercent: 20, minDeactivations: 2}
`, hrisSrv.URL, dirSrv.URL)), 0o600))
	_, err := starter("create", "--file", cfg)
	require.NoError(t, err)
	out, err := starter("sync", "one", "--wait")
	require.NoError(t, err)
	require.Contains(t, out, "integration/one/sync/1 Completed in")

	byID := func() map[string]roster.User {
		out := map[string]roster.User{}
		for _, u := range directory.Users() {
			out[u.Employee.ID] = u
		}
		return out
	}
	active := 0
	for _, u := range byID() {
		if u.Active {
			active++
		}
	}

	// Changes wait for several employees: three leave (a mass change for
	// a full run), one moves.
	yesterday := roster.DateOf(time.Now().AddDate(0, 0, -1))
	for _, id := range []string{"E0001", "E0002", "E0003"} {
		require.NoError(t, hris.Terminate(id, yesterday))
	}
	require.NoError(t, hris.Update("E0005", func(e *roster.Employee) { e.Department = "Moved Dept" }))

	out, err = starter("sync", "one", "--employee", "E0005", "--wait")
	require.NoError(t, err, out)
	require.Contains(t, out, "integration/one/sync/2 Completed in")
	require.Contains(t, out, "waiting for integration/one/sync/2\n")
	require.Regexp(t, `employee E0005: update applied; .*fields department`, out)
	users := byID()
	require.Equal(t, "Moved Dept", users["E0005"].Employee.Department)
	for _, id := range []string{"E0001", "E0002", "E0003"} {
		require.True(t, users[id].Active, "%s is left as it was", id)
	}

	// An id nobody knows is one problem, and nothing is applied.
	out, err = starter("sync", "one", "--employee", "E9999", "--wait")
	require.NoError(t, err, out)
	require.Contains(t, out, "employee E9999: problem not_in_source: E9999 is not in the HRIS")
	require.Equal(t, users, byID())

	// A normal sync afterwards applies the rest (approved: it is a mass change).
	out, err = starter("sync", "one", "--approve", "--wait")
	require.NoError(t, err, out)
	require.Contains(t, out, "integration/one/sync/4 Completed in")
	users = byID()
	for _, id := range []string{"E0001", "E0002", "E0003"} {
		require.False(t, users[id].Active, id)
	}
	require.Equal(t, "Moved Dept", users["E0005"].Employee.Department)
	n := 0
	for _, u := range users {
		if u.Active {
			n++
		}
	}
	require.Equal(t, active-3, n)
}
