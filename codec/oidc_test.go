package codec_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/hrsync/hrsync/codec"
)

const (
	testAudience = "https://hrsync.example/codec"
	testKeyID    = "test-key-1"
)

// testIssuer is an OIDC provider on a loopback port: discovery, a JWKS
// with one RSA key, and a count of JWKS fetches.
type testIssuer struct {
	url      string
	key      *rsa.PrivateKey
	jwksHits atomic.Int32
}

func rsaKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	return k
}

func writeJSON(t *testing.T, w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		t.Errorf("test issuer: %v", err)
	}
}

func startIssuer(t *testing.T) *testIssuer {
	t.Helper()
	iss := &testIssuer{key: rsaKey(t)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		base := "http://" + r.Host
		writeJSON(t, w, map[string]any{
			"issuer":                                base,
			"authorization_endpoint":                base + "/authorize",
			"token_endpoint":                        base + "/token",
			"jwks_uri":                              base + "/jwks",
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		iss.jwksHits.Add(1)
		writeJSON(t, w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
			{Key: &iss.key.PublicKey, KeyID: testKeyID, Algorithm: string(jose.RS256), Use: "sig"},
		}})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	require.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1:"), srv.URL)
	iss.url = srv.URL
	return iss
}

// accessToken is the claim set of a test access token.
type accessToken struct {
	jwt.Claims
	Permissions []string `json:"permissions,omitempty"`
}

// claims are a valid access token's claims granting permissions.
func (iss *testIssuer) claims(permissions ...string) accessToken {
	now := time.Now()
	return accessToken{
		Claims: jwt.Claims{
			Issuer:   iss.url,
			Subject:  "alice@example.com",
			Audience: jwt.Audience{testAudience},
			IssuedAt: jwt.NewNumericDate(now),
			Expiry:   jwt.NewNumericDate(now.Add(5 * time.Minute)),
		},
		Permissions: permissions,
	}
}

// token signs a valid access token granting permissions.
func (iss *testIssuer) token(t *testing.T, permissions ...string) string {
	return sign(t, iss.key, iss.claims(permissions...))
}

// sign signs claims as the issuer's key ID names, with key.
func sign(t *testing.T, key *rsa.PrivateKey, claims accessToken) string {
	t.Helper()
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: testKeyID}},
		(&jose.SignerOptions{}).WithType("at+jwt"))
	require.NoError(t, err)
	raw, err := jwt.Signed(signer).Claims(claims).Serialize()
	require.NoError(t, err)
	return raw
}

func newVerifier(t *testing.T, iss *testIssuer, permissionsClaim string) *codec.OIDCVerifier {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := codec.NewOIDCVerifier(ctx, codec.OIDCConfig{Issuer: iss.url, Audience: testAudience, PermissionsClaim: permissionsClaim})
	require.NoError(t, err)
	return v
}

// codecCall posts the payloads an op takes to path and, on 200, checks the
// reply is what the op should give back.
func codecCall(t *testing.T, c *codec.Codec, url, path, namespace, bearerToken string) reply {
	t.Helper()
	plain := plainPayloads(t)
	decode := strings.HasSuffix(path, "/decode")
	body := payloadsJSON(t, plain)
	if decode {
		body = payloadsJSON(t, mustEncode(t, c))
	}
	h := map[string]string{"Origin": uiOrigin, "Content-Type": "application/json"}
	if namespace != "" {
		h["X-Namespace"] = namespace
	}
	if bearerToken != "" {
		h["Authorization"] = "Bearer " + bearerToken
	}
	r := call(t, "POST", url+path, h, body)
	if r.status != http.StatusOK {
		return r
	}
	var got commonpb.Payloads
	require.NoError(t, protojson.Unmarshal(r.body, &got))
	if decode {
		requirePayloadsEqual(t, plain, got.Payloads)
	} else {
		require.NotContains(t, string(r.body), "alice.secret")
		decoded, err := c.Decode(got.Payloads)
		require.NoError(t, err)
		requirePayloadsEqual(t, plain, decoded)
	}
	return r
}

