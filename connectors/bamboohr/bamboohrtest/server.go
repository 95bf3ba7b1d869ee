package bamboohrtest

import (
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Options configure a Server. The zero value serves an empty company to
// the API key "test-key".
type Options struct {
	// APIKey is the key clients must send as the Basic user name; empty
	// means "test-key".
	APIKey string
	// Employees is how many employees to generate.
	Employees int
	// Seed makes the generated roster; the same seed, the same roster.
	Seed int64
	// PageLimit is the largest page[limit] accepted (larger is a 400);
	// 0 means the documented maximum, 100.
	PageLimit int
	// PerMinute, when above zero, is the rate the server answers before it
	// throttles: a token bucket refilled at PerMinute/60 a second holding
	// a second's worth. BambooHR publishes no number; this is a model.
	PerMinute int
	// Throttle is how throttling answers: "429" (BambooHR from 2026-09-16,
	// with Retry-After) or "503" (the old way, no Retry-After). Empty
	// means "429".
	Throttle string
}

// Server is a fake BambooHR company. It is an http.Handler; serve it with
// httptest.NewServer.
type Server struct {
	opts    Options
	handler http.Handler
	limiter *rate.Limiter

	mu        sync.Mutex
	emps      []*entry // in id order
	requests  int
	throttled int
	faults    []fault
}

// fault is one injected failing answer.
type fault struct {
	status     int
	retryAfter time.Duration
}

// New returns a Server with opts.Employees generated employees.
func New(opts Options) *Server {
	if opts.APIKey == "" {
		opts.APIKey = "test-key"
	}
	if opts.PageLimit <= 0 {
		opts.PageLimit = 100
	}
	if opts.Throttle == "" {
		opts.Throttle = "429"
	}
	s := &Server{opts: opts, emps: generate(opts.Employees, opts.Seed)}
	if opts.PerMinute > 0 {
		s.limiter = rate.NewLimiter(rate.Limit(float64(opts.PerMinute)/60), max(1, opts.PerMinute/60))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/employees", s.handleList)
	mux.HandleFunc("GET /api/v1/employees/changed", s.handleChanged)
	mux.HandleFunc("GET /api/v1/employees/{id}", s.handleGet)
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, "NotFound", "no such endpoint")
	})
	s.handler = mux
	return s
}

// ServeHTTP answers one request: an injected fault first, then the auth
// check, then throttling, then the endpoint.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	var f *fault
	if len(s.faults) > 0 {
		f = &s.faults[0]
		s.faults = s.faults[1:]
	}
	s.mu.Unlock()
	if f != nil {
		if f.retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(f.retryAfter.Seconds()))))
		}
		writeError(w, f.status, codeOf(f.status), "injected failure")
		return
	}
	if user, _, ok := r.BasicAuth(); !ok || user != s.opts.APIKey {
		writeError(w, http.StatusUnauthorized, "Unauthorized", "invalid or missing API key")
		return
	}
	if s.limiter != nil && !s.limiter.Allow() {
		s.throttle(w)
		return
	}
	s.handler.ServeHTTP(w, r)
}

// throttle answers a request over the rate, the old way or the new.
func (s *Server) throttle(w http.ResponseWriter) {
	s.mu.Lock()
	s.throttled++
	s.mu.Unlock()
	if s.opts.Throttle == "503" {
		writeError(w, http.StatusServiceUnavailable, "ServiceUnavailable", "service unavailable")
		return
	}
	wait := max(1, int(math.Ceil(60/float64(s.opts.PerMinute))))
	w.Header().Set("Retry-After", strconv.Itoa(wait))
	writeError(w, http.StatusTooManyRequests, "TooManyRequests", "rate limit exceeded")
}

// Employees returns a copy of every employee not deleted, in id order.
func (s *Server) Employees() []Employee {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Employee, 0, len(s.emps))
	for _, e := range s.emps {
		if !e.deleted {
			out = append(out, clone(e.emp))
		}
	}
	return out
}

// Update applies fn to employee id and marks it changed now. The id cannot
// change. It panics when there is no such employee.
func (s *Server) Update(id string, fn func(*Employee)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.find(id)
	if e == nil {
		panic(fmt.Sprintf("bamboohrtest: no employee %q", id))
	}
	emp := clone(e.emp)
	fn(&emp)
	emp.ID = e.emp.ID
	emp.LastChanged = time.Now().UTC()
	e.emp = emp
	e.version++
}

// Terminate makes employee id Inactive with termination date date
// (YYYY-MM-DD).
func (s *Server) Terminate(id, date string) {
	s.Update(id, func(e *Employee) {
		e.Status = "Inactive"
		e.TerminationDate = date
	})
}

// Delete removes employee id; the changed endpoint reports it Deleted.
func (s *Server) Delete(id string) {
	s.Update(id, func(*Employee) {})
	s.mu.Lock()
	defer s.mu.Unlock()
	s.find(id).deleted = true
}

// FailNext makes the next n requests answer status, with a Retry-After of
// retryAfter when it is above zero, before any auth check.
func (s *Server) FailNext(n, status int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, fault{status: status, retryAfter: retryAfter})
	}
}

// Requests returns how many requests the server has received.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Throttled returns how many requests were answered as over the rate.
func (s *Server) Throttled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttled
}

// find returns the entry of id, deleted or not, or nil. s.mu is held.
func (s *Server) find(id string) *entry {
	for _, e := range s.emps {
		if e.emp.ID == id {
			return e
		}
	}
	return nil
}

// clone copies e so callers cannot reach the server's slices.
func clone(e Employee) Employee {
	e.Restricted = slices.Clone(e.Restricted)
	e.Raw = maps.Clone(e.Raw)
	return e
}
