package bamboohr

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/httpx"
)

// DefaultPerMinute is the request rate used when Config.PerMinute is 0.
// BambooHR publishes no limit; one request a second is a conservative pace
// that still reads 6,000 employees a minute at 100 a page.
const DefaultPerMinute = 60

// MaxPageSize is the largest page[limit] BambooHR accepts.
const MaxPageSize = 100

// Config says which BambooHR company to read and how.
type Config struct {
	// BaseURL is the company's host, https://<company>.bamboohr.com.
	BaseURL string
	// APIKey is the API key, sent as the HTTP Basic user name.
	APIKey string
	// PerMinute caps requests a minute; 0 means DefaultPerMinute and a
	// negative value no cap (for tests against a fake).
	PerMinute int
	// PageSize is how many employees to ask for per page, at most
	// MaxPageSize; 0 means MaxPageSize.
	PageSize int
	// HTTPClient sends the requests; nil means one with a 30-second timeout.
	HTTPClient *http.Client
	// OnRateWait, when set, is told how long each request waited for the
	// client-side rate limit (see httpx.Options).
	OnRateWait func(waited time.Duration)
}

// Source reads employees from one BambooHR company.
type Source struct {
	c        *httpx.Client
	pageSize int
}

var (
	_ connectors.Source        = (*Source)(nil)
	_ connectors.ChangedSource = (*Source)(nil)
)

// New returns a Source for cfg, or an error when cfg is incomplete.
func New(cfg Config) (*Source, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("bamboohr: base URL %q is not https://<company>.bamboohr.com", cfg.BaseURL)
	}
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, errors.New("bamboohr: no API key")
	}
	if cfg.PageSize < 0 || cfg.PageSize > MaxPageSize {
		return nil, fmt.Errorf("bamboohr: page size %d is not 1 to %d", cfg.PageSize, MaxPageSize)
	}
	perMinute := cfg.PerMinute
	switch {
	case perMinute == 0:
		perMinute = DefaultPerMinute
	case perMinute < 0:
		perMinute = 0
	}
	key := cfg.APIKey
	c := httpx.New(httpx.Options{
		Name:       "bamboohr",
		BaseURL:    strings.TrimRight(cfg.BaseURL, "/"),
		HTTPClient: cfg.HTTPClient,
		OnRateWait: cfg.OnRateWait,
		PerMinute:  perMinute,
		Burst:      1,
		Auth: func(_ context.Context, r *http.Request) error {
			r.SetBasicAuth(key, "x")
			return nil
		},
	})
	return &Source{c: c, pageSize: cmp.Or(cfg.PageSize, MaxPageSize)}, nil
}
