package registry

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hrsync/hrsync/credentials"
	"github.com/hrsync/hrsync/integration"
)

// Secrets resolves a credential reference ("<store>:<name>") to the secret
// it names, for one use: an integration sending it to some hosts. A secret
// used outside its scope is refused. Configurations hold references only.
type Secrets interface {
	Secret(ref string, use credentials.Use) (string, error)
}

// EnvSecrets resolves "env:HRSYNC_SECRET_<NAME>" from the worker's
// environment, sending it only to the hosts listed in
// HRSYNC_SECRET_<NAME>_HOSTS (see credentials.EnvSecret).
type EnvSecrets struct{}

var _ Secrets = EnvSecrets{}

// Secret returns the value of the environment variable ref names.
func (EnvSecrets) Secret(ref string, use credentials.Use) (string, error) {
	name, ok := strings.CutPrefix(ref, "env:")
	if !ok {
		return "", fmt.Errorf("credential %s: no store for it (known: env)", ref)
	}
	v, err := credentials.EnvSecret(nil, name, use)
	if err != nil {
		return "", fmt.Errorf("credential %s: %w", ref, err)
	}
	return v, nil
}

// StaticSecrets holds secrets the process made itself, such as dev mode's
// SCIM token, each sendable only to its Hosts, and asks Next for any other
// reference.
type StaticSecrets struct {
	Values map[string]string
	// Hosts binds each of Values to the hosts it may be sent to; a value
	// without hosts is sent nowhere.
	Hosts map[string][]string
	Next  Secrets
}

var _ Secrets = StaticSecrets{}

// Secret returns the held secret for ref, or Next's.
func (s StaticSecrets) Secret(ref string, use credentials.Use) (string, error) {
	if v, ok := s.Values[ref]; ok {
		if err := (credentials.Scope{Hosts: s.Hosts[ref]}).Allows(use); err != nil {
			return "", fmt.Errorf("credential %s refused: %w", ref, err)
		}
		return v, nil
	}
	if s.Next == nil {
		return "", fmt.Errorf("credential %s: unknown", ref)
	}
	return s.Next.Secret(ref, use)
}

// SchemeSecrets sends each reference to the Secrets of its store, named by
// the part before the colon ("env", "store", …).
type SchemeSecrets map[string]Secrets

var _ Secrets = SchemeSecrets{}

// Secret resolves ref through the Secrets of its scheme.
func (s SchemeSecrets) Secret(ref string, use credentials.Use) (string, error) {
	scheme, _, _ := strings.Cut(ref, ":")
	next, ok := s[scheme]
	if !ok || next == nil {
		return "", fmt.Errorf("credential %s: no %q store is configured on this worker", ref, scheme)
	}
	return next.Secret(ref, use)
}

// Dev mode's own references: the secrets it makes itself and resolves only
// on a worker in dev mode.
const (
	DevSCIMRef   = "dev:scim"
	DevSourceRef = "dev:source"
)

// Ref is one credential reference a configuration names, and where.
type Ref struct {
	// Field is where the reference sits, such as "target.credentialRef".
	Field string
	// Ref is the reference itself, such as "store:scim-acme".
	Ref string
	// Token marks an OAuth token, which the worker saves back as it is
	// refreshed and so must be a stored credential.
	Token bool
	// Use is who sends the secret, and to which hosts.
	Use credentials.Use
}

// ConfigRefs lists the credential references cfg names — each endpoint's
// credentialRef and OAuth tokenRef — and where each will be sent.
func ConfigRefs(cfg integration.Config) []Ref {
	var refs []Ref
	for _, e := range []struct {
		field string
		ep    integration.Endpoint
		urls  []string
	}{{"source", cfg.Source, sourceURLs(cfg.Source)}, {"target", cfg.Target, []string{cfg.Target.URL}}} {
		if e.ep.CredentialRef != "" {
			refs = append(refs, Ref{Field: e.field + ".credentialRef", Ref: e.ep.CredentialRef,
				Use: credentials.UseFor(cfg.ID, e.urls...)})
		}
		if e.ep.OAuth != nil && e.ep.OAuth.TokenRef != "" {
			refs = append(refs, Ref{Field: e.field + ".oauth.tokenRef", Ref: e.ep.OAuth.TokenRef, Token: true,
				Use: credentials.UseFor(cfg.ID, tokenURLs(e.ep)...)})
		}
	}
	return refs
}

// StoredID returns the credential id of a "store:<id>" reference.
func StoredID(ref string) (string, bool) {
	id, ok := strings.CutPrefix(ref, credentials.RefPrefix)
	return id, ok && id != ""
}

// CheckRef says whether ref is well formed and names a store a worker can
// have: "store:<id>", "env:HRSYNC_SECRET_<NAME>" or one of dev mode's references. It does
// not look the secret up; where it lives may be out of the caller's reach.
func CheckRef(ref string) error {
	scheme, name, ok := strings.Cut(ref, ":")
	if !ok || scheme == "" || name == "" {
		return fmt.Errorf("%q must be <store>:<name>, such as store:scim-acme or env:HRSYNC_SECRET_SCIM_TOKEN", ref)
	}
	switch scheme {
	case "store":
		if err := credentials.CheckID(name); err != nil {
			return fmt.Errorf("%q: %w", ref, err)
		}
	case "env":
		if err := credentials.CheckEnvName(name); err != nil {
			return fmt.Errorf("%q: %w", ref, err)
		}
	case "dev":
		if ref != DevSCIMRef && ref != DevSourceRef {
			return fmt.Errorf("%q: dev mode has no such secret (it has %s and %s)", ref, DevSCIMRef, DevSourceRef)
		}
	default:
		return fmt.Errorf("%q: unknown credential store %q (known: store, env, dev)", ref, scheme)
	}
	return nil
}

// CheckConfigRefs checks every reference cfg names with CheckRef, that
// OAuth tokens are stored credentials, and that the environment variables
// its notifications name may be named; each problem names its field.
func CheckConfigRefs(cfg integration.Config) error {
	var errs []error
	for _, r := range ConfigRefs(cfg) {
		if err := CheckRef(r.Ref); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.Field, err))
			continue
		}
		if _, stored := StoredID(r.Ref); r.Token && !stored {
			errs = append(errs, fmt.Errorf("%s: %q must be store:<id>, as `starter connect justlogin` prints", r.Field, r.Ref))
		}
	}
	if e := cfg.Notify.Email; e != nil && e.PasswordEnv != "" {
		if err := credentials.CheckEnvName(e.PasswordEnv); err != nil {
			errs = append(errs, fmt.Errorf("notify.email.passwordEnv: %w", err))
		}
	}
	if w := cfg.Notify.Webhook; w != nil && w.SecretEnv != "" {
		if err := credentials.CheckEnvName(w.SecretEnv); err != nil {
			errs = append(errs, fmt.Errorf("notify.webhook.secretEnv: %w", err))
		}
	}
	return errors.Join(errs...)
}
