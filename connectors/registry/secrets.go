package registry

import (
	"fmt"
	"os"
	"strings"
)

// Secrets resolves a credential reference ("<store>:<name>") to the secret
// it names. Configurations hold references only.
type Secrets interface {
	Secret(ref string) (string, error)
}

// EnvSecrets resolves "env:NAME" from the worker's environment.
type EnvSecrets struct{}

var _ Secrets = EnvSecrets{}

// Secret returns the value of the environment variable ref names.
func (EnvSecrets) Secret(ref string) (string, error) {
	name, ok := strings.CutPrefix(ref, "env:")
	if !ok {
		return "", fmt.Errorf("credential %s: no store for it (known: env)", ref)
	}
	v, ok := os.LookupEnv(name)
	if !ok || v == "" {
		return "", fmt.Errorf("credential %s: environment variable %s is not set on the worker", ref, name)
	}
	return v, nil
}

// StaticSecrets holds secrets the process made itself, such as dev mode's
// SCIM token, and asks Next for any other reference.
type StaticSecrets struct {
	Values map[string]string
	Next   Secrets
}

var _ Secrets = StaticSecrets{}

// Secret returns the held secret for ref, or Next's.
func (s StaticSecrets) Secret(ref string) (string, error) {
	if v, ok := s.Values[ref]; ok {
		return v, nil
	}
	if s.Next == nil {
		return "", fmt.Errorf("credential %s: unknown", ref)
	}
	return s.Next.Secret(ref)
}

// SchemeSecrets sends each reference to the Secrets of its store, named by
// the part before the colon ("env", "store", …).
type SchemeSecrets map[string]Secrets

var _ Secrets = SchemeSecrets{}

// Secret resolves ref through the Secrets of its scheme.
func (s SchemeSecrets) Secret(ref string) (string, error) {
	scheme, _, _ := strings.Cut(ref, ":")
	next, ok := s[scheme]
	if !ok || next == nil {
		return "", fmt.Errorf("credential %s: no %q store is configured on this worker", ref, scheme)
	}
	return next.Secret(ref)
}
