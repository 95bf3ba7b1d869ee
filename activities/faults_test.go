package activities_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/connectors/demo/demotest"
	"github.com/hrsync/hrsync/connectors/registry"
	"github.com/hrsync/hrsync/connectors/scim/scimtest"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
)

// The faults a faulty directory answers with.
const (
	fault429Now   = "429 Retry-After: 0"
	fault429Later = "429 Retry-After: 1"
	fault500      = "500"
	fault503      = "503"
	faultDrop     = "served, answer dropped"
	// Faults of single operations of a Bulk request the rest of which is
	// served.
	faultOp429 = "bulk operation 429"
	faultOp503 = "bulk operation 503"
)

var faultKinds = []string{fault429Now, fault429Later, fault500, fault503, faultDrop}

// faulty serves a directory and, while on, answers a share of requests
// with a fault drawn from a seeded source: a 429 asking to wait 0 or 1
// seconds, a 500 or a 503 (none of which reaches the directory), or the
// request served in full and its answer never sent, the connection closed
// instead, as when a proxy resets it after the directory did the work.
type faulty struct {
	next http.Handler
	rate float64
	on   atomic.Bool

	mu     sync.Mutex
	rng    *rand.Rand
	counts map[string]int
}

func newFaulty(next http.Handler, rate float64, seed uint64) *faulty {
	return &faulty{next: next, rate: rate, rng: rand.New(rand.NewPCG(seed, 14)), counts: map[string]int{}}
}

// draw picks the fault for one request, "" for none.
func (f *faulty) draw(r *http.Request) string {
	if !f.on.Load() {
		return ""
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rng.Float64() >= f.rate {
		return ""
	}
	kind := faultKinds[f.rng.IntN(len(faultKinds))]
	f.counts[kind]++
	f.counts[r.Method+" "+kind]++
	return kind
}

func (f *faulty) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	kind := f.draw(r)
	switch kind {
	case "":
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/Bulk") && f.on.Load() {
			f.serveBulk(w, r)
			return
		}
		f.next.ServeHTTP(w, r)
		return
	case faultDrop:
		f.next.ServeHTTP(httptest.NewRecorder(), r)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		_ = conn.Close()
		return
	case fault429Now:
		w.Header().Set("Retry-After", "0")
	case fault429Later:
		w.Header().Set("Retry-After", "1")
	}
	status := map[string]int{fault429Now: 429, fault429Later: 429, fault500: 500, fault503: 503}[kind]
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(status)
	_, _ = w.Write(scimError(status))
}

