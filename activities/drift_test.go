package activities_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/connectors/scim/scimlibtest"
	"github.com/hrsync/hrsync/connectors/scim/scimtest"
	"github.com/hrsync/hrsync/roster"
)

// TestDriftReferenceDirectory runs the drift scenario against hrsync's
// reference directory.
func TestDriftReferenceDirectory(t *testing.T) {
	srv, err := scimtest.New(scimtest.Options{Token: interopToken})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	testDrift(t, serveDirectory(t, srv, "/scim/v2", true))
}

// TestDriftElimity runs it against a SCIM server built on another
// project's library.
func TestDriftElimity(t *testing.T) {
	srv := scimlibtest.Start(t, scimlibtest.Options{Token: interopToken, CustomSchema: true})
	testDrift(t, elimity(srv, true))
}

// testDrift is what happens when someone edits or deletes users in the
// directory itself, behind hrsync's back. Runs between reconciles compare
// the HRIS with the users as hrsync wrote them, so they do not see it; the
// next reconcile repairs it, and so does the next write that trips on it
// (a 404), which also makes the run after it reconcile.
func testDrift(t *testing.T, dir *directoryUnderTest) {
	ctx := context.Background()
	acts := interopActivities(t)
	a := newTenant(t, "acme", "A", 7, dir)
	plan, _ := a.sync(t, acts)
	require.Equal(t, activities.ReconcileFirst, plan.Reconciled, "a first run lists the directory")
	plan, _ = a.sync(t, acts)
	require.Empty(t, plan.Reconciled, "the next compares with what hrsync wrote")
	require.Zero(t, plan.Counts[roster.OpUpdate]+plan.Counts[roster.OpCreate])

	// By hand, in the directory: A002's title is edited, A003 and A004
	// deleted.
	users := dir.users(t)
	id := func(hrisID string) string { s, _ := users[hrisID]["id"].(string); return s }
	dir.call(t, http.MethodPatch, "/Users/"+id("A002"), map[string]any{
		"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
		"Operations": []map[string]any{{"op": "replace", "path": "title", "value": "Edited by hand"}},
	}, nil)
	dir.call(t, http.MethodDelete, "/Users/"+id("A003"), nil, nil)
	dir.call(t, http.MethodDelete, "/Users/"+id("A004"), nil, nil)

	// A run with nothing changed in the HRIS does not see it, and writes
	// nothing.
	before := dir.writes()
	plan, res := a.sync(t, acts)
	require.Empty(t, plan.Reconciled)
	require.Zero(t, plan.Counts[roster.OpUpdate]+plan.Counts[roster.OpCreate])
	require.Equal(t, before, dir.writes())
	require.Zero(t, res.Failed)

	// A003 changes in the HRIS: the update finds its user gone (404) and
	// makes it again, as the HRIS has it.
	require.NoError(t, a.hris.Update("A003", func(e *roster.Employee) { e.Department = "Research" }))
	plan, res = a.sync(t, acts)
	require.Empty(t, plan.Reconciled)
	require.Equal(t, 1, plan.Counts[roster.OpUpdate])
	require.Zero(t, res.Failed, "the write that tripped on the deleted user repaired it")
	users = dir.users(t)
	require.Contains(t, users, "A003", "A003 is back")
	require.True(t, active(users["A003"]))
	ent, _ := users["A003"]["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].(map[string]any)
	require.Equal(t, "Research", ent["department"])
	state, err := acts.Store.GetDirectoryState(ctx, "acme")
	require.NoError(t, err)
	require.Contains(t, state.Drift, "was deleted in the directory")

	// So the next run reconciles: it puts back A002's title and A004, and
	// links A003's manager, which the repair could not.
	plan, res = a.sync(t, acts)
	require.True(t, strings.HasPrefix(plan.Reconciled, activities.ReconcileDriftNote), plan.Reconciled)
	require.Equal(t, 1, plan.Counts[roster.OpCreate], "A004 is made again")
	require.Equal(t, 2, plan.Counts[roster.OpUpdate], "A002's title and A003's manager")
	require.Zero(t, res.Failed)
	users = dir.users(t)
	require.Equal(t, "Engineer", users["A002"]["title"])
	require.Contains(t, users, "A004")
	state, err = acts.Store.GetDirectoryState(ctx, "acme")
	require.NoError(t, err)
	require.Empty(t, state.Drift, "the reconcile repaired what the drift was")

	// After it, runs compare with what hrsync wrote again, and find
	// nothing to do.
	plan, _ = a.sync(t, acts)
	require.Empty(t, plan.Reconciled)
	require.Zero(t, plan.Counts[roster.OpUpdate]+plan.Counts[roster.OpCreate])

	// An edit with nothing in the HRIS to trip on waits for a reconcile:
	// asked for, or due once reconcileDays have passed.
	dir.call(t, http.MethodPatch, "/Users/"+id("A002"), map[string]any{
		"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
		"Operations": []map[string]any{{"op": "replace", "path": "title", "value": "Edited again"}},
	}, nil)
	a.reconcile = true
	plan, _ = a.sync(t, acts)
	require.Equal(t, activities.ReconcileAsked, plan.Reconciled)
	require.Equal(t, 1, plan.Counts[roster.OpUpdate])
	require.Equal(t, "Engineer", dir.users(t)["A002"]["title"])

	dir.call(t, http.MethodPatch, "/Users/"+id("A002"), map[string]any{
		"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
		"Operations": []map[string]any{{"op": "replace", "path": "title", "value": "Edited once more"}},
	}, nil)
	plan, _ = a.sync(t, acts)
	require.Empty(t, plan.Reconciled, "the last reconcile was today")
	later := now.Add(7 * 24 * time.Hour)
	acts.Now = func() time.Time { return later }
	plan, _ = a.sync(t, acts)
	require.True(t, strings.HasPrefix(plan.Reconciled, activities.ReconcileDue), plan.Reconciled)
	require.Equal(t, 1, plan.Counts[roster.OpUpdate])
	require.Equal(t, "Engineer", dir.users(t)["A002"]["title"])
}

// TestAReconcileOnAnotherDirectoryStartsOver: pointing an integration at
// another directory reconciles, since what hrsync wrote is elsewhere.
func TestAReconcileOnAnotherDirectoryStartsOver(t *testing.T) {
	first, err := scimtest.New(scimtest.Options{Token: interopToken})
	require.NoError(t, err)
	t.Cleanup(func() { _ = first.Close() })
	second, err := scimtest.New(scimtest.Options{Token: interopToken})
	require.NoError(t, err)
	t.Cleanup(func() { _ = second.Close() })
	acts := interopActivities(t)
	a := newTenant(t, "acme", "A", 4, serveDirectory(t, first, "/scim/v2", true))
	a.sync(t, acts)
	a.cfg.Target.URL = serveDirectory(t, second, "/scim/v2", true).base
	plan, res := a.sync(t, acts)
	require.Equal(t, activities.ReconcileFirst, plan.Reconciled)
	require.Equal(t, 3, plan.Counts[roster.OpCreate], "every active employee is made in the new directory")
	require.Zero(t, res.Failed)
	require.Len(t, second.Users(), 3)
}
