package scimtest

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hrsync/hrsync/internal/statusrec"
)

// Options configures a Server. Zero values take the defaults.
type Options struct {
	// DBPath is the SQLite file users are kept in, created when missing and
	// kept across New calls (dev mode restarts find their users again); ""
	// means a private in-memory database that lives as long as the Server.
	DBPath string
	// Token is the bearer token every request under BasePath must carry;
	// "" means no authentication.
	Token string
	// BasePath is where the SCIM endpoints live; default "/scim/v2".
	BasePath string
	// MaxResults is filter.maxResults: the most users one page of a list
	// holds, and its size when the client asks for none; default 200.
	MaxResults int
	// BulkMaxOperations is bulk.maxOperations; default 1000.
	BulkMaxOperations int
	// BulkMaxPayloadSize is bulk.maxPayloadSize in bytes; default 1048576.
	BulkMaxPayloadSize int
	// CoreAndEnterpriseOnly makes the server offer only the core User
	// schema and the enterprise extension, as SCIM libraries do out of the
	// box: /Schemas and /ResourceTypes list only those, POST and PUT drop
	// the attributes (and schemas entries) of any other extension without
	// a word, and a PATCH path into one is 400 invalidPath ("Invalid path
	// '<path>' for '<op>' op").
	CoreAndEnterpriseOnly bool
}

// withDefaults fills in unset options.
func (o Options) withDefaults() Options {
	o.BasePath = "/" + strings.Trim(o.BasePath, "/")
	if o.BasePath == "/" {
		o.BasePath = "/scim/v2"
	}
	if o.MaxResults <= 0 {
		o.MaxResults = 200
	}
	if o.BulkMaxOperations <= 0 {
		o.BulkMaxOperations = 1000
	}
	if o.BulkMaxPayloadSize <= 0 {
		o.BulkMaxPayloadSize = 1048576
	}
	return o
}

// maxLog is how many requests Requests remembers; older ones are dropped.
const maxLog = 100_000

// Server is a SCIM 2.0 service provider for User resources, an
// http.Handler. It is safe for concurrent use.
type Server struct {
	opts Options
	st   *store

	patchOn, bulkOn, etagsOn atomic.Bool

	mu   sync.Mutex
	fail failPlan
	log  []RequestLog
}

// failPlan is the failure FailNext asked for.
type failPlan struct {
	n          int
	status     int
	retryAfter time.Duration
}

// New opens the store and returns a Server with PATCH, Bulk and ETags on.
func New(opts Options) (*Server, error) {
	opts = opts.withDefaults()
	st, err := openStore(context.Background(), opts.DBPath)
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, st: st}
	s.patchOn.Store(true)
	s.bulkOn.Store(true)
	s.etagsOn.Store(true)
	return s, nil
}

// Close closes the store. The Server answers no request after it.
func (s *Server) Close() error { return s.st.close() }

// SetPatch turns PATCH support on or off. Off, PATCH (also inside /Bulk)
// answers 501 and ServiceProviderConfig says patch.supported=false.
func (s *Server) SetPatch(on bool) { s.patchOn.Store(on) }

// SetBulk turns /Bulk on or off. Off, /Bulk answers 501 and
// ServiceProviderConfig says bulk.supported=false.
func (s *Server) SetBulk(on bool) { s.bulkOn.Store(on) }

// SetETags turns versioning on or off. Off, resources have no
// meta.version, answers no ETag header, If-Match, If-None-Match and Bulk
// versions are ignored, and ServiceProviderConfig says
// etag.supported=false. Versions are still kept, so turning ETags back on
// shows them.
func (s *Server) SetETags(on bool) { s.etagsOn.Store(on) }

// FailNext makes the next n requests under BasePath answer status (429,
// 503, …) with an Error message, before authentication and without
// touching the store, and with a Retry-After header of retryAfter in whole
// seconds (rounded up) when retryAfter > 0. n <= 0 cancels the plan.
func (s *Server) FailNext(n int, status int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = failPlan{n: max(n, 0), status: status, retryAfter: retryAfter}
}

