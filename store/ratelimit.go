package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// RateMemory is how long the lowest rate asked for a host keeps applying
// after it was last asked: when integrations hold one host to different
// limits, the lowest applies to them all, and a raised limit (or that of an
// integration that no longer runs) takes over this long after the lower one
// was last used.
const RateMemory = time.Hour

// RateLease asks a host's shared request budget for tokens, one per
// request. The budget is a token bucket kept in the store, so that every
// worker process on the store draws on the same one.
type RateLease struct {
	// Host names the bucket: the scheme, host and port the requests go to.
	Host string
	// PerMinute is the limit the caller is held to. When callers ask for
	// different limits, the lowest asked within RateMemory applies.
	PerMinute int
	// Burst is how long the bucket's capacity lasts at the rate that
	// applies: a full bucket holds that many seconds' worth of tokens, and
	// always at least one.
	Burst time.Duration
	// Want is how many tokens the caller would take; at least one.
	Want int
	// Now is the caller's clock. The bucket's time only moves forward, so a
	// caller whose clock lags refills nothing until it catches up, and one
	// whose clock leads adds at most its lead's worth of tokens, once.
	Now time.Time
}

// RateGrant is what a RateLease took.
type RateGrant struct {
	// Tokens is how many were taken, between 0 and Want.
	Tokens int
	// Wait is, when none was taken, how long until the bucket holds what
	// was wanted, or as much as it can hold: a caller that waits that long
	// before asking again asks once per few tokens, not once per token.
	Wait time.Duration
	// PerMinute is the limit that applied: the lowest one asked recently.
	PerMinute int
}

// LeaseRate takes up to l.Want tokens from l.Host's bucket, which refills
// at the rate that applies (see RateLease.PerMinute) up to its capacity
// (RateLease.Burst) and starts full. Over any span of time T the bucket
// gives out at most capacity + rate×T tokens, whichever process asks. Each
// lease is one short transaction: SQLite admits one writer at a time, and
// PostgreSQL locks the host's row.
func (s *Store) LeaseRate(ctx context.Context, l RateLease) (RateGrant, error) {
	if l.Host == "" || l.PerMinute <= 0 || l.Want <= 0 {
		return RateGrant{}, fmt.Errorf("unable to lease rate tokens: host %q, %d a minute, %d wanted: %w",
			l.Host, l.PerMinute, l.Want, errBadLease)
	}
	var g RateGrant
	err := s.inTx(ctx, func(tx *txn) error {
		now := l.Now.UnixNano()
		fresh := bucket{perMinute: l.PerMinute, perMinuteAt: now, updatedAt: now}
		fresh.tokens = fresh.capacity(l.Burst)
		if _, err := tx.exec(ctx,
			`INSERT INTO rate_buckets (host, tokens, updated_at, per_minute, per_minute_at) VALUES (?, ?, ?, ?, ?)
			 ON CONFLICT (host) DO NOTHING`,
			l.Host, fresh.tokens, fresh.updatedAt, fresh.perMinute, fresh.perMinuteAt); err != nil {
			return err
		}
		var b bucket
		if err := tx.queryRow(ctx,
			`SELECT tokens, updated_at, per_minute, per_minute_at FROM rate_buckets WHERE host = ?`+s.dialect.forUpdate(),
			l.Host).Scan(&b.tokens, &b.updatedAt, &b.perMinute, &b.perMinuteAt); err != nil {
			return err
		}
		g = b.lease(l)
		_, err := tx.exec(ctx,
			`UPDATE rate_buckets SET tokens = ?, updated_at = ?, per_minute = ?, per_minute_at = ? WHERE host = ?`,
			b.tokens, b.updatedAt, b.perMinute, b.perMinuteAt, l.Host)
		return err
	})
	if err != nil {
		return RateGrant{}, fmt.Errorf("unable to lease rate tokens for %s: %w", l.Host, err)
	}
	return g, nil
}

var errBadLease = errors.New("a lease needs a host, a positive limit and at least one token wanted")

// forUpdate is the clause that locks the rows a SELECT reads until the
// transaction ends: PostgreSQL's FOR UPDATE; SQLite's immediate
// transactions already admit one writer at a time.
func (d dialect) forUpdate() string {
	if d == postgresDialect {
		return ` FOR UPDATE`
	}
	return ""
}

// bucket is one rate_buckets row.
type bucket struct {
	tokens float64
	// updatedAt is when tokens was last refilled, in Unix nanoseconds.
	updatedAt int64
	// perMinute is the lowest limit asked, last at perMinuteAt.
	perMinute   int
	perMinuteAt int64
}

// perSecond is the bucket's refill rate.
func (b *bucket) perSecond() float64 { return float64(b.perMinute) / 60 }

// capacity is how many tokens the bucket holds at most.
func (b *bucket) capacity(burst time.Duration) float64 {
	return max(1, b.perSecond()*burst.Seconds())
}

// grantSlack absorbs the rounding of refills, so that a bucket refilled
// for exactly one token's time gives one.
const grantSlack = 1e-9

// lease applies l to b: it lowers the limit to l's, or raises it when the
// lower one lapsed, refills for the time since the last lease, and takes
// what l wants of whole tokens.
func (b *bucket) lease(l RateLease) RateGrant {
	now := l.Now.UnixNano()
	if l.PerMinute <= b.perMinute || now-b.perMinuteAt > int64(RateMemory) {
		b.perMinute, b.perMinuteAt = l.PerMinute, max(b.perMinuteAt, now)
	}
	rate := b.perSecond()
	if now > b.updatedAt {
		b.tokens += rate * float64(now-b.updatedAt) / float64(time.Second)
		b.updatedAt = now
	}
	capacity := b.capacity(l.Burst)
	b.tokens = min(b.tokens, capacity)
	g := RateGrant{PerMinute: b.perMinute}
	g.Tokens = min(l.Want, max(0, int(math.Floor(b.tokens+grantSlack))))
	b.tokens -= float64(g.Tokens)
	if g.Tokens == 0 {
		need := min(float64(l.Want), capacity) - b.tokens
		g.Wait = time.Duration(math.Ceil(need / rate * float64(time.Second)))
	}
	return g
}
