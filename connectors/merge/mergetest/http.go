package mergetest

import (
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"time"
)

// maxPageSize is Merge's documented page_size maximum.
const maxPageSize = 100

// Paths the fake serves.
const (
	EmployeesPath  = "/api/hris/v1/employees"
	SyncStatusPath = "/api/hris/v1/sync-status"
)

// routes builds the router behind the auth, rate-limit and fault checks.
func (s *Server) routes() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+EmployeesPath, s.handleEmployees)
	mux.HandleFunc("GET "+SyncStatusPath, s.handleSyncStatus)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeDetail(w, http.StatusNotFound, "Not found.")
	})
	s.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == EmployeesPath {
			s.mu.Lock()
			s.requests++
			s.mu.Unlock()
		}
		if !s.authorized(r) {
			writeDetail(w, http.StatusUnauthorized, "Invalid API key or account token.")
			return
		}
		if wait, ok := s.admit(time.Now()); !ok {
			setRetryAfter(w, wait)
			writeDetail(w, http.StatusTooManyRequests, "Request was throttled.")
			return
		}
		if status, wait, ok := s.fault(); ok {
			setRetryAfter(w, wait)
			writeDetail(w, status, http.StatusText(status))
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// authorized checks both of Merge's auth headers.
func (s *Server) authorized(r *http.Request) bool {
	return r.Header.Get("Authorization") == "Bearer "+s.opts.APIKey &&
		r.Header.Get("X-Account-Token") == s.opts.AccountToken
}

// admit applies the per-linked-account limit over a sliding window. It
// returns how long until a request would be admitted when it refuses one.
func (s *Server) admit(now time.Time) (time.Duration, bool) {
	if s.opts.PerMinute <= 0 {
		return 0, true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cut := now.Add(-s.opts.Window)
	i := 0
	for i < len(s.window) && !s.window[i].After(cut) {
		i++
	}
	s.window = s.window[i:]
	if len(s.window) >= s.opts.PerMinute {
		s.throttled++
		return s.window[0].Add(s.opts.Window).Sub(now), false
	}
	s.window = append(s.window, now)
	return 0, true
}

// fault takes one injected failure, if any is pending.
func (s *Server) fault() (int, time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failN <= 0 {
		return 0, 0, false
	}
	s.failN--
	return s.failStatus, s.failAfter, true
}

// setRetryAfter sets Retry-After in whole seconds, rounded up.
func setRetryAfter(w http.ResponseWriter, d time.Duration) {
	if d > 0 {
		w.Header().Set("Retry-After", itoa(int(math.Ceil(d.Seconds()))))
	}
}

// writeDetail writes a Django REST framework error body.
func writeDetail(w http.ResponseWriter, status int, detail string) {
	writeJSON(w, status, map[string]string{"detail": detail})
}

// writeJSON writes v as the JSON answer.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// expands reads the expand parameter: comma separated, no spaces.
func expands(r *http.Request) map[string]bool {
	out := map[string]bool{}
	for _, v := range r.URL.Query()["expand"] {
		for _, name := range strings.Split(v, ",") {
			out[name] = true
		}
	}
	return out
}
