package activities

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/roster"
)

// retryPolicy bounds the retries Apply makes in place, request by request,
// before a transient error may fail the attempt and leave the rest to
// Temporal.
type retryPolicy struct {
	// First bounds the first wait; each later bound doubles, up to Cap. A
	// wait is drawn at random below its bound (full jitter), and is never
	// shorter than the Retry-After the directory sent.
	First, Cap time.Duration
	// Tries bounds how often each request of a change is tried — a
	// look-up, an update, a switch, a manager link, or a create (each try
	// of which looks its user up first) — and how many requests in a row
	// a batch may see fail before what is left of it is made one change
	// at a time.
	Tries int
	// Budget bounds how long one change keeps being retried, from its
	// first try (for a batch, from its last progress): a wait that would
	// end past it is not begun.
	Budget time.Duration
	// BatchTries is how many requests in a row a batch gets without
	// progress before it is halved, or its writes that keep failing alone
	// are made one at a time.
	BatchTries int
	// Beat is how often a wait heartbeats.
	Beat time.Duration
	// sleep waits d, or until ctx is done; nil is a timer. Tests shorten
	// the waits with it.
	sleep func(ctx context.Context, d time.Duration) error
	// onBeat, when not nil, is told of each heartbeat, for tests.
	onBeat func(ApplyProgress)
}

// defaultRetries is the policy Apply retries by: waits from 200 ms
// doubling to 30 s, 8 tries or 2 minutes a change, a batch halved after 3
// failed requests, a heartbeat every 5 s while waiting.
func defaultRetries() retryPolicy {
	return retryPolicy{
		First:      200 * time.Millisecond,
		Cap:        30 * time.Second,
		Tries:      8,
		Budget:     2 * time.Minute,
		BatchTries: 3,
		Beat:       5 * time.Second,
	}
}

// retries is the policy of every Apply; tests change it through
// export_test.go.
var retries = defaultRetries()

// bound is the longest wait before try n+1, after the n-th failure in a
// row.
func (p retryPolicy) bound(n int) time.Duration {
	b := p.First
	for i := 1; i < n && b < p.Cap; i++ {
		b *= 2
	}
	return min(b, p.Cap)
}

// delay is the wait after the n-th failure in a row, err: full jitter
// below the bound, and at least what the directory asked for.
func (p retryPolicy) delay(n int, err error) time.Duration {
	d := time.Duration(0)
	if b := p.bound(n); b > 0 {
		d = rand.N(b + 1)
	}
	return max(d, connectors.RetryAfter(err))
}

// doSleep waits d, or until ctx is done.
func (p retryPolicy) doSleep(ctx context.Context, d time.Duration) error {
	if p.sleep != nil {
		return p.sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// retryable reports whether err, from a directory request made under ctx,
// may go away when the request is made again: not while ctx is done, not
// for an error marked permanent or a refused credential, not once its
// retries were spent.
func retryable(ctx context.Context, err error) bool {
	var spent *spentError
	return err != nil && ctx.Err() == nil && !connectors.IsPermanent(err) &&
		!errors.Is(err, connectors.ErrBadCredential) && !errors.As(err, &spent)
}

// spentError is a transient error whose retries were spent, so no
// enclosing retry makes the request again.
type spentError struct {
	why string
	err error
}

func (e *spentError) Error() string { return e.why + ": " + e.err.Error() }

func (e *spentError) Unwrap() error { return e.err }

// streak counts the failures in a row of one request, or one batch, since
// since: its change's first try, or the batch's last progress.
type streak struct {
	failed int
	since  time.Time
}

// pause counts err as one more failure of s and waits before the next
// try, heartbeating. When the policy's bounds are spent it returns err as
// a *spentError; when ctx is done, ctx's error.
func (ap *applier) pause(ctx context.Context, s *streak, err error) error {
	s.failed++
	p := ap.policy
	if s.failed >= p.Tries {
		return &spentError{why: fmt.Sprintf("gave up after %d tries", s.failed), err: err}
	}
	d := p.delay(s.failed, err)
	if spent := time.Since(s.since); spent+d > p.Budget {
		return &spentError{err: err, why: fmt.Sprintf("gave up after %d tries in %s (the next wait, %s, would pass the budget of %s)",
			s.failed, spent.Round(time.Millisecond), d.Round(time.Millisecond), p.Budget)}
	}
	return ap.wait(ctx, d)
}

// wait sleeps d, heartbeating the progress at least every Beat so a long
// Retry-After never looks like a lost worker.
func (ap *applier) wait(ctx context.Context, d time.Duration) error {
	ap.beat(ctx)
	for d > 0 {
		step := d
		if ap.policy.Beat > 0 {
			step = min(d, ap.policy.Beat)
		}
		if err := ap.policy.doSleep(ctx, step); err != nil {
			return err
		}
		d -= step
		ap.beat(ctx)
	}
	return ctx.Err()
}

// calling makes call, a directory request (or a few), heartbeating every
// Beat until it returns: one request may take as long as the HTTP
// client's timeout (30 s), a Bulk request of hundreds of writes longer
// still, and neither must look like a lost worker. Calls within a call
// share its heartbeats.
func (ap *applier) calling(ctx context.Context, call func()) {
	if ap.inCall || ap.policy.Beat <= 0 {
		call()
		return
	}
	ap.inCall = true
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(ap.policy.Beat)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				ap.beat(ctx)
			}
		}
	}()
	defer func() {
		close(done)
		<-stopped
		ap.inCall = false
	}()
	call()
}