func TestOIDCServer(t *testing.T) {
	iss := startIssuer(t)
	c := mustCodec(t, mustKey(t, "k1"))
	url := startServer(t, c, codec.ServerOptions{
		Token:      token,
		Tokens:     newVerifier(t, iss, "permissions"),
		Origins:    []string{uiOrigin},
		Namespaces: []string{"default", "other-ns"},
	})

	edited := func(edit func(*accessToken)) string {
		claims := iss.claims("default:read")
		edit(&claims)
		return sign(t, iss.key, claims)
	}
	readToken := iss.token(t, "default:read")
	expired := edited(func(c *accessToken) {
		c.IssuedAt = jwt.NewNumericDate(time.Now().Add(-time.Hour))
		c.Expiry = jwt.NewNumericDate(time.Now().Add(-time.Minute))
	})

	for name, tc := range map[string]struct {
		token     string
		path      string
		namespace string // X-Namespace
		status    int
		contains  string // in the body
	}{
		"read decodes, namespace in path":  {token: readToken, path: "/default/decode", status: 200},
		"read decodes, namespace header":   {token: readToken, path: "/decode", namespace: "default", status: 200},
		"expired":                          {token: expired, path: "/default/decode", status: 401},
		"wrong issuer":                     {token: edited(func(c *accessToken) { c.Issuer = "https://other.example" }), path: "/default/decode", status: 401},
		"wrong audience":                   {token: edited(func(c *accessToken) { c.Audience = jwt.Audience{"https://other.example/api"} }), path: "/default/decode", status: 401},
		"audience among several":           {token: edited(func(c *accessToken) { c.Audience = jwt.Audience{"https://other.example/api", testAudience} }), path: "/default/decode", status: 200},
		"no subject":                       {token: edited(func(c *accessToken) { c.Subject = "" }), path: "/default/decode", status: 401},
		"signed by another key":            {token: sign(t, rsaKey(t), iss.claims("default:read")), path: "/default/decode", status: 401},
		"not a JWT":                        {token: "not-a-jwt", path: "/default/decode", status: 401},
		"missing token":                    {path: "/default/decode", status: 401},
		"admin elsewhere only":             {token: iss.token(t, "other-ns:admin"), path: "/default/decode", status: 403, contains: "does not permit decode"},
		"no permissions at all":            {token: iss.token(t), path: "/default/decode", status: 403},
		"read cannot encode":               {token: readToken, path: "/default/encode", status: 403, contains: "does not permit encode"},
		"write encodes":                    {token: iss.token(t, "default:write"), path: "/default/encode", status: 200},
		"worker encodes":                   {token: iss.token(t, "default:worker"), path: "/encode", namespace: "default", status: 200},
		"system admin decodes":             {token: iss.token(t, "temporal-system:admin"), path: "/default/decode", status: 200},
		"system admin encodes":             {token: iss.token(t, "temporal-system:admin"), path: "/other-ns/encode", status: 200},
		"static token alongside":           {token: token, path: "/default/encode", status: 200},
		"namespace not served, valid":      {token: iss.token(t, "temporal-system:admin"), path: "/elsewhere/decode", status: 403, contains: "namespace not served"},
		"namespace not served, expired":    {token: expired, path: "/elsewhere/decode", status: 401},
		"path and header disagree, valid":  {token: readToken, path: "/default/decode", namespace: "other-ns", status: 400},
		"path and header disagree, no key": {token: sign(t, rsaKey(t), iss.claims("default:read")), path: "/default/decode", namespace: "other-ns", status: 401},
	} {
		t.Run(name, func(t *testing.T) {
			r := codecCall(t, c, url, tc.path, tc.namespace, tc.token)
			require.Equal(t, tc.status, r.status, string(r.body))
			require.Equal(t, uiOrigin, r.header.Get("Access-Control-Allow-Origin"))
			if tc.status == 401 {
				require.Equal(t, `Bearer realm="hrsync codec"`, r.header.Get("WWW-Authenticate"))
			}
			if tc.token != "" {
				require.NotContains(t, string(r.body), tc.token, "replies never show the token")
			}
			require.Contains(t, string(r.body), tc.contains)
		})
	}
}

func TestOIDCServerWithoutPermissionsClaim(t *testing.T) {
	iss := startIssuer(t)
	c := mustCodec(t, mustKey(t, "k1"))
	url := startServer(t, c, codec.ServerOptions{Tokens: newVerifier(t, iss, ""), Origins: []string{uiOrigin}})
	for name, tc := range map[string]struct {
		token  string
		path   string
		status int
	}{
		"no permissions decodes":      {token: iss.token(t), path: "/default/decode", status: 200},
		"no permissions encodes":      {token: iss.token(t), path: "/any/encode", status: 200},
		"other namespace's read":      {token: iss.token(t, "other-ns:read"), path: "/default/encode", status: 200},
		"still verified":              {token: sign(t, rsaKey(t), iss.claims()), path: "/default/decode", status: 401},
		"verifier without token sent": {path: "/default/decode", status: 401},
	} {
		t.Run(name, func(t *testing.T) {
			r := codecCall(t, c, url, tc.path, "", tc.token)
			require.Equal(t, tc.status, r.status, string(r.body))
		})
	}
}