// scimError is a SCIM Error message of status.
func scimError(status int) []byte {
	return fmt.Appendf(nil, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"%d","detail":"injected"}`, status)
}

// serveBulk serves a Bulk request whose operations each fail, at the
// fault rate, with a 429 or a 503 of their own: the directory is sent the
// rest, and its answer gets the failed operations back in their places.
func (f *faulty) serveBulk(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		panic(err)
	}
	var req map[string]any
	if err := json.Unmarshal(body, &req); err != nil {
		panic(err)
	}
	ops, _ := req["Operations"].([]any)
	failed := map[int]int{}
	var keep []any
	f.mu.Lock()
	for i, op := range ops {
		if f.rng.Float64() >= f.rate {
			keep = append(keep, op)
			continue
		}
		status, kind := http.StatusServiceUnavailable, faultOp503
		if f.rng.IntN(2) == 0 {
			status, kind = http.StatusTooManyRequests, faultOp429
		}
		failed[i] = status
		f.counts[kind]++
	}
	f.mu.Unlock()
	var served []any
	if len(keep) > 0 {
		req["Operations"] = keep
		fwd, err := json.Marshal(req)
		if err != nil {
			panic(err)
		}
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(fwd)), int64(len(fwd))
		rec := httptest.NewRecorder()
		f.next.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			copyResponse(w, rec)
			return
		}
		var resp map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			panic(err)
		}
		served, _ = resp["Operations"].([]any)
	}
	out := make([]any, 0, len(ops))
	for i, op := range ops {
		status, ok := failed[i]
		if !ok {
			if len(served) == 0 {
				panic("the directory answered fewer operations than it was sent")
			}
			out, served = append(out, served[0]), served[1:]
			continue
		}
		m := op.(map[string]any)
		res := map[string]any{"method": m["method"], "status": strconv.Itoa(status), "response": json.RawMessage(scimError(status))}
		if id, ok := m["bulkId"]; ok {
			res["bulkId"] = id
		}
		out = append(out, res)
	}
	w.Header().Set("Content-Type", "application/scim+json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:BulkResponse"},
		"Operations": out,
	})
}

// copyResponse writes the recorded answer rec to w.
func copyResponse(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// count is how many faults of kind were injected.
func (f *faulty) count(kind string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[kind]
}

// waits records the waits Apply asked for and makes each a thousandth as
// long, so a Retry-After of a second costs a millisecond.
type waits struct {
	mu      sync.Mutex
	longest time.Duration
}

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.longest = max(w.longest, d)
	w.mu.Unlock()
	t := time.NewTimer(d / 1000)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// faultsTokenEnv holds the directory's token in these tests; each test
// sets it, for its subtests run in parallel.
const faultsTokenEnv = "HRSYNC_SECRET_FAULTS_SCIM_TOKEN"

// faultsFixture is an integration syncing a demo HRIS into the reference
// SCIM directory through a faulty proxy.
type faultsFixture struct {
	t      *testing.T
	hris   *demotest.HRIS
	dir    *scimtest.Server
	faults *faulty
	acts   *activities.Activities
	cfg    integration.Config
	ts     testSuite
}

// faultsOptions shape a faultsFixture.
type faultsOptions struct {
	employees int
	rate      float64
	seed      uint64
	bulk      bool
	// batchSize is the apply's; bulkMaxOps the directory's maxOperations.
	batchSize, bulkMaxOps int
	// hook, when set, sees each request before the faults do, and may
	// answer it itself by returning true.
	hook func(w http.ResponseWriter, r *http.Request, dir http.Handler) bool
}

func newFaultsFixture(t *testing.T, o faultsOptions) *faultsFixture {
	t.Helper()
	ctx := context.Background()
	hris, err := demotest.NewHRIS(demotest.HRISOptions{Employees: o.employees, Seed: int64(o.seed) + 1})
	require.NoError(t, err)
	hrisSrv := httptest.NewServer(hris)
	t.Cleanup(hrisSrv.Close)
	dir, err := scimtest.New(scimtest.Options{Token: interopToken, BulkMaxOperations: o.bulkMaxOps})
	require.NoError(t, err)
	t.Cleanup(func() { _ = dir.Close() })
	dir.SetBulk(o.bulk)
	faults := newFaulty(dir, o.rate, o.seed)
	var h http.Handler = faults
	if o.hook != nil {
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !o.hook(w, r, dir) {
				faults.ServeHTTP(w, r)
			}
		})
	}
	dirSrv := httptest.NewServer(h)
	t.Cleanup(dirSrv.Close)
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "hrsync.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return &faultsFixture{t: t, hris: hris, dir: dir, faults: faults,
		acts: &activities.Activities{Store: st, Connectors: registry.New(nil, nil), Now: func() time.Time { return now }},
		cfg: integration.Config{ID: "faults",
			Source: integration.Endpoint{Kind: "demo", URL: hrisSrv.URL},
			Target: integration.Endpoint{Kind: "scim", URL: dirSrv.URL + "/scim/v2", CredentialRef: "env:" + faultsTokenEnv,
				BatchSize: o.batchSize},
		}}
}

// plan fetches and plans a sync, without faults.
func (f *faultsFixture) plan(syncID string) activities.PlanResult {
	f.t.Helper()
	var fetched activities.FetchResult
	require.NoError(f.t, run(f.t, f.ts.env(f.acts), f.acts.Fetch, activities.FetchInput{IntegrationID: f.cfg.ID, SyncID: syncID,
		Source: f.cfg.Source, Rules: f.cfg.WithDefaults().Rules}, &fetched))
	var plan activities.PlanResult
	require.NoError(f.t, run(f.t, f.ts.env(f.acts), f.acts.Plan, activities.PlanInput{IntegrationID: f.cfg.ID, SyncID: syncID,
		SnapshotID: fetched.SnapshotID, Config: f.cfg}, &plan))
	require.Empty(f.t, plan.Blocks)
	return plan
}

// apply runs one Apply attempt of plan planID in env, faults on.
func (f *faultsFixture) apply(env *testsuite.TestActivityEnvironment, planID string) (activities.ApplyResult, error) {
	f.t.Helper()
	if env == nil {
		env = f.ts.env(f.acts)
	}
	f.faults.on.Store(true)
	defer f.faults.on.Store(false)
	var applied activities.ApplyResult
	err := run(f.t, env, f.acts.Apply, activities.ApplyInput{PlanID: planID, Target: f.cfg.Target}, &applied)
	return applied, err
}

// commit commits a sync whose plan was applied.
func (f *faultsFixture) commit(syncID, planID string) activities.CommitResult {
	f.t.Helper()
	var committed activities.CommitResult
	require.NoError(f.t, run(f.t, f.ts.env(f.acts), f.acts.Commit, activities.CommitInput{IntegrationID: f.cfg.ID, SyncID: syncID,
		PlanID: planID, Outcome: activities.OutcomeApplied}, &committed))
	return committed
}

// syncInOneAttempt plans, applies in one attempt and commits a sync, and
// requires nothing to fail and the directory to end equal to the HRIS.
func (f *faultsFixture) syncInOneAttempt(syncID string) {
	f.t.Helper()
	plan := f.plan(syncID)
	applied, err := f.apply(nil, plan.PlanID)
	require.NoError(f.t, err, "one Apply attempt")
	require.Zero(f.t, applied.Failed)
	require.Zero(f.t, f.commit(syncID, plan.PlanID).Failed)
	requireDirectoryIsHRIS(f.t, f.dir, f.hris)
}

// Through a directory failing a share of its requests — throttling with
// and without a wait, 500s, 503s, answers lost after the work was done,
// single operations of a Bulk request throttled or failing — a first sync
// of 500 employees completes in one Apply attempt, and so does a second
// with leavers and changes: the directory ends equal to the HRIS, one user
// per employee, no one missing or failed, with and without Bulk.
//
// At 10% the retries are the production policy's, waits aside. At 30% a
// call of two requests (a SCIM create or update is a GET and a write)
// fails half its tries, so the production 8 tries leave about one call in
// 200 spent — several in a sync of 500 — and the attempt fails, to be
// retried by Temporal from where it stopped; the test allows 24 tries to
// show that nothing but that bound stops progress.
func TestApplyProgressesThroughFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("a few thousand requests per case")
	}
	setSecret(t, faultsTokenEnv, interopToken)
	for _, rate := range []float64{0.1, 0.3} {
		t.Run(fmt.Sprintf("%.0f%%", rate*100), func(t *testing.T) {
			w := &waits{}
			policy := activities.DefaultRetries()
			if rate > 0.1 {
				policy.Tries = 24
			}
			activities.UseRetries(t, policy, w.sleep)
			var mu sync.Mutex
			injected := map[string]int{}
			for _, bulk := range []bool{true, false} {
				for _, seed := range []uint64{1, 2, 3} {
					name := fmt.Sprintf("%s/seed%d", map[bool]string{true: "bulk", false: "one request per write"}[bulk], seed)
					t.Run(name, func(t *testing.T) {
						t.Parallel()
						counts := testApplyThroughFaults(t, rate, bulk, seed)
						mu.Lock()
						defer mu.Unlock()
						for k, n := range counts {
							injected[k] += n
						}
					})
				}
			}
			t.Cleanup(func() {
				for _, kind := range append(faultKinds, faultOp429, faultOp503,
					http.MethodPost+" "+faultDrop, http.MethodPatch+" "+faultDrop) {
					require.Positive(t, injected[kind], "some %q were injected", kind)
				}
				require.GreaterOrEqual(t, w.longest, time.Second, "a Retry-After of 1s is honoured")
			})
		})
	}
}

// testApplyThroughFaults runs the two syncs through a faulty directory and
// returns the faults injected.
func testApplyThroughFaults(t *testing.T, rate float64, bulk bool, seed uint64) map[string]int {
	// Small batches in Bulk requests of at most 20 operations, so a sync
	// makes dozens of Bulk requests, some of a batch failing after others
	// were answered.
	f := newFaultsFixture(t, faultsOptions{employees: 500, rate: rate, seed: seed, bulk: bulk, batchSize: 50, bulkMaxOps: 20})
	f.syncInOneAttempt("sync-1")

	// Some leave, some change department.
	active := 0
	for _, e := range f.hris.Employees() {
		if e.Status != roster.StatusActive {
			continue
		}
		active++
		switch {
		case active%25 == 0:
			require.NoError(t, f.hris.Terminate(e.ID, roster.Date{Year: 2026, Month: time.March, Day: 9}))
		case active%10 == 0:
			require.NoError(t, f.hris.Update(e.ID, func(e *roster.Employee) { e.Department = "Research" }))
		}
	}
	f.syncInOneAttempt("sync-2")

	t.Logf("faults: %v", f.faults.counts)
	if bulk {
		require.Positive(t, f.faults.count(faultOp429)+f.faults.count(faultOp503), "some Bulk operations failed alone")
	}
	return f.faults.counts
}

// requireDirectoryIsHRIS requires the directory to hold one user per
// employee the HRIS says is active or was synced, active as the HRIS says,
// with its department and manager.
func requireDirectoryIsHRIS(t *testing.T, dir *scimtest.Server, hris *demotest.HRIS) {
	t.Helper()
	users := map[string]scimtest.User{}
	for _, u := range dir.Users() {
		require.NotEmpty(t, u.ExternalID, "user %s is linked", u.ID)
		require.NotContains(t, users, u.ExternalID, "one user per HRIS id")
		users[u.ExternalID] = u
	}
	employees := map[string]roster.Employee{}
	for _, e := range hris.Employees() {
		employees[e.ID] = e
	}
	for id, u := range users {
		e, ok := employees[id]
		require.True(t, ok, "user %s is an employee", id)
		require.Equal(t, e.Status == roster.StatusActive, u.Active, "user %s", id)
	}
	const enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	for id, e := range employees {
		if e.Status != roster.StatusActive {
			continue
		}
		u, ok := users[id]
		require.True(t, ok, "active employee %s is in the directory", id)
		ent, _ := u.Resource[enterprise].(map[string]any)
		require.Equal(t, e.Department, ent["department"], "department of %s", id)
		manager, _ := ent["manager"].(map[string]any)
		want := ""
		if m, ok := users[e.ManagerID]; ok {
			want = m.ID
		}
		got, _ := manager["value"].(string)
		require.Equal(t, want, got, "manager of %s", id)
	}
}
