package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/codec"
	"github.com/hrsync/hrsync/credentials"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/notify"
	"github.com/hrsync/hrsync/store"
)

// storeWith makes a store holding credentials id → kind, bound to host h,
// sealed with nothing in particular: checking references never opens them.
func storeWith(t *testing.T, creds map[string]string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hrsync.db")
	st, err := store.OpenSQLite(context.Background(), path)
	require.NoError(t, err)
	defer st.Close()
	for id, kind := range creds {
		require.NoError(t, st.PutCredential(context.Background(),
			store.SealedCredential{ID: id, Kind: kind, Sealed: []byte("x"), Hosts: []string{"h"}}))
	}
	return path
}

func TestCreateAndUpdateCheckCredentialRefs(t *testing.T) {
	ctx := context.Background()
	c := &cli{storePath: storeWith(t, map[string]string{"scim-acme": "bearer-token", "jl": "oauth-token"})}
	{
		st, err := store.OpenSQLite(ctx, c.storePath)
		require.NoError(t, err)
		require.NoError(t, st.PutCredential(ctx, store.SealedCredential{ID: "elsewhere", Kind: "bearer-token",
			Sealed: []byte("x"), Hosts: []string{"scim.globex.example"}}))
		require.NoError(t, st.PutCredential(ctx, store.SealedCredential{ID: "globex-only", Kind: "bearer-token",
			Sealed: []byte("x"), Hosts: []string{"h"}, Integrations: []string{"globex"}}))
		require.NoError(t, st.PutCredential(ctx, store.SealedCredential{ID: "unbound", Kind: "bearer-token", Sealed: []byte("x")}))
		require.NoError(t, st.Close())
	}
	config := func(target, source, token string) integration.Config {
		cfg := integration.Config{ID: "acme",
			Source: integration.Endpoint{Kind: "demo", URL: "https://h", CredentialRef: source},
			Target: integration.Endpoint{Kind: "scim", URL: "https://h", CredentialRef: target}}
		if token != "" {
			cfg.Source.Kind = "justlogin"
			cfg.Source.OAuth = &integration.OAuthOptions{ClientID: "c", TokenRef: token, TokenURL: "http://h/token"}
		}
		return cfg
	}

	// env: names the worker's environment, which the starter cannot see.
	require.NoError(t, c.checkRefs(ctx, "f", config("store:scim-acme", "env:HRSYNC_SECRET_UNSET_ANYWHERE", "store:jl"), false))
	require.NoError(t, c.checkRefs(ctx, "f", config("dev:scim", "dev:source", ""), false))

	for _, tc := range []struct{ target, source, token, want string }{
		{"store:nope", "", "", "target.credentialRef: store:nope is not in the worker's store; store it with `starter connect`"},
		{"vault:scim", "", "", `target.credentialRef: "vault:scim": unknown credential store "vault" (known: store, env, dev)`},
		{"env:1TOKEN", "", "", `"env:1TOKEN": "1TOKEN" is not an environment variable name`},
		{"env:SCIM_TOKEN", "", "", `"env:SCIM_TOKEN": SCIM_TOKEN cannot be referenced: only variables named HRSYNC_SECRET_<NAME> can`},
		{"env:HRSYNC_PAYLOAD_KEY", "", "", `HRSYNC_PAYLOAD_KEY cannot be referenced`},
		{"", "env:HRSYNC_CREDENTIALS_KEY", "", `source.credentialRef: "env:HRSYNC_CREDENTIALS_KEY": HRSYNC_CREDENTIALS_KEY cannot be referenced`},
		{"store:elsewhere", "", "", "target.credentialRef: store:elsewhere cannot be used here: it may be sent to scim.globex.example, not to h; bind it with `starter bind elsewhere --host …`"},
		{"store:globex-only", "", "", `target.credentialRef: store:globex-only cannot be used here: it is limited to integrations globex, not "acme"`},
		{"store:unbound", "", "", "target.credentialRef: store:unbound cannot be used here: it is bound to no host"},
		{"dev:other", "", "", `"dev:other": dev mode has no such secret`},
		{"store:jl", "", "", "target.credentialRef: store:jl holds an OAuth token"},
		{"", "", "store:scim-acme", "source.oauth.tokenRef: store:scim-acme holds a bearer-token, not an OAuth token"},
		{"", "", "env:HRSYNC_SECRET_JL_TOKEN", `source.oauth.tokenRef: "env:HRSYNC_SECRET_JL_TOKEN" must be store:<id>`},
		{"", "", "store:gone", "source.oauth.tokenRef: store:gone is not in the worker's store"},
	} {
		err := c.checkRefs(ctx, "f", config(tc.target, tc.source, tc.token), false)
		require.ErrorContains(t, err, "invalid config f:\n", "%+v", tc)
		require.ErrorContains(t, err, tc.want, "%+v", tc)
	}

	// Every bad reference is reported, not only the first.
	err := c.checkRefs(ctx, "f", config("store:nope", "store:nada", ""), false)
	require.ErrorContains(t, err, "source.credentialRef: store:nada is not in")
	require.ErrorContains(t, err, "target.credentialRef: store:nope is not in")

	// A store the starter cannot reach: a clear error, unless the lookup is
	// skipped; the syntax is checked either way. Without store: references
	// the store is not needed.
	far := &cli{storePath: filepath.Join(t.TempDir(), "elsewhere.db")}
	err = far.checkRefs(ctx, "f", config("store:scim-acme", "", ""), false)
	require.ErrorContains(t, err, "unable to check that store:scim-acme is stored: store ")
	require.ErrorContains(t, err, "point --store or HRSYNC_STORE at the worker's store (or pass --skip-credential-check)")
	require.NoError(t, far.checkRefs(ctx, "f", config("store:scim-acme", "", ""), true))
	require.ErrorContains(t, far.checkRefs(ctx, "f", config("vault:x", "", ""), true), "unknown credential store")
	require.NoError(t, far.checkRefs(ctx, "f", config("env:HRSYNC_SECRET_SCIM_TOKEN", "dev:source", ""), false))

	// Notifications may name only HRSYNC_SECRET_… variables too.
	withNotify := config("", "", "")
	withNotify.Notify = notify.Config{Webhook: &notify.WebhookConfig{URL: "https://hooks.example", SecretEnv: "HRSYNC_PAYLOAD_KEY"},
		Email: &notify.EmailConfig{SMTPAddr: "smtp.example:587", From: "a@b.example", Username: "u", PasswordEnv: "SMTP_PASSWORD", StartTLS: true}}
	err = c.checkRefs(ctx, "f", withNotify, false)
	require.ErrorContains(t, err, "notify.webhook.secretEnv: HRSYNC_PAYLOAD_KEY cannot be referenced")
	require.ErrorContains(t, err, "notify.email.passwordEnv: SMTP_PASSWORD cannot be referenced")

	// The commands check before they reach Temporal.
	t.Setenv("HRSYNC_STORE", c.storePath)
	t.Setenv("TEMPORAL_ADDRESS", "127.0.0.1:1")
	file := filepath.Join(t.TempDir(), "acme.yaml")
	require.NoError(t, os.WriteFile(file, []byte(`id: acme
source: {kind: demo, url: "https://h"}
target: {kind: scim, url: "https://h", credentialRef: "store:nope"}
`), 0o600))
	for _, verb := range []string{"create", "update"} {
		_, err := starter(verb, "--file", file)
		require.EqualError(t, err, fmt.Sprintf("invalid config %s:\ntarget.credentialRef: store:nope is not in the worker's store; store it with `starter connect`", file))
	}
	_, err = starter("disconnect", "scim-acme", "--store", filepath.Join(t.TempDir(), "none.db"))
	require.ErrorContains(t, err, "not found: point --store or HRSYNC_STORE at the worker's store")
}

