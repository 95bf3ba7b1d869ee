package scimlibtest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors/scim/scimlibtest"
)

// The message URNs the tests send and expect.
const (
	patchOpSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	listSchema    = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	errorSchema   = "urn:ietf:params:scim:api:messages:2.0:Error"
)

// The library's fixed error details, as it answers them.
const (
	detailInvalidPath   = `The "path" attribute was invalid or malformed.`
	detailInvalidValue  = "A required value was missing, or the value specified was not compatible with the operation or attribute type, or resource schema."
	detailInvalidFilter = "The specified filter syntax was invalid, or the specified attribute and filter comparison combination is not supported."
	detailInvalidSyntax = "The request body message structure was invalid or did not conform to the request schema."
	detailNoTarget      = "The specified path did not yield an attribute or attribute value that could be operated on."
	detailMutability    = "The attempted modification is not compatible with the target attribute's mutability or current state."
	detailUniqueness    = "One or more of the attribute values are already in use or are reserved."
)

// reply is an answer to a plain HTTP request.
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

// ok checks the status and decodes the answer.
func (r reply) ok(t *testing.T, status int) map[string]any {
	t.Helper()
	require.Equal(t, status, r.status, string(r.body))
	return r.obj(t)
}

// scimError is an Error message as the tests compare it.
type scimError struct {
	Status   string
	ScimType string
	Detail   string
}

// err checks the answer is a SCIM Error with the status and returns it.
func (r reply) err(t *testing.T, status int) scimError {
	t.Helper()
	m := r.ok(t, status)
	require.Equal(t, []any{errorSchema}, m["schemas"], string(r.body))
	e := scimError{}
	e.Status, _ = m["status"].(string)
	e.ScimType, _ = m["scimType"].(string)
	e.Detail, _ = m["detail"].(string)
	return e
}

// call sends a request to the server's path (after BaseURL) with the
// server's token; body is sent as JSON unless nil or a string.
func call(t *testing.T, s *scimlibtest.Server, method, path string, body any) reply {
	t.Helper()
	return callToken(t, s, s.Token(), method, path, body)
}

// callToken is call with another token ("" for no Authorization header).
func callToken(t *testing.T, s *scimlibtest.Server, token, method, path string, body any) reply {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(t, err)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.BaseURL()+path, rd)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return reply{status: resp.StatusCode, header: resp.Header, body: raw}
}

// list GETs /Users with the filter ("" for none) and extra query
// parameters, and returns the ListResponse.
func list(t *testing.T, s *scimlibtest.Server, filter, extra string) map[string]any {
	t.Helper()
	q := url.Values{}
	if filter != "" {
		q.Set("filter", filter)
	}
	path := "/Users?" + q.Encode()
	if extra != "" {
		path += "&" + extra
	}
	m := call(t, s, http.MethodGet, path, nil).ok(t, http.StatusOK)
	require.Equal(t, []any{listSchema}, m["schemas"])
	return m
}

// userNames are the userNames of a ListResponse's Resources.
func userNames(t *testing.T, lr map[string]any) []string {
	t.Helper()
	res, ok := lr["Resources"].([]any)
	require.True(t, ok, "Resources is a list: %v", lr["Resources"])
	names := []string{}
	for _, r := range res {
		names = append(names, r.(map[string]any)["userName"].(string))
	}
	return names
}

// user is a User body with the schemas core and exts, and attrs.
func user(attrs map[string]any, exts ...string) map[string]any {
	m := map[string]any{"schemas": append([]string{scimlibtest.CoreSchema}, exts...)}
	for k, v := range attrs {
		m[k] = v
	}
	return m
}

// create POSTs a User and returns its id.
func create(t *testing.T, s *scimlibtest.Server, body map[string]any) string {
	t.Helper()
	m := call(t, s, http.MethodPost, "/Users", body).ok(t, http.StatusCreated)
	id, _ := m["id"].(string)
	require.NotEmpty(t, id)
	return id
}

// patch is a PatchOp message of ops.
func patch(ops ...map[string]any) map[string]any {
	return map[string]any{"schemas": []string{patchOpSchema}, "Operations": ops}
}

// op is one PATCH operation; path "" is left out, and so is a nil value.
func op(o, path string, value any) map[string]any {
	m := map[string]any{"op": o}
	if path != "" {
		m["path"] = path
	}
	if value != nil {
		m["value"] = value
	}
	return m
}

// stringsReader is strings.NewReader, for request bodies.
func stringsReader(s string) io.Reader { return strings.NewReader(s) }
