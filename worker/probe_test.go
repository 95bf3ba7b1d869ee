package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestProbeSucceedsOnlyOnA2xx(t *testing.T) {
	var notReady atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" || notReady.Load() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	require.NoError(t, probe(ctx, srv.URL+"/readyz"))
	notReady.Store(true)
	require.ErrorContains(t, probe(ctx, srv.URL+"/readyz"), "503")
	require.ErrorContains(t, probe(ctx, "127.0.0.1:9090/readyz"), "want an http:// or https:// URL")
	srv.Close()
	require.Error(t, probe(ctx, srv.URL+"/readyz"))

	// As a container runs it: the exit status is what counts.
	cmd := newRootCmd()
	cmd.SetArgs([]string{"probe", "--timeout", "1s", srv.URL + "/readyz"})
	cmd.SilenceErrors = true
	require.Error(t, cmd.Execute())
}
