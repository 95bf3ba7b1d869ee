package activities_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/connectors/demo/demotest"
	"github.com/hrsync/hrsync/connectors/registry"
	"github.com/hrsync/hrsync/connectors/scim/scimlibtest"
	"github.com/hrsync/hrsync/connectors/scim/scimtest"
	"github.com/hrsync/hrsync/credentials"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
)

// interopToken is the bearer token of every directory in these tests.
const interopToken = "interop-token"

// setSecret puts a secret in the environment for these tests, where the
// worker's credentials may find it, bound to the loopback directories they
// run (credentials.EnvSecret).
func setSecret(t *testing.T, name, value string) {
	t.Helper()
	t.Setenv(name, value)
	t.Setenv(name+credentials.HostsSuffix, "127.0.0.1")
}

// directoryUnderTest is a SCIM service provider the interop tests sync
// into: its base URL and a count of the writes it has answered.
type directoryUnderTest struct {
	base   string
	writes func() int64
	// configReads counts the reads of /ServiceProviderConfig.
	configReads func() int64
	// storesDateOfBirth says whether the directory has a home for a date
	// of birth (a custom extension).
	storesDateOfBirth bool
}

// serveDirectory runs h on 127.0.0.1, counting every request that is not a
// read.
func serveDirectory(t *testing.T, h http.Handler, basePath string, storesDateOfBirth bool) *directoryUnderTest {
	t.Helper()
	var writes, configReads atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method != http.MethodGet:
			writes.Add(1)
		case strings.HasSuffix(r.URL.Path, "/ServiceProviderConfig"):
			configReads.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return &directoryUnderTest{base: srv.URL + basePath, writes: writes.Load, configReads: configReads.Load,
		storesDateOfBirth: storesDateOfBirth}
}

// call sends one SCIM request straight to the directory, as another system
// would, and decodes the answer into out.
func (d *directoryUnderTest) call(t *testing.T, method, path string, in, out any) {
	t.Helper()
	var body bytes.Buffer
	if in != nil {
		require.NoError(t, json.NewEncoder(&body).Encode(in))
	}
	req, err := http.NewRequest(method, d.base+path, &body)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+interopToken)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Less(t, resp.StatusCode, 300, "%s %s", method, path)
	if out != nil {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(out))
	}
}

// users reads every user of the directory by externalId (users without
// one by userName).
func (d *directoryUnderTest) users(t *testing.T) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for start := 1; ; {
		var page struct {
			TotalResults int              `json:"totalResults"`
			Resources    []map[string]any `json:"Resources"`
		}
		d.call(t, http.MethodGet, "/Users?"+url.Values{"startIndex": {strconv.Itoa(start)}, "count": {"50"}}.Encode(), nil, &page)
		for _, u := range page.Resources {
			key, _ := u["externalId"].(string)
			if key == "" {
				key, _ = u["userName"].(string)
			}
			require.NotContains(t, out, key, "one user per HRIS id")
			out[key] = u
		}
		start += len(page.Resources)
		if len(page.Resources) == 0 || start > page.TotalResults {
			return out
		}
	}
}

// active reads a user's active flag; a user without one is active.
func active(u map[string]any) bool {
	v, ok := u["active"].(bool)
	return !ok || v
}

// tenant is one integration of the interop tests, with an HRIS of its own.
type tenant struct {
	id   string
	hris *demotest.HRIS
	cfg  integration.Config
	runs int
	// reconcile makes the next run reconcile (see PlanInput.Reconcile).
	reconcile bool
}

// newTenant makes an integration whose HRIS holds n employees with ids
// prefix001…, everyone but the first reporting to the first, and one leaver
// (the last) who was never in the directory.
func newTenant(t *testing.T, id, prefix string, n int, dir *directoryUnderTest) *tenant {
	t.Helper()
	hris, err := demotest.NewHRIS(demotest.HRISOptions{Employees: -1})
	require.NoError(t, err)
	for i := 1; i <= n; i++ {
		e := roster.Employee{
			ID: fmt.Sprintf("%s%03d", prefix, i), FirstName: "First" + strconv.Itoa(i), LastName: prefix + "Last",
			WorkEmail: fmt.Sprintf("%s%03d@%s.test", prefix, i, id), Status: roster.StatusActive,
			Department: "Ops", JobTitle: "Engineer", Location: "Singapore",
			DateOfBirth:   roster.Date{Year: 1980 + i, Month: time.May, Day: i},
			DateOfJoining: roster.Date{Year: 2020, Month: time.January, Day: i},
		}
		if i > 1 {
			e.ManagerID = prefix + "001"
		}
		if i == n {
			e.Status, e.ExitDate = roster.StatusInactive, roster.Date{Year: 2026, Month: time.January, Day: 31}
		}
		require.NoError(t, hris.Add(e))
	}
	srv := httptest.NewServer(hris)
	t.Cleanup(srv.Close)
	return &tenant{id: id, hris: hris, cfg: integration.Config{ID: id,
		Source: integration.Endpoint{Kind: "demo", URL: srv.URL},
		Target: integration.Endpoint{Kind: "scim", URL: dir.base, CredentialRef: "env:HRSYNC_SECRET_INTEROP_SCIM_TOKEN"},
	}}
}

