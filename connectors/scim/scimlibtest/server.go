package scimlibtest

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/optional"
	"github.com/elimity-com/scim/schema"

	"github.com/hrsync/hrsync/internal/statusrec"
)

// BasePath is where the SCIM endpoints live on the server: BaseURL is the
// server's address followed by it.
const BasePath = "/scim/v2"

// DefaultToken is the bearer token a Server wants when Options.Token is
// empty.
const DefaultToken = "scimlibtest-token"

// DefaultMaxResults is filter.maxResults, the most Users one page holds,
// when Options.MaxResults is not set; it is the library's own fallback.
const DefaultMaxResults = 100

// Options configures a Server. Zero values take the defaults.
type Options struct {
	// Token is the bearer token every request under BasePath must carry;
	// default DefaultToken. There is no way to turn the check off.
	Token string
	// CustomSchema registers the custom extension (CustomSchema) besides
	// the enterprise one; off, the server knows the core User schema and
	// the enterprise extension only.
	CustomSchema bool
	// CustomSchemaURN is the URN the custom extension is registered under;
	// default DefaultCustomSchemaURN. Ignored unless CustomSchema is set.
	CustomSchemaURN string
	// MaxResults is the most Users one list page holds, and the page size
	// when the client asks for none; default DefaultMaxResults. The
	// library cuts a larger count down to it.
	MaxResults int
}

// withDefaults fills in unset options.
func (o Options) withDefaults() Options {
	if o.Token == "" {
		o.Token = DefaultToken
	}
	if !o.CustomSchema {
		o.CustomSchemaURN = ""
	} else if o.CustomSchemaURN == "" {
		o.CustomSchemaURN = DefaultCustomSchemaURN
	}
	if o.MaxResults <= 0 {
		o.MaxResults = DefaultMaxResults
	}
	return o
}

// Server is an elimity-com/scim service provider for Users, listening on
// 127.0.0.1, whose /Users are kept in memory by this package. It is safe
// for concurrent use.
type Server struct {
	opts Options
	hs   *httptest.Server
	base string
	lib  http.Handler
	st   *store

	mu  sync.Mutex
	log []Request
}

// Request is one request the server answered.
type Request struct {
	// Method is the HTTP method.
	Method string
	// Path is the URL path as the client sent it.
	Path string
	// Route is Path after BasePath with the last segment of a single
	// resource replaced by {id}: "/Users", "/Users/{id}", "/Schemas/{id}",
	// "/ServiceProviderConfig", …; a path outside BasePath is kept whole.
	Route string
	// Status is the status code answered.
	Status int
}

// New starts a Server on 127.0.0.1. Close it when done.
func New(opts Options) (*Server, error) {
	opts = opts.withDefaults()
	core := schema.CoreUserSchema()
	exts := []schema.Schema{schema.ExtensionEnterpriseUser()}
	if opts.CustomSchema {
		exts = append(exts, CustomSchema(opts.CustomSchemaURN))
	}
	st := newStore(core, exts)

	hs := httptest.NewUnstartedServer(nil)
	// NewUnstartedServer listens already; make sure it is on loopback v4.
	if tcp, ok := hs.Listener.Addr().(*net.TCPAddr); !ok || !tcp.IP.Equal(net.IPv4(127, 0, 0, 1)) {
		_ = hs.Listener.Close()
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("scimlibtest: listen: %w", err)
		}
		hs.Listener = l
	}
	root := "http://" + hs.Listener.Addr().String()

	rt := scim.ResourceType{
		ID:          optional.NewString("User"),
		Name:        "User",
		Endpoint:    "/Users",
		Description: optional.NewString("User Account"),
		Schema:      core,
		Handler:     st,
	}
	for _, e := range exts {
		rt.SchemaExtensions = append(rt.SchemaExtensions, scim.SchemaExtension{Schema: e})
	}
	lib, err := scim.NewServer(&scim.ServerArgs{
		ServiceProviderConfig: &scim.ServiceProviderConfig{
			DocumentationURI: optional.NewString("https://pkg.go.dev/github.com/elimity-com/scim"),
			AuthenticationSchemes: []scim.AuthenticationScheme{{
				Type:        scim.AuthenticationTypeOauthBearerToken,
				Name:        "OAuth Bearer Token",
				Description: "Authentication with a bearer token (RFC 6750) in the Authorization header",
				SpecURI:     optional.NewString("https://www.rfc-editor.org/info/rfc6750"),
				Primary:     true,
			}},
			MaxResults:       opts.MaxResults,
			SupportFiltering: true,
			SupportPatch:     true,
		},
		ResourceTypes: []scim.ResourceType{rt},
	}, scim.WithBaseURL(root+BasePath))
	if err != nil {
		_ = hs.Listener.Close()
		return nil, fmt.Errorf("scimlibtest: %w", err)
	}

	s := &Server{
		opts: opts,
		hs:   hs,
		base: root + BasePath,
		// The library serves its endpoints at "/…" and "/v2/…".
		lib: http.StripPrefix(strings.TrimSuffix(BasePath, "/v2"), lib),
		st:  st,
	}
	hs.Config.Handler = http.HandlerFunc(s.serveHTTP)
	hs.Start()
	return s, nil
}

