package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/hrsync/hrsync/codec"
)

// Dev mode's codec server requires the token kept in the data dir. The
// embedded Web UI is given an endpoint that carries it, and that endpoint
// decodes as the UI calls it; the CLI's bearer form works too. A request
// without the token, with a wrong one, or with the right one in the wrong
// place is refused whatever its origin. The banner does not show the
// token, and its file is owner-only and survives a restart.
func TestDevCodecServerRequiresItsToken(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal server and its Web UI; skipped with -short")
	}
	dir := t.TempDir()
	uiPort := freePortPair(t)
	tokenFile := filepath.Join(dir, devCodecTokenFile)

	env, c := startDevCodec(t, dir, uiPort)
	requireOwnerOnly(t, tokenFile)
	token := strings.TrimSpace(string(must(os.ReadFile(tokenFile))))
	require.Len(t, token, 48)
	require.Equal(t, token, env.codecToken)

	endpoint := uiCodecEndpoint(t, uiPort)
	require.Equal(t, env.codecURL+"/"+token, endpoint, "the Web UI is given the codec server with its token")
	require.NotContains(t, banner(env, true), token)
	require.Contains(t, banner(env, true), env.codecURL)
	require.Contains(t, banner(env, true), "bearer token in "+tokenFile, "the banner names the data dir in use")

	plain, err := converter.GetDefaultDataConverter().ToPayload("alice.secret@example.com")
	require.NoError(t, err)
	sealed := must(c.Encode([]*commonpb.Payload{plain}))[0]
	client := &http.Client{Timeout: 10 * time.Second}
	ns := env.temporal.Namespace()
	uiOrigin := fmt.Sprintf("http://localhost:%d", uiPort)

	// As the Web UI calls it: a preflight, then POST <endpoint>/decode from
	// its origin, the namespace in X-Namespace.
	require.Equal(t, http.StatusNoContent, preflight(t, endpoint+"/decode?preserveStorageRefs=true", uiOrigin))
	require.Equal(t, http.StatusForbidden, preflight(t, endpoint+"/decode", "http://evil.example"))
	got, err := decodeVia(client, endpoint, sealed, func(r *http.Request) {
		r.Header.Set("Origin", uiOrigin)
		r.Header.Set(codec.NamespaceHeader, ns)
		r.URL.RawQuery = "preserveStorageRefs=true"
	})
	require.NoError(t, err)
	require.Equal(t, string(plain.GetData()), got)
	// As the temporal CLI calls it: --codec-endpoint <url>/{namespace}
	// --codec-auth "Bearer <token>".
	got, err = remoteDecode(t, client, env.codecURL, token, "", sealed)
	require.NoError(t, err)
	require.Equal(t, string(plain.GetData()), got)

	// Everything else is refused, from no origin, the UI's, or another.
	wrong := token[:47] + "x"
	for name, tc := range map[string]struct {
		endpoint, query string
		header          map[string]string
		status          int
	}{
		"no token":                  {endpoint: env.codecURL, status: 401},
		"no token, namespace path":  {endpoint: env.codecURL + "/" + ns, status: 401},
		"wrong bearer":              {endpoint: env.codecURL, header: map[string]string{"Authorization": "Bearer " + wrong}, status: 401},
		"wrong token in the path":   {endpoint: env.codecURL + "/" + wrong, status: 401},
		"right path, wrong bearer":  {endpoint: endpoint, header: map[string]string{"Authorization": "Bearer nope"}, status: 401},
		"token in the query":        {endpoint: env.codecURL, query: "token=" + token, status: 401},
		"token as the namespace":    {endpoint: env.codecURL, header: map[string]string{codec.NamespaceHeader: token}, status: 401},
		"token as a cookie":         {endpoint: env.codecURL, header: map[string]string{"Cookie": "token=" + token}, status: 401},
		"token without the scheme":  {endpoint: env.codecURL, header: map[string]string{"Authorization": token}, status: 401},
		"token after the namespace": {endpoint: env.codecURL + "/" + ns + "/" + token, status: 404},
	} {
		for _, origin := range []string{"", uiOrigin, fmt.Sprintf("http://127.0.0.1:%d", uiPort), "http://evil.example"} {
			_, err := decodeVia(client, tc.endpoint, sealed, func(r *http.Request) {
				r.Header.Set(codec.NamespaceHeader, ns)
				if origin != "" {
					r.Header.Set("Origin", origin)
				}
				for k, v := range tc.header {
					r.Header.Set(k, v)
				}
				r.URL.RawQuery = tc.query
			})
			require.Error(t, err, "%s from %q", name, origin)
			require.True(t, strings.HasPrefix(err.Error(), http.StatusText(tc.status)+":"), "%s from %q: %v", name, origin, err)
			require.NotContains(t, err.Error(), "alice.secret")
		}
	}

	// A restart keeps the token, and gives the UI the same endpoint.
	env.stop()
	env, _ = startDevCodec(t, dir, uiPort)
	require.Equal(t, token, env.codecToken)
	require.Equal(t, token, strings.TrimSpace(string(must(os.ReadFile(tokenFile)))))
	require.Equal(t, endpoint, uiCodecEndpoint(t, uiPort))
	requireOwnerOnly(t, tokenFile)
}

// startDevCodec starts dev mode's Temporal server, Web UI and demo systems
// in dir, with the Web UI on uiPort, and its codec server, but no worker.
func startDevCodec(t *testing.T, dir string, uiPort int) (*devEnv, *codec.Codec) {
	t.Helper()
	cfg := Config{DataDir: dir, Dev: DevConfig{Enabled: true, Employees: 3, UIPort: uiPort}}
	env, err := startDevEnv(context.Background(), cfg, zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel)))
	require.NoError(t, err)
	t.Cleanup(env.stop)
	cfg, err = env.forWorker(cfg)
	require.NoError(t, err)
	_, c, err := codec.LoadConverter(filepath.Join(dir, codec.KeyFile))
	require.NoError(t, err)
	require.NoError(t, env.serveCodec(cfg, c))
	return env, c
}

// uiCodecEndpoint is the codec endpoint the Web UI on port gives the
// browser in its settings.
func uiCodecEndpoint(t *testing.T, port int) string {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/api/v1/settings", port))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var settings struct{ Codec struct{ Endpoint string } }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&settings))
	return settings.Codec.Endpoint
}

// preflight sends the CORS preflight a browser on origin sends before
// posting to url, and returns its status.
func preflight(t *testing.T, url, origin string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodOptions, url, nil)
	require.NoError(t, err)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type,x-namespace")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	return resp.StatusCode
}

// requireOwnerOnly checks that the file at path is readable by its owner
// only.
func requireOwnerOnly(t *testing.T, path string) {
	t.Helper()
	info, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
}
