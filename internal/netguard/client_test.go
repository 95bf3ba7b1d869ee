package netguard

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// server is a test server on 127.0.0.1 that counts the requests it gets.
func server(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func ok(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }

// refused asserts that err is a refusal of what.
func refused(t *testing.T, err error, what string) *RefusedError {
	t.Helper()
	var re *RefusedError
	require.True(t, errors.As(err, &re), "want a refusal, got %v", err)
	require.Equal(t, what, re.What)
	return re
}

func TestClientRefusesLoopbackUnlessAllowed(t *testing.T) {
	srv, hits := server(t, ok)

	_, err := Policy{}.Client(5 * time.Second).Get(srv.URL + "/?token=s3cret")
	re := refused(t, err, "a loopback address")
	require.Equal(t, "127.0.0.1", re.Address)
	require.Contains(t, err.Error(), "127.0.0.1 is a loopback address, which this worker does not send to "+
		"(allow with --allow-loopback-destinations)")
	require.Zero(t, hits.Load(), "nothing reached the server")

	// Allowing private ranges does not allow loopback.
	_, err = Policy{AllowPrivate: true}.Client(5 * time.Second).Get(srv.URL)
	refused(t, err, "a loopback address")

	resp, err := Policy{AllowLoopback: true}.Client(5 * time.Second).Get(srv.URL)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	require.Equal(t, "ok", string(body))
	require.EqualValues(t, 1, hits.Load())
}

func TestClientChecksResolvedAddresses(t *testing.T) {
	srv, hits := server(t, ok)
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)
	// A host name is checked by what it resolves to, when it is dialled.
	_, err = Policy{}.Client(5 * time.Second).Get("http://localhost:" + port + "/")
	refused(t, err, "a loopback address")
	require.Zero(t, hits.Load())

	resp, err := Policy{AllowLoopback: true}.Client(5 * time.Second).Get("http://localhost:" + port + "/")
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.EqualValues(t, 1, hits.Load())
}

func TestClientRefusesRedirectsToForbiddenAddresses(t *testing.T) {
	for _, to := range []struct{ url, what string }{
		{"http://169.254.169.254/latest/meta-data/iam/security-credentials/", "a link-local address, where cloud metadata services answer"},
		{"http://[fd00:ec2::254]/latest/meta-data/", "a cloud metadata address"},
		{"http://10.0.0.1/admin", "a private address"},
		{"http://0.0.0.0:1/", "an unspecified address"},
	} {
		srv, hits := server(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, to.url, http.StatusFound)
		})
		// The first server is allowed; where it points is not.
		_, err := Policy{AllowLoopback: true}.Client(5 * time.Second).Get(srv.URL)
		refused(t, err, to.what)
		require.EqualValues(t, 1, hits.Load())
	}
}

func TestTransportUsesNoProxy(t *testing.T) {
	// A proxy from HTTPS_PROXY would dial for the worker, unchecked.
	require.Nil(t, Policy{}.Transport().Proxy)
}
