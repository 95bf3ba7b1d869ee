package activities

import (
	"context"
	"testing"
	"time"

	"github.com/hrsync/hrsync/roster"
)

// RetryPolicy bounds the retries Apply makes in place.
type RetryPolicy = retryPolicy

// DefaultRetries is the policy Apply uses in production.
func DefaultRetries() RetryPolicy { return defaultRetries() }

// UseRetries makes every Apply retry by p until t ends, with sleep (when
// not nil) making its waits.
func UseRetries(t testing.TB, p RetryPolicy, sleep func(ctx context.Context, d time.Duration) error) {
	t.Helper()
	old := retries
	p.sleep = sleep
	retries = p
	t.Cleanup(func() { retries = old })
}

// WatchHeartbeats tells beat of every heartbeat Apply records until t
// ends; call it after UseRetries.
func WatchHeartbeats(t testing.TB, beat func(ApplyProgress)) {
	t.Helper()
	old := retries.onBeat
	retries.onBeat = beat
	t.Cleanup(func() { retries.onBeat = old })
}

// Classify is the failure Temporal records for an activity's error.
var Classify = classify

// HeldEmployees lists who a plan keeps waiting, and how many in all.
var HeldEmployees = heldEmployees

// EachPart is eachPart: the snapshot's employees a part at a time.
func (a *Activities) EachPart(ctx context.Context, id string, fn func([]roster.Employee) error) error {
	return a.eachPart(ctx, id, roster.Rules{}, fn)
}

// PlanPart is how many employees a part holds.
const PlanPart = planPart
