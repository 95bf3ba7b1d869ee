package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.uber.org/zap/zaptest"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/connectors/demo/demotest"
	"github.com/hrsync/hrsync/connectors/justlogin/justlogintest"
	"github.com/hrsync/hrsync/connectors/registry"
	"github.com/hrsync/hrsync/credentials"
	"github.com/hrsync/hrsync/devserver"
	"github.com/hrsync/hrsync/internal/keys"
	"github.com/hrsync/hrsync/notify/smtptest"
	"github.com/hrsync/hrsync/store"
	"github.com/hrsync/hrsync/workflows"
)

// starter runs the CLI with args and returns what it printed.
func starter(args ...string) (string, error) {
	var out bytes.Buffer
	cmd := newRootCmd(&out)
	cmd.SetArgs(args)
	cmd.SetErr(&out)
	err := cmd.Execute()
	return out.String(), err
}

func TestReadConfig(t *testing.T) {
	cfg, err := readConfig(filepath.Join("..", "examples", "integration.yaml"))
	require.NoError(t, err)
	require.Equal(t, "acme", cfg.ID)
	require.Equal(t, "Asia/Singapore", cfg.Schedule.TimeZone)

	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return p
	}
	_, err = readConfig(write("typo.yaml", "id: a\nsource: {kind: demo, url: 'https://h'}\ntarget: {kind: demo, url: 'https://h'}\nshedule: {}\n"))
	require.ErrorContains(t, err, "field shedule not found")
	_, err = readConfig(write("bad.json", `{"id":"A B","source":{"kind":"sap","url":"https://h"},"target":{"kind":"demo","url":"https://h"},"schedule":{"cron":"61 * * * *"}}`))
	require.ErrorContains(t, err, `id: "A B"`)
	require.ErrorContains(t, err, `source.kind: "sap"`)
	require.ErrorContains(t, err, `cron "61 * * * *"`)
	_, err = readConfig(filepath.Join(dir, "missing.yaml"))
	require.ErrorContains(t, err, "unable to read config")

	// A mapping reading a field the source does not supply is refused with
	// every other problem, the name meant suggested; a CSV's columns are
	// its own.
	file := write("mapping.yaml", `id: a
source: {kind: bamboohr, url: 'https://h'}
target: {kind: demo, url: 'https://h'}
admins: [nobody]
mapping: [{to: department, from: [departmnt]}]
`)
	_, err = readConfig(file)
	require.EqualError(t, err, "invalid config "+file+":\n"+`admins[0]: "nobody" is not an email address`+"\n"+
		`mapping[0].from: "departmnt" is not a field bamboohr supplies; did you mean "department"?`)
	_, err = readConfig(write("csv.yaml", `id: a
source: {kind: csv, url: 'file:///data/people.csv'}
target: {kind: demo, url: 'https://h'}
mapping: [{to: department, from: [departmnt]}]
`))
	require.NoError(t, err)
}

