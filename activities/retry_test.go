package activities_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/worker"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
)

// A Retry-After longer than the heartbeat timeout is waited out in place,
// heartbeating all the while, and the attempt goes on.
func TestApplyHeartbeatsWhileItWaits(t *testing.T) {
	setSecret(t, faultsTokenEnv, interopToken)
	var beats atomic.Int64
	var mu sync.Mutex
	type nap struct {
		d     time.Duration
		beats int64
	}
	var naps []nap
	activities.UseRetries(t, activities.DefaultRetries(), func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		naps = append(naps, nap{d, beats.Load()})
		mu.Unlock()
		return nil
	})
	activities.WatchHeartbeats(t, func(activities.ApplyProgress) { beats.Add(1) })
	f := newFaultsFixture(t, faultsOptions{employees: 20, bulk: true})
	plan := f.plan("sync-1")
	f.dir.FailNext(1, http.StatusTooManyRequests, 12*time.Second)
	var recorded atomic.Int64
	env := f.ts.env(f.acts)
	env.SetOnActivityHeartbeatListener(func(*activity.Info, converter.EncodedValues) { recorded.Add(1) })
	applied, err := f.apply(env, plan.PlanID)
	require.NoError(t, err)
	require.Zero(t, applied.Failed)
	requireDirectoryIsHRIS(t, f.dir, f.hris)

	var waited time.Duration
	for i, n := range naps {
		require.LessOrEqual(t, n.d, 5*time.Second, "no nap is longer than a beat")
		if i > 0 {
			require.Greater(t, n.beats, naps[i-1].beats, "a heartbeat between naps")
		}
		waited += n.d
	}
	require.GreaterOrEqual(t, waited, 12*time.Second, "the Retry-After was honoured")
	require.GreaterOrEqual(t, len(naps), 3)
	require.Positive(t, recorded.Load(), "heartbeats reach Temporal")
}

