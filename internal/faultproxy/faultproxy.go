// Package faultproxy is an HTTP proxy for tests that stands in front of the
// SCIM directory or an HRIS and injects faults at a seeded rate: 429 with
// Retry-After, 500, 503, a connection dropped after the upstream did the
// work, a connection dropped before it, and slow answers. It lets tests and
// benches show that a sync survives the failures real services produce.
//
//	p := faultproxy.Start(t, faultproxy.Options{Upstream: dir.URL, Seed: 1, Rate: 0.1})
//	// point the SCIM client at p.URL() instead of dir.URL
//
// Every matched request outside an outage takes one decision, fault or not
// and which, drawn from a PCG source seeded with Options.Seed under one
// mutex, in the order requests reach the proxy. Sequential requests therefore get the same faults on every
// run with the same seed. With concurrent clients the arrival order, and so
// which request gets which fault, varies between runs; the share of faulted
// requests still holds.
//
// Note that Go's http.Transport silently retries an idempotent request
// (GET, HEAD, OPTIONS, TRACE, or one with an Idempotency-Key) when a reused
// connection drops before any answer, so a client may see fewer resets than
// Stats reports.
package faultproxy

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Fault is a kind of failure the proxy can inject.
type Fault int

const (
	// TooManyRequests answers 429 with Retry-After and a SCIM error body,
	// without reaching the upstream.
	TooManyRequests Fault = iota + 1
	// InternalError answers 500 with a SCIM error body, without reaching
	// the upstream.
	InternalError
	// Unavailable answers 503 with Retry-After and a SCIM error body,
	// without reaching the upstream.
	Unavailable
	// ResetAfterUpstream forwards the request and lets the upstream answer
	// in full, then drops the client connection with a reset and no answer:
	// the work is done but the client cannot know it. Where the connection
	// cannot be hijacked, as under HTTP/2, the handler panics with
	// http.ErrAbortHandler instead, which the server turns into an aborted
	// answer; the same holds for ResetBeforeUpstream.
	ResetAfterUpstream
	// Delay forwards the request and holds the upstream's answer for a
	// random duration in Options.Delay before passing it on.
	Delay
	// ResetBeforeUpstream drops the client connection with a reset without
	// forwarding the request.
	ResetBeforeUpstream
)

var allFaults = []Fault{TooManyRequests, InternalError, Unavailable, ResetAfterUpstream, Delay, ResetBeforeUpstream}

// String names the fault as its constant does.
func (f Fault) String() string {
	switch f {
	case TooManyRequests:
		return "TooManyRequests"
	case InternalError:
		return "InternalError"
	case Unavailable:
		return "Unavailable"
	case ResetAfterUpstream:
		return "ResetAfterUpstream"
	case Delay:
		return "Delay"
	case ResetBeforeUpstream:
		return "ResetBeforeUpstream"
	}
	return "Fault(" + strconv.Itoa(int(f)) + ")"
}

func (f Fault) valid() bool { return f >= TooManyRequests && f <= ResetBeforeUpstream }

// Options configure a Proxy.
type Options struct {
	// Upstream is the base URL requests are forwarded to, such as
	// http://127.0.0.1:8281 or http://127.0.0.1:8281/scim/v2; the request's
	// path is appended to its path.
	Upstream string
	// Seed seeds the draws that pick which requests fail and how.
	Seed int64
	// Rate is the share of matched requests, from 0 to 1, that get a fault.
	Rate float64
	// Faults are the kinds to draw from, each equally likely; a kind listed
	// twice is drawn twice as often. Empty means all kinds.
	Faults []Fault
	// RetryAfter is what 429 and 503 ask the client to wait, sent in whole
	// seconds rounded up and at least 1. Zero means 1s.
	RetryAfter time.Duration
	// Delay is the shortest and longest hold of the Delay fault. Zero means
	// 2s to 5s.
	Delay [2]time.Duration
	// Match says which requests may be faulted; the others are always
	// forwarded and take no draw. Nil means all requests. It is called
	// from concurrent requests.
	Match func(*http.Request) bool
}

// Stats count what the proxy did.
type Stats struct {
	// Total is every request the proxy received.
	Total int
	// Forwarded is the requests passed to the upstream, including those
	// faulted with Delay or ResetAfterUpstream.
	Forwarded int
	// Faults counts injected faults by kind, outage refusals included.
	Faults map[Fault]int
	// Outage is the requests refused because of Outage.
	Outage int
}

// Injected is the number of faults injected of all kinds.
func (s Stats) Injected() int {
	n := 0
	for _, c := range s.Faults {
		n += c
	}
	return n
}

// Proxy forwards requests to an upstream and injects faults on the way.
type Proxy struct {
	faults     []Fault
	retryAfter string
	delay      [2]time.Duration
	match      func(*http.Request) bool
	rp         *httputil.ReverseProxy
	transport  *http.Transport
	url        string

	mu     sync.Mutex
	rng    *rand.Rand
	rate   float64
	outage bool
	stats  Stats
}

