package main

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/codec"
	"github.com/hrsync/hrsync/connectors/demo/demotest"
	"github.com/hrsync/hrsync/connectors/registry"
	"github.com/hrsync/hrsync/connectors/scim/scimtest"
	"github.com/hrsync/hrsync/credentials"
)

// The shipped example, as a new admin runs it against `worker --dev`: the
// demo HRIS at :8280 and the SCIM directory at :8281, whose token the
// worker knows as dev:scim. Only the ports differ, as this test's are free
// ones.
func TestExampleSyncsAgainstDevMode(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal server; skipped with -short")
	}
	hris, err := demotest.NewHRIS(demotest.HRISOptions{Employees: 25, Seed: 1})
	require.NoError(t, err)
	hrisSrv := httptest.NewServer(hris)
	defer hrisSrv.Close()
	const token = "dev-scim-token"
	directory, err := scimtest.New(scimtest.Options{DBPath: filepath.Join(t.TempDir(), "scim.db"), Token: token})
	require.NoError(t, err)
	dirSrv := httptest.NewServer(directory)
	defer dirSrv.Close()
	// As dev mode's worker holds them: the token, for the directory only.
	stk := startStack(t, registry.StaticSecrets{
		Values: map[string]string{"dev:scim": token},
		Hosts:  map[string][]string{"dev:scim": credentials.UseFor("", dirSrv.URL).Hosts},
	})
	t.Setenv(codec.KeyEnv, stk.payloadKey)

	data, err := os.ReadFile(filepath.Join("..", "examples", "integration.yaml"))
	require.NoError(t, err)
	example := string(data)
	require.Contains(t, example, "url: http://127.0.0.1:8280\n")
	require.Contains(t, example, "url: http://127.0.0.1:8281/scim/v2\n")
	require.Contains(t, example, "credentialRef: dev:scim\n")
	example = strings.Replace(example, "http://127.0.0.1:8280", hrisSrv.URL, 1)
	example = strings.Replace(example, "http://127.0.0.1:8281", dirSrv.URL, 1)
	cfg := filepath.Join(stk.dir, "integration.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(example), 0o600))

	out, err := starter("create", "--file", cfg)
	require.NoError(t, err)
	require.Equal(t, "created integration acme\n", out)
	out, err = starter("sync", "acme", "--wait")
	require.NoError(t, err)
	require.Contains(t, out, "integration/acme/sync/1 Completed in")
	require.Regexp(t, `applied: create \d+; failed 0; problems 0`, out)
}
