package activities_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/connectors/demo"
	"github.com/hrsync/hrsync/connectors/demo/demotest"
	"github.com/hrsync/hrsync/connectors/registry"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
)

// now is the clock every test's activities run on.
var now = time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)

const integrationID = "acme"

// fixture is one integration wired end to end: a demo HRIS and a demo
// directory on real local HTTP servers, a SQLite store in a temporary
// directory, and the real connector registry.
type fixture struct {
	t      *testing.T
	ts     testsuite.WorkflowTestSuite
	hris   *demotest.HRIS
	dir    *demotest.Directory
	store  *store.Store
	acts   *activities.Activities
	source integration.Endpoint
	target integration.Endpoint
	config integration.Config
}

// options tune a fixture; a hook, when set, sees every request to that
// server before the server does.
type options struct {
	hris     demotest.HRISOptions
	hrisHook func(*http.Request)
	dirHook  func(*http.Request)
}

func newFixture(t *testing.T, o options) *fixture {
	t.Helper()
	if o.hris.Employees == 0 {
		o.hris.Employees = 20
	}
	if o.hris.Seed == 0 {
		o.hris.Seed = 7
	}
	hris, err := demotest.NewHRIS(o.hris)
	require.NoError(t, err)
	dir, err := demotest.NewDirectory(demotest.DirectoryOptions{PageSize: 7})
	require.NoError(t, err)
	st, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "hrsync.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })

	f := &fixture{
		t: t, hris: hris, dir: dir, store: st,
		acts:   &activities.Activities{Store: st, Connectors: registry.New(nil, nil), Now: func() time.Time { return now }},
		source: integration.Endpoint{Kind: "demo", URL: serve(t, hris, o.hrisHook)},
		target: integration.Endpoint{Kind: "demo", URL: serve(t, dir, o.dirHook)},
	}
	f.config = integration.Config{ID: integrationID, Source: f.source, Target: f.target}
	return f
}

// serve runs h on a local server for the test's lifetime.
func serve(t *testing.T, h http.Handler, hook func(*http.Request)) string {
	t.Helper()
	if hook != nil {
		inner := h
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hook(r)
			inner.ServeHTTP(w, r)
		})
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// env is a fresh activity environment, as for a new attempt.
func (f *fixture) env() *testsuite.TestActivityEnvironment {
	env := f.ts.NewTestActivityEnvironment()
	env.RegisterActivity(f.acts)
	return env
}

// run executes one activity in env and decodes its result into out.
func run(t *testing.T, env *testsuite.TestActivityEnvironment, fn, in, out any) error {
	t.Helper()
	val, err := env.ExecuteActivity(fn, in)
	if err != nil {
		return err
	}
	require.NoError(t, val.Get(out))
	return nil
}

func (f *fixture) fetchIn(syncID string) activities.FetchInput {
	return activities.FetchInput{IntegrationID: integrationID, SyncID: syncID, Source: f.source, Rules: f.config.Rules}
}

func (f *fixture) fetch(syncID string) activities.FetchResult {
	f.t.Helper()
	var res activities.FetchResult
	require.NoError(f.t, run(f.t, f.env(), f.acts.Fetch, f.fetchIn(syncID), &res))
	return res
}

func (f *fixture) plan(syncID string) activities.PlanResult {
	f.t.Helper()
	var res activities.PlanResult
	require.NoError(f.t, run(f.t, f.env(), f.acts.Plan, activities.PlanInput{
		IntegrationID: integrationID, SyncID: syncID, SnapshotID: syncID, Config: f.config}, &res))
	return res
}

func (f *fixture) applyErr(planID string) (activities.ApplyResult, error) {
	f.t.Helper()
	var res activities.ApplyResult
	err := run(f.t, f.env(), f.acts.Apply, activities.ApplyInput{PlanID: planID, Target: f.target}, &res)
	return res, err
}

func (f *fixture) apply(planID string) activities.ApplyResult {
	f.t.Helper()
	res, err := f.applyErr(planID)
	require.NoError(f.t, err)
	return res
}

func (f *fixture) commitErr(syncID, outcome string) (activities.CommitResult, error) {
	f.t.Helper()
	var res activities.CommitResult
	err := run(f.t, f.env(), f.acts.Commit, activities.CommitInput{
		IntegrationID: integrationID, SyncID: syncID, PlanID: syncID, Outcome: outcome}, &res)
	return res, err
}

func (f *fixture) commit(syncID string) activities.CommitResult {
	f.t.Helper()
	res, err := f.commitErr(syncID, activities.OutcomeApplied)
	require.NoError(f.t, err)
	return res
}

// sync runs a whole unblocked sync and returns its plan.
func (f *fixture) sync(syncID string) activities.PlanResult {
	f.t.Helper()
	f.fetch(syncID)
	p := f.plan(syncID)
	require.Empty(f.t, p.Blocks)
	f.apply(p.PlanID)
	f.commit(syncID)
	return p
}

// changes returns the stored changes of plan id by employee id.
func (f *fixture) changes(planID string) map[string]store.PlannedChange {
	f.t.Helper()
	pcs, err := f.store.PlanChanges(context.Background(), planID)
	require.NoError(f.t, err)
	out := make(map[string]store.PlannedChange, len(pcs))
	for _, pc := range pcs {
		require.NotContains(f.t, out, pc.Change.EmployeeID)
		out[pc.Change.EmployeeID] = pc
	}
	return out
}

