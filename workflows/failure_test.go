package workflows

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/hrsync/hrsync/activities"
)

func TestFailureSentence(t *testing.T) {
	chain := "unable to write a batch of 500 users: scim: POST /Bulk: " + strings.Repeat("upstream said no; ", 40) +
		": 503 Service Unavailable"
	tests := []struct {
		name   string
		err    error
		status string
		want   string
	}{
		{"an activity's refusal, in its own words",
			fmt.Errorf("fetch failed: %w", temporal.NewNonRetryableApplicationError("merge: 401 unauthorized",
				activities.ErrTypePermanent, nil)), StatusFailed,
			"Fetch failed: merge: 401 unauthorized; the next scheduled run tries again."},
		{"a refused credential says what to do",
			fmt.Errorf("fetch failed: %w", temporal.NewNonRetryableApplicationError("token revoked",
				activities.ErrTypeBadCredential, nil)), StatusReconnect,
			"Fetch failed: token revoked; reconnect the account (starter connect), then sync."},
		{"a long chain keeps its first and last clauses",
			fmt.Errorf("apply failed: %w", temporal.NewApplicationError(chain, activities.ErrTypeTransient)), StatusFailed,
			"Apply failed: unable to write a batch of 500 users: … 503 Service Unavailable; the next scheduled run tries again."},
		{"a plain error", errors.New("commit failed: store closed"), StatusFailed,
			"Commit failed: store closed; the next scheduled run tries again."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := failureSentence(tt.err, tt.status)
			require.Equal(t, tt.want, got)
			require.LessOrEqual(t, utf8.RuneCountInString(got), maxFailure)
		})
	}
	long := failureSentence(errors.New(strings.Repeat("x", 1000)), StatusFailed)
	require.Equal(t, maxFailure, utf8.RuneCountInString(long))
}
