package connectors_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors"
)

func TestSameOriginRedirects(t *testing.T) {
	var leaked atomic.Value
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked.Store(r.Header.Get("X-Account-Token"))
	}))
	t.Cleanup(elsewhere.Close)
	var origin *httptest.Server
	origin = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "/here", http.StatusFound)
		case "/away":
			http.Redirect(w, r, elsewhere.URL+"/steal", http.StatusFound)
		case "/metadata":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		default:
			w.WriteHeader(http.StatusOK)
		}
	}))
	t.Cleanup(origin.Close)
	client := &http.Client{CheckRedirect: connectors.SameOriginRedirects}
	get := func(path string) error {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, origin.URL+path, nil)
		require.NoError(t, err)
		req.Header.Set("X-Account-Token", "secret")
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}

	require.NoError(t, get("/moved"), "a redirect within the origin is followed")
	for _, path := range []string{"/away", "/metadata", "/loop"} {
		err := get(path)
		require.ErrorIs(t, err, connectors.ErrRefusedRedirect, path)
		require.True(t, connectors.IsPermanent(err), path)
	}
	require.Nil(t, leaked.Load(), "the credential never reached another host")
}
