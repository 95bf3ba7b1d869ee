package integration

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/roster"
)

func valid() Config {
	return Config{
		ID:     "acme",
		Source: Endpoint{Kind: "demo", URL: "http://127.0.0.1:8280"},
		Target: Endpoint{Kind: "demo", URL: "http://127.0.0.1:8281"},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Config)
		want []string
	}{
		{"defaults are valid", func(*Config) {}, nil},
		{"missing id", func(c *Config) { c.ID = "" }, []string{"id: is required"}},
		{"id with slash", func(c *Config) { c.ID = "a/b" }, []string{`id: "a/b" must be lower-case`}},
		{"unknown source", func(c *Config) { c.Source.Kind = "workday" }, []string{`source.kind: "workday" is not one of demo`}},
		{"bad target url", func(c *Config) { c.Target.URL = "ftp://x" }, []string{`target.url: "ftp://x" must be an http(s) URL`}},
		{"bad cron", func(c *Config) { c.Schedule.Cron = "0 25 * * *" }, []string{`schedule: cron "0 25 * * *"`}},
		{"tz in cron", func(c *Config) { c.Schedule.Cron = "TZ=UTC 0 2 * * *" }, []string{"set the time zone in timeZone"}},
		{"bad zone", func(c *Config) { c.Schedule.TimeZone = "Asia/Nowhere" }, []string{`time zone "Asia/Nowhere"`}},
		{"bad first sync", func(c *Config) { c.Schedule.FirstSync = "tomorrow" }, []string{`schedule.firstSync: "tomorrow"`}},
		{"bad admin", func(c *Config) { c.Admins = []string{"ops"} }, []string{`admins[0]: "ops" is not an email address`}},
		{"several at once", func(c *Config) { c.ID = ""; c.Source.URL = "" }, []string{"id: is required", "source.url"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.mod(&c)
			err := c.Validate()
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			for _, w := range tt.want {
				require.ErrorContains(t, err, w)
			}
		})
	}
}

func TestNextRun(t *testing.T) {
	tests := []struct {
		name  string
		sched Schedule
		after time.Time
		want  time.Time
	}{
		{"daily 02:00 UTC later today", Schedule{}, time.Date(2026, 3, 10, 1, 0, 0, 0, time.UTC),
			time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)},
		{"daily 02:00 UTC tomorrow", Schedule{}, time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC),
			time.Date(2026, 3, 11, 2, 0, 0, 0, time.UTC)},
		{"Singapore 02:00 is 18:00 UTC", Schedule{TimeZone: "Asia/Singapore"}, time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC),
			time.Date(2026, 3, 10, 18, 0, 0, 0, time.UTC)},
		{"New York across DST start", Schedule{Cron: "30 6 * * *", TimeZone: "America/New_York"},
			time.Date(2026, 3, 7, 12, 0, 0, 0, time.UTC), time.Date(2026, 3, 8, 10, 30, 0, 0, time.UTC)},
		{"weekdays only", Schedule{Cron: "0 9 * * 1-5"}, time.Date(2026, 3, 13, 10, 0, 0, 0, time.UTC), // Friday
			time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.sched.NextRun(tt.after)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestFirstSyncAt(t *testing.T) {
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		first string
		want  time.Time
	}{
		{"", now},
		{FirstSyncNow, now},
		{FirstSyncOnCron, time.Date(2026, 3, 11, 2, 0, 0, 0, time.UTC)},
		{"2026-04-01T08:00:00+08:00", time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)},
	} {
		got, err := Schedule{FirstSync: tt.first}.FirstSyncAt(now)
		require.NoError(t, err)
		require.True(t, tt.want.Equal(got), "%q: got %s want %s", tt.first, got, tt.want)
	}
}

func TestWithDefaults(t *testing.T) {
	c := valid().WithDefaults()
	require.Equal(t, DefaultCron, c.Schedule.Cron)
	require.Equal(t, DefaultTimeZone, c.Schedule.TimeZone)
	require.True(t, c.Schedule.AutoSyncOn())
	require.Equal(t, FirstSyncNow, c.Schedule.FirstSync)
	require.Equal(t, 20.0, c.MassChange.MaxDeactivatePercent)
}

