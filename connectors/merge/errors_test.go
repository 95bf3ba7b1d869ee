package merge

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/merge/mergetest"
)

func TestThrottledIsRetryableWithRetryAfter(t *testing.T) {
	fake, base := serve(t, mergetest.Options{Employees: 5})
	s := source(t, base, nil)
	fake.FailNext(1, http.StatusTooManyRequests, 7*time.Second)

	_, err := s.FetchPage(context.Background(), "")
	require.Error(t, err)
	assert.False(t, connectors.IsPermanent(err))
	assert.Equal(t, 7*time.Second, connectors.RetryAfter(err))

	page, err := s.FetchPage(context.Background(), "")
	require.NoError(t, err, "the retry succeeds")
	assert.Len(t, page.Records, 5)
}

func TestServerErrorIsRetryable(t *testing.T) {
	fake, base := serve(t, mergetest.Options{Employees: 5})
	s := source(t, base, nil)
	fake.FailNext(1, http.StatusServiceUnavailable, 0)

	_, err := s.FetchPage(context.Background(), "")
	require.Error(t, err)
	assert.False(t, connectors.IsPermanent(err))
	assert.Contains(t, err.Error(), "503")
	assert.Zero(t, connectors.RetryAfter(err))
}

func TestRefusedCredentialsArePermanent(t *testing.T) {
	_, base := serve(t, mergetest.Options{Employees: 5})
	for name, edit := range map[string]func(*Config){
		"api key":       func(c *Config) { c.APIKey = "wrong" },
		"account token": func(c *Config) { c.AccountToken = "wrong" },
	} {
		t.Run(name, func(t *testing.T) {
			s := source(t, base, edit)
			_, err := s.FetchPage(context.Background(), "")
			require.Error(t, err)
			assert.True(t, errors.Is(err, connectors.ErrBadCredential))
			assert.True(t, connectors.IsPermanent(err))
			assert.NotContains(t, err.Error(), "wrong", "no credential in the error")

			err = s.Check(context.Background())
			assert.ErrorIs(t, err, connectors.ErrBadCredential)
		})
	}
}

func TestBadCursorIsPermanent(t *testing.T) {
	_, base := serve(t, mergetest.Options{Employees: 5})
	_, err := source(t, base, nil).FetchPage(context.Background(), "not-a-cursor")
	require.Error(t, err)
	assert.True(t, connectors.IsPermanent(err))
}

func TestNewRejectsIncompleteConfig(t *testing.T) {
	ok := Config{APIKey: "k", AccountToken: "t"}
	for name, edit := range map[string]func(*Config){
		"no api key":       func(c *Config) { c.APIKey = " " },
		"no account token": func(c *Config) { c.AccountToken = "" },
		"page too big":     func(c *Config) { c.PageSize = 101 },
		"negative limit":   func(c *Config) { c.PerMinute = -1 },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := ok
			edit(&cfg)
			_, err := New(cfg)
			assert.Error(t, err)
		})
	}
	s, err := New(ok)
	require.NoError(t, err)
	assert.Equal(t, MaxPageSize, s.pageSize)
}