// beat heartbeats the progress of the attempt.
func (ap *applier) beat(ctx context.Context) {
	activity.RecordHeartbeat(ctx, ap.progress)
	if ap.policy.onBeat != nil {
		ap.policy.onBeat(ap.progress)
	}
}

// change is one change being made: its requests are retried within one
// budget, counted from its start.
type change struct {
	ap    *applier
	since time.Time
}

// change starts a change.
func (ap *applier) change() *change { return &change{ap: ap, since: time.Now()} }

// retry makes a request, do, until it succeeds, fails for good, or its
// tries or the change's budget are spent; then it returns do's last error
// (a *spentError, when the retries were spent).
func (ch *change) retry(ctx context.Context, do func() error) error {
	s := streak{since: ch.since}
	for {
		var err error
		ch.ap.calling(ctx, func() { err = do() })
		ch.ap.beat(ctx)
		if !retryable(ctx, err) {
			return err
		}
		if err := ch.ap.pause(ctx, &s, err); err != nil {
			return err
		}
	}
}

// target is the applier's target with the change's idempotent requests
// retried one by one. A create is not: it is retried whole, by the
// caller, so its user is looked up again first.
func (ch *change) target() connectors.Target { return retryingTarget{Target: ch.ap.tgt, ch: ch} }

// retryingTarget retries each look-up, update, switch and manager link of
// one change in place.
type retryingTarget struct {
	connectors.Target
	ch *change
}

func (t retryingTarget) FindByExternalID(ctx context.Context, externalID string) (u roster.User, found bool, err error) {
	err = t.ch.retry(ctx, func() error {
		u, found, err = t.Target.FindByExternalID(ctx, externalID)
		return err
	})
	return u, found, err
}

func (t retryingTarget) UpdateUser(ctx context.Context, targetID string, e roster.Employee, fields []roster.Field) error {
	return t.ch.retry(ctx, func() error { return t.Target.UpdateUser(ctx, targetID, e, fields) })
}

func (t retryingTarget) SetActive(ctx context.Context, targetID string, active bool) error {
	return t.ch.retry(ctx, func() error { return t.Target.SetActive(ctx, targetID, active) })
}

func (t retryingTarget) SetManager(ctx context.Context, targetID string, manager connectors.ManagerRef) error {
	return t.ch.retry(ctx, func() error { return t.Target.SetManager(ctx, targetID, manager) })
}

// batchRun is one batch of writes being made, with retries.
type batchRun struct {
	ap     *applier
	bt     connectors.BatchTarget
	writes []connectors.Write
	// res and settled are by write: settled when made or refused for good.
	res     []connectors.WriteResult
	settled []bool
	// failures counts the batch's requests in a row without progress,
	// across its halves; spent is true once it has used up the policy.
	failures streak
	spent    bool
}

