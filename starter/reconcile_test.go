package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/codec"
	"github.com/hrsync/hrsync/connectors/demo"
	"github.com/hrsync/hrsync/roster"
)

// A user edited in the directory itself stays edited through runs that
// compare with what hrsync wrote, and `sync --reconcile` puts it back; the
// summaries say which kind of run each was.
func TestSyncReconcileRepairsAnEditMadeInTheDirectory(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal server; skipped with -short")
	}
	stk := startStack(t, nil)
	t.Setenv(codec.KeyEnv, stk.payloadKey)
	_, hrisSrv, directory, dirSrv := demoSystems(t, 6, 4)
	cfg := filepath.Join(stk.dir, "rec.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf(`id: rec
source: {kind: demo, url: %q}
target: {kind: demo, url: %q}
schedule: {firstSync: scheduled}
`, hrisSrv.URL, dirSrv.URL)), 0o600))
	_, err := starter("create", "--file", cfg)
	require.NoError(t, err)
	out, err := starter("sync", "rec", "--wait")
	require.NoError(t, err)
	require.Contains(t, out, "compared with: the whole directory (reconcile: first run against this directory)")

	var victim roster.User
	for _, u := range directory.Users() {
		if u.Active {
			victim = u
			break
		}
	}
	require.NotEmpty(t, victim.TargetID)
	want := victim.Employee.JobTitle
	edited := victim.Employee
	edited.JobTitle = "Edited by hand"
	other := demo.NewTarget(demo.TargetConfig{BaseURL: dirSrv.URL})
	require.NoError(t, other.UpdateUser(context.Background(), victim.TargetID, edited, []roster.Field{roster.FieldJobTitle}))
	title := func() string {
		u, ok := directory.Get(victim.TargetID)
		require.True(t, ok)
		return u.Employee.JobTitle
	}
	require.Equal(t, "Edited by hand", title())

	out, err = starter("sync", "rec", "--wait")
	require.NoError(t, err)
	require.Contains(t, out, "compared with: the users as hrsync last wrote them")
	require.Equal(t, "Edited by hand", title(), "a run between reconciles does not look")

	out, err = starter("sync", "rec", "--reconcile", "--wait")
	require.NoError(t, err)
	require.Contains(t, out, "compared with: the whole directory (reconcile: asked for)")
	require.Contains(t, out, "applied: update 1")
	require.Equal(t, want, title(), "the reconcile put the HRIS's title back")
}