// TestOIDCKeysCached checks the signing keys are fetched once, not per
// request.
func TestOIDCKeysCached(t *testing.T) {
	iss := startIssuer(t)
	c := mustCodec(t, mustKey(t, "k1"))
	url := startServer(t, c, codec.ServerOptions{Tokens: newVerifier(t, iss, "permissions"), Origins: []string{uiOrigin}})
	require.Zero(t, iss.jwksHits.Load(), "keys are fetched when first needed")
	for range 5 {
		r := codecCall(t, c, url, "/default/decode", "", iss.token(t, "default:read"))
		require.Equal(t, http.StatusOK, r.status, string(r.body))
	}
	require.EqualValues(t, 1, iss.jwksHits.Load())
}

func TestOIDCVerify(t *testing.T) {
	iss := startIssuer(t)
	v := newVerifier(t, iss, "permissions")
	ctx := context.Background()

	expiredClaims := iss.claims("default:admin")
	expiredClaims.Expiry = jwt.NewNumericDate(time.Now().Add(-time.Minute))
	expired := sign(t, iss.key, expiredClaims)
	err := v.Verify(ctx, expired, "default", "decode")
	var expiredErr *oidc.TokenExpiredError
	require.ErrorAs(t, err, &expiredErr)

	for name, tc := range map[string]struct {
		token, namespace, op string
		forbidden            bool
	}{
		"expired":         {token: expired, namespace: "default", op: "decode"},
		"another key":     {token: sign(t, rsaKey(t), iss.claims("default:admin")), namespace: "default", op: "decode"},
		"malformed":       {token: "eyJhbGciOiJSUzI1NiJ9.!!!.sig", namespace: "default", op: "decode"},
		"no permission":   {token: iss.token(t, "default:read"), namespace: "default", op: "encode", forbidden: true},
		"other namespace": {token: iss.token(t, "default:read"), namespace: "hr-prod", op: "decode", forbidden: true},
		"unknown op":      {token: iss.token(t, "temporal-system:admin"), namespace: "default", op: "delete", forbidden: true},
	} {
		t.Run(name, func(t *testing.T) {
			err := v.Verify(ctx, tc.token, tc.namespace, tc.op)
			require.Error(t, err)
			require.Equal(t, tc.forbidden, errors.Is(err, codec.ErrForbidden), err.Error())
			require.NotContains(t, err.Error(), tc.token, "errors never show the token")
		})
	}

	require.NoError(t, v.Verify(ctx, iss.token(t, "default:read"), "default", "decode"))
}

func TestNewOIDCVerifier(t *testing.T) {
	iss := startIssuer(t)
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	impostor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(t, w, map[string]any{"issuer": iss.url, "jwks_uri": iss.url + "/jwks"})
	}))
	t.Cleanup(impostor.Close)

	for name, tc := range map[string]struct {
		cfg      codec.OIDCConfig
		contains string
	}{
		"no issuer":              {cfg: codec.OIDCConfig{Audience: testAudience}, contains: "issuer is required"},
		"no audience":            {cfg: codec.OIDCConfig{Issuer: iss.url}, contains: "audience is required"},
		"unreachable":            {cfg: codec.OIDCConfig{Issuer: gone.URL, Audience: testAudience}, contains: "OIDC discovery for issuer " + gone.URL},
		"no discovery":           {cfg: codec.OIDCConfig{Issuer: iss.url + "/tenant", Audience: testAudience}, contains: "404"},
		"issuer mismatch":        {cfg: codec.OIDCConfig{Issuer: impostor.URL, Audience: testAudience}, contains: "issuer did not match"},
		"trailing slash differs": {cfg: codec.OIDCConfig{Issuer: iss.url + "/", Audience: testAudience}, contains: "issuer did not match"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := codec.NewOIDCVerifier(context.Background(), tc.cfg)
			require.ErrorContains(t, err, tc.contains)
		})
	}
}