func TestSharedCredentialsOutliveTheirIntegrations(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal server; skipped with -short")
	}
	ctx := context.Background()
	stk := startStack(t, nil)
	dir := stk.dir
	t.Setenv(codec.KeyEnv, stk.payloadKey)
	st, err := store.OpenSQLite(ctx, filepath.Join(dir, "hrsync.db"))
	require.NoError(t, err)
	defer st.Close()
	key, err := credentials.NewKey("k1")
	require.NoError(t, err)
	t.Setenv(credentials.KeyEnv, key.String())
	t.Setenv("SCIM_SECRET", "s3cret")
	for _, id := range []string{"shared", "solo"} {
		_, err := starter("connect", "scim", "--id", id, "--from-env", "SCIM_SECRET", "--host", "127.0.0.1")
		require.NoError(t, err)
	}
	stored := func(id string) bool {
		_, err := st.GetCredential(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return false
		}
		require.NoError(t, err)
		return true
	}
	config := func(id, ref string) string {
		p := filepath.Join(dir, id+".yaml")
		require.NoError(t, os.WriteFile(p, []byte(fmt.Sprintf(`id: %s
source: {kind: demo, url: "http://127.0.0.1:1"}
target: {kind: scim, url: "http://127.0.0.1:1", credentialRef: %q}
schedule: {firstSync: scheduled}
`, id, ref)), 0o600))
		return p
	}

	// A reference to a credential that is not stored creates nothing.
	_, err = starter("create", "--file", config("c", "store:missing"))
	require.ErrorContains(t, err, "target.credentialRef: store:missing is not in the worker's store")
	for _, id := range []string{"a", "b"} {
		_, err := starter("create", "--file", config(id, "store:shared"))
		require.NoError(t, err)
	}
	out, err := starter("list")
	require.NoError(t, err)
	require.NotContains(t, out, "\nc ")

	// Neither can the credential be disconnected while they use it.
	_, err = starter("disconnect", "shared")
	require.EqualError(t, err, "disconnect refused: credential in use: store:shared is used by integrations a, b; "+
		"change their references (starter update) or remove them first")
	require.True(t, stored("shared"))

	// Removing a while b uses its credential keeps the credential, and says
	// so.
	out, err = starter("remove", "a")
	require.NoError(t, err)
	require.Contains(t, out, "kept store:shared (still in use by b)")
	require.True(t, stored("shared"))

	// A credential only the removed integration used goes with it.
	_, err = starter("create", "--file", config("s", "store:solo"))
	require.NoError(t, err)
	out, err = starter("remove", "s")
	require.NoError(t, err)
	require.Contains(t, out, "1 stored credentials")
	require.False(t, stored("solo"))
	require.True(t, stored("shared"), "b still uses it")

	_, err = starter("disconnect", "store:shared")
	require.ErrorContains(t, err, "store:shared is used by integration b;")

	// Once nothing names it, a credential can be disconnected.
	_, err = starter("update", "--file", config("b", "env:HRSYNC_SECRET_SCIM_TOKEN"))
	require.NoError(t, err)
	out, err = starter("disconnect", "store:shared", "--json")
	require.NoError(t, err)
	require.JSONEq(t, `{"id": "shared", "kind": "bearer-token", "credentialRef": "store:shared", "deleted": true}`, out)
	require.False(t, stored("shared"))
	_, err = starter("disconnect", "shared")
	require.EqualError(t, err, "no credential store:shared in the worker's store")
	_, err = starter("connect", "scim", "--id", "spare", "--from-env", "SCIM_SECRET", "--host", "scim.acme.example")
	require.NoError(t, err)
	out, err = starter("disconnect", "spare")
	require.NoError(t, err)
	require.Equal(t, "deleted bearer-token credential store:spare\n", out)
	_, err = starter("disconnect", "bad id!")
	require.ErrorContains(t, err, `disconnect "bad id!": a credential id is`)
}