func TestValidateEndpoints(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"scim target", func(c *Config) {
			c.Target = Endpoint{Kind: "scim", URL: "https://acme.example/scim/v2", CredentialRef: "env:HRSYNC_SECRET_SCIM_TOKEN",
				SCIM: &SCIMOptions{UserNameFrom: "employeeNumber"}}
		}, ""},
		{"a secret where a reference belongs", func(c *Config) { c.Target.CredentialRef = "s3cr3t-token value" },
			`target.credentialRef: "s3cr3t-token value" must be <store>:<name>`},
		{"unknown auth", func(c *Config) { c.Target.Auth = "oauth" }, `target.auth: "oauth" must be bearer or basic`},
		{"scim options on a demo target", func(c *Config) { c.Target.SCIM = &SCIMOptions{} }, "target.scim: is only for a scim target"},
		{"userName from a name", func(c *Config) {
			c.Target = Endpoint{Kind: "scim", URL: "https://h", SCIM: &SCIMOptions{UserNameFrom: "firstName"}}
		}, `target.scim.userNameFrom: "firstName"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.mod(&c)
			err := c.Validate()
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestValidateStatusMap(t *testing.T) {
	tests := []struct {
		name string
		kind string
		m    map[string]string
		want []string
	}{
		{"any case of active or inactive", "csv", map[string]string{"On Leave": "Active", "Terminated": " inactive"}, nil},
		{"not a status", "merge", map[string]string{"On Leave": "active", "Gone": "left"},
			[]string{`source.statusMap: "Gone" maps to "left"; it must be active or inactive`}},
		{"words differing only in case", "bamboohr", map[string]string{"Terminated": "inactive", "terminated ": "inactive"},
			[]string{`source.statusMap: "Terminated" and "terminated " are the same status word (case and space are ignored)`}},
		{"an empty word", "demo", map[string]string{" ": "inactive"}, []string{"source.statusMap: a status word is empty"}},
		{"justlogin has no status words", "justlogin", map[string]string{"false": "active"},
			[]string{"source.statusMap: justlogin's status is the isActive flag, which has no words to map"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			c.Source = Endpoint{Kind: tt.kind, URL: "https://hris.example", StatusMap: tt.m}
			if tt.kind == "csv" {
				c.Source.URL = "file:///data/employees.csv"
			}
			if tt.kind == "justlogin" {
				c.Source.OAuth = &OAuthOptions{ClientID: "c", TokenRef: "store:jl"}
			}
			err := c.Validate()
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			require.Equal(t, tt.want, strings.Split(err.Error(), "\n"))
		})
	}
}

func TestWithDefaultsGivesTheRulesTheStatusMap(t *testing.T) {
	c := valid()
	require.Nil(t, c.WithDefaults().Rules.StatusMap)
	c.Source.StatusMap = map[string]string{"On Leave": " Active", "Terminated": "inactive"}
	require.Equal(t, map[string]roster.Status{"On Leave": roster.StatusActive, "Terminated": roster.StatusInactive},
		c.WithDefaults().Rules.StatusMap)
	e, problems := c.WithDefaults().Rules.Normalize(roster.Record{ID: "E1", Values: map[string]string{"status": "terminated"}})
	require.Empty(t, problems)
	require.Equal(t, roster.StatusInactive, e.Status)
}

func TestValidateRefusesACronThatNeverFires(t *testing.T) {
	cfg := Config{ID: "acme", Source: Endpoint{Kind: "demo", URL: "http://h"}, Target: Endpoint{Kind: "demo", URL: "http://h"},
		Schedule: Schedule{Cron: "0 2 31 2 *"}}.WithDefaults()
	require.ErrorContains(t, cfg.Validate(), `schedule.cron: "0 2 31 2 *" never fires`)
	cfg.Schedule.Cron = "0 0 29 2 *" // leap days come within five years
	require.NoError(t, cfg.Validate())
}