// split divides the HRIS's employees into those who should be active in the
// directory and those who should not, each ordered by id.
func (f *fixture) split() (active, leavers []roster.Employee) {
	for _, e := range f.hris.Employees() {
		if e.Status == roster.StatusActive {
			active = append(active, e)
		} else {
			leavers = append(leavers, e)
		}
	}
	return active, leavers
}

// directoryByExternalID returns the directory's users by HRIS id and
// requires every one of them to be linked exactly once.
func (f *fixture) directoryByExternalID() map[string]roster.User {
	f.t.Helper()
	out := map[string]roster.User{}
	for _, u := range f.dir.Users() {
		require.NotEmpty(f.t, u.Employee.ID, "user %s is not linked", u.TargetID)
		require.NotContains(f.t, out, u.Employee.ID, "two users are linked to %s", u.Employee.ID)
		out[u.Employee.ID] = u
	}
	return out
}

// appError requires err to carry a Temporal application error and returns it.
func appError(t *testing.T, err error) *temporal.ApplicationError {
	t.Helper()
	require.Error(t, err)
	var ae *temporal.ApplicationError
	require.True(t, errors.As(err, &ae), "not an application error: %v", err)
	return ae
}

func TestFetchStreamsEveryPageIntoTheSnapshot(t *testing.T) {
	f := newFixture(t, options{hris: demotest.HRISOptions{Employees: 23, PageSize: 5}})

	res := f.fetch("sync-1")

	require.Equal(t, activities.FetchResult{SnapshotID: "sync-1", Records: 23, Pages: 5}, res)
	snap, err := f.store.GetSnapshot(context.Background(), "sync-1")
	require.NoError(t, err)
	require.True(t, snap.Complete)
	require.Equal(t, 23, snap.Count)
	require.Equal(t, integrationID, snap.IntegrationID)
	recs, err := f.store.SnapshotRecords(context.Background(), "sync-1")
	require.NoError(t, err)
	require.Equal(t, recordsOf(f.hris.Employees()), recs)
}

func TestFetchOfAnEmptyHRIS(t *testing.T) {
	f := newFixture(t, options{hris: demotest.HRISOptions{Employees: -1}})

	res := f.fetch("sync-1")

	require.Equal(t, activities.FetchResult{SnapshotID: "sync-1", Records: 0, Pages: 1}, res)
	snap, err := f.store.GetSnapshot(context.Background(), "sync-1")
	require.NoError(t, err)
	require.True(t, snap.Complete)
}

func TestFetchResumesFromItsHeartbeatAfterACrash(t *testing.T) {
	// The first attempt fails for good while asking for the third page:
	// the HRIS stays down longer than the attempt retries in place.
	fastRetries(t)
	var employeeRequests, firstPageRequests atomic.Int32
	var f *fixture
	f = newFixture(t, options{
		hris: demotest.HRISOptions{Employees: 23, PageSize: 5},
		hrisHook: func(r *http.Request) {
			if r.URL.Path != "/api/employees" {
				return
			}
			if r.URL.Query().Get("cursor") == "" {
				firstPageRequests.Add(1)
			}
			if employeeRequests.Add(1) == 3 {
				f.hris.FailNext(1000, http.StatusInternalServerError)
			}
		},
	})

	var mu sync.Mutex
	var heartbeat activities.FetchProgress
	env := f.env()
	env.SetOnActivityHeartbeatListener(func(_ *activity.Info, details converter.EncodedValues) {
		mu.Lock()
		defer mu.Unlock()
		require.NoError(t, details.Get(&heartbeat))
	})
	_, err := env.ExecuteActivity(f.acts.Fetch, f.fetchIn("sync-1"))
	mu.Lock()
	defer mu.Unlock()
	ae := appError(t, err)
	require.False(t, ae.NonRetryable())
	require.Equal(t, activities.ErrTypeTransient, ae.Type())

	// The crash also left a record written after the last heartbeat, as if
	// the attempt died between storing a page and heartbeating it.
	require.Equal(t, 10, heartbeat.Records)
	require.Equal(t, 2, heartbeat.Pages)
	require.NotEmpty(t, heartbeat.Cursor)
	stray := roster.Employee{ID: "STRAY", FirstName: "Stray", WorkEmail: "stray@x.test"}
	require.NoError(t, f.store.AppendRecords(context.Background(), "sync-1", 10, []roster.Record{roster.RecordOf(stray)}))

	// The retry, once the HRIS is back, starts from the heartbeat.
	f.hris.FailNext(0, 0)
	retry := f.env()
	retry.SetHeartbeatDetails(heartbeat)
	var res activities.FetchResult
	require.NoError(t, run(t, retry, f.acts.Fetch, f.fetchIn("sync-1"), &res))

	require.Equal(t, activities.FetchResult{SnapshotID: "sync-1", Records: 23, Pages: 5}, res)
	require.Equal(t, int32(1), firstPageRequests.Load(), "the retry does not start over")
	recs, err := f.store.SnapshotRecords(context.Background(), "sync-1")
	require.NoError(t, err)
	require.Equal(t, recordsOf(f.hris.Employees()), recs, "every record exactly once, in order")
	snap, err := f.store.GetSnapshot(context.Background(), "sync-1")
	require.NoError(t, err)
	require.True(t, snap.Complete)
	require.Equal(t, 23, snap.Count)
}

