package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
	"golang.org/x/time/rate"

	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/store"
	"github.com/hrsync/hrsync/store/storetest"
)

func TestTargetsShareOneRequestBudget(t *testing.T) {
	r := New(nil, StaticSecrets{})
	e := integration.Endpoint{Kind: "scim", URL: "https://dir.example/scim/v2", RateLimit: 600, Parallelism: 4}
	require.Same(t, r.limiter(e), r.limiter(e), "every client for one target draws on one budget")
	other := e
	other.URL = "https://other.example/scim/v2"
	require.NotSame(t, r.limiter(e), r.limiter(other))
	require.Equal(t, 10.0, float64(r.limiter(e).Limit()), "600 a minute is 10 a second")
	require.Equal(t, 4, r.limiter(e).Burst(), "the parallel parts may start together")

	unlimited := e
	unlimited.RateLimit = 0
	require.Same(t, r.http, r.targetHTTP(unlimited))
}

// fakeClock is virtual time: a sleep ends at once, moving the time on by
// what it slept. Sleepers in different goroutines each move it, so virtual
// time passes at least as fast as the limiters asked, never slower.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.advance(d)
	return nil
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(max(d, 0))
}

// storeBackends are where the stores of the shared-limit tests live: a
// SQLite file, and a PostgreSQL schema when HRSYNC_TEST_POSTGRES names a
// server.
var storeBackends = []struct {
	name  string
	fresh func(t *testing.T) string
}{
	{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "hrsync.db") }},
	{"postgres", func(t *testing.T) string { return storetest.PostgresDSN(t) }},
}

// eachStore runs fn as a subtest per backend with the location of a fresh
// store there.
func eachStore(t *testing.T, fn func(t *testing.T, location string)) {
	for _, b := range storeBackends {
		t.Run(b.name, func(t *testing.T) { fn(t, b.fresh(t)) })
	}
}

// countingServer answers every request with 200 and counts them.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// worker is a registry as one worker process has it: a store of its own
// on the database at location, whose budget its targets share.
func worker(t *testing.T, srv *httptest.Server, location string, clk clock) *Registry {
	t.Helper()
	st, err := store.Open(context.Background(), location)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	r := New(srv.Client(), StaticSecrets{}).WithLimits(Limits{Shared: st})
	if clk != nil {
		r.clock = clk
	}
	return r
}

// hammer sends n GET requests to url through hc from each of goroutines
// goroutines, and waits for them.
func hammer(t *testing.T, wg *sync.WaitGroup, hc *http.Client, url string, goroutines, n int) {
	for range goroutines {
		wg.Go(func() {
			for range n {
				resp, err := hc.Get(url)
				if err != nil {
					t.Error(err)
					return
				}
				_ = resp.Body.Close()
			}
		})
	}
}

// allowed is the most requests a shared budget lets through in elapsed,
// from a bucket nobody leased from before.
func allowed(perMinute int, elapsed time.Duration) float64 {
	perSecond := float64(perMinute) / 60
	return max(1, perSecond*SharedBurst.Seconds()) + perSecond*elapsed.Seconds()
}

func TestTargetsOnOneHostShareOneBudgetAcrossWorkers(t *testing.T) {
	eachStore(t, func(t *testing.T, location string) {
		srv, hits := countingServer(t)
		clk := newFakeClock()
		workers := []*Registry{worker(t, srv, location, clk), worker(t, srv, location, clk)}
		const perMinute, goroutines, each = 600, 4, 25 // 10 a second; 200 requests
		start := clk.Now()
		var wg sync.WaitGroup
		for i, r := range workers {
			// Two integrations, one per worker, on two tenants of one host.
			e := integration.Endpoint{Kind: "scim", URL: fmt.Sprintf("%s/tenant-%d/scim/v2", srv.URL, i), RateLimit: perMinute}
			hammer(t, &wg, r.targetHTTP(e), e.URL+"/Users", goroutines, each)
		}
		wg.Wait()
		elapsed := clk.Now().Sub(start)
		t.Logf("%d requests in %s of virtual time", len(workers)*goroutines*each, elapsed)

		sent := len(workers) * goroutines * each
		require.EqualValues(t, sent, hits.Load())
		require.LessOrEqual(t, float64(sent), allowed(perMinute, elapsed)+1e-6,
			"%d requests in %s is more than 600 a minute allow, together", sent, elapsed)
		// Not much slower than the limit either: the 200 need 19s.
		require.Less(t, elapsed, 4*19*time.Second)
	})
}

