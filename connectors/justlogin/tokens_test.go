package justlogin

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/justlogin/justlogintest"
)

// saveBeforeUse makes the store check, at every save, that the API has not
// seen the new access token yet.
func saveBeforeUse(t *testing.T, f *fixture) {
	f.store.onSave = func(tok *oauth2.Token) error {
		assert.False(t, f.srv.UsedAccessToken(tok.AccessToken), "token used before it was saved")
		return nil
	}
}

func TestExpiredTokenRefreshedAndSavedBeforeUse(t *testing.T) {
	f := newFixture(t, justlogintest.Options{Users: 12, RotateRefreshTokens: true})
	old, _ := f.store.Load(context.Background())
	old.Expiry = time.Now().Add(-time.Minute) // expired by its expires_in
	f.store.tok = old
	saveBeforeUse(t, f)

	got, _ := pullAll(t, f.source(t))
	assert.Len(t, got, 12)

	saves := f.store.saved()
	require.Len(t, saves, 1, "one refresh for the whole pull")
	fresh := saves[0]
	assert.NotEqual(t, old.AccessToken, fresh.AccessToken)
	assert.NotEqual(t, old.RefreshToken, fresh.RefreshToken, "the rotated refresh token is saved")
	assert.True(t, fresh.Expiry.After(time.Now()))
	assert.True(t, f.srv.UsedAccessToken(fresh.AccessToken))
	assert.False(t, f.srv.UsedAccessToken(old.AccessToken))
}

func TestTokenRefusedBeforeExpiryIsRefreshedOnce(t *testing.T) {
	f := newFixture(t, justlogintest.Options{Users: 12, RotateRefreshTokens: true})
	s := f.source(t)
	_, err := s.FetchPage(context.Background(), "")
	require.NoError(t, err)
	old, _ := f.store.Load(context.Background())

	f.srv.ExpireAccessTokens() // the server ends it; the client still thinks it valid
	saveBeforeUse(t, f)
	p, err := s.FetchPage(context.Background(), "2")
	require.NoError(t, err)
	assert.Len(t, p.Records, 2)

	saves := f.store.saved()
	require.Len(t, saves, 1)
	assert.NotEqual(t, old.RefreshToken, saves[0].RefreshToken)
	assert.True(t, f.srv.UsedAccessToken(saves[0].AccessToken))

	// The old refresh token was rotated away: a second Source started from
	// a stale copy would fail, but the store holds the new one.
	s2 := f.source(t)
	_, err = s2.FetchPage(context.Background(), "")
	require.NoError(t, err)
}

func TestRevokedRefreshTokenNeedsReconnect(t *testing.T) {
	f := newFixture(t, justlogintest.Options{Users: 3})
	s := f.source(t)
	f.srv.RevokeRefreshTokens()
	f.srv.ExpireAccessTokens()
	_, err := s.FetchPage(context.Background(), "")
	requireBadCredential(t, err)
	assert.ErrorContains(t, err, "invalid_grant")
	assert.Empty(t, f.store.saved())
}

func TestWrongClientSecretNeedsReconnect(t *testing.T) {
	f := newFixture(t, justlogintest.Options{Users: 3})
	f.cfg.ClientSecret = "wrong"
	f.store.tok.Expiry = time.Now().Add(-time.Minute)
	_, err := f.source(t).FetchPage(context.Background(), "")
	requireBadCredential(t, err)
}

func TestNotConnected(t *testing.T) {
	f := newFixture(t, justlogintest.Options{Users: 3})
	f.store.tok = nil
	_, err := f.source(t).FetchPage(context.Background(), "")
	requireBadCredential(t, err)
}

func TestFailedSaveKeepsRefreshedToken(t *testing.T) {
	f := newFixture(t, justlogintest.Options{Users: 3, RotateRefreshTokens: true})
	f.store.tok.Expiry = time.Now().Add(-time.Minute)
	var refused *oauth2.Token
	f.store.onSave = func(tok *oauth2.Token) error {
		if refused == nil {
			refused = tok
			return errors.New("store down")
		}
		return nil
	}
	s := f.source(t)
	_, err := s.FetchPage(context.Background(), "")
	require.Error(t, err)
	assert.False(t, connectors.IsPermanent(err), "a store outage is retried")
	require.NotNil(t, refused)
	assert.False(t, f.srv.UsedAccessToken(refused.AccessToken), "an unsaved token is never used")

	_, err = s.FetchPage(context.Background(), "")
	require.NoError(t, err)
	saves := f.store.saved()
	require.Len(t, saves, 1)
	assert.Equal(t, refused.RefreshToken, saves[0].RefreshToken, "the rotated token is saved, not lost")
}