// An attempt waiting out a Retry-After stops as soon as it is cancelled.
func TestApplyStopsWaitingWhenCancelled(t *testing.T) {
	setSecret(t, faultsTokenEnv, interopToken)
	activities.UseRetries(t, activities.DefaultRetries(), nil)
	f := newFaultsFixture(t, faultsOptions{employees: 5})
	plan := f.plan("sync-1")
	f.dir.FailNext(1, http.StatusTooManyRequests, 90*time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	env := f.ts.env(f.acts)
	env.SetWorkerOptions(worker.Options{BackgroundActivityContext: ctx})
	time.AfterFunc(200*time.Millisecond, cancel)
	began := time.Now()
	_, err := f.apply(env, plan.PlanID)
	require.Error(t, err)
	require.ErrorContains(t, err, "canceled")
	require.Less(t, time.Since(began), 10*time.Second)
}

// When the directory stays down past a change's retries, the attempt fails
// with a retryable error and keeps what it did: the next attempt makes the
// rest, and no user is created twice.
func TestApplyGivesUpAfterItsRetriesAndKeepsWhatItDid(t *testing.T) {
	setSecret(t, faultsTokenEnv, interopToken)
	for _, bulk := range []bool{false, true} {
		t.Run(map[bool]string{true: "bulk", false: "one request per write"}[bulk], func(t *testing.T) {
			policy := activities.DefaultRetries()
			policy.Tries = 3
			activities.UseRetries(t, policy, (&waits{}).sleep)
			// The directory goes down once it has made a few writes: the
			// fifth create, or the second Bulk request.
			var posts, userPosts, down atomic.Int64
			last := int64(5)
			if bulk {
				last = 2
			}
			f := newFaultsFixture(t, faultsOptions{employees: 40, bulk: bulk, batchSize: 10,
				hook: func(w http.ResponseWriter, r *http.Request, dir http.Handler) bool {
					if down.Load() == 1 {
						w.WriteHeader(http.StatusServiceUnavailable)
						return true
					}
					if r.Method != http.MethodPost {
						return false
					}
					if strings.HasSuffix(r.URL.Path, "/Users") {
						userPosts.Add(1)
					}
					if strings.HasSuffix(r.URL.Path, "/Bulk") {
						body, _ := io.ReadAll(r.Body)
						r.Body = io.NopCloser(bytes.NewReader(body))
						userPosts.Add(int64(bytes.Count(body, []byte(`"method":"POST"`))))
					}
					if posts.Add(1) == last && down.Load() == 0 {
						dir.ServeHTTP(w, r)
						down.Store(1)
						return true
					}
					return false
				}})
			plan := f.plan("sync-1")
			_, err := f.apply(nil, plan.PlanID)
			ae := appError(t, err)
			require.False(t, ae.NonRetryable())
			require.Contains(t, err.Error(), "gave up after 3 tries")

			made := len(f.dir.Users())
			require.Positive(t, made)
			recorded := 0
			pcs, err := f.acts.Store.PlanChanges(context.Background(), plan.PlanID)
			require.NoError(t, err)
			for _, pc := range pcs {
				if pc.Change.Op == roster.OpCreate && pc.Status != store.StatusPending {
					recorded++
				}
			}
			require.Equal(t, made, recorded, "what was made is recorded")

			down.Store(2)
			userPosts.Store(0)
			applied, err := f.apply(nil, plan.PlanID)
			require.NoError(t, err)
			require.Zero(t, applied.Failed)
			require.Zero(t, f.commit("sync-1", plan.PlanID).Failed)
			requireDirectoryIsHRIS(t, f.dir, f.hris)
			require.Equal(t, int64(countCreates(t, f)-made), userPosts.Load(), "no create is sent again")
		})
	}
}

// countCreates is how many employees the first sync creates.
func countCreates(t *testing.T, f *faultsFixture) int {
	t.Helper()
	active, _ := splitEmployees(f)
	return len(active)
}

// splitEmployees divides the HRIS's employees into the active and the rest.
func splitEmployees(f *faultsFixture) (active, inactive []roster.Employee) {
	for _, e := range f.hris.Employees() {
		if e.Status == roster.StatusActive {
			active = append(active, e)
		} else {
			inactive = append(inactive, e)
		}
	}
	return active, inactive
}

// bulkSizes records the number of operations of each Bulk request.
type bulkSizes struct {
	mu    sync.Mutex
	sizes []int
	ids   [][]string
}

// note records the Bulk request body and returns it to r.
func (b *bulkSizes) note(t *testing.T, r *http.Request) []any {
	body, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	r.Body = io.NopCloser(bytes.NewReader(body))
	var req map[string]any
	require.NoError(t, json.Unmarshal(body, &req))
	ops, _ := req["Operations"].([]any)
	var ids []string
	for _, op := range ops {
		data, _ := op.(map[string]any)["data"].(map[string]any)
		id, _ := data["externalId"].(string)
		ids = append(ids, id)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sizes = append(b.sizes, len(ops))
	b.ids = append(b.ids, ids)
	return ops
}

// A directory whose Bulk endpoint fails every request of more than eight
// operations gets them in halves, until they fit.
func TestApplyHalvesABulkRequestThatKeepsFailing(t *testing.T) {
	setSecret(t, faultsTokenEnv, interopToken)
	activities.UseRetries(t, activities.DefaultRetries(), (&waits{}).sleep)
	var seen bulkSizes
	var singles atomic.Int64
	f := newFaultsFixture(t, faultsOptions{employees: 60, bulk: true, batchSize: 30,
		hook: func(w http.ResponseWriter, r *http.Request, dir http.Handler) bool {
			if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/Users") {
				singles.Add(1)
			}
			if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/Bulk") {
				return false
			}
			if len(seen.note(t, r)) > 8 {
				w.WriteHeader(http.StatusInternalServerError)
				return true
			}
			return false
		}})
	f.syncInOneAttempt("sync-1")
	t.Logf("Bulk sizes: %v", seen.sizes)
	require.Greater(t, slices.Max(seen.sizes), 8)
	require.Equal(t, seen.sizes[0], seen.sizes[1], "a failed request is sent again whole")
	require.Equal(t, seen.sizes[0], seen.sizes[2])
	require.Equal(t, seen.sizes[0]/2, seen.sizes[3], "then halved")
	require.Zero(t, singles.Load(), "every create went in Bulk")
}

// A directory whose Bulk endpoint always fails is written one change at a
// time once a batch has given up on it.
func TestApplyWritesOneByOneWhenBulkKeepsFailing(t *testing.T) {
	setSecret(t, faultsTokenEnv, interopToken)
	activities.UseRetries(t, activities.DefaultRetries(), (&waits{}).sleep)
	var bulks atomic.Int64
	f := newFaultsFixture(t, faultsOptions{employees: 60, bulk: true, batchSize: 20,
		hook: func(w http.ResponseWriter, r *http.Request, dir http.Handler) bool {
			if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/Bulk") {
				bulks.Add(1)
				w.WriteHeader(http.StatusBadGateway)
				return true
			}
			return false
		}})
	f.syncInOneAttempt("sync-1")
	require.Equal(t, int64(activities.DefaultRetries().Tries), bulks.Load(),
		"the attempt gives up on Bulk after Tries failed requests in a row, then writes one by one")
}

