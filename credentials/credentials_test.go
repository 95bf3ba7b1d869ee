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

func TestVaultSealsAndRotates(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	k1, err := NewKey("k1")
	require.NoError(t, err)
	v1, err := NewVault(st, k1)
	require.NoError(t, err)
	require.NoError(t, v1.Put(ctx, "merge-acme", "api-key", []byte("sk_live_123")))

	sealed, err := st.GetCredential(ctx, "merge-acme")
	require.NoError(t, err)
	require.NotContains(t, string(sealed.Sealed), "sk_live_123", "the store holds only ciphertext")

	got, err := v1.Secret("store:merge-acme")
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
	require.NoError(t, v2.Put(ctx, "bamboo-acme", "api-key", []byte("bk")))
	_, err = v1.Secret("store:bamboo-acme")
	require.ErrorContains(t, err, "sealed with key k2, which is not configured")

	// A sealed value is bound to its credential id.
	moved := sealed
	moved.ID = "other"
	require.NoError(t, st.PutCredential(ctx, moved))
	_, err = v1.Secret("store:other")
	require.ErrorContains(t, err, "cannot be opened")

	_, err = v1.Secret("store:missing")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = v1.Secret("env:X")
	require.ErrorContains(t, err, "not a stored credential")
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
