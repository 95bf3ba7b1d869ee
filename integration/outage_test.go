package integration

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

func TestOutagePolicyReadsDurationsAndDefaults(t *testing.T) {
	var fromYAML struct {
		Outage OutagePolicy `yaml:"outage"`
	}
	require.NoError(t, yaml.Unmarshal([]byte("outage: {giveUpAfter: 6h, notifyAfter: 45m}"), &fromYAML))
	p := fromYAML.Outage.WithDefaults()
	require.Equal(t, 6*time.Hour, time.Duration(p.GiveUpAfter))
	require.Equal(t, 45*time.Minute, time.Duration(p.NotifyAfter))
	require.Equal(t, DefaultMaxBackoff, time.Duration(p.MaxBackoff))

	data, err := json.Marshal(p)
	require.NoError(t, err)
	require.JSONEq(t, `{"giveUpAfter":"6h0m0s","notifyAfter":"45m0s","maxBackoff":"5m0s"}`, string(data))
	var back OutagePolicy
	require.NoError(t, json.Unmarshal(data, &back))
	require.Equal(t, p, back)

	require.Error(t, yaml.Unmarshal([]byte("outage: {giveUpAfter: soon}"), &fromYAML))
	require.Error(t, json.Unmarshal([]byte(`{"maxBackoff": true}`), &back))

	var problems []string
	bad := func(field, format string, args ...any) { problems = append(problems, field) }
	OutagePolicy{GiveUpAfter: Duration(time.Minute), MaxBackoff: Duration(time.Hour)}.validate(bad)
	OutagePolicy{NotifyAfter: Duration(-time.Second)}.validate(bad)
	require.Equal(t, []string{"outage.maxBackoff", "outage.notifyAfter"}, problems)
}
