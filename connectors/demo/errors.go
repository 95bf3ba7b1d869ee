package demo

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hrsync/hrsync/connectors"
)

// HTTPError is a non-2xx answer from a demo system. Find it with errors.As;
// a 4xx other than 408 and 429 also satisfies connectors.IsPermanent.
type HTTPError struct {
	// Method and Path are the request's, path without the query.
	Method string
	Path   string
	// Status is the HTTP status code.
	Status int
	// Message is the server's error message, which names ids and fields
	// but never people.
	Message string
	// RetryAfter is how long the server asked the caller to wait, zero when
	// it did not say.
	RetryAfter time.Duration
}

// Error describes the failed request by method, path and status.
func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("demo: %s %s: %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return msg
}

// Retryable reports whether the same request may succeed later: timeouts,
// rate limits and server errors.
func (e *HTTPError) Retryable() bool { return connectors.RetryableStatus(e.Status) }

// Is makes a 404 on one user's resource match connectors.ErrUserGone.
func (e *HTTPError) Is(target error) bool {
	return target == connectors.ErrUserGone && e.Status == http.StatusNotFound && strings.HasPrefix(e.Path, "/api/users/")
}

// RetryDelay is the wait the server asked for, so activities can honour it.
func (e *HTTPError) RetryDelay() time.Duration { return e.RetryAfter }

// HTTPStatus is the answer's status (see connectors.StatusOf).
func (e *HTTPError) HTTPStatus() int { return e.Status }

// classify returns e, marked permanent when retrying cannot help.
func (e *HTTPError) classify() error { return connectors.ByStatus(e.Status, e) }