// A Bulk operation throttled on its own is sent again alone, without the
// operations that were made.
func TestApplyResendsOnlyTheOperationsThatFailed(t *testing.T) {
	setSecret(t, faultsTokenEnv, interopToken)
	activities.UseRetries(t, activities.DefaultRetries(), (&waits{}).sleep)
	var seen bulkSizes
	var first atomic.Bool
	f := newFaultsFixture(t, faultsOptions{employees: 12, bulk: true,
		hook: func(w http.ResponseWriter, r *http.Request, dir http.Handler) bool {
			if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/Bulk") {
				return false
			}
			ops := seen.note(t, r)
			if first.Swap(true) {
				return false
			}
			// The first Bulk request's third operation is throttled.
			data := ops[2].(map[string]any)["data"].(map[string]any)
			body, _ := io.ReadAll(r.Body)
			throttleInBulk(t, dir, w, r, body, data["externalId"].(string))
			return true
		}})
	f.syncInOneAttempt("sync-1")
	t.Logf("Bulk ids: %v", seen.ids)
	require.GreaterOrEqual(t, len(seen.ids), 3, "creates, the throttled one again, managers")
	require.Equal(t, []string{seen.ids[0][2]}, seen.ids[1], "only the throttled create is sent again")
}

// throttleInBulk serves a Bulk request without the operation that creates
// employee id, and answers that operation 429 in its place.
func throttleInBulk(t *testing.T, dir http.Handler, w http.ResponseWriter, r *http.Request, body []byte, id string) {
	rec := httptest.NewRecorder()
	refuseInBulk(t, dir, rec, r, body, id)
	out := bytes.Replace(rec.Body.Bytes(), []byte(`"status":"400"`), []byte(`"status":"429"`), 2)
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(rec.Code)
	_, _ = w.Write(out)
}

// Under faults, an employee the directory refuses is reported failed and
// the rest of the run goes on, in one attempt.
func TestApplyRecordsARefusalThroughFaults(t *testing.T) {
	setSecret(t, faultsTokenEnv, interopToken)
	activities.UseRetries(t, activities.DefaultRetries(), (&waits{}).sleep)
	for _, bulk := range []bool{false, true} {
		t.Run(map[bool]string{true: "bulk", false: "one request per write"}[bulk], func(t *testing.T) {
			var refuse atomic.Value
			refuse.Store("-")
			f := newFaultsFixture(t, faultsOptions{employees: 60, rate: 0.1, seed: 5, bulk: bulk, batchSize: 20,
				hook: func(w http.ResponseWriter, r *http.Request, dir http.Handler) bool {
					if r.Method != http.MethodPost {
						return false
					}
					id := refuse.Load().(string)
					body, _ := io.ReadAll(r.Body)
					r.Body = io.NopCloser(bytes.NewReader(body))
					if !bytes.Contains(body, []byte(`"externalId":"`+id+`"`)) {
						return false
					}
					if strings.HasSuffix(r.URL.Path, "/Bulk") {
						refuseInBulk(t, dir, w, r, body, id)
						return true
					}
					w.Header().Set("Content-Type", "application/scim+json")
					w.WriteHeader(http.StatusBadRequest)
					_, _ = w.Write([]byte(refusal))
					return true
				}})
			active, _ := splitEmployees(f)
			refuse.Store(active[len(active)/2].ID)
			plan := f.plan("sync-1")
			applied, err := f.apply(nil, plan.PlanID)
			require.NoError(t, err, "one Apply attempt")
			require.Equal(t, 1, applied.Failed)
			committed := f.commit("sync-1", plan.PlanID)
			require.Equal(t, 1, committed.Failed)
			report, err := f.acts.Store.GetReport(context.Background(), committed.ReportID)
			require.NoError(t, err)
			require.Len(t, report.Failures, 1)
			require.Equal(t, refuse.Load(), report.Failures[0].EmployeeID)
			require.Contains(t, report.Failures[0].Error, "title is longer than 64 characters")
			_, made := f.dir.UserByExternalID(refuse.Load().(string))
			require.False(t, made)
			require.Len(t, f.dir.Users(), countCreates(t, f)-1, "everyone else is in the directory")
		})
	}
}

// A slow request heartbeats while it runs, so a Bulk request of hundreds
// of writes, or one request up to the HTTP client's timeout, never looks
// like a lost worker.
func TestApplyHeartbeatsWhileARequestRuns(t *testing.T) {
	setSecret(t, faultsTokenEnv, interopToken)
	policy := activities.DefaultRetries()
	policy.Beat = 20 * time.Millisecond
	activities.UseRetries(t, policy, nil)
	var slow atomic.Bool
	var during atomic.Int64
	activities.WatchHeartbeats(t, func(activities.ApplyProgress) {
		if slow.Load() {
			during.Add(1)
		}
	})
	for _, bulk := range []bool{false, true} {
		t.Run(map[bool]string{true: "bulk", false: "one request per write"}[bulk], func(t *testing.T) {
			during.Store(0)
			var once atomic.Bool
			f := newFaultsFixture(t, faultsOptions{employees: 5, bulk: bulk,
				hook: func(w http.ResponseWriter, r *http.Request, dir http.Handler) bool {
					if r.Method == http.MethodPost && !once.Swap(true) {
						slow.Store(true)
						time.Sleep(200 * time.Millisecond)
						slow.Store(false)
					}
					return false
				}})
			f.syncInOneAttempt("sync-1")
			require.GreaterOrEqual(t, during.Load(), int64(5), "heartbeats while the request ran")
		})
	}
}