// sync runs one whole sync of the tenant and returns its plan and commit.
func (tn *tenant) sync(t *testing.T, acts *activities.Activities) (activities.PlanResult, activities.CommitResult) {
	t.Helper()
	tn.runs++
	plan, res := syncOnce(t, acts, tn.cfg, fmt.Sprintf("integration/%s/sync/%d", tn.id, tn.runs), tn.reconcile)
	tn.reconcile = false
	require.Empty(t, plan.Blocks, "run %d", tn.runs)
	return plan, res
}

// syncOnce fetches, plans, and — unless the plan is blocked — applies and
// commits one run of cfg, each activity in an environment of its own.
func syncOnce(t *testing.T, acts *activities.Activities, cfg integration.Config, syncID string,
	reconcile bool) (activities.PlanResult, activities.CommitResult) {
	t.Helper()
	var ts testSuite
	var fetched activities.FetchResult
	require.NoError(t, run(t, ts.env(acts), acts.Fetch, activities.FetchInput{IntegrationID: cfg.ID, SyncID: syncID,
		Source: cfg.Source, Rules: cfg.WithDefaults().Rules}, &fetched))
	var plan activities.PlanResult
	require.NoError(t, run(t, ts.env(acts), acts.Plan, activities.PlanInput{IntegrationID: cfg.ID, SyncID: syncID,
		SnapshotID: fetched.SnapshotID, Config: cfg, Reconcile: reconcile}, &plan))
	if len(plan.Blocks) > 0 {
		return plan, activities.CommitResult{}
	}
	var applied activities.ApplyResult
	require.NoError(t, run(t, ts.env(acts), acts.Apply, activities.ApplyInput{PlanID: plan.PlanID, Target: cfg.Target}, &applied))
	var committed activities.CommitResult
	require.NoError(t, run(t, ts.env(acts), acts.Commit, activities.CommitInput{IntegrationID: cfg.ID, SyncID: syncID,
		PlanID: plan.PlanID, Outcome: activities.OutcomeApplied}, &committed))
	return plan, committed
}

// interopActivities are the activities over a fresh store, as a worker has
// them.
func interopActivities(t *testing.T) *activities.Activities {
	t.Helper()
	setSecret(t, "HRSYNC_SECRET_INTEROP_SCIM_TOKEN", interopToken)
	st, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "hrsync.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return &activities.Activities{Store: st, Connectors: registry.New(nil, nil), Now: func() time.Time { return now }}
}

// TestInteropElimityCoreAndEnterprise runs the interop scenario against a
// SCIM server built on another project's library, elimity-com/scim, that
// knows only the core User schema and the enterprise extension, as most
// people platforms expose.
func TestInteropElimityCoreAndEnterprise(t *testing.T) {
	srv := scimlibtest.Start(t, scimlibtest.Options{Token: interopToken})
	testInterop(t, elimity(srv, false))
}

// TestInteropElimityWithExtension runs it against the same library with
// hrsync's extension registered.
func TestInteropElimityWithExtension(t *testing.T) {
	srv := scimlibtest.Start(t, scimlibtest.Options{Token: interopToken, CustomSchema: true})
	testInterop(t, elimity(srv, true))
}

// elimity is a scimlibtest server as a directory under test.
func elimity(srv *scimlibtest.Server, storesDateOfBirth bool) *directoryUnderTest {
	return &directoryUnderTest{base: srv.BaseURL(), storesDateOfBirth: storesDateOfBirth,
		writes:      func() int64 { return int64(srv.Writes()) },
		configReads: func() int64 { return int64(srv.Count(http.MethodGet, "/ServiceProviderConfig")) }}
}

// TestInteropReferenceDirectory runs the interop scenario against hrsync's
// own reference directory, which serves every schema hrsync writes.
func TestInteropReferenceDirectory(t *testing.T) {
	srv, err := scimtest.New(scimtest.Options{Token: interopToken})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	testInterop(t, serveDirectory(t, srv, "/scim/v2", true))
}