// writeBatch makes writes through bt with retries, and returns the result
// of each and whether it is settled: made, or refused for good. A request
// that fails as a whole is sent again after a pause; after BatchTries
// failures in a row (at once, when it was refused) it is halved, and each
// half is halved again as soon as its own request fails, to find the part
// the directory cannot take. Writes that come back on their own with a
// transient error are sent again without those that were made, for as
// long as requests keep settling some. Resending is safe: a BatchTarget's
// create adopts a user that already exists, and the other writes are
// idempotent. What is left unsettled — a single write whose request kept
// failing, writes that kept coming back transient, everything once the
// batch has used up the policy — the caller makes one at a time, each
// create looking its user up first; and once a batch has used up the
// policy, the rest of the attempt writes one change at a time. The error
// is for what ends the attempt: ctx done or a refused credential.
func (ap *applier) writeBatch(ctx context.Context, bt connectors.BatchTarget, writes []connectors.Write) ([]connectors.WriteResult, []bool, error) {
	b := &batchRun{ap: ap, bt: bt, writes: writes, res: make([]connectors.WriteResult, len(writes)),
		settled: make([]bool, len(writes)), failures: streak{since: time.Now()}}
	idx := make([]int, len(writes))
	for i := range idx {
		idx[i] = i
	}
	err := b.send(ctx, idx, ap.policy.BatchTries)
	if b.spent {
		ap.unbatched = true
	}
	return b.res, b.settled, err
}

// send makes the writes at idx, halving them once their request has failed
// as a whole tries times in a row.
func (b *batchRun) send(ctx context.Context, idx []int, tries int) error {
	for stuck := 0; len(idx) > 0 && !b.spent; {
		sub := make([]connectors.Write, len(idx))
		for j, i := range idx {
			sub[j] = b.writes[i]
		}
		var res []connectors.WriteResult
		var err error
		b.ap.calling(ctx, func() { res, err = b.bt.WriteBatch(ctx, sub) })
		b.ap.beat(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil && len(res) != len(idx) {
			err = fmt.Errorf("the directory answered %d results for %d writes", len(res), len(idx))
		}
		if err != nil {
			if errors.Is(err, connectors.ErrBadCredential) {
				return err
			}
			stuck++
			if connectors.IsPermanent(err) || stuck >= tries {
				if !connectors.IsPermanent(err) {
					if err := b.pause(ctx, err); err != nil {
						return err
					}
				}
				if len(idx) == 1 {
					return nil // made on its own by the caller
				}
				h := len(idx) / 2
				if err := b.send(ctx, idx[:h], 1); err != nil {
					return err
				}
				return b.send(ctx, idx[h:], 1)
			}
			if err := b.pause(ctx, err); err != nil {
				return err
			}
			continue
		}
		var left []int
		var last error
		for j, i := range idx {
			if retryable(ctx, res[j].Err) {
				left = append(left, i)
				if last == nil || connectors.RetryAfter(res[j].Err) > connectors.RetryAfter(last) {
					last = res[j].Err
				}
				continue
			}
			b.res[i], b.settled[i] = res[j], true
		}
		if len(left) < len(idx) {
			stuck, b.failures = 0, streak{since: time.Now()}
		} else {
			stuck++
		}
		if idx = left; len(idx) == 0 || stuck >= b.ap.policy.BatchTries {
			return nil
		}
		if err := b.pause(ctx, last); err != nil {
			return err
		}
	}
	return nil
}

// pause waits before the batch's next request after err; once the batch
// has used up the policy, it marks it spent, leaving the rest to be made
// one at a time.
func (b *batchRun) pause(ctx context.Context, err error) error {
	if perr := b.ap.pause(ctx, &b.failures, err); perr != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		b.spent = true
	}
	return nil
}

// retryRead makes a read, do, again while it fails for a passing reason,
// within the policy's tries and budget, so one dropped page never costs an
// attempt. Reads are idempotent. None is made once ctx is done, so a
// cancelled activity sends its source nothing more, whether or not the
// connector checks ctx. The caller keeps the activity heartbeating
// meanwhile.
func retryRead[T any](ctx context.Context, p retryPolicy, do func() (T, error)) (T, error) {
	s := streak{since: time.Now()}
	for {
		if err := ctx.Err(); err != nil {
			var none T
			return none, err
		}
		v, err := do()
		if !retryable(ctx, err) {
			return v, err
		}
		s.failed++
		if s.failed >= p.Tries {
			return v, &spentError{why: fmt.Sprintf("gave up after %d tries", s.failed), err: err}
		}
		d := p.delay(s.failed, err)
		if spent := time.Since(s.since); spent+d > p.Budget {
			return v, &spentError{err: err, why: fmt.Sprintf("gave up after %d tries in %s", s.failed,
				spent.Round(time.Millisecond))}
		}
		if err := p.doSleep(ctx, d); err != nil {
			return v, err
		}
	}
}
