package scimtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
)

// maxBody bounds the body of a request other than /Bulk.
const maxBody = 1 << 20

// marshal encodes v as JSON without escaping <, > and &.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// checkContentType accepts a body sent as application/scim+json or
// application/json, or with no Content-Type at all.
func checkContentType(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && (mt == contentType || mt == "application/json") {
		return nil
	}
	return errorf(http.StatusUnsupportedMediaType, "", "Content-Type %q is not application/scim+json", ct)
}

// readBody reads the request body, answering 413 past limit bytes.
func readBody(r *http.Request, limit int64, tooLarge string) ([]byte, error) {
	if err := checkContentType(r); err != nil {
		return nil, err
	}
	if r.ContentLength > limit {
		return nil, errorf(http.StatusRequestEntityTooLarge, "", "%s", tooLarge)
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, badRequest(errInvalidSyntax, "read request body: %v", err)
	}
	if int64(len(b)) > limit {
		return nil, errorf(http.StatusRequestEntityTooLarge, "", "%s", tooLarge)
	}
	return b, nil
}

// decodeObject parses b as one JSON object.
func decodeObject(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		if len(bytes.TrimSpace(b)) == 0 {
			return nil, badRequest(errInvalidSyntax, "the request body is empty")
		}
		return nil, badRequest(errInvalidSyntax, "the request body is not a JSON object: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, badRequest(errInvalidSyntax, "the request body has data after its JSON object")
	}
	if m == nil {
		return nil, badRequest(errInvalidSyntax, "the request body is not a JSON object")
	}
	return m, nil
}

// deepCopy copies the maps and slices of a decoded JSON value.
func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = deepCopy(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = deepCopy(x)
		}
		return out
	}
	return v
}

// copyObject deep-copies a JSON object.
func copyObject(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return deepCopy(m).(map[string]any)
}

// equalJSON reports whether two decoded JSON values are the same.
func equalJSON(a, b any) bool { return reflect.DeepEqual(a, b) }

// object returns m[key] as an object, nil when it is not one.
func object(m map[string]any, key string) map[string]any {
	o, _ := m[key].(map[string]any)
	return o
}

// text returns m[key] as a string, "" when it is not one.
func text(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}
