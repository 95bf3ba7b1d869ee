package activities

import (
	"context"
	"errors"

	"go.temporal.io/sdk/temporal"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/store"
)

// Error types carried by activity failures, so workflows and operators can
// tell them apart.
const (
	ErrTypePermanent = "Permanent"
	// ErrTypeBadCredential is a credential the remote system refused: the
	// integration needs reconnecting. It is not retried.
	ErrTypeBadCredential = "BadCredential"
	// ErrTypeNotReady is a source whose data cannot be trusted yet. It is
	// not retried; the next run looks again.
	ErrTypeNotReady  = "NotReady"
	ErrTypeThrottled = "Throttled"
	ErrTypeTransient = "Transient"
)

// classify turns an activity's error into the failure Temporal records: a
// permanent error (bad credentials, refused input, missing store record)
// stops retries at once; a throttled one retries after the wait the remote
// system asked for; anything else retries with the activity's backoff.
// It is the one place where that decision is made. The failure carries the
// error's text once, as its message, and no copy of it as a cause: the
// message already says everything the chain would, and a failure read in
// status or the Web UI must not repeat itself. A cancellation — the
// context's error, or its cause, which is what an HTTP request made under
// a cancelled activity fails with — is left as it is, so Temporal records
// the activity cancelled rather than failed.
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled), temporal.IsCanceledError(err):
		return err
	case errors.Is(err, connectors.ErrBadCredential):
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeBadCredential, nil)
	case errors.Is(err, connectors.ErrNotReady):
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeNotReady, nil)
	case connectors.IsPermanent(err), errors.Is(err, store.ErrNotFound):
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypePermanent, nil)
	}
	if d := connectors.RetryAfter(err); d > 0 {
		return temporal.NewApplicationErrorWithOptions(err.Error(), ErrTypeThrottled,
			temporal.ApplicationErrorOptions{NextRetryDelay: d})
	}
	return temporal.NewApplicationErrorWithOptions(err.Error(), ErrTypeTransient, temporal.ApplicationErrorOptions{})
}
