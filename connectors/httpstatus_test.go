package connectors

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"7", 7 * time.Second},
		{" 3 ", 3 * time.Second},
		{"-3", 0},
		{"", 0},
		{"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, ParseRetryAfter(tt.in, now), "%q", tt.in)
	}
}

func TestByStatus(t *testing.T) {
	base := errors.New("boom")
	for _, status := range []int{408, 429, 500, 502, 503} {
		require.True(t, RetryableStatus(status))
		require.False(t, IsPermanent(ByStatus(status, base)), "%d", status)
	}
	for _, status := range []int{400, 401, 403, 404, 409, 412, 422} {
		err := ByStatus(status, base)
		require.True(t, IsPermanent(err), "%d", status)
		require.ErrorIs(t, err, base)
	}
}

// answered is an error about an HTTP answer, as the connectors' are.
type answered struct{ status int }

func (e answered) Error() string   { return fmt.Sprintf("answered %d", e.status) }
func (e answered) HTTPStatus() int { return e.status }

func TestStatusOfFindsTheAnswerInTheChain(t *testing.T) {
	require.Equal(t, 409, StatusOf(Permanent(fmt.Errorf("unable to create: %w", answered{409}))))
	require.Equal(t, 0, StatusOf(errors.New("connection refused")))
	require.Equal(t, 0, StatusOf(nil))
}
