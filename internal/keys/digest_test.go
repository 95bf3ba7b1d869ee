package keys

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDigester(t *testing.T) {
	k1, k2 := mustKey(t, "k1"), mustKey(t, "k2")
	one, err := Keyring{Current: k1}.Digester("acme")
	require.NoError(t, err)
	d := one.Digest("1990-12-31")
	require.Regexp(t, `^k1:[A-Za-z0-9_-]{22}$`, d)
	require.Equal(t, d, one.Digest("1990-12-31"), "a digest is stable")
	require.NotEqual(t, d, one.Digest("1990-12-30"))
	require.NotContains(t, d, "1990")

	other, err := Keyring{Current: k1}.Digester("globex")
	require.NoError(t, err)
	require.NotEqual(t, d, other.Digest("1990-12-31"), "each domain has its own key")

	rotated, err := Keyring{Current: k2, Old: []Key{k1}}.Digester("acme")
	require.NoError(t, err)
	both := rotated.Digest("1990-12-31")
	first, second, ok := strings.Cut(both, ",")
	require.True(t, ok)
	require.True(t, strings.HasPrefix(first, "k2:"), "the current key comes first")
	require.Equal(t, d, second, "the old key's digest is kept for comparison")

	_, err = Keyring{Current: Key{ID: "bad"}}.Digester("acme")
	require.Error(t, err)
}
