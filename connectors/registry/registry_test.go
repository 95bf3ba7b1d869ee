package registry

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors/scim"
	"github.com/hrsync/hrsync/integration"
)

func TestSecrets(t *testing.T) {
	t.Setenv("HRSYNC_TEST_TOKEN", "t0k")
	s := StaticSecrets{Values: map[string]string{"dev:scim": "dev-token"}, Next: EnvSecrets{}}

	got, err := s.Secret("dev:scim")
	require.NoError(t, err)
	require.Equal(t, "dev-token", got)
	got, err = s.Secret("env:HRSYNC_TEST_TOKEN")
	require.NoError(t, err)
	require.Equal(t, "t0k", got)

	_, err = s.Secret("env:HRSYNC_TEST_MISSING")
	require.ErrorContains(t, err, "environment variable HRSYNC_TEST_MISSING is not set on the worker")
	_, err = s.Secret("vault:scim")
	require.ErrorContains(t, err, "credential vault:scim: no store for it")
	_, err = StaticSecrets{}.Secret("dev:other")
	require.ErrorContains(t, err, "credential dev:other: unknown")
}

func TestTargetKinds(t *testing.T) {
	t.Setenv("SCIM_BASIC", "svc:pa55")
	r := New(nil, nil)
	tgt, err := r.Target(integration.Endpoint{Kind: "scim", URL: "https://acme.example/scim/v2",
		CredentialRef: "env:SCIM_BASIC", Auth: "basic"})
	require.NoError(t, err)
	require.IsType(t, &scim.Client{}, tgt)

	_, err = r.Target(integration.Endpoint{Kind: "scim", URL: "https://acme.example/scim/v2", CredentialRef: "env:NOPE_NOT_SET"})
	require.ErrorContains(t, err, "NOPE_NOT_SET")
	_, err = r.Target(integration.Endpoint{Kind: "ldap", URL: "https://h"})
	require.ErrorContains(t, err, `no target connector of kind "ldap"`)
	_, err = r.Source(integration.Endpoint{Kind: "workday", URL: "https://h"})
	require.ErrorContains(t, err, `no source connector of kind "workday"`)
}

func TestSchemeSecrets(t *testing.T) {
	t.Setenv("HRSYNC_TEST_TOKEN", "t0k")
	s := SchemeSecrets{"env": EnvSecrets{}, "dev": StaticSecrets{Values: map[string]string{"dev:scim": "d"}}}
	got, err := s.Secret("env:HRSYNC_TEST_TOKEN")
	require.NoError(t, err)
	require.Equal(t, "t0k", got)
	got, err = s.Secret("dev:scim")
	require.NoError(t, err)
	require.Equal(t, "d", got)
	_, err = s.Secret("store:merge-acme")
	require.ErrorContains(t, err, `no "store" store is configured on this worker`)
}
