package connectors

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryableStatus reports whether a request that got HTTP status may
// succeed if made again: a timeout (408), a rate limit (429) or a server
// error (5xx). Every other error status means retrying cannot help.
func RetryableStatus(status int) bool {
	return status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500
}

// ByStatus returns err, an HTTP API's error for status, marked permanent
// unless the status is retryable.
func ByStatus(status int, err error) error {
	if RetryableStatus(status) {
		return err
	}
	return Permanent(err)
}

// ParseRetryAfter reads a Retry-After header given in seconds or as an HTTP
// date; anything else, or a time already past, is zero.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		return time.Duration(max(secs, 0)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