func TestFetchResumesFromAHandMadeHeartbeat(t *testing.T) {
	f := newFixture(t, options{hris: demotest.HRISOptions{Employees: 23, PageSize: 5}})
	ctx := context.Background()

	// An earlier attempt stored three pages but heartbeated only the first two.
	src := demo.NewSource(demo.SourceConfig{BaseURL: f.source.URL})
	p1, err := src.FetchPage(ctx, "")
	require.NoError(t, err)
	p2, err := src.FetchPage(ctx, p1.Next)
	require.NoError(t, err)
	p3, err := src.FetchPage(ctx, p2.Next)
	require.NoError(t, err)
	require.NoError(t, f.store.BeginSnapshot(ctx, "sync-1", integrationID, "sync-1", 0))
	require.NoError(t, f.store.AppendRecords(ctx, "sync-1", 0, p1.Records))
	require.NoError(t, f.store.AppendRecords(ctx, "sync-1", 5, p2.Records))
	require.NoError(t, f.store.AppendRecords(ctx, "sync-1", 10, p3.Records))

	env := f.env()
	env.SetHeartbeatDetails(activities.FetchProgress{Cursor: p2.Next, Records: 10, Pages: 2})
	var res activities.FetchResult
	require.NoError(t, run(t, env, f.acts.Fetch, f.fetchIn("sync-1"), &res))

	require.Equal(t, activities.FetchResult{SnapshotID: "sync-1", Records: 23, Pages: 5}, res)
	recs, err := f.store.SnapshotRecords(ctx, "sync-1")
	require.NoError(t, err)
	require.Equal(t, recordsOf(f.hris.Employees()), recs)
}

func TestFetchRetriedAfterItsLastHeartbeatDoesNotFetchAgain(t *testing.T) {
	// The attempt stored and heartbeated the last page, then failed before
	// it could finish (say the store was busy); the retry must not start
	// the roster over on top of what is stored.
	f := newFixture(t, options{hris: demotest.HRISOptions{Employees: 23, PageSize: 5}})
	ctx := context.Background()
	f.fetch("sync-1")
	require.NoError(t, f.store.BeginSnapshot(ctx, "sync-1", integrationID, "sync-1", 23))

	env := f.env()
	env.SetHeartbeatDetails(activities.FetchProgress{Cursor: "", Records: 23, Pages: 5})
	var res activities.FetchResult
	require.NoError(t, run(t, env, f.acts.Fetch, f.fetchIn("sync-1"), &res))

	require.Equal(t, activities.FetchResult{SnapshotID: "sync-1", Records: 23, Pages: 5}, res)
	recs, err := f.store.SnapshotRecords(ctx, "sync-1")
	require.NoError(t, err)
	require.Equal(t, recordsOf(f.hris.Employees()), recs)
	snap, err := f.store.GetSnapshot(ctx, "sync-1")
	require.NoError(t, err)
	require.True(t, snap.Complete)
	require.Equal(t, 23, snap.Count)
}

func TestFetchErrorsAreClassified(t *testing.T) {
	tests := []struct {
		name         string
		opts         demotest.HRISOptions
		fail         int
		wantType     string
		nonRetryable bool
		delay        time.Duration
	}{
		{name: "503 is retried after the wait asked for", fail: http.StatusServiceUnavailable,
			wantType: activities.ErrTypeThrottled, delay: time.Second},
		{name: "500 is retried with backoff", fail: http.StatusInternalServerError,
			wantType: activities.ErrTypeTransient},
		{name: "429 waits for Retry-After", fail: http.StatusTooManyRequests,
			wantType: activities.ErrTypeThrottled, delay: time.Second},
		{name: "wrong token is permanent", opts: demotest.HRISOptions{Token: "s3cret"},
			wantType: activities.ErrTypePermanent, nonRetryable: true},
		{name: "404 is permanent", fail: http.StatusNotFound,
			wantType: activities.ErrTypePermanent, nonRetryable: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fastRetries(t)
			f := newFixture(t, options{hris: tt.opts})
			if tt.fail != 0 {
				f.hris.FailNext(1000, tt.fail) // longer than the attempt retries in place
			}
			_, err := f.env().ExecuteActivity(f.acts.Fetch, f.fetchIn("sync-1"))
			ae := appError(t, err)
			require.Equal(t, tt.wantType, ae.Type())
			require.Equal(t, tt.nonRetryable, ae.NonRetryable())
			require.Equal(t, tt.delay, ae.NextRetryDelay())

			snap, err := f.store.GetSnapshot(context.Background(), "sync-1")
			require.NoError(t, err)
			require.False(t, snap.Complete)
			if tt.nonRetryable {
				return
			}
			// The next attempt, once the HRIS is back, succeeds.
			f.hris.FailNext(0, 0)
			res := f.fetch("sync-1")
			require.Equal(t, 20, res.Records)
		})
	}
}

