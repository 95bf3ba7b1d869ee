package codec

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"slices"
	"strings"

	"go.temporal.io/sdk/converter"
)

// NamespaceHeader carries the namespace when the path does not: the Web UI
// sends it on every codec call.
const NamespaceHeader = "X-Namespace"

// maxBody bounds one encode or decode request.
const maxBody = 16 << 20

// ServerOptions configures a codec server.
type ServerOptions struct {
	// Codec encrypts and decrypts. Required.
	Codec *Codec
	// Token is the bearer token every encode and decode must carry as
	// "Authorization: Bearer <token>".
	Token string
	// AllowNoToken, with an empty Token, serves requests that carry no
	// token. It is for a loopback codec server behind a dev Web UI without
	// login, which has no token to send. Otherwise an empty Token refuses
	// every request.
	AllowNoToken bool
	// Origins are the Web UI origins ("http://localhost:8233") a browser
	// may call from; requests from any other origin are refused.
	Origins []string
	// Namespaces the server answers for; empty means any.
	Namespaces []string
}

// server checks origin, token and namespace, then hands the payloads to
// the SDK's codec handler.
type server struct {
	opts    ServerOptions
	origins map[string]bool
	token   [sha256.Size]byte
	codec   http.Handler
}

// NewServer returns the codec server the Temporal Web UI and CLI call:
// POST /{namespace}/encode and /{namespace}/decode, or /encode and /decode
// with the namespace in the X-Namespace header, each taking and returning
// {"payloads": [...]}. It answers CORS preflights for Origins only, and
// panics without a Codec.
func NewServer(opts ServerOptions) http.Handler {
	if opts.Codec == nil {
		panic("codec: NewServer needs a Codec")
	}
	s := &server{
		opts:    opts,
		origins: map[string]bool{},
		token:   sha256.Sum256([]byte(opts.Token)),
		codec:   converter.NewPayloadCodecHTTPHandler(opts.Codec),
	}
	for _, o := range opts.Origins {
		s.origins[normalizeOrigin(o)] = true
	}
	return s
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	namespace, ok := route(r)
	if !ok {
		http.NotFound(w, r)
		return
	}

	w.Header().Add("Vary", "Origin")
	origin := r.Header.Get("Origin")
	if origin != "" {
		if !s.origins[normalizeOrigin(origin)] {
			http.Error(w, "origin not allowed", http.StatusForbidden)
			return
		}
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Set("Access-Control-Allow-Credentials", "true")
	}
	if r.Method == http.MethodOptions {
		if origin == "" {
			http.Error(w, "origin not allowed", http.StatusForbidden)
			return
		}
		w.Header().Set("Access-Control-Allow-Methods", "POST")
		w.Header().Set("Access-Control-Allow-Headers", "Content-Type, X-Namespace, Authorization, Caller-Type")
		w.Header().Set("Access-Control-Max-Age", "600")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST, OPTIONS")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}

	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="hrsync codec"`)
		http.Error(w, http.StatusText(http.StatusUnauthorized), http.StatusUnauthorized)
		return
	}
	if h := r.Header.Get(NamespaceHeader); namespace == "" {
		namespace = h
	} else if h != "" && h != namespace {
		http.Error(w, "the path and "+NamespaceHeader+" name different namespaces", http.StatusBadRequest)
		return
	}
	if len(s.opts.Namespaces) > 0 && !slices.Contains(s.opts.Namespaces, namespace) {
		http.Error(w, "namespace not served", http.StatusForbidden)
		return
	}

	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	s.codec.ServeHTTP(w, r)
}

// route accepts /encode, /decode, /{namespace}/encode and
// /{namespace}/decode, returning the namespace the path names, if any.
func route(r *http.Request) (namespace string, ok bool) {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	switch len(parts) {
	case 1:
	case 2:
		namespace = parts[0]
		if namespace == "" {
			return "", false
		}
	default:
		return "", false
	}
	op := parts[len(parts)-1]
	return namespace, op == "encode" || op == "decode"
}

// authorized compares the bearer token in constant time; hashing first
// keeps the token's length out of the timing too.
func (s *server) authorized(r *http.Request) bool {
	if s.opts.Token == "" {
		return s.opts.AllowNoToken
	}
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return subtle.ConstantTimeCompare(got[:], s.token[:]) == 1
}

func normalizeOrigin(o string) string {
	return strings.ToLower(strings.TrimRight(strings.TrimSpace(o), "/"))
}
