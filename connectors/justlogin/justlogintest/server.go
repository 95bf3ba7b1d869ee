// Package justlogintest is a faithful fake of JustLogin's public API on
// net/http: the OAuth 2.0 authorization-code flow (auto-approved), refresh
// tokens with optional rotation, and GET /membership/v3/users with its
// include and activeStatus parameters and the x-pagination header. Tests
// serve it with httptest.NewServer; dev mode can serve it on a port.
package justlogintest

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// The documented paths.
const (
	// AuthorizePath is the authorize endpoint.
	AuthorizePath = "/v1/auth/connect/authorize"
	// TokenPath is the token endpoint.
	TokenPath = "/v1/auth/connect/token"
	// UsersPath lists users.
	UsersPath = "/membership/v3/users"
)

// AuthURL is the authorize endpoint of a fake served at base.
func AuthURL(base string) string { return strings.TrimRight(base, "/") + AuthorizePath }

// TokenURL is the token endpoint of a fake served at base.
func TokenURL(base string) string { return strings.TrimRight(base, "/") + TokenPath }

// Options shape a fake account.
type Options struct {
	// ClientID and ClientSecret are the registered client's credentials.
	ClientID, ClientSecret string
	// Users is how many users the company has; 0 means 25.
	Users int
	// Seed makes the generated company reproducible.
	Seed int64
	// PageLimit caps the users per page below the documented maximum of
	// 100, so small companies span several pages; 0 means 100.
	PageLimit int
	// TokenTTL is the access token lifetime; 0 means one hour.
	TokenTTL time.Duration
	// RotateRefreshTokens issues a new refresh token at every refresh and
	// revokes the one used.
	RotateRefreshTokens bool
}

// Server is a fake JustLogin account. It is an http.Handler.
type Server struct {
	opts Options
	mux  *http.ServeMux

	mu      sync.Mutex
	users   []User
	codes   map[string]grant
	access  map[string]time.Time // access token → expiry
	refresh map[string]bool      // refresh token → still valid
	seen    map[string]bool      // access tokens the API accepted
	fail    failure
	seq     int
}

// grant is an issued authorization code.
type grant struct {
	clientID, redirectURI string
	expires               time.Time
}

// failure is the injected answer for the next API requests.
type failure struct {
	n, status  int
	retryAfter time.Duration
}

// New returns a fake account shaped by opts.
func New(opts Options) *Server {
	if opts.Users == 0 {
		opts.Users = 25
	}
	if opts.PageLimit <= 0 || opts.PageLimit > maxLimit {
		opts.PageLimit = maxLimit
	}
	if opts.TokenTTL == 0 {
		opts.TokenTTL = time.Hour
	}
	s := &Server{opts: opts, users: generate(opts.Users, opts.Seed),
		codes: map[string]grant{}, access: map[string]time.Time{}, refresh: map[string]bool{}, seen: map[string]bool{}}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET "+AuthorizePath, s.authorize)
	s.mux.HandleFunc("POST "+TokenPath, s.token)
	s.mux.HandleFunc("GET "+UsersPath, s.api(s.listUsers))
	s.mux.HandleFunc("GET "+UsersPath+"/{guid}", s.api(s.getUser))
	return s
}

// ServeHTTP serves the fake API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// FailNext makes the next n API requests answer status, with a
// Retry-After header when retryAfter is above zero.
func (s *Server) FailNext(n, status int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = failure{n: n, status: status, retryAfter: retryAfter}
}
