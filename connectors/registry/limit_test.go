package registry

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/integration"
)

func TestTargetsShareOneRequestBudget(t *testing.T) {
	r := New(nil, StaticSecrets{})
	e := integration.Endpoint{Kind: "scim", URL: "https://dir.example/scim/v2", RateLimit: 600, Parallelism: 4}
	require.Same(t, r.limiter(e), r.limiter(e), "every client for one target draws on one budget")
	other := e
	other.URL = "https://other.example/scim/v2"
	require.NotSame(t, r.limiter(e), r.limiter(other))
	require.Equal(t, 10.0, float64(r.limiter(e).Limit()), "600 a minute is 10 a second")
	require.Equal(t, 4, r.limiter(e).Burst(), "the parallel parts may start together")

	unlimited := e
	unlimited.RateLimit = 0
	require.Same(t, r.http, r.targetHTTP(unlimited))
}