// An activity cancelled while it waits on its HRIS ends as a
// cancellation, which Temporal records as the activity cancelled rather
// than as a failure to retry: the request fails with the cancel's cause,
// and classifying keeps it.
func TestACancelledRequestStaysACancellation(t *testing.T) {
	arrived := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done()
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancelCause(context.Background())
	go func() {
		<-arrived
		cancel(temporal.NewCanceledError()) // as the worker cancels an activity
	}()
	_, err := demo.NewSource(demo.SourceConfig{BaseURL: srv.URL}).FetchPage(ctx, "")
	got := activities.Classify(fmt.Errorf("unable to fetch page 1 from demo source: %w", err))
	require.True(t, temporal.IsCanceledError(got), "classified as %v", got)
	require.ErrorIs(t, activities.Classify(fmt.Errorf("unable to store page 1: %w", context.Canceled)), context.Canceled)
}

// fastRetries makes the activities retry a request in place once, at
// once, for the rest of t.
func fastRetries(t *testing.T) {
	t.Helper()
	activities.UseRetries(t, activities.RetryPolicy{First: time.Millisecond, Cap: time.Millisecond, Tries: 2,
		Budget: 10 * time.Second, BatchTries: 1, Beat: time.Second}, nil)
}

// A page the HRIS fails now and then is fetched again in place: the
// attempt goes on, and every record arrives once.
func TestFetchRetriesAFailedPageInPlace(t *testing.T) {
	fastRetries(t)
	var requests atomic.Int32
	var f *fixture
	f = newFixture(t, options{hris: demotest.HRISOptions{Employees: 23, PageSize: 5},
		hrisHook: func(r *http.Request) {
			if r.URL.Path == "/api/employees" && requests.Add(1)%2 == 0 {
				f.hris.FailNext(1, http.StatusServiceUnavailable)
			}
		}})
	res := f.fetch("sync-1")
	require.Equal(t, 23, res.Records)
	require.Equal(t, 5, res.Pages)
}

func TestUnknownConnectorKindIsPermanent(t *testing.T) {
	f := newFixture(t, options{})
	in := f.fetchIn("sync-1")
	in.Source.Kind = "nope"
	_, err := f.env().ExecuteActivity(f.acts.Fetch, in)
	ae := appError(t, err)
	require.True(t, ae.NonRetryable())
	require.Equal(t, activities.ErrTypePermanent, ae.Type())
}

func TestPlanNeedsACompleteSnapshot(t *testing.T) {
	f := newFixture(t, options{})
	in := activities.PlanInput{IntegrationID: integrationID, SyncID: "sync-1", SnapshotID: "sync-1", Config: f.config}

	_, err := f.env().ExecuteActivity(f.acts.Plan, in)
	require.True(t, appError(t, err).NonRetryable(), "unknown snapshot")

	require.NoError(t, f.store.BeginSnapshot(context.Background(), "sync-1", integrationID, "sync-1", 0))
	_, err = f.env().ExecuteActivity(f.acts.Plan, in)
	require.True(t, appError(t, err).NonRetryable(), "incomplete snapshot")
}

func counts(pairs ...any) map[roster.Op]int {
	out := map[roster.Op]int{}
	for i := 0; i < len(pairs); i += 2 {
		if n := pairs[i+1].(int); n > 0 {
			out[pairs[i].(roster.Op)] = n
		}
	}
	return out
}

func TestFirstSyncCreatesEveryoneActive(t *testing.T) {
	f := newFixture(t, options{})
	require.NoError(t, f.hris.Terminate(f.leaf(), roster.Date{}))
	active, leavers := f.split()
	require.NotEmpty(t, leavers)

	f.fetch("sync-1")
	p := f.plan("sync-1")
	require.Equal(t, "sync-1", p.PlanID)
	require.Empty(t, p.Blocks)
	require.Zero(t, p.Problems)
	require.Zero(t, p.DirectoryUsers)
	want := counts(roster.OpCreate, len(active), roster.OpSkip, len(leavers))
	require.Equal(t, want, p.Counts)
	require.Empty(t, f.dir.Users(), "planning writes nothing")

	applied := f.apply(p.PlanID)
	require.Equal(t, activities.ApplyResult{Applied: counts(roster.OpCreate, len(active))}, applied,
		"skipped leavers are not apply's to do")

	users := f.directoryByExternalID()
	require.Len(t, users, len(active))
	for _, e := range active {
		u, ok := users[e.ID]
		require.True(t, ok, "%s is missing from the directory", e.ID)
		require.True(t, u.Active)
		require.Equal(t, e, u.Employee)
	}
	for _, pc := range f.changes(p.PlanID) {
		require.Equal(t, store.StatusApplied, pc.Status)
		if pc.Change.Op == roster.OpCreate {
			require.Equal(t, users[pc.Change.EmployeeID].TargetID, pc.TargetID)
		}
	}

	c := f.commit("sync-1")
	require.Equal(t, activities.CommitResult{ReportID: "sync-1", Applied: want}, c)
	report, err := f.store.GetReport(context.Background(), "sync-1")
	require.NoError(t, err)
	require.Equal(t, store.Report{ID: "sync-1", IntegrationID: integrationID, SyncID: "sync-1", PlanID: "sync-1",
		CreatedAt: now, Outcome: activities.OutcomeApplied, Planned: want, Applied: want}, report)

	applied2, err := f.store.Applied(context.Background(), integrationID)
	require.NoError(t, err)
	require.Equal(t, active, applied2, "leavers never reached the directory")
}

