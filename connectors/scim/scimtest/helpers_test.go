package scimtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

// testToken is the bearer token the test servers require.
const testToken = "test-token"

// env is a Server behind a real HTTP listener.
type env struct {
	t    *testing.T
	srv  *Server
	url  string // root URL of the listener
	base string // absolute URL of BasePath
}

// newEnv starts a Server with opts (Token defaulting to testToken) on
// httptest.NewServer, closed with the test.
func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	if opts.Token == "" {
		opts.Token = testToken
	}
	srv, err := New(opts)
	require.NoError(t, err)
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		hs.Close()
		require.NoError(t, srv.Close())
	})
	return &env{t: t, srv: srv, url: hs.URL, base: hs.URL + srv.opts.BasePath}
}

// reply is an answer.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// obj decodes the answer as a JSON object.
func (r reply) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), string(r.body))
	return m
}

// requireStatus checks the status.
func (r reply) requireStatus(t *testing.T, status int) reply {
	t.Helper()
	require.Equal(t, status, r.status, string(r.body))
	return r
}

// requireError checks the answer is a SCIM Error with status and scimType
// ("" for none), and returns its detail.
func (r reply) requireError(t *testing.T, status int, scimType string) string {
	t.Helper()
	r.requireStatus(t, status)
	require.Equal(t, contentType, r.header.Get("Content-Type"))
	m := r.obj(t)
	require.Equal(t, []any{errorSchema}, m["schemas"])
	require.Equal(t, itoa(status), m["status"], "status is a string")
	if scimType == "" {
		require.NotContains(t, m, "scimType")
	} else {
		require.Equal(t, scimType, m["scimType"], m["detail"])
	}
	require.NotEmpty(t, m["detail"])
	return m["detail"].(string)
}

// itoa formats an int.
func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// do sends a request to BasePath+path with the token; body may be nil, a
// string (sent as is) or a value to encode; hdr are header name, value
// pairs.
func (e *env) do(method, path string, body any, hdr ...string) reply {
	e.t.Helper()
	return e.send(method, e.base+path, testToken, body, hdr...)
}

// send sends a request to url with token ("" for none).
func (e *env) send(method, url, token string, body any, hdr ...string) reply {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(e.t, err)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, rd)
	require.NoError(e.t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(e.t, err)
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// create POSTs a user and returns the answer's resource.
func (e *env) create(u map[string]any) map[string]any {
	e.t.Helper()
	return e.do(http.MethodPost, "/Users", u).requireStatus(e.t, http.StatusCreated).obj(e.t)
}

// get GETs user id.
func (e *env) get(id string) map[string]any {
	e.t.Helper()
	return e.do(http.MethodGet, "/Users/"+id, nil).requireStatus(e.t, http.StatusOK).obj(e.t)
}

// patch PATCHes user id with ops.
func (e *env) patch(id string, ops ...map[string]any) reply {
	e.t.Helper()
	return e.do(http.MethodPatch, "/Users/"+id, patchBody(ops...))
}

// patchBody is a PatchOp message.
func patchBody(ops ...map[string]any) map[string]any {
	list := make([]any, len(ops))
	for i, o := range ops {
		list[i] = o
	}
	return map[string]any{"schemas": []any{patchOpSchema}, "Operations": list}
}

// op is one PATCH operation; value is left out when nil.
func op(kind, path string, value any) map[string]any {
	m := map[string]any{"op": kind}
	if path != "" {
		m["path"] = path
	}
	if value != nil {
		m["value"] = value
	}
	return m
}

// newUser is a minimal User body; extra attributes are merged in.
func newUser(userName string, extra map[string]any) map[string]any {
	u := map[string]any{"schemas": []any{coreSchema}, "userName": userName}
	schemas := []any{coreSchema}
	for k, v := range extra {
		u[k] = v
		if k == enterpriseSchema || k == CustomSchema || k == LegacyCustomSchema {
			schemas = append(schemas, k)
		}
	}
	u["schemas"] = schemas
	return u
}

// work is an emails or phoneNumbers list with one work entry.
func work(value string) []any {
	return []any{map[string]any{"type": "work", "value": value}}
}

// ent is an enterprise extension object.
func ent(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// dig walks a decoded JSON value by object keys and array indices.
func dig(v any, steps ...any) any {
	for _, s := range steps {
		switch k := s.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}