// New makes a Proxy in front of o.Upstream. Mount it anywhere as an
// http.Handler, or use Start in tests.
func New(o Options) (*Proxy, error) {
	target, err := url.Parse(o.Upstream)
	if err != nil || target.Scheme == "" || target.Host == "" {
		return nil, fmt.Errorf("faultproxy: upstream %q is not an absolute URL", o.Upstream)
	}
	if !(o.Rate >= 0 && o.Rate <= 1) {
		return nil, fmt.Errorf("faultproxy: rate %v is not between 0 and 1", o.Rate)
	}
	faults := o.Faults
	if len(faults) == 0 {
		faults = allFaults
	}
	for _, f := range faults {
		if !f.valid() {
			return nil, fmt.Errorf("faultproxy: unknown fault %v", f)
		}
	}
	if o.RetryAfter < 0 {
		return nil, fmt.Errorf("faultproxy: negative retry-after %v", o.RetryAfter)
	}
	retryAfter := max(1, int64((o.RetryAfter+time.Second-1)/time.Second))
	delay := o.Delay
	if delay == [2]time.Duration{} {
		delay = [2]time.Duration{2 * time.Second, 5 * time.Second}
	}
	if delay[0] < 0 || delay[1] < delay[0] {
		return nil, fmt.Errorf("faultproxy: delay %v..%v is not a range", delay[0], delay[1])
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = nil // straight to the upstream, whatever the environment says
	p := &Proxy{
		faults:     append([]Fault(nil), faults...),
		retryAfter: strconv.FormatInt(retryAfter, 10),
		delay:      delay,
		match:      o.Match,
		transport:  transport,
		rng:        rand.New(rand.NewPCG(uint64(o.Seed), 0)),
		rate:       o.Rate,
		stats:      Stats{Faults: map[Fault]int{}},
	}
	p.rp = &httputil.ReverseProxy{
		Rewrite:        func(r *httputil.ProxyRequest) { r.SetURL(target) },
		Transport:      p.transport,
		ModifyResponse: holdAnswer,
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			writeError(w, http.StatusBadGateway, "faultproxy: upstream: "+err.Error())
		},
	}
	return p, nil
}

// Start runs a Proxy on 127.0.0.1 for the length of the test; URL gives its
// address. It fails the test if o is invalid.
func Start(t testing.TB, o Options) *Proxy {
	t.Helper()
	p, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	p.url = srv.URL
	t.Cleanup(func() {
		srv.Close()
		p.transport.CloseIdleConnections()
	})
	return p
}

// URL is the base URL of a Proxy made by Start, and empty for one made by
// New.
func (p *Proxy) URL() string { return p.url }

// SetRate changes the share of matched requests that get a fault; values
// outside 0 to 1 are clamped.
func (p *Proxy) SetRate(rate float64) {
	if !(rate > 0) {
		rate = 0
	}
	p.mu.Lock()
	p.rate = min(rate, 1)
	p.mu.Unlock()
}

// Outage turns an outage on or off. While on, every matched request fails
// without reaching the upstream and takes no draw. Refusals alternate,
// counted over the proxy's life: the odd-numbered ones are 503 with
// Retry-After, the even-numbered ones resets.
func (p *Proxy) Outage(on bool) {
	p.mu.Lock()
	p.outage = on
	p.mu.Unlock()
}

// Stats returns a copy of the counts so far.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stats
	s.Faults = make(map[Fault]int, len(p.stats.Faults))
	for f, n := range p.stats.Faults {
		s.Faults[f] = n
	}
	return s
}

// ServeHTTP forwards r to the upstream or fails it, as drawn.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, wait := p.decide(r)
	switch f {
	case TooManyRequests:
		w.Header().Set("Retry-After", p.retryAfter)
		writeError(w, http.StatusTooManyRequests, "faultproxy: injected 429 Too Many Requests")
	case InternalError:
		writeError(w, http.StatusInternalServerError, "faultproxy: injected 500 Internal Server Error")
	case Unavailable:
		w.Header().Set("Retry-After", p.retryAfter)
		writeError(w, http.StatusServiceUnavailable, "faultproxy: injected 503 Service Unavailable")
	case ResetAfterUpstream:
		p.rp.ServeHTTP(&discard{header: http.Header{}}, r)
		reset(w)
	case Delay:
		p.rp.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), holdKey{}, wait)))
	case ResetBeforeUpstream:
		reset(w)
	default:
		p.rp.ServeHTTP(w, r)
	}
}

// decide counts r and returns its fault, zero for none, and for Delay how
// long to hold the answer.
func (p *Proxy) decide(r *http.Request) (Fault, time.Duration) {
	matched := p.match == nil || p.match(r)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stats.Total++
	var f Fault
	var hold time.Duration
	switch {
	case !matched:
	case p.outage:
		p.stats.Outage++
		f = ResetBeforeUpstream
		if p.stats.Outage%2 == 1 {
			f = Unavailable
		}
	case p.rng.Float64() < p.rate:
		f = p.faults[p.rng.IntN(len(p.faults))]
		if f == Delay {
			hold = p.delay[0] + time.Duration(p.rng.Int64N(int64(p.delay[1]-p.delay[0])+1))
		}
	}
	if f != 0 {
		p.stats.Faults[f]++
	}
	if f == 0 || f == Delay || f == ResetAfterUpstream {
		p.stats.Forwarded++
	}
	return f, hold
}

type holdKey struct{}

// holdAnswer keeps the upstream's answer for the Delay fault's drawn
// duration, or until the client gives up.
func holdAnswer(resp *http.Response) error {
	d, _ := resp.Request.Context().Value(holdKey{}).(time.Duration)
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-resp.Request.Context().Done():
		return resp.Request.Context().Err()
	}
}

// reset drops the client connection without an answer, with a TCP reset
// where the connection allows it.
func reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// HTTP/2 or a writer that cannot hijack: the server aborts the
		// answer instead.
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(interface{ SetLinger(int) error }); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// writeError answers status with a SCIM error body.
func writeError(w http.ResponseWriter, status int, detail string) {
	body, _ := json.Marshal(struct {
		Schemas []string `json:"schemas"`
		Status  string   `json:"status"`
		Detail  string   `json:"detail"`
	}{[]string{"urn:ietf:params:scim:api:messages:2.0:Error"}, strconv.Itoa(status), detail})
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// discard takes the upstream's answer for ResetAfterUpstream and drops it.
type discard struct{ header http.Header }

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}
func (d *discard) Flush()                      {}
