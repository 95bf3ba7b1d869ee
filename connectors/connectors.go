// Package connectors defines the two small interfaces every external system
// implements: a Source of employees (an HRIS) and a Target directory (a
// people platform). Each system lives in its own subpackage, with a faithful
// fake of its API in a "…test" subpackage for tests and dev mode.
package connectors

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hrsync/hrsync/internal/netguard"
	"github.com/hrsync/hrsync/roster"
)

// Page is one page of a source's roster: each person as the source wrote
// them. Next is the opaque cursor of the following page, empty after the
// last one.
type Page struct {
	Records []roster.Record
	Next    string
}

// Source is an HRIS that hrsync reads employees from.
type Source interface {
	// FetchPage returns the page at cursor; the empty cursor is the first
	// page. Cursors are opaque and may be stored to resume a fetch.
	FetchPage(ctx context.Context, cursor string) (Page, error)
}

// UserPage is one page of a target directory's users.
type UserPage struct {
	Users []roster.User
	Next  string
}

// Target is a directory that hrsync keeps in step with the HRIS.
type Target interface {
	// ListUsers returns the page of users at cursor; the empty cursor is the
	// first page.
	ListUsers(ctx context.Context, cursor string) (UserPage, error)
	// FindByExternalID returns the user linked to the HRIS id, and false
	// when there is none. Creates call it first so a retried create never
	// makes a duplicate.
	FindByExternalID(ctx context.Context, externalID string) (roster.User, bool, error)
	// CreateUser adds e as a new active user linked to e.ID and returns the
	// directory's id for it. e carries no manager: managers are linked in
	// a second pass, once every user of the run exists.
	CreateUser(ctx context.Context, e roster.Employee) (string, error)
	// UpdateUser sets the listed fields of user targetID to e's values and
	// links the user to e.ID. fields never include the manager.
	UpdateUser(ctx context.Context, targetID string, e roster.Employee, fields []roster.Field) error
	// SetActive activates or deactivates user targetID.
	SetActive(ctx context.Context, targetID string, active bool) error
	// SetManager makes manager the manager of user targetID; the zero
	// ManagerRef removes the manager.
	SetManager(ctx context.Context, targetID string, manager ManagerRef) error
}

// WriteKind is what one write of a batch does.
type WriteKind int

// The writes a batch can make.
const (
	// WriteCreate adds Employee as a new user, without a manager.
	WriteCreate WriteKind = iota + 1
	// WriteActive activates or deactivates user TargetID.
	WriteActive
	// WriteManager sets (or, with the zero ManagerRef, removes) the
	// manager of user TargetID.
	WriteManager
)

// Write is one write of a batch.
type Write struct {
	Kind     WriteKind
	TargetID string
	Employee roster.Employee
	Active   bool
	Manager  ManagerRef
}

// WriteResult is the outcome of one Write: the directory id of the user it
// wrote, or why the directory refused it.
type WriteResult struct {
	TargetID string
	Err      error
}

// BatchTarget is a Target that makes many writes in few requests, such as
// a SCIM service provider with Bulk.
type BatchTarget interface {
	Target
	// WriteBatch makes writes and returns one result per write, in order.
	// A create whose user already exists links and updates that user, as
	// CreateUser does. An error means the batch as a whole failed (the
	// directory unreachable or throttling): any of its writes may or may
	// not have been made, and the results are not to be used.
	WriteBatch(ctx context.Context, writes []Write) ([]WriteResult, error)
}

// ManagerRef names a manager both ways, so each directory can use the one it
// references managers by: its own id (SCIM) or the HRIS id.
type ManagerRef struct {
	TargetID   string
	ExternalID string
}

// ErrPermanent marks an error that retrying cannot fix: bad credentials, a
// record the system refuses, a user that does not exist. Activities turn it
// into a non-retryable failure; every other error is retried with backoff.
var ErrPermanent = errors.New("permanent")

// Permanent wraps err so that errors.Is(err, ErrPermanent) holds.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrPermanent, err)
}

