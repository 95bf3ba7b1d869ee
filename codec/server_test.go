package codec_test

import (
	"bytes"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/hrsync/hrsync/codec"
)

const (
	token    = "s3cret-codec-token"
	uiOrigin = "http://localhost:8233"
)

// startServer runs a codec server on a loopback port.
func startServer(t *testing.T, c *codec.Codec, opts codec.ServerOptions) string {
	t.Helper()
	opts.Codec = c
	srv := httptest.NewServer(codec.NewServer(opts))
	t.Cleanup(srv.Close)
	require.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1:"), srv.URL)
	return srv.URL
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func call(t *testing.T, method, url string, header map[string]string, body []byte) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

func payloadsJSON(t *testing.T, p []*commonpb.Payload) []byte {
	t.Helper()
	b, err := protojson.Marshal(&commonpb.Payloads{Payloads: p})
	require.NoError(t, err)
	return b
}

func corsHeaders(h http.Header) http.Header {
	out := http.Header{}
	for k, v := range h {
		if strings.HasPrefix(k, "Access-Control-") {
			out[k] = v
		}
	}
	return out
}

func TestServer(t *testing.T) {
	c := mustCodec(t, mustKey(t, "k1"))
	plain := plainPayloads(t)
	encoded, err := c.Encode(plain)
	require.NoError(t, err)
	encodedBody := payloadsJSON(t, encoded)
	url := startServer(t, c, codec.ServerOptions{Token: token, Origins: []string{uiOrigin + "/"}, Namespaces: []string{"hr-prod"}})

	browser := func(extra map[string]string) map[string]string {
		h := map[string]string{"Origin": uiOrigin, "Content-Type": "application/json", "Authorization": "Bearer " + token}
		for k, v := range extra {
			if v == "" {
				delete(h, k)
			} else {
				h[k] = v
			}
		}
		return h
	}

	for name, tc := range map[string]struct {
		method, path string
		header       map[string]string
		body         []byte
		status       int
		cors         bool   // Access-Control headers expected
		decodes      bool   // body must be the original payloads
		contains     string // in the body
	}{
		"decode, namespace in path": {
			method: "POST", path: "/hr-prod/decode", header: browser(nil), body: encodedBody,
			status: 200, cors: true, decodes: true,
		},
		"decode, namespace header": {
			method: "POST", path: "/decode", header: browser(map[string]string{"X-Namespace": "hr-prod"}), body: encodedBody,
			status: 200, cors: true, decodes: true,
		},
		"decode from the CLI, no origin": {
			method: "POST", path: "/hr-prod/decode", header: browser(map[string]string{"Origin": ""}), body: encodedBody,
			status: 200, decodes: true,
		},
		"missing token": {
			method: "POST", path: "/hr-prod/decode", header: browser(map[string]string{"Authorization": ""}), body: encodedBody,
			status: 401, cors: true,
		},
		"wrong token": {
			method: "POST", path: "/hr-prod/decode", header: browser(map[string]string{"Authorization": "Bearer " + token + "x"}), body: encodedBody,
			status: 401, cors: true,
		},
		"token without bearer scheme": {
			method: "POST", path: "/hr-prod/decode", header: browser(map[string]string{"Authorization": token}), body: encodedBody,
			status: 401, cors: true,
		},
		"foreign origin post": {
			method: "POST", path: "/hr-prod/decode", header: browser(map[string]string{"Origin": "https://evil.example"}), body: encodedBody,
			status: 403,
		},
		"foreign origin post without token": {
			method: "POST", path: "/hr-prod/decode", header: browser(map[string]string{"Origin": "https://evil.example", "Authorization": ""}), body: encodedBody,
			status: 401,
		},
		"foreign origin preflight": {
			method: "OPTIONS", path: "/decode", header: map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
			status: 403,
		},
		"preflight without origin": {
			method: "OPTIONS", path: "/decode",
			status: 403,
		},
		"namespace not served, path": {
			method: "POST", path: "/other/decode", header: browser(nil), body: encodedBody,
			status: 403, cors: true, contains: "namespace not served",
		},
		"namespace not served, header": {
			method: "POST", path: "/decode", header: browser(map[string]string{"X-Namespace": "other"}), body: encodedBody,
			status: 403, cors: true,
		},
		"no namespace": {
			method: "POST", path: "/decode", header: browser(nil), body: encodedBody,
			status: 403, cors: true,
		},
		"path and header disagree": {
			method: "POST", path: "/hr-prod/decode", header: browser(map[string]string{"X-Namespace": "other"}), body: encodedBody,
			status: 400, cors: true,
		},
		"get": {
			method: "GET", path: "/hr-prod/decode", header: browser(nil),
			status: 405, cors: true,
		},
		"unknown path": {
			method: "POST", path: "/hr-prod/download", header: browser(nil), body: encodedBody,
			status: 404,
		},
		"too deep": {
			method: "POST", path: "/a/hr-prod/decode", header: browser(nil), body: encodedBody,
			status: 404,
		},
		"not payloads": {
			method: "POST", path: "/hr-prod/decode", header: browser(nil), body: []byte("{nope"),
			status: 400, cors: true,
		},
		"payload under an unknown key": {
			method: "POST", path: "/hr-prod/decode", header: browser(nil),
			body:   payloadsJSON(t, mustEncode(t, mustCodec(t, mustKey(t, "k-old")))),
			status: 400, cors: true, contains: `key "k-old", which is not configured`,
		},
	} {
		t.Run(name, func(t *testing.T) {
			r := call(t, tc.method, url+tc.path, tc.header, tc.body)
			require.Equal(t, tc.status, r.status, string(r.body))
			require.NotContains(t, string(r.body), token, "replies never show the token")
			if tc.cors {
				require.Equal(t, uiOrigin, r.header.Get("Access-Control-Allow-Origin"))
				require.Equal(t, "true", r.header.Get("Access-Control-Allow-Credentials"))
			} else {
				require.Empty(t, corsHeaders(r.header))
			}
			if tc.decodes {
				var got commonpb.Payloads
				require.NoError(t, protojson.Unmarshal(r.body, &got))
				requirePayloadsEqual(t, plain, got.Payloads)
			}
			require.Contains(t, string(r.body), tc.contains)
		})
	}
}

func mustEncode(t *testing.T, c *codec.Codec) []*commonpb.Payload {
	t.Helper()
	p, err := c.Encode(plainPayloads(t))
	require.NoError(t, err)
	return p
}

func TestServerPreflight(t *testing.T) {
	url := startServer(t, mustCodec(t, mustKey(t, "k1")), codec.ServerOptions{Token: token, Origins: []string{uiOrigin}})
	for _, path := range []string{"/decode", "/encode", "/hr-prod/decode", "/hr-prod/encode"} {
		t.Run(path, func(t *testing.T) {
			r := call(t, "OPTIONS", url+path, map[string]string{
				"Origin":                         uiOrigin,
				"Access-Control-Request-Method":  "POST",
				"Access-Control-Request-Headers": "content-type,x-namespace,authorization",
			}, nil)
			require.Equal(t, http.StatusNoContent, r.status)
			require.Equal(t, uiOrigin, r.header.Get("Access-Control-Allow-Origin"))
			require.Equal(t, "POST", r.header.Get("Access-Control-Allow-Methods"))
			require.Equal(t, "Content-Type, X-Namespace, Authorization, Caller-Type", r.header.Get("Access-Control-Allow-Headers"))
			require.Equal(t, "true", r.header.Get("Access-Control-Allow-Credentials"))
			require.Contains(t, r.header.Values("Vary"), "Origin")
		})
	}
}

// TestServerEncode checks that what the Web UI encodes (a workflow started
// or signalled from the UI) is encrypted and reads back in the worker.
func TestServerEncode(t *testing.T) {
	c := mustCodec(t, mustKey(t, "k1"))
	url := startServer(t, c, codec.ServerOptions{Token: token, Origins: []string{uiOrigin}})
	plain := plainPayloads(t)
	for _, path := range []string{"/encode", "/any-namespace/encode"} {
		t.Run(path, func(t *testing.T) {
			r := call(t, "POST", url+path, map[string]string{
				"Origin": uiOrigin, "Authorization": "Bearer " + token, "X-Namespace": "any-namespace",
			}, payloadsJSON(t, plain))
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			require.NotContains(t, string(r.body), "alice.secret")

			var got commonpb.Payloads
			require.NoError(t, protojson.Unmarshal(r.body, &got))
			decoded, err := c.Decode(got.Payloads)
			require.NoError(t, err)
			requirePayloadsEqual(t, plain, decoded)
		})
	}
}

// TestServerWithSDKRemoteCodec drives the server with the SDK's own remote
// codec client, as `--codec-endpoint http://host/{namespace}` does.
func TestServerWithSDKRemoteCodec(t *testing.T) {
	c := mustCodec(t, mustKey(t, "k1"))
	url := startServer(t, c, codec.ServerOptions{Token: token, Namespaces: []string{"hr-prod"}})
	remote := converter.NewRemotePayloadCodec(converter.RemotePayloadCodecOptions{
		Endpoint: url + "/hr-prod",
		ModifyRequest: func(r *http.Request) error {
			r.Header.Set("Authorization", "Bearer "+token)
			return nil
		},
	})
	plain := plainPayloads(t)
	encoded, err := remote.Encode(plain)
	require.NoError(t, err)
	require.Equal(t, codec.Encoding, string(encoded[0].Metadata[converter.MetadataEncoding]))
	decoded, err := remote.Decode(encoded)
	require.NoError(t, err)
	requirePayloadsEqual(t, plain, decoded)
}

func TestServerToken(t *testing.T) {
	c := mustCodec(t, mustKey(t, "k1"))
	body := payloadsJSON(t, mustEncode(t, c))
	for name, tc := range map[string]struct {
		opts   codec.ServerOptions
		auth   string
		status int
	}{
		"no token configured refuses":        {opts: codec.ServerOptions{}, status: 401},
		"no token configured, bearer sent":   {opts: codec.ServerOptions{}, auth: "Bearer ", status: 401},
		"lower-case scheme":                  {opts: codec.ServerOptions{Token: token}, auth: "bearer " + token, status: 200},
		"token prefix is not the token":      {opts: codec.ServerOptions{Token: token}, auth: "Bearer " + token[:5], status: 401},
		"empty bearer with token configured": {opts: codec.ServerOptions{Token: token}, auth: "Bearer ", status: 401},
	} {
		t.Run(name, func(t *testing.T) {
			url := startServer(t, c, tc.opts)
			h := map[string]string{"X-Namespace": "default"}
			if tc.auth != "" {
				h["Authorization"] = tc.auth
			}
			r := call(t, "POST", url+"/decode", h, body)
			require.Equal(t, tc.status, r.status, string(r.body))
			if tc.status == 401 {
				require.Contains(t, r.header.Get("WWW-Authenticate"), "Bearer")
			}
		})
	}
}

// TestServerTokenInPath checks the form dev mode's Web UI uses, an
// endpoint ending in the token: the token is accepted as the path's first
// segment as well as a bearer token, and a request without it, with a
// wrong one, or with the right one anywhere else is refused whatever its
// origin.
func TestServerTokenInPath(t *testing.T) {
	c := mustCodec(t, mustKey(t, "k1"))
	plain := plainPayloads(t)
	body := payloadsJSON(t, mustEncode(t, c))
	url := startServer(t, c, codec.ServerOptions{Token: token, TokenInPath: true, Origins: []string{uiOrigin}})
	ns := map[string]string{"X-Namespace": "default"}
	with := func(extra map[string]string) map[string]string {
		h := map[string]string{"X-Namespace": "default"}
		for k, v := range extra {
			h[k] = v
		}
		return h
	}

	accepted := map[string]struct {
		path   string
		header map[string]string
	}{
		"as the Web UI calls it": {path: "/" + token + "/decode?preserveStorageRefs=true", header: ns},
		"namespace in the path":  {path: "/" + token + "/default/decode"},
		"bearer":                 {path: "/decode", header: with(map[string]string{"Authorization": "Bearer " + token})},
		"path and bearer":        {path: "/" + token + "/decode", header: with(map[string]string{"Authorization": "Bearer " + token})},
	}
	refused := map[string]struct {
		path   string
		header map[string]string
		status int
	}{
		"no token":                     {path: "/decode", header: ns, status: 401},
		"wrong token in the path":      {path: "/" + token + "x/decode", header: ns, status: 401},
		"token prefix in the path":     {path: "/" + token[:5] + "/decode", header: ns, status: 401},
		"wrong token, namespace path":  {path: "/nope/default/decode", status: 404},
		"wrong bearer":                 {path: "/decode", header: with(map[string]string{"Authorization": "Bearer nope"}), status: 401},
		"wrong bearer, right path":     {path: "/" + token + "/decode", header: with(map[string]string{"Authorization": "Bearer nope"}), status: 401},
		"non-bearer auth, right path":  {path: "/" + token + "/decode", header: with(map[string]string{"Authorization": "Basic " + token}), status: 401},
		"token after the namespace":    {path: "/default/" + token + "/decode", status: 404},
		"token as the last segment":    {path: "/decode/" + token, header: ns, status: 404},
		"token in the query":           {path: "/decode?token=" + token, header: ns, status: 401},
		"token as the namespace":       {path: "/decode", header: map[string]string{"X-Namespace": token}, status: 401},
		"token as a cookie":            {path: "/decode", header: with(map[string]string{"Cookie": "token=" + token}), status: 401},
		"token without bearer scheme":  {path: "/decode", header: with(map[string]string{"Authorization": token}), status: 401},
		"token in another header":      {path: "/decode", header: with(map[string]string{"X-Token": token}), status: 401},
		"token named as the path only": {path: "/" + token, header: ns, status: 404},
	}
	send := func(origin, path string, header map[string]string) reply {
		h := map[string]string{"Content-Type": "application/json"}
		maps.Copy(h, header)
		if origin != "" {
			h["Origin"] = origin
		}
		return call(t, "POST", url+path, h, body)
	}
	for _, origin := range []string{"", uiOrigin, "https://evil.example"} {
		for name, tc := range accepted {
			t.Run("accepted/"+name+"/origin="+origin, func(t *testing.T) {
				r := send(origin, tc.path, tc.header)
				if origin == "https://evil.example" {
					require.Equal(t, http.StatusForbidden, r.status, "a right token from a foreign origin")
					return
				}
				require.Equal(t, http.StatusOK, r.status, string(r.body))
				var got commonpb.Payloads
				require.NoError(t, protojson.Unmarshal(r.body, &got))
				requirePayloadsEqual(t, plain, got.Payloads)
			})
		}
		for name, tc := range refused {
			t.Run("refused/"+name+"/origin="+origin, func(t *testing.T) {
				r := send(origin, tc.path, tc.header)
				require.Equal(t, tc.status, r.status, string(r.body))
				require.NotContains(t, string(r.body), "alice.secret")
				require.NotContains(t, string(r.body), token)
			})
		}
	}

	// The Web UI's preflight goes to the endpoint with the token in it, and
	// is answered for the UI's origin only.
	preflight := func(origin string) reply {
		return call(t, "OPTIONS", url+"/"+token+"/decode?preserveStorageRefs=true", map[string]string{
			"Origin": origin, "Access-Control-Request-Method": "POST",
			"Access-Control-Request-Headers": "content-type,x-namespace",
		}, nil)
	}
	require.Equal(t, http.StatusNoContent, preflight(uiOrigin).status)
	require.Equal(t, uiOrigin, preflight(uiOrigin).header.Get("Access-Control-Allow-Origin"))
	r := preflight("https://evil.example")
	require.Equal(t, http.StatusForbidden, r.status)
	require.Empty(t, corsHeaders(r.header))

	// Without TokenInPath the token in the path is only a namespace.
	off := startServer(t, c, codec.ServerOptions{Token: token})
	require.Equal(t, http.StatusUnauthorized, call(t, "POST", off+"/"+token+"/decode", nil, body).status)
}

// TestServerWithoutTokenRefusesEveryone checks that a server with no token
// configured serves no one, whatever the request carries.
func TestServerWithoutTokenRefusesEveryone(t *testing.T) {
	c := mustCodec(t, mustKey(t, "k1"))
	body := payloadsJSON(t, mustEncode(t, c))
	url := startServer(t, c, codec.ServerOptions{TokenInPath: true, Origins: []string{uiOrigin}})
	for _, h := range []map[string]string{
		{},
		{"Origin": uiOrigin},
		{"Authorization": "Bearer anything"},
		{"Authorization": "Bearer "},
	} {
		for _, path := range []string{"/decode", "/default/decode", "/" + token + "/decode"} {
			h["X-Namespace"] = "default"
			r := call(t, "POST", url+path, h, body)
			require.Equal(t, http.StatusUnauthorized, r.status, "%s %v", path, h)
		}
	}
}
