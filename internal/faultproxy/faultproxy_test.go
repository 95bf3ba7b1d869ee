package faultproxy_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/internal/faultproxy"
)

// upstream is a test server that counts requests and answers 201 with what
// it received.
type upstream struct {
	*httptest.Server
	n    atomic.Int64
	last atomic.Pointer[seen]
}

type seen struct {
	method, path, query, auth, body string
}

func newUpstream(t *testing.T) *upstream {
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		u.last.Store(&seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"), string(b)})
		u.n.Add(1)
		w.Header().Set("Content-Type", "application/scim+json")
		w.Header().Set("X-Upstream", "yes")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"echo":` + strconv.Quote(string(b)) + `}`))
	}))
	t.Cleanup(u.Close)
	return u
}

// freshClient opens a new connection per request, so a dropped connection
// is never retried by the transport.
func freshClient(t *testing.T) *http.Client {
	tr := &http.Transport{DisableKeepAlives: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func post(t *testing.T, c *http.Client, url string) (*http.Response, []byte, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/Users?x=1", strings.NewReader(`{"userName":"a"}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer t0k")
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func TestForwardsRequestAndAnswer(t *testing.T) {
	for _, tt := range []struct {
		name, base, wantPath string
	}{
		{"root", "", "/Users"},
		{"base path", "/scim/v2", "/scim/v2/Users"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			up := newUpstream(t)
			p := faultproxy.Start(t, faultproxy.Options{Upstream: up.URL + tt.base, Seed: 1})
			resp, body, err := post(t, freshClient(t), p.URL())
			require.NoError(t, err)
			require.Equal(t, http.StatusCreated, resp.StatusCode)
			require.Equal(t, "yes", resp.Header.Get("X-Upstream"))
			require.JSONEq(t, `{"echo":"{\"userName\":\"a\"}"}`, string(body))
			require.Equal(t, seen{"POST", tt.wantPath, "x=1", "Bearer t0k", `{"userName":"a"}`}, *up.last.Load())
			require.Equal(t, faultproxy.Stats{Total: 1, Forwarded: 1, Faults: map[faultproxy.Fault]int{}}, p.Stats())
		})
	}
}

func TestEachFaultAlone(t *testing.T) {
	for _, tt := range []struct {
		fault        faultproxy.Fault
		retryAfter   time.Duration
		wantStatus   int // 0: a transport error
		wantRetry    string
		wantUpstream int64
	}{
		{faultproxy.TooManyRequests, 0, http.StatusTooManyRequests, "1", 0},
		{faultproxy.TooManyRequests, 1500 * time.Millisecond, http.StatusTooManyRequests, "2", 0},
		{faultproxy.TooManyRequests, 100 * time.Millisecond, http.StatusTooManyRequests, "1", 0},
		{faultproxy.InternalError, 0, http.StatusInternalServerError, "", 0},
		{faultproxy.Unavailable, 3 * time.Second, http.StatusServiceUnavailable, "3", 0},
		{faultproxy.ResetAfterUpstream, 0, 0, "", 1},
		{faultproxy.ResetBeforeUpstream, 0, 0, "", 0},
		{faultproxy.Delay, 0, http.StatusCreated, "", 1},
	} {
		t.Run(tt.fault.String(), func(t *testing.T) {
			up := newUpstream(t)
			minDelay := 5 * time.Millisecond
			p := faultproxy.Start(t, faultproxy.Options{
				Upstream: up.URL, Seed: 1, Rate: 1, Faults: []faultproxy.Fault{tt.fault},
				RetryAfter: tt.retryAfter, Delay: [2]time.Duration{minDelay, 10 * time.Millisecond},
			})
			start := time.Now()
			resp, body, err := post(t, freshClient(t), p.URL())
			elapsed := time.Since(start)
			require.Equal(t, tt.wantUpstream, up.n.Load(), "requests the upstream saw")
			st := p.Stats()
			require.Equal(t, map[faultproxy.Fault]int{tt.fault: 1}, st.Faults)
			require.Equal(t, 1, st.Total)
			require.Equal(t, int(tt.wantUpstream), st.Forwarded)
			if tt.wantStatus == 0 {
				require.Error(t, err, "the client gets no answer")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.wantStatus, resp.StatusCode)
			require.Equal(t, tt.wantRetry, resp.Header.Get("Retry-After"))
			if tt.fault == faultproxy.Delay {
				require.GreaterOrEqual(t, elapsed, minDelay)
				require.Equal(t, "yes", resp.Header.Get("X-Upstream"))
				return
			}
			require.Equal(t, "application/scim+json", resp.Header.Get("Content-Type"))
			var e struct {
				Schemas []string
				Status  string
				Detail  string
			}
			require.NoError(t, json.Unmarshal(body, &e))
			require.Equal(t, []string{"urn:ietf:params:scim:api:messages:2.0:Error"}, e.Schemas)
			require.Equal(t, strconv.Itoa(tt.wantStatus), e.Status)
			require.Contains(t, e.Detail, strconv.Itoa(tt.wantStatus))
		})
	}
}