// IsPermanent reports whether err was marked permanent, or is a connection
// the worker's destination policy refused (a *netguard.RefusedError, found
// through the *url.Error and *net.OpError that wrap it): no retry makes a
// forbidden address allowed.
func IsPermanent(err error) bool {
	var refused *netguard.RefusedError
	return errors.Is(err, ErrPermanent) || errors.As(err, &refused)
}

// retryDelayer is implemented by errors that carry how long the remote
// system asked callers to wait (an HTTP Retry-After).
type retryDelayer interface {
	RetryDelay() time.Duration
}

// RetryAfter returns the wait the remote system asked for in err's chain,
// or 0 when it asked for none.
func RetryAfter(err error) time.Duration {
	var rd retryDelayer
	if errors.As(err, &rd) {
		return rd.RetryDelay()
	}
	return 0
}

// statusCoder is implemented by errors that report an HTTP answer.
type statusCoder interface {
	HTTPStatus() int
}

// StatusOf returns the HTTP status of the answer an error in err's chain
// reports, or 0 when none does (no answer came, or the error is not about
// one).
func StatusOf(err error) int {
	var sc statusCoder
	if errors.As(err, &sc) {
		return sc.HTTPStatus()
	}
	return 0
}

// ChangedSource is a Source that can also list only the employees changed
// since a time, for incremental pulls between periodic full ones.
type ChangedSource interface {
	Source
	// FetchChangedPage returns the page at cursor of the employees changed
	// since since; the empty cursor is the first page.
	FetchChangedPage(ctx context.Context, since time.Time, cursor string) (Page, error)
}

// Checker is a Source that can tell whether its data may be read now. A
// source still in its first sync, failed or paused answers with an error
// marked ErrNotReady, so no one mistakes a half-synced roster for a
// company that lost its staff.
type Checker interface {
	Check(ctx context.Context) error
}

// ErrNotReady marks a source whose data cannot be trusted yet.
var ErrNotReady = errors.New("source not ready")

// ErrBadCredential marks a credential the remote system refused: revoked,
// expired or wrong. The integration needs reconnecting.
var ErrBadCredential = errors.New("credential refused; reconnect the account")

// ErrUserGone is a write to a directory user that is no longer there —
// deleted in the directory since hrsync wrote it. Targets make their
// not-found answers to a user's writes match it (errors.Is), so an apply
// can put the user back and have the run's directory reconciled.
var ErrUserGone = errors.New("the user is no longer in the directory")

// DriftReporter is a target that notices, while it writes, that the
// directory was changed behind hrsync's back: a user it had to adopt on a
// conflict (409), or one whose version had moved on (412). Drift says what
// it noticed since it was last asked, "" for nothing.
type DriftReporter interface {
	Drift() string
}

// Description is what a target directory accepts, learnt once per run and
// kept with the plan so that every activity of the run writes the same
// attributes without asking again.
type Description struct {
	// Unstored lists the catalogue fields the directory has no attribute
	// for: they are never compared or sent, and each run warns of them once.
	Unstored []roster.Field `json:"unstored,omitempty"`
	// NoCustomFields is true when the directory has no home for custom
	// ("custom.…") fields.
	NoCustomFields bool `json:"noCustomFields,omitempty"`
	// Detail is the connector's own record of what it learnt, handed back
	// to Assume.
	Detail []byte `json:"detail,omitempty"`
}

// Stores reports whether the directory has a home for field f.
func (d Description) Stores(f roster.Field) bool {
	if roster.IsCustom(f) {
		return !d.NoCustomFields
	}
	for _, u := range d.Unstored {
		if u == f {
			return false
		}
	}
	return true
}

// Describer is a Target that can say which attributes it accepts.
type Describer interface {
	Target
	// Describe asks the directory what it accepts.
	Describe(ctx context.Context) (Description, error)
	// Assume makes the target use d, learnt earlier in the run by
	// Describe, instead of asking the directory again.
	Assume(d Description) error
}
