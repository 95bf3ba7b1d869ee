package scim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hrsync/hrsync/connectors"
)

// SCIMError is a non-2xx answer from the service provider, with what its
// SCIM Error body (RFC 7644 §3.12) said. Find it with errors.As; 401, 403
// and every 4xx other than 408 and 429 also satisfy connectors.IsPermanent.
type SCIMError struct {
	// Method and Path are the request's, path without the query and
	// relative to the base URL.
	Method string
	Path   string
	// Status is the HTTP status code.
	Status int
	// ScimType is the error body's scimType, such as "uniqueness".
	ScimType string
	// Detail is the error body's detail, at most 200 characters, with
	// anything that looks like an email address replaced by "<email>".
	Detail string
	// RetryAfter is how long the server asked the caller to wait, zero when
	// it did not say.
	RetryAfter time.Duration

	// rawDetail is the detail as the server wrote it (cut to
	// maxRawDetail bytes), only ever searched for the attribute paths it
	// names, never shown.
	rawDetail string
}

// maxRawDetail bounds the unsanitised detail an error keeps.
const maxRawDetail = 2048

// Error describes the failed request by method, path, status, scimType and
// detail.
func (e *SCIMError) Error() string {
	msg := fmt.Sprintf("scim: %s %s: %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if e.ScimType != "" {
		msg += " (" + e.ScimType + ")"
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return msg
}

// Retryable reports whether the same request may succeed later: timeouts,
// rate limits and server errors.
func (e *SCIMError) Retryable() bool { return connectors.RetryableStatus(e.Status) }

// Is makes a 404 on one user's resource match connectors.ErrUserGone.
func (e *SCIMError) Is(target error) bool {
	return target == connectors.ErrUserGone && e.Status == http.StatusNotFound && strings.HasPrefix(e.Path, "/Users/")
}

// RetryDelay is the wait the server asked for, so activities can honour it.
func (e *SCIMError) RetryDelay() time.Duration { return e.RetryAfter }

// HTTPStatus is the answer's status (see connectors.StatusOf).
func (e *SCIMError) HTTPStatus() int { return e.Status }

// classify returns e, marked permanent when retrying cannot help.
func (e *SCIMError) classify() error { return connectors.ByStatus(e.Status, e) }

// errorBody is the SCIM Error message; status is a string by the RFC but
// some servers send a number.
type errorBody struct {
	ScimType string          `json:"scimType"`
	Detail   string          `json:"detail"`
	Status   json.RawMessage `json:"status"`
}

// newSCIMError builds the error for a non-2xx answer from its SCIM Error
// body, keeping only scimType and a sanitised detail.
func newSCIMError(method, path string, status int, h http.Header, raw []byte) *SCIMError {
	var body errorBody
	_ = json.Unmarshal(raw, &body)
	e := &SCIMError{Method: method, Path: path, Status: status,
		ScimType: sanitise(body.ScimType, 50), Detail: sanitise(body.Detail, maxDetail)}
	e.rawDetail = body.Detail
	if len(e.rawDetail) > maxRawDetail {
		e.rawDetail = e.rawDetail[:maxRawDetail]
	}
	if h != nil {
		e.RetryAfter = connectors.ParseRetryAfter(h.Get("Retry-After"), time.Now())
	}
	return e
}

// bodyStatus reads an Error body's status, given as a string or a number.
func bodyStatus(raw json.RawMessage) int {
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0
	}
	return n
}

// maxDetail is how many characters of a server's detail an error keeps.
const maxDetail = 200

// emailLike matches text that looks like an email address.
var emailLike = regexp.MustCompile(`[^\s@"'<>(),;:\[\]]+@[^\s@"'<>(),;:\[\]]+`)

// sanitise replaces anything that looks like an email address in s with
// "<email>" and cuts it to at most n characters (an ellipsis ending one
// that was cut), so a server that echoes a userName back never puts it in a
// log.
func sanitise(s string, n int) string {
	s = emailLike.ReplaceAllString(strings.TrimSpace(s), "<email>")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
