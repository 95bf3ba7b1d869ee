package registry

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"go.uber.org/zap"
	"golang.org/x/time/rate"

	"github.com/hrsync/hrsync/connectors/httpx"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/internal/metrics"
	"github.com/hrsync/hrsync/store"
)

// Budget is a request budget per target host that every worker process
// sharing it draws on: a token bucket per host from which a process leases
// a few requests at a time. The store is one (store.Store.LeaseRate).
type Budget interface {
	LeaseRate(ctx context.Context, l store.RateLease) (store.RateGrant, error)
}

var _ Budget = (*store.Store)(nil)

// Limits say how targets are held to their rate limits (their endpoint's
// rateLimit).
type Limits struct {
	// Shared, when set, holds every target on one host — whatever its
	// path, integration or worker process — to one budget: the lowest
	// limit configured for the host applies to them all (see
	// store.RateMemory). Over any span of time T, the requests to a host
	// number at most max(1, rate×SharedBurst) + rate×(T + LeaseLife): a
	// request spends a token leased at most LeaseLife before, and the
	// host's bucket gives out no more than its capacity plus what the rate
	// refills. Without Shared, each process keeps a budget of its own per
	// target URL and limit.
	Shared Budget
	// Logger hears when Shared cannot be reached and a process falls back
	// to a local limit; nil logs nothing.
	Logger *zap.Logger
	// OnWait, when set, is told of every request held to a target's rate
	// limit: the target's host (see HostKey) and how long the request
	// waited, often nothing. It is where a metric of rate-limit waits
	// hooks in; it must be quick and safe for concurrent use.
	OnWait func(host string, waited time.Duration)
}

// Tuning of shared budgets.
const (
	// SharedBurst is how long a host's shared bucket lasts at its rate
	// when full: the most requests that may go at once, across every
	// process, are one SharedBurst's worth (and at least one).
	SharedBurst = time.Second
	// LeaseLife is how long a process may spend the tokens it leased; the
	// rest lapse. A process that dies leaks no budget: the bucket refills
	// by time.
	LeaseLife = time.Second
	// leaseShare is how much of the rate a process leases at a time, and
	// waits for when the bucket is empty, so that the store is asked a few
	// times a second per host and process, not once per request.
	leaseShare = 250 * time.Millisecond
	// leaseTimeout bounds one lease; a store slower than this counts as
	// unreachable.
	leaseTimeout = 5 * time.Second
	// FallbackShare is the fraction of a host's limit (1/FallbackShare) a
	// process keeps to on its own while the shared budget cannot be
	// reached, for FallbackFor before it asks again.
	FallbackShare = 4
	// FallbackFor is how long a process keeps to its local fallback limit
	// after the shared budget failed it.
	FallbackFor = 10 * time.Second
)

// WithLimits sets how targets are held to their rate limits; see Limits.
// Clients made before keep the limits they had.
func (r *Registry) WithLimits(l Limits) *Registry {
	if l.Logger == nil {
		l.Logger = zap.NewNop()
	}
	r.limits = l
	return r
}

// targetLimit is the budget target e waits for before each request: its
// host's shared budget with Limits.Shared, else this process's own for e
// (limiter); told to Limits.OnWait when that is set, and recorded in the
// metrics when there are (WithMetrics).
func (r *Registry) targetLimit(e integration.Endpoint) httpx.Waiter {
	host := HostKey(e.URL)
	var w httpx.Waiter
	if r.limits.Shared != nil {
		w = r.sharedLimiter(host, e.RateLimit)
	} else {
		w = r.limiter(e)
	}
	if onWait, m := r.limits.OnWait, r.metrics; onWait != nil || m != nil {
		w = observedWaiter{Waiter: w, host: host, clock: r.clock, observe: func(host string, waited time.Duration) {
			m.RateLimitWaited(metrics.Target, waited)
			if onWait != nil {
				onWait(host, waited)
			}
		}}
	}
	return w
}

// sharedLimiter is this process's spender of host's shared budget for
// clients held to perMinute. Targets on one host with different limits
// have a spender each, and the store applies the lowest limit to all.
func (r *Registry) sharedLimiter(host string, perMinute int) *sharedLimiter {
	key := fmt.Sprintf("%s|%d", host, perMinute)
	if l, ok := r.shared.Load(key); ok {
		return l.(*sharedLimiter)
	}
	l, _ := r.shared.LoadOrStore(key, &sharedLimiter{
		budget: r.limits.Shared, host: host, perMinute: perMinute, want: leaseSize(perMinute),
		clock: r.clock, logger: r.limits.Logger, turn: make(chan struct{}, 1),
		fallback: rate.NewLimiter(rate.Limit(float64(perMinute)/60/FallbackShare), 1),
	})
	return l.(*sharedLimiter)
}

