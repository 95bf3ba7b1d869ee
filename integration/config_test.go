package integration

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/notify"
	"github.com/hrsync/hrsync/roster"
)

func valid() Config {
	return Config{
		ID:     "acme",
		Source: Endpoint{Kind: "demo", URL: "http://127.0.0.1:8280"},
		Target: Endpoint{Kind: "demo", URL: "http://127.0.0.1:8281"},
	}
}

// validateCase is valid() changed by mod, and the problems Validate must
// report, each naming its field; none means valid.
type validateCase struct {
	name string
	mod  func(*Config)
	want []string
}

// checkValidate runs each case; no error repeats the token a URL holds.
func checkValidate(t *testing.T, tests []validateCase) {
	t.Helper()
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
			require.NotContains(t, err.Error(), "T0K3N")
		})
	}
}

func TestValidate(t *testing.T) {
	checkValidate(t, []validateCase{
		{"defaults are valid", func(*Config) {}, nil},
		{"missing id", func(c *Config) { c.ID = "" }, []string{"id: is required"}},
		{"id with slash", func(c *Config) { c.ID = "a/b" }, []string{`id: "a/b" must be lower-case`}},
		{"unknown source", func(c *Config) { c.Source.Kind = "workday" }, []string{`source.kind: "workday" is not one of demo`}},
		{"bad target url", func(c *Config) { c.Target.URL = "ftp://x" }, []string{`target.url: the scheme must be https (or http to a loopback host), not "ftp"`}},
		{"bad cron", func(c *Config) { c.Schedule.Cron = "0 25 * * *" }, []string{`schedule: cron "0 25 * * *"`}},
		{"tz in cron", func(c *Config) { c.Schedule.Cron = "TZ=UTC 0 2 * * *" }, []string{"set the time zone in timeZone"}},
		{"bad zone", func(c *Config) { c.Schedule.TimeZone = "Asia/Nowhere" }, []string{`time zone "Asia/Nowhere"`}},
		{"bad first sync", func(c *Config) { c.Schedule.FirstSync = "tomorrow" }, []string{`schedule.firstSync: "tomorrow"`}},
		{"bad admin", func(c *Config) { c.Admins = []string{"ops"} }, []string{`admins[0]: "ops" is not an email address`}},
		{"several at once", func(c *Config) { c.ID = ""; c.Source.URL = "" }, []string{"id: is required", "source.url"}},
	})
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

func TestValidateDestinations(t *testing.T) {
	checkValidate(t, []validateCase{
		{"https anywhere", func(c *Config) {
			c.Source.URL, c.Target.URL = "https://hris.acme.example/api", "https://10.2.0.7/scim/v2"
		}, nil},
		{"http on loopback, as dev mode and tests", func(c *Config) {
			c.Source.URL, c.Target.URL = "http://localhost:8280", "http://[::1]:8281"
		}, nil},
		{"http elsewhere", func(c *Config) { c.Source.URL = "http://example.com" },
			[]string{"source.url: http://example.com would send in the clear: use https"}},
		{"http to a private address", func(c *Config) { c.Target.URL = "http://192.168.1.20/scim/v2" },
			[]string{"target.url: http://192.168.1.20 would send in the clear"}},
		{"the metadata service", func(c *Config) { c.Target.URL = "https://169.254.169.254/" },
			[]string{"target.url: 169.254.169.254 is a link-local address, where cloud metadata services answer, which hrsync never sends to"}},
		{"a metadata host name", func(c *Config) { c.Source.URL = "http://metadata.google.internal/computeMetadata/v1" },
			[]string{"source.url: metadata.google.internal is a cloud metadata host"}},
		{"ftp", func(c *Config) { c.Source.URL = "ftp://files.acme.example/export" },
			[]string{`source.url: the scheme must be https (or http to a loopback host), not "ftp"`}},
		{"no url", func(c *Config) { c.Target.URL = "" }, []string{"target.url: is required"}},
		{"oauth endpoints", func(c *Config) {
			c.Source = Endpoint{Kind: "justlogin", URL: "https://apis.justlogin.example/v1",
				OAuth: &OAuthOptions{ClientID: "c", TokenRef: "store:jl",
					AuthURL: "http://login.justlogin.example/authorize", TokenURL: "https://[fd00:ec2::254]/token"}}
		}, []string{"source.oauth.authUrl: http://login.justlogin.example would send in the clear",
			"source.oauth.tokenUrl: fd00:ec2::254 is a cloud metadata address"}},
		{"webhook", func(c *Config) {
			c.Notify.Webhook = &notify.WebhookConfig{URL: "http://hooks.acme.example/T0K3N"}
		}, []string{"notify.webhook.url: http://hooks.acme.example would send in the clear"}},
		{"a csv source is a file", func(c *Config) { c.Source = Endpoint{Kind: "csv", URL: "file:///srv/hris.csv"} }, nil},
	})
}

// A configuration stored before the destination rules keeps passing the
// check its workflow runs on every continue-as-new, so the integration and
// its history survive; the worker refuses the destination when it connects.
func TestValidateStoredKeepsOlderConfigsRunning(t *testing.T) {
	c := valid()
	c.Source.URL, c.Target.URL = "http://hris.acme.example", "https://169.254.169.254/scim/v2"
	c.Source = Endpoint{Kind: "justlogin", URL: "http://apis.justlogin.example",
		OAuth: &OAuthOptions{ClientID: "c", TokenRef: "store:jl", TokenURL: "http://login.justlogin.example/token"}}
	c.Notify.Webhook = &notify.WebhookConfig{URL: "http://hooks.acme.example/T0K3N"}
	c = c.WithDefaults()
	require.NoError(t, c.ValidateStored())
	err := c.Validate()
	for _, want := range []string{"source.url: http://apis.justlogin.example would send in the clear",
		"source.oauth.tokenUrl: http://login.justlogin.example would send in the clear",
		"target.url: 169.254.169.254 is a link-local address", "notify.webhook.url: http://hooks.acme.example would send"} {
		require.ErrorContains(t, err, want)
	}
	c.Target.URL = "ftp://x"
	require.ErrorContains(t, c.ValidateStored(), "target.url: must be an http(s) URL with a host")
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

func TestValidateInvite(t *testing.T) {
	login := &notify.InviteTemplate{LoginURL: "https://app.acme.example/login"}
	email := &notify.EmailConfig{SMTPAddr: "127.0.0.1:25", From: "hrsync@acme.example"}
	checkValidate(t, []validateCase{
		{name: "unset is never", mod: func(*Config) {}},
		{name: "first-sync by email", mod: func(c *Config) {
			c.Target.Invite, c.Target.InviteTemplate, c.Notify.Email = InviteFirstSync, login, email
		}},
		{name: "always by webhook", mod: func(c *Config) {
			c.Target.Invite, c.Target.InviteTemplate = InviteAlways, login
			c.Notify.Webhook = &notify.WebhookConfig{URL: "https://hooks.acme.example/x"}
		}},
		{name: "unknown mode", mod: func(c *Config) { c.Target.Invite = "sometimes" },
			want: []string{`target.invite: "sometimes" must be never, first-sync or always`}},
		{name: "no login URL, no channel", mod: func(c *Config) { c.Target.Invite = InviteAlways },
			want: []string{"target.inviteTemplate.loginUrl: is required when target.invite is always",
				"target.invite: always needs notify.email or notify.webhook"}},
		{name: "bad template", mod: func(c *Config) {
			c.Target.Invite, c.Notify.Email = InviteFirstSync, email
			c.Target.InviteTemplate = &notify.InviteTemplate{Subject: "{{", Body: "{{nickname}}", LoginURL: "mailto:x"}
		}, want: []string{"target.inviteTemplate.subject: ", "target.inviteTemplate.loginUrl: must be an absolute http(s) URL"}},
		{name: "source invites", mod: func(c *Config) { c.Source.Invite = InviteAlways },
			want: []string{"source.invite: invitations are a target's setting"}},
	})
	// A configuration stored before invitations still runs.
	c := valid()
	require.NoError(t, c.WithDefaults().ValidateStored())
}

func TestValidateRefusesACronThatNeverFires(t *testing.T) {
	cfg := Config{ID: "acme", Source: Endpoint{Kind: "demo", URL: "https://h"}, Target: Endpoint{Kind: "demo", URL: "https://h"},
		Schedule: Schedule{Cron: "0 2 31 2 *"}}.WithDefaults()
	require.ErrorContains(t, cfg.Validate(), `schedule.cron: "0 2 31 2 *" never fires`)
	require.NoError(t, cfg.ValidateStored(), "a stored integration is left running")
	cfg.Schedule.Cron = "0 0 29 2 *" // leap days come within five years
	require.NoError(t, cfg.Validate())
}
