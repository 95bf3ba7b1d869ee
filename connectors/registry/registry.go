// Package registry builds the connector an integration's endpoint names. It
// is the one place that knows every connector package.
package registry

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/demo"
	"github.com/hrsync/hrsync/connectors/scim"
	"github.com/hrsync/hrsync/integration"
)

// Registry builds source and target clients that share one HTTP client and
// resolve their credentials through one Secrets.
type Registry struct {
	http    *http.Client
	secrets Secrets
}

var _ activities.Connectors = (*Registry)(nil)

// New returns a Registry whose clients use hc (nil means one with a
// 30-second timeout) and secrets (nil means the environment).
func New(hc *http.Client, secrets Secrets) *Registry {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	if secrets == nil {
		secrets = EnvSecrets{}
	}
	return &Registry{http: hc, secrets: secrets}
}

// secret resolves e's credential; an endpoint without one has none.
func (r *Registry) secret(e integration.Endpoint) (string, error) {
	if e.CredentialRef == "" {
		return "", nil
	}
	return r.secrets.Secret(e.CredentialRef)
}

// Source returns a client for the HRIS endpoint e.
func (r *Registry) Source(e integration.Endpoint) (connectors.Source, error) {
	switch e.Kind {
	case "demo":
		secret, err := r.secret(e)
		if err != nil {
			return nil, err
		}
		return demo.NewSource(demo.SourceConfig{BaseURL: e.URL, Token: secret, HTTPClient: r.http}), nil
	}
	return nil, fmt.Errorf("no source connector of kind %q", e.Kind)
}

// Target returns a client for the directory endpoint e.
func (r *Registry) Target(e integration.Endpoint) (connectors.Target, error) {
	secret, err := r.secret(e)
	if err != nil {
		return nil, err
	}
	switch e.Kind {
	case "demo":
		return demo.NewTarget(demo.TargetConfig{BaseURL: e.URL, Token: secret, HTTPClient: r.http}), nil
	case "scim":
		cfg := scim.Config{BaseURL: e.URL, HTTPClient: r.http}
		if e.Auth == "basic" {
			user, password, _ := strings.Cut(secret, ":")
			cfg.Username, cfg.Password = user, password
		} else {
			cfg.Token = secret
		}
		if o := e.SCIM; o != nil {
			cfg.UserNameFrom, cfg.CustomSchema, cfg.DeleteOnDeactivate = o.UserNameFrom, o.CustomSchema, o.DeleteOnDeactivate
		}
		return scim.New(cfg)
	}
	return nil, fmt.Errorf("no target connector of kind %q", e.Kind)
}