func TestSecondSyncAppliesExactlyTheHRISChanges(t *testing.T) {
	f := newFixture(t, options{})
	f.sync("sync-1")
	activeBefore, leavers := f.split()

	require.NoError(t, f.hris.Update("E0004", func(e *roster.Employee) { e.Department = "Moved Dept" }))
	require.NoError(t, f.hris.Terminate("E0009", roster.Date{}))
	newcomer := roster.Employee{FirstName: "Nia", LastName: "Newcomer", WorkEmail: "nia.newcomer@demo.example",
		DateOfJoining: roster.Date{Year: 2026, Month: time.March, Day: 2}}
	require.NoError(t, f.hris.Add(newcomer))
	var newID string
	for _, e := range f.hris.Employees() {
		if e.WorkEmail == newcomer.WorkEmail {
			newID = e.ID
		}
	}
	require.NotEmpty(t, newID)

	f.fetch("sync-2")
	p := f.plan("sync-2")
	require.Empty(t, p.Blocks)
	require.Equal(t, len(activeBefore), p.DirectoryUsers)
	want := counts(roster.OpUpdate, 1, roster.OpDeactivate, 1, roster.OpCreate, 1,
		roster.OpUnchanged, len(activeBefore)-2, roster.OpSkip, len(leavers))
	require.Equal(t, want, p.Counts)

	pcs := f.changes("sync-2")
	users := f.directoryByExternalID()
	require.Equal(t, roster.OpUpdate, pcs["E0004"].Change.Op)
	require.Equal(t, []roster.Field{roster.FieldDepartment}, pcs["E0004"].Change.Fields)
	require.Equal(t, users["E0004"].TargetID, pcs["E0004"].Change.TargetID)
	require.Equal(t, roster.OpDeactivate, pcs["E0009"].Change.Op)
	require.Equal(t, users["E0009"].TargetID, pcs["E0009"].Change.TargetID)
	require.Equal(t, roster.OpCreate, pcs[newID].Change.Op)
	for id, pc := range pcs {
		if id != "E0004" && id != "E0009" && id != newID {
			require.Contains(t, []roster.Op{roster.OpUnchanged, roster.OpSkip}, pc.Change.Op, id)
		}
	}

	res := f.apply("sync-2")
	require.Equal(t, activities.ApplyResult{Applied: counts(roster.OpUpdate, 1, roster.OpDeactivate, 1, roster.OpCreate, 1)},
		res, "only the changes; unchanged ones are applied as planned")

	users = f.directoryByExternalID()
	require.Len(t, users, len(activeBefore)+1)
	require.Equal(t, "Moved Dept", users["E0004"].Employee.Department)
	require.True(t, users["E0004"].Active)
	require.False(t, users["E0009"].Active)
	require.True(t, users[newID].Active)
	require.Equal(t, "Nia", users[newID].Employee.FirstName)
	for id, u := range users {
		if id != "E0009" {
			require.True(t, u.Active, id)
		}
	}

	c := f.commit("sync-2")
	require.Equal(t, want, c.Applied)
	require.Zero(t, c.Failed)

	applied, err := f.store.Applied(context.Background(), integrationID)
	require.NoError(t, err)
	byID := map[string]roster.Employee{}
	for _, e := range applied {
		byID[e.ID] = e
	}
	require.Len(t, byID, len(activeBefore)+1)
	require.Equal(t, "Moved Dept", byID["E0004"].Department)
	require.Equal(t, roster.StatusInactive, byID["E0009"].Status)
	want9, _ := f.hris.Get("E0009")
	require.Equal(t, want9, byID["E0009"])
	want4, _ := f.hris.Get("E0004")
	require.Equal(t, want4, byID["E0004"])
	wantNew, _ := f.hris.Get(newID)
	require.Equal(t, wantNew, byID[newID])

	// A third sync has nothing left to do.
	f.fetch("sync-3")
	p = f.plan("sync-3")
	require.Equal(t, counts(roster.OpUnchanged, len(activeBefore)+1, roster.OpSkip, len(leavers)), p.Counts)
}

func TestApplyDoesNotDuplicateAUserCreatedBeforeACrash(t *testing.T) {
	f := newFixture(t, options{})
	active, _ := f.split()
	f.fetch("sync-1")
	p := f.plan("sync-1")

	// The last attempt created E0005 and died before recording it; the
	// change is still pending. It created it with a department since
	// changed, so the retry also brings it up to date.
	e5, ok := f.hris.Get("E0005")
	require.True(t, ok)
	require.Equal(t, store.StatusPending, f.changes(p.PlanID)["E0005"].Status)
	stale := e5
	stale.Department = "Old Dept"
	made, err := f.dir.Add(roster.User{Active: true, Employee: stale})
	require.NoError(t, err)

	res := f.apply(p.PlanID)
	require.Zero(t, res.Failed)
	require.Equal(t, len(active), res.Applied[roster.OpCreate])

	users := f.directoryByExternalID()
	require.Len(t, users, len(active), "no duplicate user")
	require.Equal(t, made.TargetID, users["E0005"].TargetID)
	require.Equal(t, e5, users["E0005"].Employee)
	pc := f.changes(p.PlanID)["E0005"]
	require.Equal(t, store.StatusApplied, pc.Status)
	require.Equal(t, made.TargetID, pc.TargetID)

	// Applying the plan again does nothing at all.
	before := f.dir.Users()
	res = f.apply(p.PlanID)
	require.Equal(t, activities.ApplyResult{Applied: map[roster.Op]int{}}, res)
	require.Equal(t, before, f.dir.Users())
}