// Start is New for a test: it fails t when the server cannot start, and
// closes the server when t ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.hs.Close() }

// BaseURL is the URL of the SCIM endpoints, such as
// http://127.0.0.1:41234/scim/v2.
func (s *Server) BaseURL() string { return s.base }

// Token is the bearer token the server wants.
func (s *Server) Token() string { return s.opts.Token }

// CustomSchemaURN is the URN the custom extension is registered under, ""
// when the server has none.
func (s *Server) CustomSchemaURN() string { return s.opts.CustomSchemaURN }

// serveHTTP checks the bearer token, hands requests under BasePath to the
// library, and records each request.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &statusrec.Writer{ResponseWriter: w}
	path := r.URL.Path
	switch {
	case path != BasePath && !strings.HasPrefix(path, BasePath+"/"):
		writeError(sw, scimerrors.ScimError{Status: http.StatusNotFound, Detail: "The SCIM endpoints are under " + BasePath + "."})
	case !s.authorized(r):
		sw.Header().Set("WWW-Authenticate", `Bearer realm="scimlibtest"`)
		writeError(sw, scimerrors.ScimError{Status: http.StatusUnauthorized, Detail: "Authorization failure: a valid bearer token is required."})
	default:
		s.lib.ServeHTTP(sw, r)
	}
	s.mu.Lock()
	s.log = append(s.log, Request{Method: r.Method, Path: path, Route: route(path), Status: sw.Status()})
	s.mu.Unlock()
}

// authorized checks the bearer token.
func (s *Server) authorized(r *http.Request) bool {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(s.opts.Token)) == 1
}

// route is the Route of a request path.
func route(path string) string {
	rest, ok := strings.CutPrefix(path, BasePath)
	if !ok || rest == "" {
		return path
	}
	segs := strings.Split(strings.Trim(rest, "/"), "/")
	if len(segs) == 2 && segs[1] != ".search" {
		segs[1] = "{id}"
	}
	return "/" + strings.Join(segs, "/")
}

// writeError answers a SCIM Error message.
func writeError(w http.ResponseWriter, e scimerrors.ScimError) {
	body, _ := json.Marshal(e)
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}

// Requests returns the requests answered so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// ResetRequests forgets the requests answered so far.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
}

// Count is the number of requests answered with method ("" for any) on
// route ("" for any), such as Count("PATCH", "/Users/{id}").
func (s *Server) Count(method, route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.log {
		if (method == "" || r.Method == method) && (route == "" || r.Route == route) {
			n++
		}
	}
	return n
}

// Writes is the number of POST, PUT, PATCH and DELETE requests answered,
// on any path and whatever their status, except POST searches (a route
// ending in "/.search"), which read.
func (s *Server) Writes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.log {
		switch r.Method {
		case http.MethodPost:
			if !strings.HasSuffix(r.Route, "/.search") {
				n++
			}
		case http.MethodPut, http.MethodPatch, http.MethodDelete:
			n++
		}
	}
	return n
}
