package justlogintest

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// codeTTL is how long an authorization code may be exchanged.
const codeTTL = 5 * time.Minute

// authorize is the front channel. The person signs in and consents at once
// (auto-approve); the browser is sent to redirect_uri with a code and the
// state it came with.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if q.Get("client_id") != s.opts.ClientID || err != nil || !redirect.IsAbs() {
		// Never redirect for an unknown client or a bad redirect_uri.
		http.Error(w, "invalid client or redirect_uri", http.StatusBadRequest)
		return
	}
	back := redirect.Query()
	if st := q.Get("state"); st != "" {
		back.Set("state", st)
	}
	switch {
	case q.Get("response_type") != "code":
		back.Set("error", "unsupported_response_type")
	case !slices.Contains(strings.Fields(q.Get("scope")), "openid"):
		back.Set("error", "invalid_scope")
	default:
		s.mu.Lock()
		code := s.newSecret("code")
		s.codes[code] = grant{clientID: s.opts.ClientID, redirectURI: redirect.String(), expires: time.Now().Add(codeTTL)}
		s.mu.Unlock()
		back.Set("code", code)
	}
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

// token is the back channel: authorization_code and refresh_token grants,
// with the client credentials in the body as JustLogin documents.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	f := r.PostForm
	if !equal(f.Get("client_id"), s.opts.ClientID) || !equal(f.Get("client_secret"), s.opts.ClientSecret) {
		oauthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var refresh string
	switch f.Get("grant_type") {
	case "authorization_code":
		g, ok := s.codes[f.Get("code")]
		delete(s.codes, f.Get("code")) // single use
		if !ok || time.Now().After(g.expires) || g.redirectURI != f.Get("redirect_uri") {
			oauthError(w, http.StatusBadRequest, "invalid_grant")
			return
		}
		refresh = s.newSecret("rt")
		s.refresh[refresh] = true
	case "refresh_token":
		refresh = f.Get("refresh_token")
		if !s.refresh[refresh] {
			oauthError(w, http.StatusBadRequest, "invalid_grant")
			return
		}
		if s.opts.RotateRefreshTokens {
			delete(s.refresh, refresh)
			refresh = s.newSecret("rt")
			s.refresh[refresh] = true
		}
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	access := s.newSecret("at")
	s.access[access] = time.Now().Add(s.opts.TokenTTL)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]any{ //nolint:errcheck // the client is gone
		"access_token": access, "token_type": "Bearer", "expires_in": int(s.opts.TokenTTL.Seconds()),
		"refresh_token": refresh, "scope": "openid",
	})
}

// Issue returns the tokens a completed sign-in would hold, for tests that
// start connected.
func (s *Server) Issue() (accessToken, refreshToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	accessToken, refreshToken = s.newSecret("at"), s.newSecret("rt")
	s.access[accessToken] = time.Now().Add(s.opts.TokenTTL)
	s.refresh[refreshToken] = true
	return accessToken, refreshToken
}

// RevokeRefreshTokens revokes every refresh token, as a disconnect or a
// password reset does; a refresh then fails with invalid_grant.
func (s *Server) RevokeRefreshTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.refresh)
}

// ExpireAccessTokens ends every access token's life now, whatever its
// expires_in said.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t := range s.access {
		s.access[t] = time.Now().Add(-time.Second)
	}
}

// UsedAccessToken reports whether the API has accepted the access token.
func (s *Server) UsedAccessToken(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seen[token]
}

// newSecret returns a fresh opaque token; the caller holds mu.
func (s *Server) newSecret(kind string) string {
	s.seq++
	return fmt.Sprintf("%s-%d-%d", kind, s.opts.Seed, s.seq)
}

// oauthError answers with an RFC 6749 error body.
func oauthError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":%q}`, code)
}

// equal compares secrets in constant time.
func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