func TestApplyRetriedAfterATransientFailureContinues(t *testing.T) {
	activities.UseRetries(t, activities.RetryPolicy{First: time.Millisecond, Cap: time.Millisecond, Tries: 2,
		Budget: time.Second, BatchTries: 1, Beat: time.Second}, nil)
	var creates atomic.Int32
	var f *fixture
	f = newFixture(t, options{dirHook: func(r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/api/users" && creates.Add(1) == 3 {
			// The directory falls over after the third create, and stays
			// down longer than the attempt's retries in place last.
			f.dir.FailNext(1000, http.StatusServiceUnavailable)
		}
	}})
	active, _ := f.split()
	f.fetch("sync-1")
	p := f.plan("sync-1")

	_, err := f.applyErr(p.PlanID)
	ae := appError(t, err)
	require.False(t, ae.NonRetryable())
	require.Equal(t, activities.ErrTypeThrottled, ae.Type())
	require.Equal(t, time.Second, ae.NextRetryDelay())
	require.Len(t, f.dir.Users(), 2)
	written := 0
	for _, pc := range f.changes(p.PlanID) {
		if pc.Status != store.StatusPending {
			written++
		}
	}
	require.Equal(t, 2, written, "two users written (managers not yet linked)")

	f.dir.FailNext(0, 0) // the directory is back
	res := f.apply(p.PlanID)
	require.Zero(t, res.Failed)
	// Two users were written; one (E0001) was complete, the other still
	// needed its manager, which the retry links.
	require.Equal(t, len(active)-1, res.Applied[roster.OpCreate], "the retry finishes only what is left")
	require.Equal(t, int32(len(active)+1), creates.Load(), "no create is repeated (one POST failed)")
	require.Len(t, f.directoryByExternalID(), len(active))
}

func TestApplyRecordsARefusedChangeAndCarriesOn(t *testing.T) {
	f := newFixture(t, options{})
	active, leavers := f.split()
	f.fetch("sync-1")
	p := f.plan("sync-1")

	// The directory refuses the first change, E0001's create.
	f.dir.FailNext(1, http.StatusBadRequest)
	res := f.apply(p.PlanID)
	require.Equal(t, 1, res.Failed)
	require.Equal(t, counts(roster.OpCreate, len(active)-1), res.Applied)

	pc := f.changes(p.PlanID)["E0001"]
	require.Equal(t, store.StatusFailed, pc.Status)
	require.Contains(t, pc.Error, "400")
	users := f.directoryByExternalID()
	require.Len(t, users, len(active)-1)
	require.NotContains(t, users, "E0001")

	c := f.commit("sync-1")
	require.Equal(t, 1, c.Failed)
	report, err := f.store.GetReport(context.Background(), c.ReportID)
	require.NoError(t, err)
	require.Len(t, report.Failures, 1)
	require.Equal(t, "E0001", report.Failures[0].EmployeeID)
	require.Equal(t, roster.OpCreate, report.Failures[0].Op)
	require.Equal(t, pc.Error, report.Failures[0].Error)
	data, err := json.Marshal(report)
	require.NoError(t, err)
	e1, _ := f.hris.Get("E0001")
	for _, secret := range []string{e1.FirstName, e1.LastName, e1.WorkEmail, e1.PersonalEmail, e1.WorkPhone} {
		require.NotContains(t, string(data), secret, "the report names people by id only")
	}

	// The applied roster keeps E0001 out, and the next sync tries again.
	applied, err := f.store.Applied(context.Background(), integrationID)
	require.NoError(t, err)
	// It holds what the directory holds: E0001's reports without their
	// manager, so the next run links it whichever directory it compares.
	want := slices.Clone(active[1:])
	for i := range want {
		if want[i].ManagerID == "E0001" {
			want[i].ManagerID = ""
		}
	}
	require.Equal(t, want, applied)

	// E0001's reports were created without their manager, with a warning.
	reports := 0
	for _, e := range active {
		if e.ManagerID == "E0001" {
			reports++
			pc := f.changes(p.PlanID)[e.ID]
			require.Equal(t, store.StatusApplied, pc.Status)
			require.Equal(t, "manager E0001 is not in the directory; manager left unset", pc.Error)
		}
	}
	require.NotZero(t, reports)

	f.fetch("sync-2")
	p = f.plan("sync-2")
	require.Equal(t, counts(roster.OpCreate, 1, roster.OpUpdate, reports, roster.OpUnchanged, len(active)-1-reports,
		roster.OpSkip, len(leavers)), p.Counts, "the manager is linked once it exists")
	require.Equal(t, roster.OpCreate, f.changes("sync-2")["E0001"].Change.Op)
	f.apply("sync-2")
	users = f.directoryByExternalID()
	require.Len(t, users, len(active))
	for _, e := range active {
		require.Equal(t, e.ManagerID, users[e.ID].Employee.ManagerID)
	}
}

