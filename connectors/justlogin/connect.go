package justlogin

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// callbackResult is what the redirect brought back.
type callbackResult struct {
	tok *oauth2.Token
	err error
}

// Connect runs the authorization-code flow with a local callback. It
// listens on the host and port of cfg.RedirectURL (port 0 picks a free one,
// which then stands in the redirect_uri), hands the authorize URL, with a
// random state, to openURL (nil prints it to standard error), waits for the
// redirect, refuses a state that does not match, exchanges the code and
// saves the token via cfg.Tokens before returning it.
func Connect(ctx context.Context, cfg Config, openURL func(string)) (*oauth2.Token, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	redirect, err := url.Parse(cfg.RedirectURL)
	if err != nil || redirect.Scheme != "http" || redirect.Host == "" {
		return nil, fmt.Errorf("justlogin: redirect URL %q must be an http://host:port/path address", cfg.RedirectURL)
	}
	ln, err := net.Listen("tcp", redirect.Host)
	if err != nil {
		return nil, fmt.Errorf("justlogin: listen for the callback: %w", err)
	}
	if redirect.Port() == "0" {
		redirect.Host = net.JoinHostPort(redirect.Hostname(), strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
	}
	cfg.RedirectURL = redirect.String()
	state, err := randomState()
	if err != nil {
		ln.Close()
		return nil, err
	}
	results := make(chan callbackResult, 1)
	path := redirect.Path
	if path == "" {
		path = "/"
	}
	mux := http.NewServeMux()
	mux.Handle(path, callback(ctx, cfg, state, results))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with Shutdown below
	defer func() {
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut) //nolint:errcheck // best effort
	}()

	authURL := OAuthConfig(cfg).AuthCodeURL(state)
	if openURL == nil {
		openURL = func(u string) { fmt.Fprintf(os.Stderr, "Open this address to connect JustLogin:\n%s\n", u) }
	}
	openURL(authURL)
	select {
	case r := <-results:
		return r.tok, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// callback handles the redirect: it checks state, exchanges the code,
// saves the token, answers the browser, and reports the outcome once.
func callback(ctx context.Context, cfg Config, state string, results chan<- callbackResult) http.Handler {
	var once sync.Once
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, err := finish(ctx, cfg, state, r.URL.Query())
		if err != nil {
			http.Error(w, "JustLogin was not connected: "+html.EscapeString(err.Error()), http.StatusBadRequest)
		} else {
			fmt.Fprintln(w, "JustLogin is connected. You can close this window.")
		}
		once.Do(func() { results <- callbackResult{tok: tok, err: err} })
	})
}

// finish checks the redirect's query and trades its code for a saved token.
func finish(ctx context.Context, cfg Config, state string, q url.Values) (*oauth2.Token, error) {
	if e := q.Get("error"); e != "" {
		return nil, fmt.Errorf("justlogin: authorization refused: %s %s", e, q.Get("error_description"))
	}
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
		return nil, errors.New("justlogin: callback state does not match; start the connection again")
	}
	code := q.Get("code")
	if code == "" {
		return nil, errors.New("justlogin: callback has no authorization code")
	}
	tok, err := OAuthConfig(cfg).Exchange(oauthContext(ctx, cfg.HTTPClient), code)
	if err != nil {
		return nil, fmt.Errorf("justlogin: exchange code: %w", err)
	}
	if err := cfg.Tokens.Save(ctx, tok); err != nil {
		return nil, fmt.Errorf("justlogin: save token: %w", err)
	}
	return tok, nil
}

// randomState returns 32 random bytes in URL-safe base64.
func randomState() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("justlogin: random state: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
