package keys

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func mustKey(t *testing.T, id string) Key {
	t.Helper()
	k, err := NewKey(id)
	require.NoError(t, err)
	return k
}

func TestParseKey(t *testing.T) {
	k := mustKey(t, "prod-2026")
	back, err := ParseKey(" " + k.String() + "\n")
	require.NoError(t, err)
	require.Equal(t, k, back)

	secret := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("s", 16)))
	for name, bad := range map[string]string{
		"empty":          "",
		"no separator":   "nokey",
		"empty id":       ":" + base64.StdEncoding.EncodeToString(make([]byte, Size)),
		"comma in id":    "a,b:" + base64.StdEncoding.EncodeToString(make([]byte, Size)),
		"not base64":     "id:not-base64!",
		"short key":      "id:" + secret,
		"key in id slot": secret + ":",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseKey(bad)
			require.Error(t, err)
			require.NotContains(t, err.Error(), secret, "errors never echo key material")
		})
	}
}

func TestKeyringSealOpen(t *testing.T) {
	a, b := mustKey(t, "a"), mustKey(t, "b")
	ring := Keyring{Current: a}
	plaintext := []byte("employee 42: salary 100000")

	sealed, err := ring.Seal(plaintext, []byte("ad"))
	require.NoError(t, err)
	require.NotContains(t, string(sealed), string(plaintext))
	again, err := ring.Seal(plaintext, []byte("ad"))
	require.NoError(t, err)
	require.NotEqual(t, sealed[:12], again[:12], "every seal draws a fresh nonce")

	got, err := ring.Open("a", sealed, []byte("ad"))
	require.NoError(t, err)
	require.Equal(t, plaintext, got)

	// After rotation b seals, and a still opens what it sealed.
	rotated := Keyring{Current: b, Old: []Key{a}}
	got, err = rotated.Open("a", sealed, []byte("ad"))
	require.NoError(t, err)
	require.Equal(t, plaintext, got)

	tampered := append([]byte(nil), sealed...)
	tampered[len(tampered)-1] ^= 1
	for name, tc := range map[string]struct {
		keyID      string
		ciphertext []byte
		ad         string
		is         error
		contains   string
	}{
		"unknown key":    {keyID: "b", ciphertext: sealed, ad: "ad", is: ErrUnknownKey, contains: `"b"`},
		"other ad":       {keyID: "a", ciphertext: sealed, ad: "other", contains: "cannot be opened with key a"},
		"tampered":       {keyID: "a", ciphertext: tampered, ad: "ad", contains: "cannot be opened with key a"},
		"too short":      {keyID: "a", ciphertext: sealed[:10], ad: "ad", contains: "too short"},
		"wrong key same": {keyID: "a", ciphertext: mustSeal(t, Keyring{Current: Key{ID: "a", Bytes: b.Bytes}}), ad: "ad", contains: "cannot be opened"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ring.Open(tc.keyID, tc.ciphertext, []byte(tc.ad))
			require.ErrorContains(t, err, tc.contains)
			if tc.is != nil {
				require.ErrorIs(t, err, tc.is)
			}
		})
	}
}

func mustSeal(t *testing.T, r Keyring) []byte {
	t.Helper()
	out, err := r.Seal([]byte("x"), []byte("ad"))
	require.NoError(t, err)
	return out
}

func TestKeyringLookupAndValidate(t *testing.T) {
	a, b := mustKey(t, "a"), mustKey(t, "b")
	ring := Keyring{Current: b, Old: []Key{a}}
	got, ok := ring.Lookup("a")
	require.True(t, ok)
	require.Equal(t, a, got)
	_, ok = ring.Lookup("c")
	require.False(t, ok)
	require.NoError(t, ring.Validate())

	require.ErrorContains(t, Keyring{}.Validate(), "key id")
	require.ErrorContains(t, Keyring{Current: Key{ID: "x", Bytes: []byte("short")}}.Validate(), "must be 32 bytes")
	clash := Key{ID: "a", Bytes: b.Bytes}
	require.ErrorContains(t, Keyring{Current: a, Old: []Key{clash}}.Validate(), "names two different keys")
	_, err := Keyring{}.Seal([]byte("x"), nil)
	require.Error(t, err, "an empty keyring cannot seal")
}

func TestKeysNeverPrintBytes(t *testing.T) {
	a, b := mustKey(t, "a"), mustKey(t, "b")
	ring := Keyring{Current: b, Old: []Key{a}}
	for _, s := range []string{fmt.Sprint(ring), fmt.Sprintf("%+v", ring), fmt.Sprintf("%#v", ring), fmt.Sprintf("%#v", a)} {
		for _, k := range []Key{a, b} {
			require.NotContains(t, s, base64.StdEncoding.EncodeToString(k.Bytes))
		}
	}
	require.Equal(t, "keyring(current=b old=[a])", ring.String())
}

func TestFromEnv(t *testing.T) {
	const cur, old = "TEST_KEYS_CURRENT", "TEST_KEYS_OLD"
	k0, k1, k2 := mustKey(t, "k0"), mustKey(t, "k1"), mustKey(t, "k2")

	t.Setenv(cur, k2.String())
	t.Setenv(old, k1.String()+", "+k0.String()+",")
	ring, err := FromEnv(cur, old)
	require.NoError(t, err)
	require.Equal(t, Keyring{Current: k2, Old: []Key{k1, k0}}, ring)

	t.Setenv(old, "")
	ring, err = FromEnv(cur, old)
	require.NoError(t, err)
	require.Equal(t, Keyring{Current: k2}, ring)

	t.Setenv(cur, "")
	_, err = FromEnv(cur, old)
	require.ErrorIs(t, err, ErrNotSet)
	require.EqualError(t, err, cur+" is not set")

	leaky := "k3:" + base64.StdEncoding.EncodeToString([]byte("sixteen byte key"))
	t.Setenv(cur, leaky)
	_, err = FromEnv(cur, old)
	require.ErrorContains(t, err, cur)
	require.NotContains(t, err.Error(), leaky[3:])

	t.Setenv(cur, k2.String())
	t.Setenv(old, k1.String()+","+leaky)
	_, err = FromEnv(cur, old)
	require.ErrorContains(t, err, old+", entry 2")
	require.NotContains(t, err.Error(), leaky[3:])
}
