package demo

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	require.Equal(t, 7*time.Second, parseRetryAfter("7", now))
	require.Equal(t, time.Duration(0), parseRetryAfter("-3", now))
	require.Equal(t, 90*time.Second, parseRetryAfter(now.Add(90*time.Second).Format(http.TimeFormat), now))
	require.Equal(t, time.Duration(0), parseRetryAfter(now.Add(-time.Hour).Format(http.TimeFormat), now))
	require.Equal(t, time.Duration(0), parseRetryAfter("", now))
	require.Equal(t, time.Duration(0), parseRetryAfter("soon", now))
}

func TestHTTPErrorRetryable(t *testing.T) {
	for status, want := range map[int]bool{400: false, 401: false, 404: false, 409: false, 408: true, 429: true, 500: true, 503: true} {
		require.Equal(t, want, (&HTTPError{Status: status}).Retryable(), status)
	}
}

func TestRetryAfterReachesConnectorsHelper(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", &HTTPError{Status: 429, RetryAfter: 3 * time.Second})
	require.Equal(t, 3*time.Second, connectors.RetryAfter(err))
}
