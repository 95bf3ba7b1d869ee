package main

import (
	"net/url"

	"github.com/hrsync/hrsync/integration"
)

// redacted stands in for a secret the CLI does not print.
const redacted = "REDACTED"

// redactConfig is cfg as the CLI shows it: URLs keep their scheme, host and
// path, but a password or query they carry is replaced, and a webhook, whose
// path often is its token, shows only where it goes.
func redactConfig(cfg integration.Config) integration.Config {
	cfg.Source.URL = redactURL(cfg.Source.URL, false)
	cfg.Target.URL = redactURL(cfg.Target.URL, false)
	if o := cfg.Source.OAuth; o != nil {
		copied := *o
		copied.AuthURL, copied.TokenURL = redactURL(o.AuthURL, false), redactURL(o.TokenURL, false)
		cfg.Source.OAuth = &copied
	}
	if w := cfg.Notify.Webhook; w != nil {
		copied := *w
		copied.URL = redactURL(w.URL, true)
		cfg.Notify.Webhook = &copied
	}
	return cfg
}

// redactURL replaces the secrets raw may carry; with hidePath, the path too.
func redactURL(raw string, hidePath bool) string {
	u, err := url.Parse(raw)
	if err != nil || raw == "" {
		if raw == "" {
			return ""
		}
		return redacted
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), redacted)
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			q.Set(k, redacted)
		}
		u.RawQuery = q.Encode()
	}
	if hidePath && u.Path != "" && u.Path != "/" {
		u.Path, u.RawPath = "/"+redacted, ""
	}
	u.Fragment = ""
	return u.String()
}
