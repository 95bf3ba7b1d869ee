package integration

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

func TestReviewPolicy(t *testing.T) {
	var c Config
	require.NoError(t, yaml.Unmarshal([]byte("id: acme\nreview: {manual: true}\n"), &c))
	require.Equal(t, ReviewPolicy{Manual: true}, c.Review)
	require.True(t, c.Review.Applies(true))
	require.False(t, c.Review.Applies(false))
	require.True(t, ReviewPolicy{Scheduled: true}.Applies(false))

	// A config stored before the setting existed has none, runs without
	// review and still validates; one without it encodes as before.
	old := valid()
	require.NoError(t, json.Unmarshal([]byte(`{"id":"acme","source":{"kind":"demo","url":"http://127.0.0.1:8280"},`+
		`"target":{"kind":"demo","url":"http://127.0.0.1:8281"}}`), &old))
	require.Equal(t, ReviewPolicy{}, old.Review)
	require.NoError(t, old.WithDefaults().ValidateStored())
	data, err := json.Marshal(old)
	require.NoError(t, err)
	require.NotContains(t, string(data), "review")
}