func TestTheLowestLimitOnAHostApplies(t *testing.T) {
	eachStore(t, func(t *testing.T, location string) {
		srv, hits := countingServer(t)
		clk := newFakeClock()
		strict, lax := worker(t, srv, location, clk), worker(t, srv, location, clk)
		strictEnd := integration.Endpoint{Kind: "scim", URL: srv.URL + "/strict/scim/v2", RateLimit: 600}
		laxEnd := integration.Endpoint{Kind: "scim", URL: srv.URL + "/lax/scim/v2", RateLimit: 6000}

		// The strict integration has run: the host keeps to its 600 a
		// minute, 10 a second, though the lax one allows 100 a second.
		resp, err := strict.targetHTTP(strictEnd).Get(strictEnd.URL + "/Users")
		require.NoError(t, err)
		_ = resp.Body.Close()
		start := clk.Now()
		var wg sync.WaitGroup
		hammer(t, &wg, lax.targetHTTP(laxEnd), laxEnd.URL+"/Users", 4, 25)
		wg.Wait()
		elapsed := clk.Now().Sub(start)

		require.EqualValues(t, 101, hits.Load())
		require.LessOrEqual(t, 100.0, allowed(600, elapsed)+1e-6,
			"100 requests in %s is more than 600 a minute allow", elapsed)
	})
}

// countedBudget counts the leases of a Budget.
type countedBudget struct {
	Budget
	leases atomic.Int64
}

func (b *countedBudget) LeaseRate(ctx context.Context, l store.RateLease) (store.RateGrant, error) {
	b.leases.Add(1)
	return b.Budget.LeaseRate(ctx, l)
}

func TestSharedBudgetHoldsInRealTime(t *testing.T) {
	srv, hits := countingServer(t)
	location := filepath.Join(t.TempDir(), "hrsync.db")
	workers := []*Registry{worker(t, srv, location, nil), worker(t, srv, location, nil)}
	budget := &countedBudget{Budget: workers[0].limits.Shared}
	workers[0].WithLimits(Limits{Shared: budget})
	// 100 a second, and 300 requests: at least 2s together, where each
	// worker alone would be done in 1s.
	const perMinute, goroutines, each = 6000, 3, 50
	start := time.Now()
	var wg sync.WaitGroup
	for i, r := range workers {
		e := integration.Endpoint{Kind: "demo", URL: fmt.Sprintf("%s/tenant-%d", srv.URL, i), RateLimit: perMinute}
		hammer(t, &wg, r.targetHTTP(e), e.URL+"/users", goroutines, each)
	}
	wg.Wait()
	elapsed := time.Since(start)
	sent := len(workers) * goroutines * each
	t.Logf("%d requests in %s; the first worker leased %d times", sent, elapsed, budget.leases.Load())
	require.EqualValues(t, sent, hits.Load())
	// A load that slows the test only makes this easier to meet.
	require.LessOrEqual(t, float64(sent), allowed(perMinute, elapsed)+1e-6,
		"%d requests in %s is more than %d a minute allow", sent, elapsed, perMinute)
	// A lease is a quarter second's worth, 25 here: the store is not asked
	// once per request.
	require.Less(t, budget.leases.Load(), int64(sent/len(workers)/4))
}

