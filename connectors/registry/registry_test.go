package registry

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors/scim"
	"github.com/hrsync/hrsync/credentials"
	"github.com/hrsync/hrsync/integration"
)

// acme is a use of a secret by integration acme against acme's directory.
var acme = credentials.Use{Integration: "acme", Hosts: []string{"scim.acme.example"}}

func TestSecrets(t *testing.T) {
	t.Setenv("HRSYNC_SECRET_TOKEN", "t0k")
	t.Setenv("HRSYNC_SECRET_TOKEN_HOSTS", "scim.acme.example, other.example:8443")
	t.Setenv("HRSYNC_SECRET_UNBOUND", "t0k")
	t.Setenv("HRSYNC_PAYLOAD_KEY", "k1:c2VjcmV0")
	t.Setenv("SCIM_TOKEN", "t0k")
	s := StaticSecrets{Values: map[string]string{"dev:scim": "dev-token"},
		Hosts: map[string][]string{"dev:scim": {"127.0.0.1"}}, Next: EnvSecrets{}}

	got, err := s.Secret("dev:scim", credentials.Use{Hosts: []string{"127.0.0.1:8281"}})
	require.NoError(t, err)
	require.Equal(t, "dev-token", got)
	got, err = s.Secret("env:HRSYNC_SECRET_TOKEN", acme)
	require.NoError(t, err)
	require.Equal(t, "t0k", got)
	got, err = s.Secret("env:HRSYNC_SECRET_TOKEN", credentials.Use{Hosts: []string{"other.example:8443"}})
	require.NoError(t, err)
	require.Equal(t, "t0k", got)

	for ref, want := range map[string]string{
		"env:HRSYNC_SECRET_MISSING":     "environment variable HRSYNC_SECRET_MISSING is not set on the worker",
		"env:HRSYNC_SECRET_UNBOUND":     "HRSYNC_SECRET_UNBOUND is bound to no host: list the hosts it may be sent to in HRSYNC_SECRET_UNBOUND_HOSTS",
		"env:HRSYNC_PAYLOAD_KEY":        "HRSYNC_PAYLOAD_KEY cannot be referenced",
		"env:SCIM_TOKEN":                "SCIM_TOKEN cannot be referenced",
		"env:HRSYNC_SECRET_TOKEN_HOSTS": "names the hosts of a secret",
		"vault:scim":                    "credential vault:scim: no store for it",
	} {
		_, err := s.Secret(ref, acme)
		require.ErrorContains(t, err, want, ref)
	}
	// Elsewhere, even on another port of a bound host, they are refused.
	for ref, use := range map[string]credentials.Use{
		"env:HRSYNC_SECRET_TOKEN": {Hosts: []string{"attacker.example"}},
		"dev:scim":                {Hosts: []string{"169.254.169.254"}},
	} {
		_, err := s.Secret(ref, use)
		require.ErrorContains(t, err, "not to", ref)
	}
	_, err = s.Secret("env:HRSYNC_SECRET_TOKEN", credentials.Use{Hosts: []string{"other.example:443"}})
	require.ErrorContains(t, err, "not to other.example:443")
	_, err = StaticSecrets{}.Secret("dev:other", acme)
	require.ErrorContains(t, err, "credential dev:other: unknown")
}

// TestCredentialsGoOnlyWhereBound builds every connector through the
// registry with a credential bound elsewhere: each is refused before a
// request is made, and where a connector sends its secret is the host
// checked (JustLogin's client secret goes to the token endpoint only).
func TestCredentialsGoOnlyWhereBound(t *testing.T) {
	t.Setenv("HRSYNC_SECRET_KEY", "k:t")
	t.Setenv("HRSYNC_SECRET_KEY_HOSTS", "api.merge.dev,acme.bamboohr.com,scim.acme.example,auth.example")
	r := New(nil, nil)
	ok := func(_ any, err error) { t.Helper(); require.NoError(t, err) }
	refused := func(_ any, err error) { t.Helper(); require.ErrorContains(t, err, "may be sent to") }
	ref := "env:HRSYNC_SECRET_KEY"
	ok(r.Source("acme", integration.Endpoint{Kind: "merge", CredentialRef: ref}))
	refused(r.Source("acme", integration.Endpoint{Kind: "merge", URL: "https://merge.attacker.example", CredentialRef: ref}))
	ok(r.Source("acme", integration.Endpoint{Kind: "bamboohr", URL: "https://acme.bamboohr.com", CredentialRef: ref}))
	refused(r.Source("acme", integration.Endpoint{Kind: "bamboohr", URL: "https://evil.bamboohr.com", CredentialRef: ref}))
	refused(r.Source("acme", integration.Endpoint{Kind: "demo", URL: "http://127.0.0.1:9", CredentialRef: ref}))
	ok(r.Target("acme", integration.Endpoint{Kind: "scim", URL: "https://scim.acme.example/scim/v2", CredentialRef: ref}))
	refused(r.Target("acme", integration.Endpoint{Kind: "scim", URL: "https://scim.attacker.example/scim/v2", CredentialRef: ref}))
	refused(r.Source("acme", integration.Endpoint{Kind: "justlogin", URL: "https://apis.example", CredentialRef: ref,
		OAuth: &integration.OAuthOptions{ClientID: "c", TokenRef: "store:jl", TokenURL: "https://token.attacker.example/t"}}))
}

