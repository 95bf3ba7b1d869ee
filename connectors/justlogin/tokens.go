package justlogin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/httpx"
)

// tokens hands out a valid access token. It refreshes an expired one
// through an oauth2.TokenSource built from the stored token and saves the
// new token before anyone uses it. A refreshed token whose save failed is
// kept in memory, unused, and saved again on the next call, so a rotated
// refresh token is never lost.
type tokens struct {
	conf  *oauth2.Config
	store TokenStore
	http  *http.Client

	mu       sync.Mutex
	cur      *oauth2.Token
	unsaved  bool   // cur came from a refresh and is not stored yet
	rejected string // access token the API refused though not expired
}

// token returns an access token that may be sent: stored, valid and not
// refused by the API.
func (t *tokens) token(ctx context.Context) (*oauth2.Token, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.unsaved {
		return t.save(ctx, t.cur)
	}
	if t.usable(t.cur) {
		return t.cur, nil
	}
	// Someone else (another worker) may have refreshed already: the store
	// holds the newest token, and with rotation the only usable refresh
	// token.
	stored, err := t.store.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("justlogin: load token: %w", err)
	}
	if stored == nil {
		return nil, connectors.Permanent(fmt.Errorf("justlogin: not connected: %w", connectors.ErrBadCredential))
	}
	t.cur = stored
	if t.usable(stored) {
		return stored, nil
	}
	return t.refresh(ctx, stored)
}

// usable reports whether tok can be sent as it is.
func (t *tokens) usable(tok *oauth2.Token) bool {
	return tok != nil && tok.Valid() && tok.AccessToken != t.rejected
}

// reject notes that the API refused access token at before its expiry, so
// the next token call refreshes.
func (t *tokens) reject(at string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.rejected = at
}

// refresh trades old's refresh token for a new token and saves it.
func (t *tokens) refresh(ctx context.Context, old *oauth2.Token) (*oauth2.Token, error) {
	if old.RefreshToken == "" {
		return nil, connectors.Permanent(fmt.Errorf("justlogin: token expired and no refresh token: %w", connectors.ErrBadCredential))
	}
	expired := &oauth2.Token{RefreshToken: old.RefreshToken, Expiry: time.Unix(1, 0)}
	fresh, err := t.conf.TokenSource(oauthContext(ctx, t.http), expired).Token()
	if err != nil {
		return nil, refreshError(t.conf.Endpoint.TokenURL, err)
	}
	t.cur, t.unsaved, t.rejected = fresh, true, ""
	return t.save(ctx, fresh)
}

// save stores tok and, once stored, returns it for use.
func (t *tokens) save(ctx context.Context, tok *oauth2.Token) (*oauth2.Token, error) {
	if err := t.store.Save(ctx, tok); err != nil {
		return nil, fmt.Errorf("justlogin: save refreshed token: %w", err)
	}
	t.unsaved = false
	return tok, nil
}

// refreshError classifies a failed refresh. A refused grant or client
// (invalid_grant: revoked or expired refresh token) needs reconnecting;
// another 4xx is permanent; a 429 or 5xx, or a network error, is retried.
func refreshError(tokenURL string, err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return fmt.Errorf("justlogin: refresh token: %w", err)
	}
	status := 0
	var retry time.Duration
	if re.Response != nil {
		status = re.Response.StatusCode
		retry = connectors.ParseRetryAfter(re.Response.Header.Get("Retry-After"), time.Now())
	}
	path := tokenURL
	if u, perr := url.Parse(tokenURL); perr == nil {
		path = u.Path
	}
	he := &httpx.Error{Name: "justlogin refresh", Method: http.MethodPost, Path: path, Status: status,
		Message: re.ErrorCode, RetryAfter: retry}
	switch {
	case re.ErrorCode == "invalid_grant" || re.ErrorCode == "invalid_client" || re.ErrorCode == "unauthorized_client",
		status == http.StatusUnauthorized || status == http.StatusForbidden:
		return connectors.Permanent(fmt.Errorf("%w: %w", connectors.ErrBadCredential, he))
	case status == 0:
		return fmt.Errorf("justlogin: refresh token: %w", err)
	}
	return connectors.ByStatus(status, he)
}