func TestWaitingForASharedBudgetStopsWithTheContext(t *testing.T) {
	srv, _ := countingServer(t)
	r := worker(t, srv, filepath.Join(t.TempDir(), "hrsync.db"), nil)
	// 6 a minute: after the first request, the next is ten seconds away.
	e := integration.Endpoint{Kind: "scim", URL: srv.URL + "/scim/v2", RateLimit: 6}
	l := r.targetLimit(e)
	require.NoError(t, l.Wait(context.Background()))

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		// One waits for the budget, the others for their turn.
		wg.Go(func() { errs[i] = l.Wait(ctx) })
	}
	wg.Wait()
	for _, err := range errs {
		require.ErrorIs(t, err, context.DeadlineExceeded)
	}
	require.Less(t, time.Since(start), 5*time.Second, "cancelled long before the next token")
}

// brokenBudget fails every lease, as an unreachable store does.
type brokenBudget struct{ calls atomic.Int64 }

func (b *brokenBudget) LeaseRate(context.Context, store.RateLease) (store.RateGrant, error) {
	b.calls.Add(1)
	return store.RateGrant{}, errors.New("unable to lease rate tokens: connection refused")
}

func TestAnUnreachableBudgetFallsBackToALocalShare(t *testing.T) {
	srv, hits := countingServer(t)
	core, logs := observer.New(zap.WarnLevel)
	budget := &brokenBudget{}
	clk := newFakeClock()
	r := New(srv.Client(), StaticSecrets{}).WithLimits(Limits{Shared: budget, Logger: zap.New(core)})
	r.clock = clk
	e := integration.Endpoint{Kind: "scim", URL: srv.URL + "/scim/v2", RateLimit: 6000}
	hc := r.targetHTTP(e)
	for range 3 {
		resp, err := hc.Get(e.URL + "/Users")
		require.NoError(t, err, "the sync goes on without the shared budget")
		_ = resp.Body.Close()
	}
	require.EqualValues(t, 3, hits.Load())
	require.EqualValues(t, 1, budget.calls.Load(), "the budget is not asked again at once")
	require.Equal(t, 1, logs.FilterMessageSnippet("shared rate limit").Len())
	l := r.sharedLimiter(HostKey(e.URL), e.RateLimit)
	require.Equal(t, rate.Limit(25), l.fallback.Limit(), "a quarter of 100 a second")

	clk.advance(FallbackFor)
	resp, err := hc.Get(e.URL + "/Users")
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.EqualValues(t, 2, budget.calls.Load(), "asked again after FallbackFor")
}

func TestRateLimitWaitsAreObserved(t *testing.T) {
	srv, _ := countingServer(t)
	for _, shared := range []bool{false, true} {
		var r *Registry
		if shared {
			r = worker(t, srv, filepath.Join(t.TempDir(), "hrsync.db"), nil)
		} else {
			r = New(srv.Client(), StaticSecrets{})
		}
		var waits atomic.Int64
		var hosts sync.Map
		r.WithLimits(Limits{Shared: r.limits.Shared, OnWait: func(host string, waited time.Duration) {
			waits.Add(1)
			hosts.Store(host, true)
		}})
		e := integration.Endpoint{Kind: "scim", URL: srv.URL + "/scim/v2", RateLimit: 6000}
		resp, err := r.targetHTTP(e).Get(e.URL + "/Users")
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.EqualValues(t, 1, waits.Load(), "shared %v", shared)
		_, ok := hosts.Load(HostKey(srv.URL))
		require.True(t, ok)
	}
}

func TestHostKey(t *testing.T) {
	for raw, want := range map[string]string{
		"https://Dir.Example/scim/v2":         "https://dir.example:443",
		"https://dir.example:443/other":       "https://dir.example:443",
		"https://dir.example.:443":            "https://dir.example:443",
		"http://127.0.0.1:8281/scim/v2":       "http://127.0.0.1:8281",
		"HTTP://dir.example/x":                "http://dir.example:80",
		"https://user@dir.example:8443/a?b=c": "https://dir.example:8443",
		"https://[::1]/scim":                  "https://[::1]:443",
		"not a url":                           "not a url",
	} {
		require.Equal(t, want, HostKey(raw), raw)
	}
}
