package credentials

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/store"
)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "hrsync.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// merge is a scope for Merge's API, and toMerge a use within it.
var (
	merge   = Scope{Hosts: []string{"api.merge.dev"}}
	toMerge = Use{Integration: "acme", Hosts: []string{"api.merge.dev"}}
)

func TestVaultSealsAndRotates(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	k1, err := NewKey("k1")
	require.NoError(t, err)
	v1, err := NewVault(st, k1)
	require.NoError(t, err)
	require.NoError(t, v1.PutScoped(ctx, "merge-acme", "api-key", []byte("sk_live_123"), merge))

	sealed, err := st.GetCredential(ctx, "merge-acme")
	require.NoError(t, err)
	require.NotContains(t, string(sealed.Sealed), "sk_live_123", "the store holds only ciphertext")

	got, err := v1.Secret("store:merge-acme", toMerge)
	require.NoError(t, err)
	require.Equal(t, "sk_live_123", got)

	// A new key seals from now on; the old one still opens what it sealed.
	k2, err := NewKey("k2")
	require.NoError(t, err)
	v2, err := NewVault(st, k2, k1)
	require.NoError(t, err)
	kind, secret, err := v2.Get(ctx, "merge-acme")
	require.NoError(t, err)
	require.Equal(t, "api-key", kind)
	require.Equal(t, "sk_live_123", string(secret))
	require.NoError(t, v2.PutScoped(ctx, "bamboo-acme", "api-key", []byte("bk"), merge))
	_, err = v1.Secret("store:bamboo-acme", toMerge)
	require.ErrorContains(t, err, "sealed with key k2, which is not configured")

	// A sealed value is bound to its credential id.
	moved := sealed
	moved.ID = "other"
	require.NoError(t, st.PutCredential(ctx, moved))
	_, err = v1.Secret("store:other", toMerge)
	require.ErrorContains(t, err, "cannot be opened")

	_, err = v1.Secret("store:missing", toMerge)
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = v1.Secret("env:X", toMerge)
	require.ErrorContains(t, err, "not a stored credential")
}

// TestVaultKeepsCredentialsInScope: a stored credential is sent only to
// the hosts, and used only by the integrations, it was bound to; its scope
// cannot be widened by editing the store; a credential from before scopes
// is refused until bound; a refreshed secret keeps its scope.
func TestVaultKeepsCredentialsInScope(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	k, err := NewKey("k1")
	require.NoError(t, err)
	v, err := NewVault(st, k)
	require.NoError(t, err)
	scope, err := NewScope([]string{"SCIM.acme.example", "127.0.0.1:8281"}, []string{"acme"})
	require.NoError(t, err)
	require.Equal(t, []string{"127.0.0.1:8281", "scim.acme.example"}, scope.Hosts)
	require.NoError(t, v.PutScoped(ctx, "scim-acme", "bearer-token", []byte("tok"), scope))

	for _, use := range []Use{
		{Integration: "acme", Hosts: []string{"scim.acme.example"}},
		{Integration: "acme", Hosts: []string{"scim.acme.example:443"}},
		{Integration: "acme", Hosts: []string{"127.0.0.1:8281"}},
	} {
		got, err := v.Secret("store:scim-acme", use)
		require.NoError(t, err, "%+v", use)
		require.Equal(t, "tok", got)
	}
	for use, want := range map[*Use]string{
		{Integration: "acme", Hosts: []string{"attacker.example"}}:    "may be sent to 127.0.0.1:8281, scim.acme.example, not to attacker.example",
		{Integration: "acme", Hosts: []string{"127.0.0.1:9999"}}:      "not to 127.0.0.1:9999",
		{Integration: "acme", Hosts: []string{"169.254.169.254"}}:     "not to 169.254.169.254",
		{Integration: "globex", Hosts: []string{"scim.acme.example"}}: `limited to integrations acme, not "globex"`,
	} {
		_, err := v.Secret("store:scim-acme", *use)
		require.ErrorContains(t, err, want)
		require.ErrorContains(t, v.Allow(ctx, "scim-acme", *use), want)
	}

	// Widening the scope in the store does not open the credential.
	sealed, err := st.GetCredential(ctx, "scim-acme")
	require.NoError(t, err)
	require.Equal(t, scope.Hosts, sealed.Hosts)
	sealed.Hosts = append(sealed.Hosts, "attacker.example")
	require.NoError(t, st.PutCredential(ctx, sealed))
	_, err = v.Secret("store:scim-acme", Use{Integration: "acme", Hosts: []string{"attacker.example"}})
	require.ErrorContains(t, err, "its scope was altered")

	// A credential stored before scopes opens, but goes nowhere until bound.
	require.NoError(t, v.Put(ctx, "legacy", "api-key", []byte("old")))
	_, err = v.Secret("store:legacy", toMerge)
	require.ErrorContains(t, err, "bound to no host")
	require.NoError(t, v.Bind(ctx, "legacy", merge))
	got, err := v.Secret("store:legacy", toMerge)
	require.NoError(t, err)
	require.Equal(t, "old", got)

	// A refreshed secret keeps the scope it had.
	require.NoError(t, v.Put(ctx, "legacy", "api-key", []byte("new")))
	got, err = v.Secret("store:legacy", toMerge)
	require.NoError(t, err)
	require.Equal(t, "new", got)
}

func TestNewScopeRefusesWhatIsNotAHost(t *testing.T) {
	for _, h := range []string{"https://scim.acme.example", "scim.acme.example/scim", "*.acme.example", "user@host", "h:0", "h:99999", ""} {
		_, err := NewScope([]string{h}, nil)
		require.Error(t, err, h)
	}
	_, err := NewScope(nil, nil)
	require.ErrorContains(t, err, "at least one host")
	_, err = NewScope([]string{"h"}, []string{"a,b"})
	require.ErrorContains(t, err, "not an integration id")
	s, err := NewScope([]string{"::1", "[::1]:8080"}, nil)
	require.NoError(t, err)
	require.NoError(t, s.Allows(Use{Hosts: []string{"[::1]:1234"}}))
}

func TestParseKey(t *testing.T) {
	k, err := NewKey("prod-2026")
	require.NoError(t, err)
	back, err := ParseKey(k.String())
	require.NoError(t, err)
	require.Equal(t, k, back)
	for _, bad := range []string{"", "nokey", "id:not-base64!", "id:" + strings.Repeat("A", 8)} {
		_, err := ParseKey(bad)
		require.Error(t, err, bad)
	}
}

func TestKeysFromEnv(t *testing.T) {
	k1, _ := NewKey("k1")
	k0, _ := NewKey("k0")
	t.Setenv(KeyEnv, k1.String())
	t.Setenv(OldKeysEnv, k0.String())
	current, old, err := KeysFromEnv()
	require.NoError(t, err)
	require.Equal(t, k1, current)
	require.Equal(t, []Key{k0}, old)

	t.Setenv(KeyEnv, "")
	_, _, err = KeysFromEnv()
	require.ErrorContains(t, err, KeyEnv+" is not set")
}
