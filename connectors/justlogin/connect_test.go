package justlogin

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors/justlogin/justlogintest"
)

// browse plays the browser: it opens the authorize URL, after edit, and
// follows the redirect to the local callback.
func browse(t *testing.T, edit func(url.Values)) func(string) {
	return func(authURL string) {
		u, err := url.Parse(authURL)
		if !assert.NoError(t, err) {
			return
		}
		q := u.Query()
		if edit != nil {
			edit(q)
		}
		u.RawQuery = q.Encode()
		go func() {
			resp, err := http.Get(u.String())
			if err == nil {
				io.Copy(io.Discard, resp.Body) //nolint:errcheck
				resp.Body.Close()
			}
		}()
	}
}

func TestConnectCodeFlow(t *testing.T) {
	f := newFixture(t, justlogintest.Options{Users: 4})
	f.store.tok = nil
	f.cfg.RedirectURL = "http://127.0.0.1:0/callback"
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var seen url.Values
	tok, err := Connect(ctx, f.cfg, browse(t, func(q url.Values) { seen = q }))
	require.NoError(t, err)
	assert.Equal(t, "code", seen.Get("response_type"))
	assert.Equal(t, "openid", seen.Get("scope"))
	assert.Equal(t, testClientID, seen.Get("client_id"))
	assert.Len(t, seen.Get("state"), 43, "32 random bytes")
	assert.NotContains(t, seen.Get("redirect_uri"), ":0/", "the chosen port is in the redirect_uri")

	require.NotEmpty(t, tok.AccessToken)
	require.NotEmpty(t, tok.RefreshToken)
	saves := f.store.saved()
	require.Len(t, saves, 1)
	assert.Equal(t, tok.RefreshToken, saves[0].RefreshToken)

	p, err := f.source(t).FetchPage(ctx, "")
	require.NoError(t, err)
	assert.Len(t, p.Records, 4)
}

func TestConnectRefusesWrongState(t *testing.T) {
	f := newFixture(t, justlogintest.Options{Users: 4})
	f.store.tok = nil
	f.cfg.RedirectURL = "http://127.0.0.1:0/callback"
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	_, err := Connect(ctx, f.cfg, browse(t, func(q url.Values) { q.Set("state", "forged") }))
	require.ErrorContains(t, err, "state does not match")
	assert.Empty(t, f.store.saved())
}

func TestConnectAuthorizationError(t *testing.T) {
	f := newFixture(t, justlogintest.Options{Users: 4})
	f.cfg.RedirectURL = "http://127.0.0.1:0/callback"
	f.cfg.Scopes = []string{"profile"}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	_, err := Connect(ctx, f.cfg, browse(t, nil))
	require.ErrorContains(t, err, "invalid_scope")
}