// statuses sends n requests straight to the proxy's ServeHTTP and returns
// the status of each.
func statuses(t *testing.T, o faultproxy.Options, n int) ([]int, *faultproxy.Proxy) {
	t.Helper()
	p, err := faultproxy.New(o)
	require.NoError(t, err)
	out := make([]int, n)
	for i := range out {
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/Users", nil))
		out[i] = rec.Code
	}
	return out, p
}

var statusFaults = []faultproxy.Fault{faultproxy.TooManyRequests, faultproxy.InternalError, faultproxy.Unavailable}

func TestSeededRate(t *testing.T) {
	up := newUpstream(t)
	const n = 2000
	for _, tt := range []struct {
		name string
		rate float64
		seed int64
	}{
		{"0.1", 0.1, 1},
		{"0.3", 0.3, 1},
		{"0.3 other seed", 0.3, 42},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := faultproxy.Options{Upstream: up.URL, Seed: tt.seed, Rate: tt.rate, Faults: statusFaults}
			got, p := statuses(t, o, n)
			faulted := 0
			for _, s := range got {
				if s != http.StatusCreated {
					faulted++
				}
			}
			require.InDelta(t, tt.rate, float64(faulted)/n, 0.03)
			st := p.Stats()
			require.Equal(t, n, st.Total)
			require.Equal(t, faulted, st.Injected())
			require.Equal(t, n-faulted, st.Forwarded)
			for _, f := range statusFaults {
				require.Positive(t, st.Faults[f], "every kind is drawn: %v", f)
			}

			again, _ := statuses(t, o, n)
			require.Equal(t, got, again, "the same seed gives the same sequence")
			o.Seed++
			other, _ := statuses(t, o, n)
			require.NotEqual(t, got, other, "another seed gives another sequence")
		})
	}
}

func TestDelayGivesWayWhenTheClientGivesUp(t *testing.T) {
	up := newUpstream(t)
	p := faultproxy.Start(t, faultproxy.Options{
		Upstream: up.URL, Seed: 1, Rate: 1, Faults: []faultproxy.Fault{faultproxy.Delay},
		Delay: [2]time.Duration{time.Minute, time.Minute},
	})
	c := freshClient(t)
	c.Timeout = 20 * time.Millisecond
	_, _, err := post(t, c, p.URL())
	require.Error(t, err)
	require.EqualValues(t, 1, up.n.Load(), "the upstream did the work")
}

func TestConcurrencyChangesWhoNotHowMany(t *testing.T) {
	up := newUpstream(t)
	const workers, each = 8, 100
	o := faultproxy.Options{Upstream: up.URL, Seed: 3, Rate: 0.3, Faults: statusFaults}
	_, seq := statuses(t, o, workers*each)

	p, err := faultproxy.New(o)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				p.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/Users", nil))
			}
		})
	}
	wg.Wait()
	require.Equal(t, seq.Stats(), p.Stats(), "the draws are the same, only their owners differ")
}

