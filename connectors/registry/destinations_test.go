package registry

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/credentials"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/internal/netguard"
	"github.com/hrsync/hrsync/store"
)

// mapVault is a Vault in memory.
type mapVault map[string][]byte

func (v mapVault) Get(_ context.Context, id string) (string, []byte, error) {
	if data, ok := v[id]; ok {
		return tokenKind, data, nil
	}
	return "", nil, store.ErrNotFound
}

func (v mapVault) Put(_ context.Context, id, _ string, secret []byte) error {
	v[id] = secret
	return nil
}

func (v mapVault) Allow(context.Context, string, credentials.Use) error { return nil }

// TestEveryConnectorFailsPermanentlyOnARefusedDestination builds every HTTP
// connector through a registry whose client has the production policy and
// points it at a server on 127.0.0.1: nothing reaches the server, and each
// failure is permanent, naming the address.
func TestEveryConnectorFailsPermanentlyOnARefusedDestination(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	tok, err := json.Marshal(&oauth2.Token{AccessToken: "a", RefreshToken: "r", Expiry: time.Now().Add(time.Hour)})
	require.NoError(t, err)
	r := New(netguard.Policy{}.Client(5*time.Second), StaticSecrets{Values: map[string]string{"dev:key": "k:acct"},
		Hosts: map[string][]string{"dev:key": {"127.0.0.1"}}}).
		WithVault(mapVault{"jl": tok})
	ctx := context.Background()

	sources := []integration.Endpoint{
		{Kind: "demo", URL: srv.URL},
		{Kind: "merge", URL: srv.URL, CredentialRef: "dev:key"},
		{Kind: "bamboohr", URL: srv.URL, CredentialRef: "dev:key"},
		{Kind: "justlogin", URL: srv.URL, CredentialRef: "dev:key",
			OAuth: &integration.OAuthOptions{ClientID: "c", TokenRef: "store:jl", TokenURL: srv.URL + "/token"}},
	}
	var errs []error
	for _, e := range sources {
		src, err := r.Source("acme", e)
		require.NoError(t, err, e.Kind)
		_, err = src.FetchPage(ctx, "")
		errs = append(errs, err)
	}
	for _, e := range []integration.Endpoint{
		{Kind: "demo", URL: srv.URL},
		{Kind: "scim", URL: srv.URL + "/scim/v2", CredentialRef: "dev:key"},
		{Kind: "scim", URL: srv.URL + "/scim/v2", CredentialRef: "dev:key", RateLimit: 600}, // through the limiter
	} {
		tgt, err := r.Target("acme", e)
		require.NoError(t, err, e.Kind)
		_, err = tgt.ListUsers(ctx, "")
		errs = append(errs, err)
	}
	for i, err := range errs {
		var refused *netguard.RefusedError
		require.True(t, errors.As(err, &refused), "connector %d: %v", i, err)
		require.True(t, connectors.IsPermanent(err), "connector %d: %v", i, err)
		require.Contains(t, err.Error(), "127.0.0.1 is a loopback address, which this worker does not send to", i)
	}
	require.Zero(t, hits.Load(), "no request reached the server")
}

// TestStoredConfigsAreHeldToTheDestinationRulesWhenTheyRun: a config stored
// before the rules (http over the network, the metadata service) keeps its
// integration, but the registry builds no connector for it.
func TestStoredConfigsAreHeldToTheDestinationRulesWhenTheyRun(t *testing.T) {
	r := New(nil, nil)
	for _, e := range []integration.Endpoint{
		{Kind: "demo", URL: "http://hris.acme.example"},
		{Kind: "justlogin", URL: "https://apis.justlogin.example",
			OAuth: &integration.OAuthOptions{ClientID: "c", TokenRef: "store:jl", TokenURL: "http://login.justlogin.example/token"}},
	} {
		_, err := r.Source("acme", e)
		require.ErrorContains(t, err, "would send in the clear", e.Kind)
	}
	_, err := r.Target("acme", integration.Endpoint{Kind: "scim", URL: "https://169.254.169.254/scim/v2"})
	require.ErrorContains(t, err, "url: 169.254.169.254 is a link-local address")
}