func TestCommitRefusesAPlanWithPendingChanges(t *testing.T) {
	f := newFixture(t, options{})
	f.fetch("sync-1")
	f.plan("sync-1")

	_, err := f.commitErr("sync-1", activities.OutcomeApplied)
	ae := appError(t, err)
	require.True(t, ae.NonRetryable())
	require.Equal(t, activities.ErrTypePermanent, ae.Type())
	_, err = f.store.GetReport(context.Background(), "sync-1")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func TestMassDeactivationIsBlocked(t *testing.T) {
	f := newFixture(t, options{})
	f.sync("sync-1")
	active, _ := f.split()
	require.Len(t, active, 20, "this seed has no leavers")

	// Four leavers is below the minimum, so no block.
	victims := []string{"E0011", "E0012", "E0013", "E0014", "E0015"}
	for _, id := range victims[:4] {
		require.NoError(t, f.hris.Terminate(id, roster.Date{}))
	}
	f.fetch("sync-2")
	p := f.plan("sync-2")
	require.Empty(t, p.Blocks)
	require.Equal(t, 4, p.Counts[roster.OpDeactivate])

	// Five of twenty is 25%, above the 20% limit.
	require.NoError(t, f.hris.Terminate(victims[4], roster.Date{}))
	before := f.dir.Users()
	f.fetch("sync-3")
	p = f.plan("sync-3")
	require.Equal(t, 5, p.Counts[roster.OpDeactivate])
	require.Len(t, p.Blocks, 1)
	require.Equal(t, roster.BlockMassChange, p.Blocks[0].Code)
	require.Equal(t, before, f.dir.Users(), "planning applies nothing")
	stored, err := f.store.GetPlan(context.Background(), "sync-3")
	require.NoError(t, err)
	require.Equal(t, p.Blocks, stored.Blocks)
	for _, pc := range f.changes("sync-3") {
		want := store.StatusPending
		if pc.Change.Op == roster.OpUnchanged || pc.Change.Op == roster.OpSkip {
			want = store.StatusApplied // nothing to write
		}
		require.Equal(t, want, pc.Status)
	}

	// An administrator rejects it: the report says so and nothing moves.
	previous, err := f.store.Applied(context.Background(), integrationID)
	require.NoError(t, err)
	c, err := f.commitErr("sync-3", activities.OutcomeRejected)
	require.NoError(t, err)
	require.Empty(t, c.Applied)
	report, err := f.store.GetReport(context.Background(), "sync-3")
	require.NoError(t, err)
	require.Equal(t, activities.OutcomeRejected, report.Outcome)
	require.Equal(t, p.Blocks, report.Blocks)
	require.Equal(t, 5, report.Planned[roster.OpDeactivate])
	after, err := f.store.Applied(context.Background(), integrationID)
	require.NoError(t, err)
	require.Equal(t, previous, after)
	require.Equal(t, before, f.dir.Users())
}

func TestPlanAgainReplacesThePlan(t *testing.T) {
	f := newFixture(t, options{})
	f.fetch("sync-1")
	first := f.plan("sync-1")
	require.NoError(t, f.store.RecordOutcome(context.Background(), "sync-1", 0, store.StatusFailed, "", "boom"))

	second := f.plan("sync-1")
	require.Equal(t, first, second)
	pcs, err := f.store.PlanChanges(context.Background(), "sync-1")
	require.NoError(t, err)
	require.Len(t, pcs, 20)
	for _, pc := range pcs {
		require.Equal(t, store.StatusPending, pc.Status)
	}
}

func TestFirstSyncLinksExistingUsersByEmail(t *testing.T) {
	f := newFixture(t, options{})
	active, _ := f.split()
	e3, ok := f.hris.Get("E0003")
	require.True(t, ok)
	// An administrator made E0003's account by hand, with a shouty email and
	// a nickname, before hrsync was set up.
	handMade, err := f.dir.Add(roster.User{Active: true, Employee: roster.Employee{
		FirstName: "Nick", LastName: e3.LastName, WorkEmail: strings.ToUpper(e3.WorkEmail)}})
	require.NoError(t, err)

	f.fetch("sync-1")
	p := f.plan("sync-1")
	require.Equal(t, 1, p.DirectoryUsers)
	require.Equal(t, len(active)-1, p.Counts[roster.OpCreate])
	require.Equal(t, 1, p.Counts[roster.OpUpdate])
	link := f.changes("sync-1")["E0003"].Change
	require.Equal(t, roster.OpUpdate, link.Op)
	require.True(t, link.Link)
	require.Equal(t, handMade.TargetID, link.TargetID)

	res := f.apply(p.PlanID)
	require.Zero(t, res.Failed)
	users := f.directoryByExternalID()
	require.Len(t, users, len(active), "linked, not duplicated")
	require.Equal(t, handMade.TargetID, users["E0003"].TargetID)
	require.Equal(t, e3.FirstName, users["E0003"].Employee.FirstName)
	require.Equal(t, e3.WorkEmail, users["E0003"].Employee.WorkEmail)
	f.commit("sync-1")

	// From now on the user is matched by id.
	f.fetch("sync-2")
	p = f.plan("sync-2")
	require.Equal(t, len(active), p.Counts[roster.OpUnchanged])
	require.Zero(t, p.Counts[roster.OpCreate])
	// Unchanged and as hrsync wrote it, the user is counted, not stored.
	require.NotContains(t, f.changes("sync-2"), "E0003")
}

func TestPurgeDeletesOnlyTheIntegrationsData(t *testing.T) {
	f := newFixture(t, options{})
	ctx := context.Background()
	active, _ := f.split()
	f.sync("sync-1")
	// Another integration shares the store.
	var other activities.FetchResult
	require.NoError(t, run(t, f.env(), f.acts.Fetch, activities.FetchInput{
		IntegrationID: "globex", SyncID: "globex-1", Source: f.source}, &other))

	for _, id := range []string{"acme-hris", "globex-hris", "shared-scim"} {
		require.NoError(t, f.store.PutCredential(ctx, store.SealedCredential{ID: id, Kind: "apiKey", Sealed: []byte("x")}))
	}
	f.acts.Users = credentialUsers{"store:acme-hris": {integrationID}, "store:shared-scim": {integrationID, "globex"},
		"store:globex-hris": {"globex"}}

	var res activities.PurgeResult
	require.NoError(t, run(t, f.env(), f.acts.Purge, activities.PurgeInput{IntegrationID: integrationID,
		Credentials: []string{"store:acme-hris", "env:HRSYNC_SECRET_ACME_TOKEN", "store:gone", "", "store:shared-scim"}}, &res))
	require.Equal(t, store.Purged{Snapshots: 1, Records: 20, Plans: 1, Changes: 20,
		Applied: int64(len(active)), Reports: 1, Owned: int64(len(active)), Credentials: 1}, res.Purged)
	require.Equal(t, []activities.KeptCredential{{Ref: "store:shared-scim", UsedBy: []string{"globex"}, Reason: "still in use"}},
		res.Kept)
	_, err := f.store.GetCredential(ctx, "acme-hris")
	require.ErrorIs(t, err, store.ErrNotFound, "the integration's stored credential is gone")
	_, err = f.store.GetCredential(ctx, "globex-hris")
	require.NoError(t, err, "another's is kept")
	_, err = f.store.GetCredential(ctx, "shared-scim")
	require.NoError(t, err, "one another integration also uses is kept")

	_, err = f.store.GetSnapshot(ctx, "sync-1")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = f.store.GetPlan(ctx, "sync-1")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = f.store.GetReport(ctx, "sync-1")
	require.ErrorIs(t, err, store.ErrNotFound)
	applied, err := f.store.Applied(ctx, integrationID)
	require.NoError(t, err)
	require.Empty(t, applied)

	snap, err := f.store.GetSnapshot(ctx, "globex-1")
	require.NoError(t, err)
	require.Equal(t, 20, snap.Count)
	require.Len(t, f.dir.Users(), len(active), "purging leaves the directory alone")
}

// recordsOf is how the demo source delivers employees.
func recordsOf(employees []roster.Employee) []roster.Record {
	out := make([]roster.Record, len(employees))
	for i, e := range employees {
		out[i] = roster.RecordOf(e)
	}
	return out
}

// leaf returns the last active employee nobody reports to.
func (f *fixture) leaf() string {
	manages := map[string]bool{}
	for _, e := range f.hris.Employees() {
		manages[e.ManagerID] = true
	}
	employees := f.hris.Employees()
	for i := len(employees) - 1; i >= 0; i-- {
		if e := employees[i]; !manages[e.ID] && e.Status == roster.StatusActive {
			return e.ID
		}
	}
	f.t.Fatal("no leaf employee")
	return ""
}

// credentialUsers answers which integrations name each credential.
type credentialUsers map[string][]string

func (u credentialUsers) CredentialUsers(context.Context) (map[string][]string, error) { return u, nil }

// failingUsers cannot say who uses what.
type failingUsers struct{}

func (failingUsers) CredentialUsers(context.Context) (map[string][]string, error) {
	return nil, errors.New("temporal unreachable")
}

func TestPurgeKeepsCredentialsWhenItCannotTellWhoUsesThem(t *testing.T) {
	f := newFixture(t, options{})
	ctx := context.Background()
	require.NoError(t, f.store.PutCredential(ctx, store.SealedCredential{ID: "acme-hris", Kind: "apiKey", Sealed: []byte("x")}))
	for _, users := range []activities.CredentialUsers{nil, failingUsers{}} {
		f.acts.Users = users
		var res activities.PurgeResult
		require.NoError(t, run(t, f.env(), f.acts.Purge, activities.PurgeInput{IntegrationID: integrationID,
			Credentials: []string{"store:acme-hris"}}, &res))
		require.Len(t, res.Kept, 1)
		require.Equal(t, "store:acme-hris", res.Kept[0].Ref)
		require.NotEmpty(t, res.Kept[0].Reason)
		_, err := f.store.GetCredential(ctx, "acme-hris")
		require.NoError(t, err)
	}
}