// leaseSize is how many tokens to lease at a time at perMinute.
func leaseSize(perMinute int) int {
	return max(1, int(float64(perMinute)/60*leaseShare.Seconds()))
}

// HostKey names the host a target's requests go to, which its shared
// budget is kept by: the URL's scheme, host and port, lower-cased, with the
// scheme's default port spelt out ("https://dir.example:443"). A URL it
// cannot read names itself.
func HostKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	port := u.Port()
	if port == "" {
		switch scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		default:
			return scheme + "://" + host
		}
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// sharedLimiter spends, within one process, the tokens it leases from a
// host's shared budget: one request at a time takes a token, leasing the
// next few from the budget when it has none left, and waiting as long as
// the budget says when it has none either.
//
// When the budget cannot be reached (the store is down or too slow), the
// process holds its requests to 1/FallbackShare of the limit by itself for
// FallbackFor, logs it, and then asks again: a store outage slows a sync
// but does not fail it, and a few workers together stay near the limit.
// Failing the request instead would fail an apply halfway for want of a
// budget no API asked for.
type sharedLimiter struct {
	budget    Budget
	host      string
	perMinute int
	clock     clock
	logger    *zap.Logger
	fallback  *rate.Limiter

	// turn is held by the one request taking a token; it guards the
	// fields below.
	turn chan struct{}
	// want is how many tokens to lease at a time: a quarter second's
	// worth at the limit that applied last.
	want int
	// tokens were leased and may be spent until expires.
	tokens  int
	expires time.Time
	// fallbackUntil is when to ask the budget again after it failed.
	fallbackUntil time.Time
}

// Wait takes one token of the host's budget, waiting until there is one,
// or returns ctx's error as soon as ctx is done.
func (l *sharedLimiter) Wait(ctx context.Context) error {
	select {
	case l.turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-l.turn }()
	for {
		now := l.clock.Now()
		if l.tokens > 0 && now.Before(l.expires) {
			l.tokens--
			return nil
		}
		if now.Before(l.fallbackUntil) {
			return l.fallback.Wait(ctx)
		}
		g, err := l.lease(ctx, now)
		switch {
		case err != nil && ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			l.fallbackUntil = now.Add(FallbackFor)
			l.logger.Warn("Unable to reach the shared rate limit of a target host; this worker keeps to a share of it on its own",
				zap.String("host", l.host), zap.Float64("perMinute", float64(l.perMinute)/FallbackShare),
				zap.Duration("for", FallbackFor), zap.Error(err))
			return l.fallback.Wait(ctx)
		case g.Tokens > 0:
			l.tokens, l.expires = g.Tokens-1, now.Add(LeaseLife)
			return nil
		}
		if err := l.clock.Sleep(ctx, g.Wait); err != nil {
			return err
		}
	}
}

// lease asks the budget for the next few tokens, within leaseTimeout.
func (l *sharedLimiter) lease(ctx context.Context, now time.Time) (store.RateGrant, error) {
	ctx, cancel := context.WithTimeout(ctx, leaseTimeout)
	defer cancel()
	g, err := l.budget.LeaseRate(ctx, store.RateLease{Host: l.host, PerMinute: l.perMinute, Burst: SharedBurst,
		Want: l.want, Now: now})
	if err == nil && g.PerMinute > 0 {
		l.want = leaseSize(min(l.perMinute, g.PerMinute))
	}
	return g, err
}

// observedWaiter tells observe how long each wait took.
type observedWaiter struct {
	httpx.Waiter
	host    string
	clock   clock
	observe func(host string, waited time.Duration)
}

func (w observedWaiter) Wait(ctx context.Context) error {
	start := w.clock.Now()
	err := w.Waiter.Wait(ctx)
	w.observe(w.host, w.clock.Now().Sub(start))
	return err
}

// clock tells the time and waits; tests replace it.
type clock interface {
	Now() time.Time
	// Sleep waits d, or returns ctx's error as soon as ctx is done.
	Sleep(ctx context.Context, d time.Duration) error
}

// realClock is the system's clock.
type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
