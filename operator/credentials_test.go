package operator

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors/registry"
	"github.com/hrsync/hrsync/integration"
)

func TestSharedCredentialsAreOnlyStoredOnesOthersUse(t *testing.T) {
	cfg := integration.Config{ID: "a",
		Source: integration.Endpoint{Kind: "justlogin", CredentialRef: "env:JL_SECRET",
			OAuth: &integration.OAuthOptions{ClientID: "c", TokenRef: "store:jl"}},
		Target: integration.Endpoint{Kind: "scim", CredentialRef: "store:scim"}}
	users := map[string][]string{
		"store:scim":    {"a", "b", "c"},
		"store:jl":      {"a"},
		"env:JL_SECRET": {"a", "b"},
	}
	shared := sharedCredentials("a", registry.ConfigRefs(cfg), users)
	require.Equal(t, map[string][]string{"store:scim": {"b", "c"}}, shared)
	require.Equal(t, []string{"a", "b", "c"}, users["store:scim"], "users is left as it was")
	require.Equal(t, "store:scim (used by b, c)", describeUsers(shared))

	require.Empty(t, sharedCredentials("a", registry.ConfigRefs(cfg), map[string][]string{"store:jl": {"a"}}))
}
