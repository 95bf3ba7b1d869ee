package demo

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors"
)

func TestHTTPErrorRetryable(t *testing.T) {
	for status, want := range map[int]bool{400: false, 401: false, 404: false, 409: false, 408: true, 429: true, 500: true, 503: true} {
		require.Equal(t, want, (&HTTPError{Status: status}).Retryable(), status)
	}
}

func TestRetryAfterReachesConnectorsHelper(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", &HTTPError{Status: 429, RetryAfter: 3 * time.Second})
	require.Equal(t, 3*time.Second, connectors.RetryAfter(err))
}