// takeFailure answers the request with a planned failure, reporting
// whether it did.
func (s *Server) takeFailure(w http.ResponseWriter) bool {
	s.mu.Lock()
	plan := s.fail
	if plan.n > 0 {
		s.fail.n--
	}
	s.mu.Unlock()
	if plan.n <= 0 {
		return false
	}
	if plan.retryAfter > 0 {
		secs := int64((plan.retryAfter + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	}
	writeError(w, errorf(plan.status, "", "simulated failure: %s", http.StatusText(plan.status)))
	return true
}

// ServeHTTP serves the SCIM endpoints under BasePath and the directory's
// HTML page at "/", and records the request for Requests.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &statusrec.Writer{ResponseWriter: w}
	s.serve(sw, r)
	s.mu.Lock()
	s.log = append(s.log, RequestLog{Method: r.Method, Path: r.URL.Path, Status: sw.Status()})
	if len(s.log) > 2*maxLog {
		s.log = append([]RequestLog(nil), s.log[len(s.log)-maxLog:]...)
	}
	s.mu.Unlock()
}

// serve routes a request.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	path, base := r.URL.Path, s.opts.BasePath
	if path == base || strings.HasPrefix(path, base+"/") {
		if s.takeFailure(w) {
			return
		}
		if !s.authorized(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="scimtest"`)
			writeError(w, errorf(http.StatusUnauthorized, "", "Authorization failure: a valid bearer token is required"))
			return
		}
		s.api(w, r, strings.TrimPrefix(path, base))
		return
	}
	if path == "/" {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		s.handlePage(w, r)
		return
	}
	http.NotFound(w, r)
}

// authorized checks the bearer token.
func (s *Server) authorized(r *http.Request) bool {
	if s.opts.Token == "" {
		return true
	}
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(s.opts.Token)) == 1
}

// baseURL is the absolute URL of BasePath as the request reached it.
func (s *Server) baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + s.opts.BasePath
}

// api routes a request under BasePath; rest is the path after it.
func (s *Server) api(w http.ResponseWriter, r *http.Request, rest string) {
	var segs []string
	if t := strings.Trim(rest, "/"); t != "" {
		segs = strings.Split(t, "/")
	}
	base := s.baseURL(r)
	is := func(i int, name string) bool { return len(segs) > i && strings.EqualFold(segs[i], name) }
	switch {
	case len(segs) == 1 && is(0, "ServiceProviderConfig"):
		if allow(w, r, http.MethodGet) {
			s.handleServiceProviderConfig(w, base)
		}
	case len(segs) <= 2 && is(0, "Schemas"):
		if allow(w, r, http.MethodGet) {
			s.handleSchemas(w, r, base, segs[1:])
		}
	case len(segs) <= 2 && is(0, "ResourceTypes"):
		if allow(w, r, http.MethodGet) {
			s.handleResourceTypes(w, r, base, segs[1:])
		}
	case len(segs) == 1 && is(0, "Users"):
		if allow(w, r, http.MethodGet, http.MethodPost) {
			if r.Method == http.MethodGet {
				s.handleList(w, r, base)
			} else {
				s.handleCreate(w, r, base)
			}
		}
	case len(segs) == 2 && is(0, "Users") && segs[1] == ".search",
		len(segs) == 1 && segs[0] == ".search":
		if allow(w, r, http.MethodPost) {
			s.handleSearch(w, r, base)
		}
	case len(segs) == 2 && is(0, "Users"):
		if allow(w, r, http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete) {
			s.handleUser(w, r, base, segs[1])
		}
	case len(segs) == 1 && is(0, "Bulk"):
		if allow(w, r, http.MethodPost) {
			s.handleBulk(w, r, base)
		}
	case is(0, "Me"):
		writeError(w, errorf(http.StatusNotImplemented, "", "/Me is not supported"))
	default:
		writeError(w, errorf(http.StatusNotFound, "", "no endpoint %s%s; this server offers /Users, /Bulk, /ServiceProviderConfig, /Schemas and /ResourceTypes", s.opts.BasePath, rest))
	}
}

// allow answers 405 unless the request's method is one of methods.
func allow(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m {
			return true
		}
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	writeError(w, errorf(http.StatusMethodNotAllowed, "", "method %s is not allowed here", r.Method))
	return false
}
