package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/store"
)

// t0 is the clock every lease test starts from.
var t0 = time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)

// lease is a lease of want tokens from host at perMinute with a one-second
// burst, d after t0.
func lease(host string, perMinute, want int, d time.Duration) store.RateLease {
	return store.RateLease{Host: host, PerMinute: perMinute, Burst: time.Second, Want: want, Now: t0.Add(d)}
}

func TestLeaseRateStartsFullRefillsByTimeAndCapsAtBurst(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, s *store.Store) {
		const host = "https://dir.example:443"
		// 600 a minute is 10 a second; a one-second burst holds 10.
		g, err := s.LeaseRate(ctx, lease(host, 600, 4, 0))
		require.NoError(t, err)
		require.Equal(t, store.RateGrant{Tokens: 4, PerMinute: 600}, g)
		g, err = s.LeaseRate(ctx, lease(host, 600, 100, 0))
		require.NoError(t, err)
		require.Equal(t, 6, g.Tokens, "a new bucket starts full and gives out no more than it holds")

		g, err = s.LeaseRate(ctx, lease(host, 600, 1, 0))
		require.NoError(t, err)
		require.Zero(t, g.Tokens)
		require.Equal(t, 100*time.Millisecond, g.Wait, "one token comes back every tenth of a second")
		g, err = s.LeaseRate(ctx, lease(host, 600, 3, 0))
		require.NoError(t, err)
		require.Equal(t, 300*time.Millisecond, g.Wait, "three take three tenths")
		g, err = s.LeaseRate(ctx, lease(host, 600, 100, 0))
		require.NoError(t, err)
		require.Equal(t, time.Second, g.Wait, "no longer than the bucket takes to fill")

		g, err = s.LeaseRate(ctx, lease(host, 600, 100, 350*time.Millisecond))
		require.NoError(t, err)
		require.Equal(t, 3, g.Tokens, "350ms refill three and a half tokens")
		g, err = s.LeaseRate(ctx, lease(host, 600, 1, 400*time.Millisecond))
		require.NoError(t, err)
		require.Equal(t, 1, g.Tokens, "the half token left and half a tenth of a second make one")

		g, err = s.LeaseRate(ctx, lease(host, 600, 100, time.Hour/2))
		require.NoError(t, err)
		require.Equal(t, 10, g.Tokens, "a bucket left alone fills up to its burst, no further")

		other, err := s.LeaseRate(ctx, lease("https://other.example:443", 600, 100, time.Hour/2))
		require.NoError(t, err)
		require.Equal(t, 10, other.Tokens, "every host has a bucket of its own")
	})
}

func TestLeaseRateHoldsAtLeastOneToken(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, s *store.Store) {
		// 6 a minute is one every ten seconds; a one-second burst would be
		// a tenth of a token.
		g, err := s.LeaseRate(ctx, lease("https://slow.example:443", 6, 5, 0))
		require.NoError(t, err)
		require.Equal(t, 1, g.Tokens)
		g, err = s.LeaseRate(ctx, lease("https://slow.example:443", 6, 5, 4*time.Second))
		require.NoError(t, err)
		require.Zero(t, g.Tokens)
		require.Equal(t, 6*time.Second, g.Wait)
	})
}

func TestLeaseRateTimeOnlyMovesForward(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, s *store.Store) {
		const host = "https://dir.example:443"
		g, err := s.LeaseRate(ctx, lease(host, 60, 10, 10*time.Second))
		require.NoError(t, err)
		require.Equal(t, 1, g.Tokens)
		// A process whose clock lags by seconds refills nothing.
		g, err = s.LeaseRate(ctx, lease(host, 60, 10, 0))
		require.NoError(t, err)
		require.Zero(t, g.Tokens)
		g, err = s.LeaseRate(ctx, lease(host, 60, 10, 10500*time.Millisecond))
		require.NoError(t, err)
		require.Zero(t, g.Tokens, "the bucket refills from the latest time it saw")
		g, err = s.LeaseRate(ctx, lease(host, 60, 10, 11*time.Second))
		require.NoError(t, err)
		require.Equal(t, 1, g.Tokens)
	})
}

func TestLeaseRateLowestLimitApplies(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, s *store.Store) {
		const host = "https://dir.example:443"
		g, err := s.LeaseRate(ctx, lease(host, 600, 100, 0))
		require.NoError(t, err)
		require.Equal(t, 10, g.Tokens)

		// A second integration holds the host to 60 a minute: from now on
		// everyone refills at one a second, and the burst shrinks with it.
		g, err = s.LeaseRate(ctx, lease(host, 60, 100, time.Minute))
		require.NoError(t, err)
		require.Equal(t, store.RateGrant{Tokens: 1, PerMinute: 60}, g)
		g, err = s.LeaseRate(ctx, lease(host, 600, 100, time.Minute+time.Second))
		require.NoError(t, err)
		require.Equal(t, store.RateGrant{Tokens: 1, PerMinute: 60}, g, "the higher limit asks in vain")
		g, err = s.LeaseRate(ctx, lease(host, 600, 100, time.Minute+5*time.Second))
		require.NoError(t, err)
		require.Equal(t, 1, g.Tokens)

		// The lower limit lapses RateMemory after it was last asked.
		last := time.Minute + store.RateMemory
		g, err = s.LeaseRate(ctx, lease(host, 600, 100, last))
		require.NoError(t, err)
		require.Equal(t, 60, g.PerMinute, "still within RateMemory of the lower limit")
		g, err = s.LeaseRate(ctx, lease(host, 600, 100, last+time.Second))
		require.NoError(t, err)
		require.Equal(t, 600, g.PerMinute)
		g, err = s.LeaseRate(ctx, lease(host, 600, 100, last+2*time.Second))
		require.NoError(t, err)
		require.Equal(t, store.RateGrant{Tokens: 10, PerMinute: 600}, g)
	})
}

func TestConcurrentLeasesNeverExceedTheBucket(t *testing.T) {
	ctx := context.Background()
	eachBackend(t, func(t *testing.T, _ *store.Store, location string) {
		const host = "https://dir.example:443"
		// Two stores on one database, as two worker processes have.
		stores := []*store.Store{openAt(t, location), openAt(t, location)}
		// 6000 a minute is 100 a second and a burst of 100.
		for step, d := range []time.Duration{0, time.Second, 1500 * time.Millisecond} {
			var granted atomic.Int64
			var wg sync.WaitGroup
			for i := range 8 {
				wg.Go(func() {
					for range 10 {
						g, err := stores[i%2].LeaseRate(ctx, lease(host, 6000, 7, d))
						if err != nil {
							t.Error(err)
							return
						}
						granted.Add(int64(g.Tokens))
					}
				})
			}
			wg.Wait()
			// 8×10 leases of 7 want 560, more than any step has.
			want := []int64{100, 100, 50}[step]
			require.Equal(t, want, granted.Load(), "step %d: every token once, and no more", step)
		}
	})
}

func TestLeaseRateRefusesANonsenseLease(t *testing.T) {
	each(t, func(t *testing.T, s *store.Store) {
		for _, l := range []store.RateLease{lease("", 60, 1, 0), lease("h", 0, 1, 0), lease("h", 60, 0, 0)} {
			_, err := s.LeaseRate(context.Background(), l)
			require.Error(t, err)
		}
	})
}
