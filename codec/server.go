package codec

import (
	"cmp"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"
	"slices"
	"strings"

	"go.temporal.io/sdk/converter"
	"go.uber.org/zap"
)

// NamespaceHeader carries the namespace when the path does not: the Web UI
// sends it on every codec call.
const NamespaceHeader = "X-Namespace"

// maxBody bounds one encode or decode request.
const maxBody = 16 << 20

// ErrForbidden marks a TokenVerifier refusal of a token that is valid but
// does not permit the operation on the namespace: the server answers 403
// rather than 401.
var ErrForbidden = errors.New("token lacks permission")

// TokenVerifier decides whether a bearer token, other than the static
// Token, may run op ("encode" or "decode") on namespace. It returns nil to
// allow, an error wrapping ErrForbidden for a valid token without the
// permission, and any other error for a token it does not accept.
// Errors must not contain the token.
type TokenVerifier interface {
	Verify(ctx context.Context, token, namespace, op string) error
}

// ServerOptions configures a codec server.
type ServerOptions struct {
	// Codec encrypts and decrypts. Required.
	Codec *Codec
	// Token is a static bearer token allowed every encode and decode, sent
	// as "Authorization: Bearer <token>" (or in the path, with
	// TokenInPath). With neither Token nor Tokens every request is refused.
	Token string
	// Tokens, when set, verifies bearer tokens that are not Token, such as
	// the OIDC access token the Web UI forwards (an *OIDCVerifier). A
	// request is served when its token is Token or Tokens accepts it.
	Tokens TokenVerifier
	// TokenInPath also accepts Token as the first segment of the path:
	// /{token}/decode, /{token}/{namespace}/decode. It is for a Web UI that
	// cannot send a header, such as dev mode's UI without login, whose
	// codec endpoint then carries the token. The token shows wherever the
	// URL does, so production servers leave it off.
	TokenInPath bool
	// Origins are the Web UI origins ("http://localhost:8233") a browser
	// may call from; requests from any other origin are refused.
	Origins []string
	// Namespaces the server answers for; empty means any.
	Namespaces []string
	// Logger, when set, hears why a token was refused (never the token),
	// so a misconfigured issuer or audience can be told from a stranger.
	Logger *zap.Logger
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
// {"payloads": [...]}; with TokenInPath, the same paths behind /{token}.
// It answers CORS preflights for Origins only, and panics without a Codec.
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
	req, ok := s.route(r)
	if !ok {
		http.NotFound(w, r)
		return
	}

	w.Header().Add("Vary", "Origin")
	origin := r.Header.Get("Origin")
	allowed := origin != "" && s.origins[normalizeOrigin(origin)]
	if allowed {
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Set("Access-Control-Allow-Credentials", "true")
	}
	if r.Method == http.MethodOptions {
		if !allowed {
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

	// The token is checked first, against the namespace the request names:
	// a missing or bad token is refused (401) whatever the origin, and the
	// origin and namespace are only judged for a caller that authenticated.
	header := r.Header.Get(NamespaceHeader)
	namespace := cmp.Or(req.namespace, header)
	access := s.authorize(r, namespace, req.op, req.pathToken)
	if access == accessUnauthenticated {
		w.Header().Set("WWW-Authenticate", `Bearer realm="hrsync codec"`)
		http.Error(w, http.StatusText(http.StatusUnauthorized), http.StatusUnauthorized)
		return
	}
	if origin != "" && !allowed {
		http.Error(w, "origin not allowed", http.StatusForbidden)
		return
	}
	if req.namespace != "" && header != "" && header != req.namespace {
		http.Error(w, "the path and "+NamespaceHeader+" name different namespaces", http.StatusBadRequest)
		return
	}
	if len(s.opts.Namespaces) > 0 && !slices.Contains(s.opts.Namespaces, namespace) {
		http.Error(w, "namespace not served", http.StatusForbidden)
		return
	}
	if access == accessForbidden {
		http.Error(w, "the token does not permit "+req.op+" on this namespace", http.StatusForbidden)
		return
	}

	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	s.codec.ServeHTTP(w, r)
}

// request is what a codec request's path says.
type request struct {
	// namespace the path names, if any.
	namespace string
	// op is "encode" or "decode".
	op string
	// pathToken is set when the path began with the static token.
	pathToken bool
}

// route accepts /encode, /decode, /{namespace}/encode and
// /{namespace}/decode, and with TokenInPath the same behind /{token}. A
// first segment that is not the token is taken for a namespace, so a
// wrong token in the path authenticates nothing.
func (s *server) route(r *http.Request) (request, bool) {
	var req request
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if s.opts.TokenInPath && len(parts) > 1 && s.isToken(parts[0]) {
		parts, req.pathToken = parts[1:], true
	}
	switch len(parts) {
	case 1:
	case 2:
		req.namespace = parts[0]
		if req.namespace == "" {
			return req, false
		}
	default:
		return req, false
	}
	req.op = parts[len(parts)-1]
	return req, req.op == "encode" || req.op == "decode"
}

// access is the outcome of checking a request's token.
type access int

const (
	accessUnauthenticated access = iota // no token, or one not accepted: 401
	accessForbidden                     // a valid token without the permission: 403
	accessGranted
)

// authorize accepts the static token, from the path (pathToken) or as a
// bearer token, or a bearer token the verifier accepts for namespace and
// op. An Authorization header is always checked, even behind a path token:
// a request that carries a token it may not use is refused.
func (s *server) authorize(r *http.Request, namespace, op string, pathToken bool) access {
	if r.Header.Get("Authorization") == "" {
		if pathToken {
			return accessGranted
		}
		return accessUnauthenticated
	}
	token, ok := bearer(r)
	if !ok {
		return accessUnauthenticated
	}
	if s.isToken(token) {
		return accessGranted
	}
	if s.opts.Tokens == nil {
		return accessUnauthenticated
	}
	err := s.opts.Tokens.Verify(r.Context(), token, namespace, op)
	if err != nil && s.opts.Logger != nil {
		s.opts.Logger.Info("Codec request refused", zap.String("namespace", namespace), zap.String("op", op), zap.Error(err))
	}
	switch {
	case err == nil:
		return accessGranted
	case errors.Is(err, ErrForbidden):
		return accessForbidden
	default:
		return accessUnauthenticated
	}
}

// isToken reports whether token is the static Token, compared in constant
// time (hashing first keeps its length out of the timing too). With no
// Token configured nothing is.
func (s *server) isToken(token string) bool {
	if s.opts.Token == "" {
		return false
	}
	got := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(got[:], s.token[:]) == 1
}

// bearer returns the token of an "Authorization: Bearer <token>" header;
// the scheme is case-insensitive.
func bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

func normalizeOrigin(o string) string {
	return strings.ToLower(strings.TrimRight(strings.TrimSpace(o), "/"))
}
