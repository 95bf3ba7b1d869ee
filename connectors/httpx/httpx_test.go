package httpx

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/hrsync/hrsync/connectors"
)

func TestDoClassifiesAnswers(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			require.Equal(t, "Bearer k", r.Header.Get("Authorization"))
			_, _ = w.Write([]byte(`{"n":3}`))
		case "/unauthorized":
			w.WriteHeader(http.StatusUnauthorized)
		case "/throttled":
			w.Header().Set("Retry-After", "4")
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/bad":
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"no such field for jane.doe@acme.example"}`))
		}
	}))
	defer srv.Close()
	c := New(Options{Name: "test", BaseURL: srv.URL, Auth: func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer k")
		return nil
	}})
	ctx := context.Background()

	var out struct{ N int }
	_, err := c.Do(ctx, Request{Method: "GET", Path: "/ok"}, &out)
	require.NoError(t, err)
	require.Equal(t, 3, out.N)

	_, err = c.Do(ctx, Request{Method: "GET", Path: "/unauthorized"}, nil)
	require.True(t, errors.Is(err, connectors.ErrBadCredential))
	require.True(t, connectors.IsPermanent(err))

	_, err = c.Do(ctx, Request{Method: "GET", Path: "/throttled"}, nil)
	require.False(t, connectors.IsPermanent(err))
	require.Equal(t, 4*time.Second, connectors.RetryAfter(err))

	_, err = c.Do(ctx, Request{Method: "GET", Path: "/bad"}, nil)
	require.True(t, connectors.IsPermanent(err))
	require.Contains(t, err.Error(), "no such field for <email>")
	require.NotContains(t, err.Error(), "jane.doe")
}

func TestLimiterFollowsThePublishedLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	c := New(Options{Name: "test", BaseURL: srv.URL, PerMinute: 600, Burst: 2})
	require.Equal(t, 10.0, float64(c.limiter.Limit()), "600 a minute is 10 a second")
	require.Equal(t, 2, c.limiter.Burst())
	for range 2 {
		_, err := c.Do(context.Background(), Request{Method: "GET", Path: "/"}, nil)
		require.NoError(t, err)
	}
	require.Less(t, c.limiter.TokensAt(time.Now()), 1.0, "the burst is spent: the next request waits")
	require.Nil(t, New(Options{}).limiter, "no published limit, no limiter")
}

func TestOnRateWaitHearsEveryWait(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	var waits []time.Duration
	c := New(Options{Name: "test", BaseURL: srv.URL, PerMinute: 1200, Burst: 1,
		OnRateWait: func(d time.Duration) { waits = append(waits, d) }})
	for range 2 {
		_, err := c.Do(context.Background(), Request{Method: "GET", Path: "/"}, nil)
		require.NoError(t, err)
	}
	require.Len(t, waits, 2)
	require.Less(t, waits[0], 20*time.Millisecond, "the first request finds the burst")
	require.Greater(t, waits[1], 30*time.Millisecond, "the second waits most of 50 ms, 1200 a minute")
}

func TestLimitedWaitsForTheSharedBudget(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits++ }))
	defer srv.Close()

	open := Limited(srv.Client(), rate.NewLimiter(rate.Inf, 1))
	resp, err := open.Get(srv.URL)
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, 1, hits)

	// A budget with no room refuses before anything is sent.
	closed := Limited(srv.Client(), rate.NewLimiter(0, 0))
	_, err = closed.Get(srv.URL)
	require.ErrorContains(t, err, "rate limit")
	require.Equal(t, 1, hits)
}
