package registry

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors/bamboohr/bamboohrtest"
	"github.com/hrsync/hrsync/connectors/scim/scimtest"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/internal/metrics"
	"github.com/hrsync/hrsync/internal/metrics/metricstest"
)

// The registry's clients count their requests by side and connector, and
// their rate-limit waits by side, against real servers on loopback.
func TestClientsRecordRequestsAndRateLimitWaits(t *testing.T) {
	hris := httptest.NewServer(bamboohrtest.New(bamboohrtest.Options{APIKey: "key", Employees: 3, Seed: 1}))
	defer hris.Close()
	dir, err := scimtest.New(scimtest.Options{Token: "token"})
	require.NoError(t, err)
	defer dir.Close()
	directory := httptest.NewServer(dir)
	defer directory.Close()

	m, err := metrics.New(nil)
	require.NoError(t, err)
	r := New(http.DefaultClient, StaticSecrets{Values: map[string]string{"dev:hris": "key", "dev:scim": "token"},
		Hosts: map[string][]string{"dev:hris": {"127.0.0.1"}, "dev:scim": {"127.0.0.1"}}}).WithMetrics(m)

	src, err := r.Source("acme", integration.Endpoint{Kind: "bamboohr", URL: hris.URL, CredentialRef: "dev:hris", RateLimit: 6000})
	require.NoError(t, err)
	_, err = src.FetchPage(context.Background(), "")
	require.NoError(t, err)
	tgt, err := r.Target("acme", integration.Endpoint{Kind: "scim", URL: directory.URL + "/scim/v2", CredentialRef: "dev:scim",
		RateLimit: 6000})
	require.NoError(t, err)
	_, err = tgt.ListUsers(context.Background(), "")
	require.NoError(t, err)
	// A wrong token: the directory answers 401.
	bad, err := New(http.DefaultClient, StaticSecrets{Values: map[string]string{"dev:scim": "wrong"},
		Hosts: map[string][]string{"dev:scim": {"127.0.0.1"}}}).WithMetrics(m).
		Target("acme", integration.Endpoint{Kind: "scim", URL: directory.URL + "/scim/v2", CredentialRef: "dev:scim"})
	require.NoError(t, err)
	_, err = bad.ListUsers(context.Background(), "")
	require.Error(t, err)

	got := metricstest.Gather(t, m.Registry())
	sum := func(name string, labels ...string) float64 {
		want := map[string]string{}
		for i := 0; i < len(labels); i += 2 {
			want[labels[i]] = labels[i+1]
		}
		return got.Sum(name, want)
	}
	require.Positive(t, sum(metrics.SourceRequests, "code", "200", "connector", "bamboohr"))
	require.Positive(t, sum(metrics.SourceDuration, "connector", "bamboohr"))
	require.Positive(t, sum(metrics.TargetRequests, "code", "200", "connector", "scim"))
	require.Positive(t, sum(metrics.TargetRequests, "code", "401", "connector", "scim"))
	require.Positive(t, sum(metrics.TargetDuration, "connector", "scim"))
	// Each request to a rate-limited endpoint waited, if only for nothing.
	require.Equal(t, sum(metrics.SourceRequests, "code", "200", "connector", "bamboohr"), sum(metrics.RateLimitWait, "side", "source"))
	require.Equal(t, sum(metrics.TargetRequests, "code", "200", "connector", "scim"), sum(metrics.RateLimitWait, "side", "target"))
}
