package mergetest

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Default credentials, used when Options leave them empty.
const (
	DefaultAPIKey       = "merge-test-api-key"
	DefaultAccountToken = "merge-test-account-token"
)

// Options configure a Server.
type Options struct {
	// APIKey is the only API key accepted; empty means DefaultAPIKey.
	APIKey string
	// AccountToken is the only linked account's token; empty means
	// DefaultAccountToken.
	AccountToken string
	// PageSize is the default and maximum page_size; 0 or above 100 means
	// Merge's maximum, 100.
	PageSize int
	// PerMinute is the linked account's request limit; a request over it
	// within the sliding Window gets 429 with Retry-After. 0 means no limit.
	PerMinute int
	// Window is the span PerMinute applies to; 0 means one minute. Tests
	// shorten it to compress time.
	Window time.Duration
	// Employees is how many employees to generate.
	Employees int
	// Seed makes the generated employees differ between fakes.
	Seed int64
	// InitialSync starts the Employee model in its first sync: SYNCING
	// with is_initial_sync until SetSyncStatus reports a finished sync.
	InitialSync bool
}

// Server is the fake Merge HRIS API. It implements http.Handler.
type Server struct {
	opts    Options
	handler http.Handler

	mu          sync.Mutex
	employees   []Employee // sorted by ID, the order pages are served in
	syncStatus  string
	initialSync bool
	lastSync    time.Time
	window      []time.Time // accepted requests within the rate window
	failN       int
	failStatus  int
	failAfter   time.Duration
	requests    int
	throttled   int
}

// New returns a fake with opts.Employees generated employees.
func New(opts Options) *Server {
	if opts.APIKey == "" {
		opts.APIKey = DefaultAPIKey
	}
	if opts.AccountToken == "" {
		opts.AccountToken = DefaultAccountToken
	}
	if opts.PageSize <= 0 || opts.PageSize > maxPageSize {
		opts.PageSize = maxPageSize
	}
	if opts.Window <= 0 {
		opts.Window = time.Minute
	}
	s := &Server{opts: opts, syncStatus: SyncDone, lastSync: time.Now().UTC().Add(-time.Hour)}
	if opts.InitialSync {
		s.syncStatus, s.initialSync = SyncSyncing, true
	}
	s.employees = generate(opts.Employees, opts.Seed)
	s.routes()
	return s
}

// ServeHTTP serves the API under /api/hris/v1/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Employees returns a copy of the fake's employees, deleted ones included,
// in the order they are served.
func (s *Server) Employees() []Employee {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Employee, len(s.employees))
	for i, e := range s.employees {
		out[i] = cloneEmployee(e)
	}
	return out
}

// Update changes employee id with fn and bumps its modified_at to now, as
// Merge does when a sync sees a change. It panics on an unknown id: a test
// that updates nobody is wrong.
func (s *Server) Update(id string, fn func(*Employee)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.employees, func(e Employee) bool { return e.ID == id })
	if i < 0 {
		panic(fmt.Sprintf("mergetest: no employee %s", id))
	}
	e := cloneEmployee(s.employees[i])
	fn(&e)
	e.ID = s.employees[i].ID
	e.ModifiedAt = time.Now().UTC()
	s.employees[i] = e
}

// SetSyncStatus sets the Employee model's sync status. DONE or
// PARTIALLY_SYNCED ends an initial sync.
func (s *Server) SetSyncStatus(status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.syncStatus = status
	if status == SyncDone || status == SyncPartiallySynced {
		s.initialSync = false
		s.lastSync = time.Now().UTC()
	}
}

// FailNext makes the next n authenticated requests answer status, with a
// Retry-After header when retryAfter is above zero.
func (s *Server) FailNext(n, status int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failStatus, s.failAfter = n, status, retryAfter
}

// Requests counts the requests made to /employees, whatever their answer.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Throttled counts the requests refused by the rate limit.
func (s *Server) Throttled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttled
}

// cloneEmployee copies e deeply enough that callers cannot change the fake.
func cloneEmployee(e Employee) Employee {
	e.Groups = slices.Clone(e.Groups)
	e.Employments = slices.Clone(e.Employments)
	if e.CustomFields != nil {
		m := make(map[string]any, len(e.CustomFields))
		for k, v := range e.CustomFields {
			m[k] = v
		}
		e.CustomFields = m
	}
	e.Raw = maps.Clone(e.Raw)
	return e
}