// TestInteropReferenceDirectoryCoreAndEnterprise runs it against the
// reference directory serving the core and enterprise schemas only.
func TestInteropReferenceDirectoryCoreAndEnterprise(t *testing.T) {
	srv, err := scimtest.New(scimtest.Options{Token: interopToken, CoreAndEnterpriseOnly: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	testInterop(t, serveDirectory(t, srv, "/scim/v2", false))
}

// testInterop is the scenario every directory must pass: a first sync
// creates every active employee, a termination deactivates, a no-change
// run writes nothing, one change updates one user, a re-hire comes back,
// managers are linked, a user someone else provisioned is never written,
// and two integrations sharing the directory leave each other's users
// alone.
func testInterop(t *testing.T, dir *directoryUnderTest) {
	acts := interopActivities(t)
	outsider := map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"externalId": "OTHER-1", "userName": "someone@elsewhere.test", "active": true,
		"name": map[string]any{"givenName": "Some", "familyName": "One"}}
	dir.call(t, http.MethodPost, "/Users", outsider, nil)

	a := newTenant(t, "acme", "A", 8, dir)
	reads := dir.configReads()
	plan, res := a.sync(t, acts)
	require.Equal(t, reads+1, dir.configReads(), "one read of /ServiceProviderConfig per run")
	require.Equal(t, 7, plan.Counts[roster.OpCreate], "every active employee is created")
	require.Zero(t, res.Failed)
	require.Equal(t, 1, plan.NotManaged, "the outsider is not managed")
	if dir.storesDateOfBirth {
		require.Empty(t, plan.Warnings)
	} else {
		require.Contains(t, plan.Warnings, "dateOfBirth: not stored by this directory; not synced",
			"a field with no home is a warning, once")
	}
	users := dir.users(t)
	require.Len(t, users, 8, "seven employees and the outsider")
	for i := 1; i <= 7; i++ {
		require.True(t, active(users[fmt.Sprintf("A%03d", i)]))
	}
	boss, _ := users["A001"]["id"].(string)
	ent, _ := users["A002"]["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].(map[string]any)
	manager, _ := ent["manager"].(map[string]any)
	require.Equal(t, boss, manager["value"], "managers are linked")

	// A termination deactivates that user and no one else.
	require.NoError(t, a.hris.Terminate("A004", roster.Date{Year: 2026, Month: time.March, Day: 9}))
	plan, res = a.sync(t, acts)
	require.Equal(t, 1, plan.Counts[roster.OpDeactivate])
	require.Zero(t, plan.Counts[roster.OpUpdate], "nothing else looks changed")
	require.Zero(t, res.Failed)
	users = dir.users(t)
	require.False(t, active(users["A004"]), "the leaver is inactive")
	require.True(t, active(users["OTHER-1"]), "the outsider is untouched")

	// No change: nothing written, nothing failed.
	before, reads := dir.writes(), dir.configReads()
	plan, res = a.sync(t, acts)
	require.Equal(t, reads+1, dir.configReads(), "one read of /ServiceProviderConfig per run")
	require.Equal(t, before, dir.writes(), "a no-change run writes nothing")
	require.Zero(t, res.Failed)
	require.Zero(t, plan.Counts[roster.OpUpdate]+plan.Counts[roster.OpCreate]+plan.Counts[roster.OpDeactivate])

	// One change updates exactly one user.
	require.NoError(t, a.hris.Update("A003", func(e *roster.Employee) { e.Department = "Research" }))
	plan, res = a.sync(t, acts)
	require.Equal(t, 1, plan.Counts[roster.OpUpdate])
	require.Zero(t, res.Failed)
	ent, _ = dir.users(t)["A003"]["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].(map[string]any)
	require.Equal(t, "Research", ent["department"])

	// A re-hire is reactivated.
	require.NoError(t, a.hris.Update("A004", func(e *roster.Employee) {
		e.Status, e.ExitDate = roster.StatusActive, roster.Date{}
	}))
	plan, res = a.sync(t, acts)
	require.Equal(t, 1, plan.Counts[roster.OpReactivate])
	require.Zero(t, res.Failed)
	require.True(t, active(dir.users(t)["A004"]))

	// A second integration on the same directory: each leaves the other's
	// users alone.
	b := newTenant(t, "globex", "B", 5, dir)
	acmeBefore := dir.users(t)
	plan, res = b.sync(t, acts)
	require.Equal(t, 4, plan.Counts[roster.OpCreate])
	require.Zero(t, plan.Counts[roster.OpDeactivate], "acme's users are not globex's leavers")
	require.Equal(t, 8, plan.NotManaged, "acme's seven and the outsider")
	require.Zero(t, res.Failed)
	acmeAfter := dir.users(t)
	for id, u := range acmeBefore {
		require.Equal(t, u, acmeAfter[id], "globex left %s as it was", id)
	}
	// Acme's next run lists the directory, globex's users and all.
	a.cfg.Target.ReconcileDays = -1
	before = dir.writes()
	plan, res = a.sync(t, acts)
	require.Equal(t, activities.ReconcileAlways, plan.Reconciled)
	require.Equal(t, before, dir.writes(), "acme writes nothing to globex's users")
	require.Zero(t, plan.Counts[roster.OpDeactivate], "globex's users are not acme's leavers")
	require.Zero(t, plan.Counts[roster.OpUpdate])
	require.Equal(t, 5, plan.NotManaged, "globex's four and the outsider")
	require.Zero(t, res.Failed)

	users = dir.users(t)
	require.Len(t, users, 12)
	for id, u := range users {
		require.Equal(t, id != "A008" && id != "B005", active(u), "user %s", id)
	}
	require.Equal(t, "someone@elsewhere.test", users["OTHER-1"]["userName"], "the outsider was never written")
}

// testSuite gives each activity of a run an environment of its own, as a
// worker's attempts have.
type testSuite struct{ testsuite.WorkflowTestSuite }

func (ts *testSuite) env(acts *activities.Activities) *testsuite.TestActivityEnvironment {
	env := ts.NewTestActivityEnvironment()
	env.RegisterActivity(acts)
	return env
}

// A directory that says nothing of its schemas and refuses a PATCH into an
// extension it does not have, as the libraries do: the leaver is
// deactivated all the same, and what was refused is reported for that
// employee.
func TestInteropLeaverIsDeactivatedWhatEverTheDirectoryRefuses(t *testing.T) {
	srv, err := scimtest.New(scimtest.Options{Token: interopToken, CoreAndEnterpriseOnly: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	silent := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if path := r.URL.Path; path == "/scim/v2/Schemas" || path == "/scim/v2/ResourceTypes" {
			http.NotFound(w, r)
			return
		}
		srv.ServeHTTP(w, r)
	})
	dir := serveDirectory(t, silent, "/scim/v2", false)
	acts := interopActivities(t)
	a := newTenant(t, "acme", "A", 4, dir)
	_, res := a.sync(t, acts)
	require.Zero(t, res.Failed)

	require.NoError(t, a.hris.Terminate("A002", roster.Date{Year: 2026, Month: time.March, Day: 9}))
	plan, _ := a.sync(t, acts)
	require.Equal(t, 1, plan.Counts[roster.OpDeactivate])
	require.False(t, active(dir.users(t)["A002"]), "the leaver is inactive although its exit date was refused")
	pcs, err := acts.Store.PlanChanges(context.Background(), plan.PlanID)
	require.NoError(t, err)
	for _, pc := range pcs {
		if pc.Change.EmployeeID == "A002" {
			require.Equal(t, store.StatusApplied, pc.Status)
			require.Contains(t, pc.Error, "deactivated, but its other changes were not written")
		}
	}
}

// A preview warns of the fields the directory has no home for, as the sync
// would; a directory that cannot be asked is a warning, not a failure.
func TestPreviewWarnsOfFieldsTheDirectoryCannotStore(t *testing.T) {
	srv := scimlibtest.Start(t, scimlibtest.Options{Token: interopToken})
	acts := interopActivities(t)
	preview := func(tn *tenant) activities.PreviewResult {
		t.Helper()
		var ts testSuite
		var fetched activities.FetchResult
		require.NoError(t, run(t, ts.env(acts), acts.Fetch, activities.FetchInput{IntegrationID: tn.id, SyncID: tn.id + "/preview",
			Source: tn.cfg.Source, Rules: tn.cfg.Rules}, &fetched))
		var res activities.PreviewResult
		require.NoError(t, run(t, ts.env(acts), acts.Preview, activities.PreviewInput{IntegrationID: tn.id,
			SnapshotID: fetched.SnapshotID, ExportID: tn.id + "/preview", Config: tn.cfg}, &res))
		return res
	}
	a := newTenant(t, "acme", "A", 3, &directoryUnderTest{base: srv.BaseURL()})
	require.Equal(t, []string{
		"dateOfBirth: not stored by this directory; not synced",
		"dateOfJoining: not stored by this directory; not synced",
		"exitDate: not stored by this directory; not synced",
		"location: not stored by this directory; not synced",
		// These tenants' people have no such values at all.
		"employeeNumber is empty for all 3 employees",
		"preferredName is empty for all 3 employees",
		"personalEmail is empty for all 3 employees",
		"workPhone is empty for all 3 employees",
		"employmentType is empty for all 3 employees",
	}, preview(a).Warnings)
	require.Empty(t, srv.Users(), "a preview writes nothing")

	down := newTenant(t, "down", "D", 2, &directoryUnderTest{base: "http://127.0.0.1:1/scim/v2"})
	warnings := preview(down).Warnings
	require.Len(t, warnings, 6)
	require.Contains(t, warnings[0], "the directory could not say which fields it stores")
}