func TestTargetKinds(t *testing.T) {
	t.Setenv("HRSYNC_SECRET_SCIM_BASIC", "svc:pa55")
	t.Setenv("HRSYNC_SECRET_SCIM_BASIC_HOSTS", "acme.example")
	r := New(nil, nil)
	tgt, err := r.Target("acme", integration.Endpoint{Kind: "scim", URL: "https://acme.example/scim/v2",
		CredentialRef: "env:HRSYNC_SECRET_SCIM_BASIC", Auth: "basic"})
	require.NoError(t, err)
	require.IsType(t, &scim.Client{}, tgt)

	_, err = r.Target("acme", integration.Endpoint{Kind: "scim", URL: "https://acme.example/scim/v2", CredentialRef: "env:HRSYNC_SECRET_NOPE_NOT_SET"})
	require.ErrorContains(t, err, "NOPE_NOT_SET")
	_, err = r.Target("acme", integration.Endpoint{Kind: "ldap", URL: "https://h"})
	require.ErrorContains(t, err, `no target connector of kind "ldap"`)
	_, err = r.Source("acme", integration.Endpoint{Kind: "workday", URL: "https://h"})
	require.ErrorContains(t, err, `no source connector of kind "workday"`)
}

func TestSchemeSecrets(t *testing.T) {
	t.Setenv("HRSYNC_SECRET_TOKEN", "t0k")
	t.Setenv("HRSYNC_SECRET_TOKEN_HOSTS", "scim.acme.example")
	s := SchemeSecrets{"env": EnvSecrets{}, "dev": StaticSecrets{Values: map[string]string{"dev:scim": "d"},
		Hosts: map[string][]string{"dev:scim": {"scim.acme.example"}}}}
	got, err := s.Secret("env:HRSYNC_SECRET_TOKEN", acme)
	require.NoError(t, err)
	require.Equal(t, "t0k", got)
	got, err = s.Secret("dev:scim", acme)
	require.NoError(t, err)
	require.Equal(t, "d", got)
	_, err = s.Secret("store:merge-acme", acme)
	require.ErrorContains(t, err, `no "store" store is configured on this worker`)
}

// TestCSVSourcesReadOnlyUnderTheirRoots: a configuration naming a file
// outside the worker's CSV folders — its keys, /etc/passwd, or a link
// pointing out of the folder — is refused before anything is read.
func TestCSVSourcesReadOnlyUnderTheirRoots(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	exports := filepath.Join(dir, "exports")
	require.NoError(t, os.Mkdir(exports, 0o700))
	key := filepath.Join(outside, "credentials.key")
	require.NoError(t, os.WriteFile(key, []byte("k1:secret\n"), 0o600))
	require.NoError(t, os.Symlink(key, filepath.Join(exports, "link.csv")))
	require.NoError(t, os.WriteFile(filepath.Join(exports, "hr.csv"), []byte("id\n1\n"), 0o600))
	csv := func(path string) integration.Endpoint {
		return integration.Endpoint{Kind: "csv", URL: "file://" + path}
	}

	_, err := New(nil, nil).Source("acme", csv(filepath.Join(exports, "hr.csv")))
	require.ErrorContains(t, err, "this worker reads no CSV files: start it with --csv-dir")

	r := New(nil, nil).WithFileRoots(exports)
	_, err = r.Source("acme", csv(filepath.Join(exports, "hr.csv")))
	require.NoError(t, err)
	_, err = r.Source("acme", csv(filepath.Join(exports, "not-yet.csv")))
	require.NoError(t, err, "an export that has not arrived is the fetch's (retryable) problem")
	for _, path := range []string{key, "/etc/passwd", filepath.Join(exports, "link.csv"),
		filepath.Join(exports, "..", "exports-other.csv"), exports + "-other/x.csv"} {
		_, err := r.Source("acme", csv(path))
		require.ErrorContains(t, err, "outside the folders this worker reads CSV files from", path)
	}
}
