package notify_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/notify"
)

func TestConfigCheck(t *testing.T) {
	email := func(edit func(*notify.EmailConfig)) notify.Config {
		e := notify.EmailConfig{SMTPAddr: "smtp.acme.example:587", From: "hrsync@acme.example",
			To: []string{"ops@acme.example"}, Username: "hrsync", PasswordEnv: "HRSYNC_SECRET_SMTP_PASSWORD", StartTLS: true}
		if edit != nil {
			edit(&e)
		}
		return notify.Config{Email: &e}
	}
	webhook := func(edit func(*notify.WebhookConfig)) notify.Config {
		w := notify.WebhookConfig{URL: "https://hooks.acme.example/hrsync", SecretEnv: "HRSYNC_SECRET_WEBHOOK"}
		if edit != nil {
			edit(&w)
		}
		return notify.Config{Webhook: &w}
	}
	for _, tc := range []struct {
		name string
		cfg  notify.Config
		// want are the substrings of the error, each a separate problem;
		// none means valid.
		want []string
		// hidden must not appear in the error.
		hidden string
	}{
		{name: "no channels", cfg: notify.Config{}},
		{name: "valid email", cfg: email(nil)},
		{name: "valid webhook", cfg: webhook(nil)},
		{name: "both", cfg: notify.Config{Email: email(nil).Email, Webhook: webhook(nil).Webhook}},
		{name: "email minimal", cfg: email(func(e *notify.EmailConfig) { *e = notify.EmailConfig{SMTPAddr: "mail:25", From: "a@b.example"} })},
		{name: "email from with a name", cfg: email(func(e *notify.EmailConfig) { e.From = `"hrsync bot" <hrsync@acme.example>` })},
		{name: "email ipv6 host", cfg: email(func(e *notify.EmailConfig) { e.SMTPAddr = "[2001:db8::1]:587" })},
		{name: "auth on localhost without TLS", cfg: email(func(e *notify.EmailConfig) { e.SMTPAddr, e.StartTLS = "127.0.0.1:25", false })},
		{name: "webhook http", cfg: webhook(func(w *notify.WebhookConfig) { w.URL = "http://localhost:8080/hook" })},

		{name: "smtpAddr missing", cfg: email(func(e *notify.EmailConfig) { e.SMTPAddr = "" }),
			want: []string{"email.smtpAddr: is required"}},
		{name: "smtpAddr without port", cfg: email(func(e *notify.EmailConfig) { e.SMTPAddr = "smtp.acme.example" }),
			want: []string{`email.smtpAddr: "smtp.acme.example" must be host:port`}},
		{name: "smtpAddr without host", cfg: email(func(e *notify.EmailConfig) { e.SMTPAddr = ":25" }),
			want: []string{`email.smtpAddr: ":25" must be host:port`}},
		{name: "smtpAddr bad port", cfg: email(func(e *notify.EmailConfig) { e.SMTPAddr = "smtp.acme.example:99999" }),
			want: []string{`email.smtpAddr: "smtp.acme.example:99999" must be host:port with a port from 1 to 65535`}},
		{name: "smtpAddr named port", cfg: email(func(e *notify.EmailConfig) { e.SMTPAddr = "smtp.acme.example:smtp" }),
			want: []string{"email.smtpAddr:"}},
		{name: "from missing", cfg: email(func(e *notify.EmailConfig) { e.From = "" }),
			want: []string{"email.from: is required"}},
		{name: "from not an address", cfg: email(func(e *notify.EmailConfig) { e.From = "hrsync" }),
			want: []string{`email.from: "hrsync" is not an email address`}},
		{name: "to entries", cfg: email(func(e *notify.EmailConfig) {
			e.To = []string{"ok@acme.example", "nobody", "a@acme.example\r\nBcc: spy@evil.example"}
		}),
			want: []string{`email.to[1]: "nobody" is not an email address`, "email.to[2]:"}},
		{name: "username without passwordEnv", cfg: email(func(e *notify.EmailConfig) { e.PasswordEnv = "" }),
			want: []string{"email.passwordEnv: is required when email.username is set"}},
		{name: "passwordEnv without username", cfg: email(func(e *notify.EmailConfig) { e.Username = "" }),
			want: []string{"email.username: is required when email.passwordEnv is set"}},
		{name: "passwordEnv not a variable name", cfg: email(func(e *notify.EmailConfig) { e.PasswordEnv = "hunter2 is my password" }),
			want: []string{"email.passwordEnv: must name an environment variable"}, hidden: "hunter2"},
		{name: "auth without TLS over the network", cfg: email(func(e *notify.EmailConfig) { e.StartTLS = false }),
			want: []string{"email.startTLS: must be true when email.username is set"}},

		{name: "url missing", cfg: webhook(func(w *notify.WebhookConfig) { w.URL = "" }),
			want: []string{"webhook.url: is required"}},
		{name: "url not http", cfg: webhook(func(w *notify.WebhookConfig) { w.URL = "ftp://hooks.acme.example/T0K3N" }),
			want: []string{`webhook.url: the scheme must be https (or http to a loopback host), not "ftp"`}, hidden: "T0K3N"},
		{name: "url without host", cfg: webhook(func(w *notify.WebhookConfig) { w.URL = "https:///T0K3N" }),
			want: []string{"webhook.url: has no host"}, hidden: "T0K3N"},
		{name: "url http over the network", cfg: webhook(func(w *notify.WebhookConfig) { w.URL = "http://hooks.acme.example/T0K3N" }),
			want: []string{"webhook.url: http://hooks.acme.example would send in the clear: use https"}, hidden: "T0K3N"},
		{name: "url to the metadata service", cfg: webhook(func(w *notify.WebhookConfig) { w.URL = "https://169.254.169.254/T0K3N" }),
			want: []string{"webhook.url: 169.254.169.254 is a link-local address"}, hidden: "T0K3N"},
		{name: "url relative", cfg: webhook(func(w *notify.WebhookConfig) { w.URL = "/hooks/T0K3N" }),
			want: []string{"webhook.url:"}, hidden: "T0K3N"},
		{name: "url unparsable", cfg: webhook(func(w *notify.WebhookConfig) { w.URL = "https://hooks.acme.example/%zzT0K3N" }),
			want: []string{"webhook.url:"}, hidden: "T0K3N"},
		{name: "secretEnv not a variable name", cfg: webhook(func(w *notify.WebhookConfig) { w.SecretEnv = "MY-SECRET" }),
			want: []string{"webhook.secretEnv: must name an environment variable"}, hidden: "MY-SECRET"},

		{name: "every problem at once", cfg: notify.Config{
			Email:   &notify.EmailConfig{SMTPAddr: "x", To: []string{"y"}, Username: "u"},
			Webhook: &notify.WebhookConfig{URL: "mailto:x@y", SecretEnv: "1X"},
		}, want: []string{"email.smtpAddr:", "email.from:", "email.to[0]:", "email.passwordEnv:", "webhook.url:", "webhook.secretEnv:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Check()
			if len(tc.want) == 0 {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			lines := strings.Split(err.Error(), "\n")
			require.Len(t, lines, len(tc.want), "one line per problem: %v", err)
			for _, w := range tc.want {
				require.Contains(t, err.Error(), w)
			}
			if tc.hidden != "" {
				require.NotContains(t, err.Error(), tc.hidden)
			}
		})
	}
}

func TestConfigEncoding(t *testing.T) {
	const doc = `{
		"email": {"smtpAddr": "smtp.acme.example:587", "from": "hrsync@acme.example", "to": ["ops@acme.example"],
			"username": "hrsync", "passwordEnv": "HRSYNC_SECRET_SMTP_PASSWORD", "startTLS": true},
		"webhook": {"url": "https://hooks.acme.example/hrsync", "includePII": true, "secretEnv": "HRSYNC_SECRET_WEBHOOK"}
	}`
	want := notify.Config{
		Email: &notify.EmailConfig{SMTPAddr: "smtp.acme.example:587", From: "hrsync@acme.example", To: []string{"ops@acme.example"},
			Username: "hrsync", PasswordEnv: "HRSYNC_SECRET_SMTP_PASSWORD", StartTLS: true},
		Webhook: &notify.WebhookConfig{URL: "https://hooks.acme.example/hrsync", IncludePII: true, SecretEnv: "HRSYNC_SECRET_WEBHOOK"},
	}
	var got notify.Config
	require.NoError(t, json.Unmarshal([]byte(doc), &got))
	require.Equal(t, want, got)
	require.NoError(t, got.Check())
	b, err := json.Marshal(want)
	require.NoError(t, err)
	require.JSONEq(t, doc, string(b))

	// The YAML keys are the JSON ones.
	for _, v := range []any{notify.Config{}, notify.EmailConfig{}, notify.WebhookConfig{}} {
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			f := typ.Field(i)
			require.Equal(t, f.Tag.Get("json"), f.Tag.Get("yaml"), "%s.%s", typ.Name(), f.Name)
		}
	}
}