func TestCommandsAgainstTemporal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal server; skipped with -short")
	}
	ctx := context.Background()
	dir := t.TempDir()
	logger := zaptest.NewLogger(t)
	srv, err := devserver.Start(ctx, devserver.Options{DBPath: filepath.Join(dir, "temporal.db"),
		GRPCPort: 0, UIPort: -1, SearchAttributes: workflows.SearchAttributes(), Logger: logger})
	require.NoError(t, err)
	defer func() { _ = srv.Stop() }()
	t.Setenv("TEMPORAL_ADDRESS", srv.FrontendHostPort())
	c, err := client.Dial(client.Options{HostPort: srv.FrontendHostPort()})
	require.NoError(t, err)
	defer c.Close()
	st, err := store.OpenSQLite(ctx, filepath.Join(dir, "hrsync.db"))
	require.NoError(t, err)
	defer st.Close()
	w := worker.New(c, workflows.TaskQueue, worker.Options{})
	workflows.Register(w, &activities.Activities{Store: st, Connectors: registry.New(nil, nil)})
	require.NoError(t, w.Start())
	defer w.Stop()

	// Without the payload key, nothing reaches Temporal unless asked for.
	_, err = starter("create", "--data-dir", t.TempDir(), "--file", filepath.Join("..", "examples", "integration.yaml"))
	require.ErrorContains(t, err, "no payload key: the configuration would enter workflow history unencrypted")
	_, err = starter("status", "acme")
	require.Error(t, err, "nothing was created")

	// The example's first sync waits for its cron, so no HRIS is needed.
	out, err := starter("create", "--allow-plaintext-history", "--file", filepath.Join("..", "examples", "integration.yaml"))
	require.NoError(t, err)
	require.Equal(t, "created integration acme\n", out)
	_, err = starter("create", "--allow-plaintext-history", "--file", filepath.Join("..", "examples", "integration.yaml"))
	require.ErrorContains(t, err, "integration already exists: acme")

	out, err = starter("status", "acme", "--json")
	require.NoError(t, err)
	var status workflows.IntegrationStatus
	require.NoError(t, json.Unmarshal([]byte(out), &status))
	require.Equal(t, workflows.StatusIdle, status.Status)
	require.NotNil(t, status.NextRunAt)
	require.Equal(t, "0 2 * * 1-5", status.Schedule)
	require.Zero(t, status.Syncs)

	out, err = starter("list")
	require.NoError(t, err)
	require.Contains(t, out, "acme")

	out, err = starter("pause", "acme", "--reason", "payroll freeze")
	require.NoError(t, err)
	require.Equal(t, "paused integration acme\n", out)
	_, err = starter("pause", "acme")
	require.ErrorContains(t, err, "pause refused: the integration is already paused")
	out, err = starter("resume", "acme")
	require.NoError(t, err)
	require.Contains(t, out, "resumed integration acme; next run ")

	_, err = starter("approve", "acme")
	require.ErrorContains(t, err, "no sync is awaiting approval on integration acme")

	for _, args := range [][]string{{"status", "nope"}, {"sync", "nope"}, {"pause", "nope"}, {"history", "nope"},
		{"remove", "nope"}, {"approve", "nope"}, {"status", "Bad'ID"}} {
		_, err := starter(args...)
		require.ErrorContains(t, err, "integration not found", "%v", args)
	}

	out, err = starter("remove", "acme", "--json")
	require.NoError(t, err)
	require.Contains(t, out, `"purged"`)
	_, err = starter("status", "acme")
	require.ErrorContains(t, err, "integration not found: acme")

	// Against a live demo HRIS and directory: sync, preview and report.
	t.Setenv("HRSYNC_STORE", filepath.Join(dir, "hrsync.db"))
	hris, err := demotest.NewHRIS(demotest.HRISOptions{Employees: 12, Seed: 3})
	require.NoError(t, err)
	hrisSrv := httptest.NewServer(hris)
	defer hrisSrv.Close()
	directory, err := demotest.NewDirectory(demotest.DirectoryOptions{})
	require.NoError(t, err)
	dirSrv := httptest.NewServer(directory)
	defer dirSrv.Close()
	smtp, err := smtptest.Start(smtptest.Options{})
	require.NoError(t, err)
	defer smtp.Close()
	cfg := filepath.Join(dir, "live.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf(`id: live
source: {kind: demo, url: %q}
target:
  kind: demo
  url: %q
  invite: first-sync
  inviteTemplate: {subject: "Welcome, {{firstName}}", loginUrl: "https://app.live.example/login"}
notify: {email: {smtpAddr: %q, from: hrsync@live.example}}
schedule: {firstSync: scheduled}
fields: {exclude: [personalEmail]}
dateFormats: {dateOfBirth: DD/MM/YYYY}
`, hrisSrv.URL, dirSrv.URL, smtp.Addr())), 0o600))
	_, err = starter("create", "--allow-plaintext-history", "--file", cfg)
	require.NoError(t, err)
	out, err = starter("sync", "live", "--wait")
	require.NoError(t, err)
	require.Contains(t, out, "integration/live/sync/1 Completed")

	csvPath := filepath.Join(dir, "employees.csv")
	out, err = starter("preview", "live", "--out", csvPath)
	require.NoError(t, err)
	require.Equal(t, fmt.Sprintf("wrote %s: 12 employees, 0 flagged, 0 excluded\n"+
		"  warning: preferredName is empty for all 12 employees\n", csvPath), out, "the demo HRIS has no preferred names")
	info, err := os.Stat(csvPath)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "a preview holds personal data")
	data, err := os.ReadFile(csvPath)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(data), "id,employeeNumber,firstName,lastName,preferredName,workEmail,workPhone,dateOfBirth,"))
	require.NotContains(t, string(data), "personalEmail")
	require.Regexp(t, `,\d\d/\d\d/\d{4},`, string(data))

	out, err = starter("report", "integration/live/sync/1", "--csv", filepath.Join(dir, "report.csv"))
	require.NoError(t, err)
	require.Contains(t, out, "run integration/live/sync/1: applied")
	require.Contains(t, out, "E0001     create     applied")
	require.NotEmpty(t, smtp.Messages())
	require.Contains(t, out, fmt.Sprintf("invites: %d sent, 0 failed, 0 unconfirmed\n", len(smtp.Messages())),
		"the first sync invites every user it created, once")
	_, err = starter("report", "integration/live/sync/9")
	require.ErrorContains(t, err, "no report for run integration/live/sync/9")
	report, err := os.ReadFile(filepath.Join(dir, "report.csv"))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(report), "employeeId,operation,outcome,detail\nE0001,create,applied,"))
}

func TestConnectStoresAnEncryptedCredential(t *testing.T) {
	dir := t.TempDir()
	st, err := store.OpenSQLite(context.Background(), filepath.Join(dir, "hrsync.db"))
	require.NoError(t, err)
	defer st.Close()
	key, err := credentials.NewKey("k1")
	require.NoError(t, err)
	t.Setenv(credentials.KeyEnv, key.String())
	t.Setenv("HRSYNC_STORE", filepath.Join(dir, "hrsync.db"))
	t.Setenv("MERGE_KEY", "sk_live_abc123")

	out, err := starter("connect", "merge", "--id", "merge-acme", "--from-env", "MERGE_KEY")
	require.NoError(t, err)
	require.Equal(t, "stored api-key credential merge-acme (it may be sent to api.merge.dev); "+
		"reference it as credentialRef: store:merge-acme\n", out)
	require.NotContains(t, out, "sk_live")

	v, err := credentials.NewVault(st, key)
	require.NoError(t, err)
	toMerge := credentials.Use{Integration: "acme", Hosts: []string{"api.merge.dev"}}
	secret, err := v.Secret("store:merge-acme", toMerge)
	require.NoError(t, err)
	require.Equal(t, "sk_live_abc123", secret)

	// A directory has no default host: the token is bound to the one given.
	_, err = starter("connect", "scim", "--id", "scim-acme", "--from-env", "MERGE_KEY")
	require.ErrorContains(t, err, "connect scim: --host is required")
	cmd := newRootCmd(&bytes.Buffer{})
	cmd.SetArgs([]string{"connect", "scim", "--id", "scim-acme", "--host", "scim.acme.example", "--integration", "acme"})
	cmd.SetIn(strings.NewReader("bearer-xyz\n"))
	require.NoError(t, cmd.Execute())
	toSCIM := credentials.Use{Integration: "acme", Hosts: []string{"scim.acme.example"}}
	secret, err = v.Secret("store:scim-acme", toSCIM)
	require.NoError(t, err)
	require.Equal(t, "bearer-xyz", secret)
	_, err = v.Secret("store:scim-acme", credentials.Use{Integration: "globex", Hosts: []string{"scim.acme.example"}})
	require.ErrorContains(t, err, "limited to integrations acme")

	// bind moves it, without asking for the secret again.
	out, err = starter("bind", "scim-acme", "--host", "scim.acme.example", "--host", "scim-eu.acme.example:8443")
	require.NoError(t, err)
	require.Equal(t, "credential scim-acme may be sent to scim-eu.acme.example:8443, scim.acme.example\n", out)
	_, err = v.Secret("store:scim-acme", credentials.Use{Integration: "globex", Hosts: []string{"scim-eu.acme.example:8443"}})
	require.NoError(t, err)
	_, err = starter("bind", "scim-acme")
	require.ErrorContains(t, err, "--host is required")
	_, err = starter("bind", "scim-acme", "--host", "https://scim.acme.example/scim/v2")
	require.ErrorContains(t, err, "not a URL")

	_, err = starter("connect", "justlogin", "--id", "jl")
	require.ErrorContains(t, err, "needs --client-id and --client-secret-env")
	_, err = starter("connect", "workday", "--id", "x")
	require.ErrorContains(t, err, "unknown system")
	_, err = starter("connect", "merge", "--id", "bad id!", "--from-env", "MERGE_KEY")
	require.ErrorContains(t, err, `--id "bad id!"`)
}

func TestConnectJustLoginRunsTheOAuthFlow(t *testing.T) {
	dir := t.TempDir()
	st, err := store.OpenSQLite(context.Background(), filepath.Join(dir, "hrsync.db"))
	require.NoError(t, err)
	defer st.Close()
	key, err := credentials.NewKey("k1")
	require.NoError(t, err)
	t.Setenv(credentials.KeyEnv, key.String())
	t.Setenv("HRSYNC_STORE", filepath.Join(dir, "hrsync.db"))
	t.Setenv("JL_SECRET", "client-secret")
	fake := justlogintest.New(justlogintest.Options{ClientID: "hrsync", ClientSecret: "client-secret", Users: 3})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	redirect := "http://" + ln.Addr().String() + "/callback"
	require.NoError(t, ln.Close())

	var out bytes.Buffer
	cmd := newRootCmd(&out)
	cmd.SetArgs([]string{"connect", "justlogin", "--id", "jl-acme", "--client-id", "hrsync", "--client-secret-env", "JL_SECRET",
		"--redirect-url", redirect, "--api-url", srv.URL,
		"--auth-url", justlogintest.AuthURL(srv.URL), "--token-url", justlogintest.TokenURL(srv.URL)})
	// The "browser": follow the consent page, which the fake approves at once.
	defer func(old func(string)) { openURL = old }(openURL)
	openURL = func(u string) {
		resp, err := http.Get(u)
		if err == nil {
			_ = resp.Body.Close()
		}
	}
	require.NoError(t, cmd.Execute())
	host := strings.TrimPrefix(srv.URL, "http://")
	require.Equal(t, "connected JustLogin; the token may be sent to "+host+"; reference it as oauth.tokenRef: store:jl-acme\n", out.String())

	v, err := credentials.NewVault(st, key)
	require.NoError(t, err)
	kind, data, err := v.Get(context.Background(), "jl-acme")
	require.NoError(t, err)
	require.Equal(t, "oauth-token", kind)
	require.Contains(t, string(data), "refresh_token")
	scope, err := v.Scope(context.Background(), "jl-acme")
	require.NoError(t, err)
	require.Equal(t, []string{host}, scope.Hosts, "bound to the API and token hosts it was connected through")
}

func TestFieldsListsWhatASourceSupplies(t *testing.T) {
	out, err := starter("fields", "merge")
	require.NoError(t, err)
	require.Contains(t, out, "firstName       first_name\n")
	require.Contains(t, out, "department      — (not supplied")
	_, err = starter("fields", "csv")
	require.ErrorContains(t, err, "names its own fields")
}

func TestKeygenPrintsAKeyTheWorkerReads(t *testing.T) {
	out, err := starter("keygen", "p1")
	require.NoError(t, err)
	key, err := keys.ParseKey(strings.TrimSpace(out))
	require.NoError(t, err)
	require.Equal(t, "p1", key.ID)
	again, err := starter("keygen", "p1")
	require.NoError(t, err)
	require.NotEqual(t, out, again, "every key is new")

	out, err = starter("keygen")
	require.NoError(t, err)
	require.Regexp(t, `^k\d{8}:`, out)
	_, err = starter("keygen", "bad id")
	require.Error(t, err)
}