func TestPermits(t *testing.T) {
	for name, tc := range map[string]struct {
		claim     any
		namespace string
		op        string
		want      bool
	}{
		"read decodes":                 {claim: []any{"default:read"}, namespace: "default", op: "decode", want: true},
		"read does not encode":         {claim: []any{"default:read"}, namespace: "default", op: "encode"},
		"write encodes":                {claim: []any{"default:write"}, namespace: "default", op: "encode", want: true},
		"write decodes":                {claim: []any{"default:write"}, namespace: "default", op: "decode", want: true},
		"worker encodes":               {claim: []any{"default:worker"}, namespace: "default", op: "encode", want: true},
		"worker decodes":               {claim: []any{"default:worker"}, namespace: "default", op: "decode", want: true},
		"admin encodes":                {claim: []any{"default:admin"}, namespace: "default", op: "encode", want: true},
		"role is case-insensitive":     {claim: []any{"default:Write"}, namespace: "default", op: "encode", want: true},
		"namespace is case-sensitive":  {claim: []any{"Default:admin"}, namespace: "default", op: "decode"},
		"other namespace":              {claim: []any{"other-ns:admin"}, namespace: "default", op: "decode"},
		"roles add up":                 {claim: []any{"default:read", "default:worker"}, namespace: "default", op: "encode", want: true},
		"system admin, any namespace":  {claim: []any{"temporal-system:admin"}, namespace: "hr-prod", op: "encode", want: true},
		"system admin, no namespace":   {claim: []any{"temporal-system:admin"}, namespace: "", op: "decode", want: true},
		"system read decodes anywhere": {claim: []any{"temporal-system:read"}, namespace: "hr-prod", op: "decode", want: true},
		"system read does not encode":  {claim: []any{"temporal-system:read"}, namespace: "hr-prod", op: "encode"},
		"system and namespace roles":   {claim: []any{"temporal-system:read", "hr-prod:write"}, namespace: "hr-prod", op: "encode", want: true},
		"unknown role":                 {claim: []any{"default:owner"}, namespace: "default", op: "decode"},
		"no role":                      {claim: []any{"default"}, namespace: "default", op: "decode"},
		"empty role":                   {claim: []any{"default:"}, namespace: "default", op: "decode"},
		"extra colon":                  {claim: []any{"default:read:x"}, namespace: "default", op: "decode"},
		"empty namespace":              {claim: []any{":admin"}, namespace: "", op: "decode"},
		"non-strings skipped":          {claim: []any{42, nil, "default:read"}, namespace: "default", op: "decode", want: true},
		"string slice":                 {claim: []string{"default:read"}, namespace: "default", op: "decode", want: true},
		"claim is a string":            {claim: "default:read", namespace: "default", op: "decode"},
		"claim is an object":           {claim: map[string]any{"default": "read"}, namespace: "default", op: "decode"},
		"no claim":                     {claim: nil, namespace: "default", op: "decode"},
		"empty claim":                  {claim: []any{}, namespace: "default", op: "decode"},
		"unknown op":                   {claim: []any{"temporal-system:admin"}, namespace: "default", op: "delete"},
	} {
		t.Run(name, func(t *testing.T) {
			require.Equal(t, tc.want, codec.Permits(tc.claim, tc.namespace, tc.op))
		})
	}
}

func TestOIDCRefusalsAreLogged(t *testing.T) {
	iss := startIssuer(t)
	c := mustCodec(t, mustKey(t, "k1"))
	core, logs := observer.New(zap.InfoLevel)
	url := startServer(t, c, codec.ServerOptions{
		Tokens: newVerifier(t, iss, "permissions"), Origins: []string{uiOrigin}, Logger: zap.New(core),
	})
	claims := iss.claims("default:read")
	claims.Audience = jwt.Audience{"https://other.example/api"}
	wrongAudience := sign(t, iss.key, claims)
	require.Equal(t, http.StatusUnauthorized, codecCall(t, c, url, "/default/decode", "", wrongAudience).status)

	entries := logs.FilterMessage("Codec request refused").All()
	require.Len(t, entries, 1)
	require.Contains(t, entries[0].ContextMap()["error"], "audience", "the log says why")
	for _, e := range logs.All() {
		require.NotContains(t, fmt.Sprint(e.ContextMap()), wrongAudience, "the token is never logged")
	}
}
