package integration

import (
	"encoding/json"
	"fmt"
	"time"
)

// The defaults of an OutagePolicy.
const (
	DefaultGiveUpAfter = 24 * time.Hour
	DefaultNotifyAfter = 30 * time.Minute
	DefaultMaxBackoff  = 5 * time.Minute
)

// OutagePolicy says how a run waits out an HRIS or a directory that is
// unreachable or answers only errors: it keeps trying, with waits that grow
// to MaxBackoff, tells the admins once the run is NotifyAfter late, and
// after GiveUpAfter ends the run as failed and quarantines the integration.
type OutagePolicy struct {
	GiveUpAfter Duration `json:"giveUpAfter,omitempty" yaml:"giveUpAfter,omitempty"`
	NotifyAfter Duration `json:"notifyAfter,omitempty" yaml:"notifyAfter,omitempty"`
	MaxBackoff  Duration `json:"maxBackoff,omitempty" yaml:"maxBackoff,omitempty"`
}

// WithDefaults fills in the unset durations.
func (p OutagePolicy) WithDefaults() OutagePolicy {
	if p.GiveUpAfter == 0 {
		p.GiveUpAfter = Duration(DefaultGiveUpAfter)
	}
	if p.NotifyAfter == 0 {
		p.NotifyAfter = Duration(DefaultNotifyAfter)
	}
	if p.MaxBackoff == 0 {
		p.MaxBackoff = Duration(DefaultMaxBackoff)
	}
	return p
}

// validate reports durations that cannot work.
func (p OutagePolicy) validate(bad func(field, format string, args ...any)) {
	for _, d := range []struct {
		field string
		v     Duration
	}{{"outage.giveUpAfter", p.GiveUpAfter}, {"outage.notifyAfter", p.NotifyAfter}, {"outage.maxBackoff", p.MaxBackoff}} {
		if d.v < 0 {
			bad(d.field, "must not be negative")
		}
	}
	if p.MaxBackoff > 0 && p.GiveUpAfter > 0 && p.MaxBackoff > p.GiveUpAfter {
		bad("outage.maxBackoff", "%s is longer than giveUpAfter %s", p.MaxBackoff, p.GiveUpAfter)
	}
}

// Duration is a time.Duration written as Go writes durations ("30m",
// "24h") in YAML and JSON.
type Duration time.Duration

// String writes d as Go does.
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalJSON writes d as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a string such as "30m", or a number of nanoseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var n int64
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("a duration is a string such as \"30m\" or \"24h\"")
		}
		*d = Duration(n)
		return nil
	}
	return d.parse(s)
}

// MarshalYAML writes d as a string.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// UnmarshalYAML reads a string such as "30m".
func (d *Duration) UnmarshalYAML(unmarshal func(any) error) error {
	var s string
	if err := unmarshal(&s); err != nil {
		return fmt.Errorf("a duration is a string such as \"30m\" or \"24h\"")
	}
	return d.parse(s)
}

func (d *Duration) parse(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration such as \"30m\" or \"24h\"", s)
	}
	*d = Duration(v)
	return nil
}
