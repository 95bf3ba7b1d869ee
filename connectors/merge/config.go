package merge

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/httpx"
)

// DefaultBaseURL is Merge's production API host. The EU host is
// https://api-eu.merge.dev and the sandbox https://api-sandbox.merge.dev.
const DefaultBaseURL = "https://api.merge.dev"

// MaxPageSize is the largest page_size Merge accepts.
const MaxPageSize = 100

// DefaultPerMinute is the Launch plan's limit per linked account.
const DefaultPerMinute = 100

// Config says how to reach one Merge linked account.
type Config struct {
	// BaseURL is Merge's host; empty means DefaultBaseURL.
	BaseURL string
	// APIKey is the organisation's Merge API key.
	APIKey string
	// AccountToken identifies the linked account (the customer's HRIS).
	AccountToken string
	// PerMinute is the plan's request limit per linked account: 100
	// (Launch, the default when 0), 400 (Professional) or 600
	// (Enterprise). The client runs at nine tenths of it.
	PerMinute int
	// PageSize is how many employees to ask for per page, at most 100;
	// 0 means 100.
	PageSize int
	// HTTPClient makes the requests; nil means one with a 30-second
	// timeout.
	HTTPClient *http.Client
	// OnRateWait, when set, is told how long each request waited for the
	// client-side rate limit (see httpx.Options).
	OnRateWait func(waited time.Duration)
}

// Source reads the employees of one Merge linked account.
type Source struct {
	c        *httpx.Client
	pageSize int
	expand   string
}

var (
	_ connectors.Source        = (*Source)(nil)
	_ connectors.ChangedSource = (*Source)(nil)
	_ connectors.Checker       = (*Source)(nil)
)

// New returns a Source for cfg, or an error naming what cfg lacks.
func New(cfg Config) (*Source, error) {
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, errors.New("merge: an API key is required")
	}
	if strings.TrimSpace(cfg.AccountToken) == "" {
		return nil, errors.New("merge: an account token is required")
	}
	if cfg.PageSize < 0 || cfg.PageSize > MaxPageSize {
		return nil, fmt.Errorf("merge: page size %d is outside 1–%d", cfg.PageSize, MaxPageSize)
	}
	if cfg.PerMinute < 0 {
		return nil, fmt.Errorf("merge: rate limit %d per minute is negative", cfg.PerMinute)
	}
	base := cfg.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	perMinute := cfg.PerMinute
	if perMinute == 0 {
		perMinute = DefaultPerMinute
	}
	pageSize := cfg.PageSize
	if pageSize == 0 {
		pageSize = MaxPageSize
	}
	key, token := cfg.APIKey, cfg.AccountToken
	c := httpx.New(httpx.Options{
		Name:       "merge",
		BaseURL:    base,
		HTTPClient: cfg.HTTPClient,
		OnRateWait: cfg.OnRateWait,
		// Nine tenths leaves room at the window's edge, for Check, and for
		// anything else using the same linked account.
		PerMinute: max(perMinute*9/10, 1),
		Burst:     1,
		Auth: func(_ context.Context, r *http.Request) error {
			r.Header.Set("Authorization", "Bearer "+key)
			r.Header.Set("X-Account-Token", token)
			return nil
		},
	})
	return &Source{c: c, pageSize: pageSize, expand: "employments"}, nil
}
