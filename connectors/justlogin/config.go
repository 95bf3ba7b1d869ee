package justlogin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"github.com/hrsync/hrsync/connectors"
)

// The documented production endpoints.
const (
	// DefaultAPIBaseURL is JustLogin's production API host.
	DefaultAPIBaseURL = "https://apis.justlogin.com"
	// DefaultAuthURL is the production authorize endpoint.
	DefaultAuthURL = "https://apis.justlogin.com/v1/auth/connect/authorize"
	// DefaultTokenURL is the production token endpoint.
	DefaultTokenURL = "https://apis.justlogin.com/v1/auth/connect/token"
	// DefaultPerMinute is the client-side request limit used when Config
	// sets none. JustLogin publishes no rate limit; one request a second is
	// a conservative pace for a nightly roster pull.
	DefaultPerMinute = 60
	// MaxPageSize is the largest documented limit (1–100).
	MaxPageSize = 100
)

// DefaultScopes are the scopes the documentation lists: only openid.
var DefaultScopes = []string{"openid"}

// TokenStore is where the connection's OAuth token lives. A refreshed token
// is saved BEFORE it is used, so a rotated refresh token is never lost.
type TokenStore interface {
	// Load returns the stored token; nil with no error means none yet.
	Load(ctx context.Context) (*oauth2.Token, error)
	// Save replaces the stored token with t.
	Save(ctx context.Context, t *oauth2.Token) error
}

// Config says how to reach one JustLogin account.
type Config struct {
	// APIBaseURL is the API host; empty means DefaultAPIBaseURL. The
	// sandbox is https://apis.justloginstaging.xyz.
	APIBaseURL string
	// AuthURL is the authorize endpoint; empty means DefaultAuthURL.
	AuthURL string
	// TokenURL is the token endpoint; empty means DefaultTokenURL.
	TokenURL string
	// ClientID and ClientSecret are the credentials JustLogin support
	// issues; they are sent in the token request body, as documented.
	ClientID, ClientSecret string
	// RedirectURL is the callback registered with JustLogin, such as
	// http://127.0.0.1:8765/callback. Connect listens on its host and port.
	RedirectURL string
	// Scopes requested at sign-in; empty means DefaultScopes.
	Scopes []string
	// Tokens keeps the connection's token.
	Tokens TokenStore
	// ExitDateField, when set, is the JSON field of the user object that
	// holds the exit date in this account (the public docs name none). A
	// dotted path such as "employment.resignationDate" reads a nested one.
	ExitDateField string
	// PerMinute is the client-side request limit; 0 means DefaultPerMinute.
	PerMinute int
	// PageSize is the limit asked per page, 1–100; 0 means MaxPageSize.
	PageSize int
	// HTTPClient sends every request, token ones included; nil means one
	// with a 30-second timeout.
	HTTPClient *http.Client
	// OnRateWait, when set, is told how long each request waited for the
	// client-side rate limit (see httpx.Options).
	OnRateWait func(waited time.Duration)
}

// withDefaults returns cfg with every empty setting at its default, or an
// error for a setting that cannot work.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.APIBaseURL == "" {
		cfg.APIBaseURL = DefaultAPIBaseURL
	}
	if cfg.AuthURL == "" {
		cfg.AuthURL = DefaultAuthURL
	}
	if cfg.TokenURL == "" {
		cfg.TokenURL = DefaultTokenURL
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = DefaultScopes
	}
	if cfg.PerMinute == 0 {
		cfg.PerMinute = DefaultPerMinute
	}
	if cfg.PageSize == 0 {
		cfg.PageSize = MaxPageSize
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second, CheckRedirect: connectors.SameOriginRedirects}
	}
	var errs []error
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		errs = append(errs, errors.New("client id and client secret are required"))
	}
	if cfg.Tokens == nil {
		errs = append(errs, errors.New("a token store is required"))
	}
	if cfg.PageSize < 1 || cfg.PageSize > MaxPageSize {
		errs = append(errs, fmt.Errorf("page size %d is outside 1–%d", cfg.PageSize, MaxPageSize))
	}
	if cfg.PerMinute < 0 {
		errs = append(errs, fmt.Errorf("negative rate limit %d", cfg.PerMinute))
	}
	if err := errors.Join(errs...); err != nil {
		return cfg, fmt.Errorf("justlogin: %w", err)
	}
	return cfg, nil
}

// OAuthConfig returns the OAuth 2.0 client for cfg, for the CLI's connect
// flow: the configured (or default) endpoints, client credentials sent in
// the request body as JustLogin documents, and the scopes.
func OAuthConfig(cfg Config) *oauth2.Config {
	authURL, tokenURL, scopes := cfg.AuthURL, cfg.TokenURL, cfg.Scopes
	if authURL == "" {
		authURL = DefaultAuthURL
	}
	if tokenURL == "" {
		tokenURL = DefaultTokenURL
	}
	if len(scopes) == 0 {
		scopes = DefaultScopes
	}
	return &oauth2.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		RedirectURL:  cfg.RedirectURL,
		Scopes:       append([]string(nil), scopes...),
		Endpoint:     oauth2.Endpoint{AuthURL: authURL, TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams},
	}
}

// oauthContext carries hc to the oauth2 package, which reads its HTTP
// client from the context.
func oauthContext(ctx context.Context, hc *http.Client) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, hc)
}