func TestOutage(t *testing.T) {
	up := newUpstream(t)
	p := faultproxy.Start(t, faultproxy.Options{Upstream: up.URL, Seed: 1})
	c := freshClient(t)

	p.Outage(true)
	for i, want := range []int{http.StatusServiceUnavailable, 0, http.StatusServiceUnavailable, 0} {
		resp, _, err := post(t, c, p.URL())
		if want == 0 {
			require.Error(t, err, "request %d", i)
			continue
		}
		require.NoError(t, err, "request %d", i)
		require.Equal(t, want, resp.StatusCode, "request %d", i)
		require.Equal(t, "1", resp.Header.Get("Retry-After"))
	}
	require.Zero(t, up.n.Load(), "nothing reaches the upstream during an outage")

	p.Outage(false)
	resp, _, err := post(t, c, p.URL())
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	require.EqualValues(t, 1, up.n.Load())

	st := p.Stats()
	require.Equal(t, 4, st.Outage)
	require.Equal(t, 5, st.Total)
	require.Equal(t, 1, st.Forwarded)
	require.Equal(t, map[faultproxy.Fault]int{faultproxy.Unavailable: 2, faultproxy.ResetBeforeUpstream: 2}, st.Faults)
}

func TestMatchLimitsFaults(t *testing.T) {
	up := newUpstream(t)
	p, err := faultproxy.New(faultproxy.Options{
		Upstream: up.URL, Seed: 1, Rate: 1, Faults: []faultproxy.Fault{faultproxy.InternalError},
		Match: func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/Users") },
	})
	require.NoError(t, err)
	p.Outage(true)
	for _, tt := range []struct {
		path   string
		outage bool
		want   int
	}{
		{"/Users/1", false, http.StatusInternalServerError},
		{"/ServiceProviderConfig", false, http.StatusCreated},
		{"/ServiceProviderConfig", true, http.StatusCreated},
		{"/Users", true, http.StatusServiceUnavailable},
	} {
		t.Run(tt.path, func(t *testing.T) {
			p.Outage(tt.outage)
			rec := httptest.NewRecorder()
			p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.path, nil))
			require.Equal(t, tt.want, rec.Code)
		})
	}
}

func TestSetRate(t *testing.T) {
	up := newUpstream(t)
	p, err := faultproxy.New(faultproxy.Options{Upstream: up.URL, Seed: 1, Faults: []faultproxy.Fault{faultproxy.InternalError}})
	require.NoError(t, err)
	for _, tt := range []struct {
		rate float64
		want int
	}{
		{0, http.StatusCreated},
		{1, http.StatusInternalServerError},
		{7, http.StatusInternalServerError},
		{-1, http.StatusCreated},
	} {
		p.SetRate(tt.rate)
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/Users", nil))
		require.Equal(t, tt.want, rec.Code, "rate %v", tt.rate)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	for _, tt := range []struct {
		name string
		o    faultproxy.Options
	}{
		{"no upstream", faultproxy.Options{}},
		{"relative upstream", faultproxy.Options{Upstream: "/scim"}},
		{"rate above 1", faultproxy.Options{Upstream: "http://h", Rate: 1.5}},
		{"negative rate", faultproxy.Options{Upstream: "http://h", Rate: -0.1}},
		{"unknown fault", faultproxy.Options{Upstream: "http://h", Faults: []faultproxy.Fault{0}}},
		{"negative retry-after", faultproxy.Options{Upstream: "http://h", RetryAfter: -time.Second}},
		{"delay min above max", faultproxy.Options{Upstream: "http://h", Delay: [2]time.Duration{2, 1}}},
		{"negative delay", faultproxy.Options{Upstream: "http://h", Delay: [2]time.Duration{-1, 1}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := faultproxy.New(tt.o)
			require.Error(t, err)
		})
	}
}

func TestFaultString(t *testing.T) {
	for _, tt := range []struct {
		f    faultproxy.Fault
		want string
	}{
		{faultproxy.TooManyRequests, "TooManyRequests"},
		{faultproxy.InternalError, "InternalError"},
		{faultproxy.Unavailable, "Unavailable"},
		{faultproxy.ResetAfterUpstream, "ResetAfterUpstream"},
		{faultproxy.Delay, "Delay"},
		{faultproxy.ResetBeforeUpstream, "ResetBeforeUpstream"},
		{0, "Fault(0)"},
	} {
		require.Equal(t, tt.want, tt.f.String())
	}
}
