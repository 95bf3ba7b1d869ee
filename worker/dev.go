package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/hrsync/hrsync/codec"
	"github.com/hrsync/hrsync/connectors/bamboohr/bamboohrtest"
	"github.com/hrsync/hrsync/connectors/demo/demotest"
	"github.com/hrsync/hrsync/connectors/justlogin"
	"github.com/hrsync/hrsync/connectors/justlogin/justlogintest"
	"github.com/hrsync/hrsync/connectors/merge/mergetest"
	"github.com/hrsync/hrsync/connectors/registry"
	"github.com/hrsync/hrsync/connectors/scim/scimtest"
	"github.com/hrsync/hrsync/credentials"
	"github.com/hrsync/hrsync/devserver"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/internal/csvsafe"
	"github.com/hrsync/hrsync/internal/netguard"
	"github.com/hrsync/hrsync/operator"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/workflows"
)

// DevConfig configures dev mode.
type DevConfig struct {
	Enabled bool
	// TemporalPostgres, when set, is the postgres:// DSN of the database
	// the embedded Temporal keeps its data in (HRSYNC_TEMPORAL_POSTGRES);
	// empty keeps it in an SQLite file in the data dir.
	TemporalPostgres string
	// Employees is how many people the demo HRIS generates on first start.
	Employees int
	// Ports; 0 picks a free port (tests do).
	GRPCPort, UIPort, HRISPort, DirectoryPort int
	// Source is the demo HRIS to run: demo (default), merge, bamboohr or
	// csv — each a faithful fake of the real API, or a CSV export.
	Source string
	// directoryDelay slows every directory request, so tests can catch an
	// apply in the middle.
	directoryDelay time.Duration
	// memoryHRIS keeps the demo HRIS in memory only: the bench changes
	// thousands of employees, and the state file is rewritten per change.
	memoryHRIS bool
	// hrisPageSize, when set, is the demo HRIS's page size: the faults
	// bench wants many pages to fault.
	hrisPageSize int
}

// DemoSources lists the HRIS dev mode can run.
var DemoSources = []string{"demo", "merge", "bamboohr", "justlogin", "csv"}

// devSCIMCredential is the credential reference of dev mode's SCIM token.
const devSCIMCredential = "dev:scim"

// demoHRISPageSize is the page the demo HRIS serves when asked for none:
// its largest, as connectors to real APIs ask for theirs.
const demoHRISPageSize = 500

// DemoIntegrationID names the integration dev mode creates.
const DemoIntegrationID = "demo"

// devEnv is everything dev mode runs besides the worker.
type devEnv struct {
	temporal     *devserver.Server
	hris         *demotest.HRIS
	source       integration.Endpoint
	sourceSecret string
	directory    *scimtest.Server
	scimToken    string
	hrisURL      string
	directoryURL string
	// codecURL is the dev codec server's base URL, when it runs.
	codecURL string
	// codecToken is the token the dev codec server requires, kept in the
	// data dir; empty when there is no Web UI to serve.
	codecToken string
	// dataDir is where dev mode keeps its state and secrets.
	dataDir string
	servers []*http.Server
	// metricsURL is the base URL of the worker's metrics and health, when
	// served.
	metricsURL string
}

// startDevEnv starts the embedded Temporal server and UI and the two demo
// systems, keeping their state under cfg.DataDir.
func startDevEnv(ctx context.Context, cfg Config, logger *zap.Logger) (_ *devEnv, err error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("unable to create data dir %s: %w", cfg.DataDir, err)
	}
	env := &devEnv{dataDir: cfg.DataDir}
	defer func() {
		if err != nil {
			env.stop()
		}
	}()
	// The Web UI has no login, so it cannot send the codec server's token
	// in a header: its endpoint carries it as the path's first segment.
	codecEndpoint := ""
	if cfg.Dev.UIPort > 0 {
		if env.codecToken, err = loadOrCreateToken(filepath.Join(cfg.DataDir, devCodecTokenFile)); err != nil {
			return nil, err
		}
		codecEndpoint = fmt.Sprintf("http://127.0.0.1:%d/%s", codecPort(cfg), env.codecToken)
	}
	temporalDB := filepath.Join(cfg.DataDir, "temporal.db")
	if cfg.Dev.TemporalPostgres != "" {
		temporalDB = ""
	}
	env.temporal, err = devserver.Start(ctx, devserver.Options{
		DBPath:           temporalDB,
		Postgres:         cfg.Dev.TemporalPostgres,
		GRPCPort:         cfg.Dev.GRPCPort,
		UIPort:           cfg.Dev.UIPort,
		CodecEndpoint:    codecEndpoint,
		SearchAttributes: workflows.SearchAttributes(),
		Logger:           logger.Named("temporal"),
	})
	if err != nil {
		return nil, err
	}
	if err := env.startSource(cfg); err != nil {
		return nil, err
	}
	if env.scimToken, err = loadOrCreateToken(filepath.Join(cfg.DataDir, "scim-token")); err != nil {
		return nil, err
	}
	env.directory, err = scimtest.New(scimtest.Options{
		DBPath: filepath.Join(cfg.DataDir, "scim-directory.db"), Token: env.scimToken,
	})
	if err != nil {
		return nil, fmt.Errorf("unable to start the SCIM directory: %w", err)
	}
	var directory http.Handler = env.directory
	if d := cfg.Dev.directoryDelay; d > 0 {
		directory = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(d)
			env.directory.ServeHTTP(w, r)
		})
	}
	if env.directoryURL, err = env.serve(cfg.Dev.DirectoryPort, directory, "SCIM directory"); err != nil {
		return nil, err
	}
	return env, nil
}

// devSourceCredential is the credential reference of the demo source.
const devSourceCredential = "dev:source"

// The demo JustLogin's OAuth client, and where its token is kept.
const (
	justloginClientID     = "hrsync-dev"
	justloginClientSecret = "dev-justlogin-client-secret"
	justloginTokenRef     = "store:justlogin-dev"
)

// connectJustLogin runs the OAuth authorization-code flow against the demo
// JustLogin once, as `starter connect justlogin` does against the real one,
// so the source has a token, bound to the demo HRIS's host; the fake
// approves at once.
func (e *devEnv) connectJustLogin(ctx context.Context, vault *credentials.Vault) error {
	tokens, err := registry.NewVaultTokens(vault, justloginTokenRef, nil)
	if err != nil {
		return err
	}
	scope, err := credentials.NewScope(credentials.UseFor("", e.source.URL).Hosts, nil)
	if err != nil {
		return err
	}
	id, _ := registry.StoredID(justloginTokenRef)
	if tok, err := tokens.Load(ctx); err != nil || tok != nil {
		if err != nil {
			return err
		}
		// A token from before scopes, or from another port, is bound again.
		return vault.Bind(ctx, id, scope)
	}
	redirect, err := freeCallbackURL()
	if err != nil {
		return err
	}
	_, err = justlogin.Connect(ctx, justlogin.Config{APIBaseURL: e.source.URL, AuthURL: e.source.OAuth.AuthURL,
		TokenURL: e.source.OAuth.TokenURL, ClientID: justloginClientID, ClientSecret: justloginClientSecret,
		RedirectURL: redirect, Tokens: tokens}, func(authorize string) {
		resp, err := http.Get(authorize)
		if err == nil {
			_ = resp.Body.Close()
		}
	})
	if err != nil {
		return fmt.Errorf("unable to connect the demo JustLogin: %w", err)
	}
	return vault.Bind(ctx, id, scope)
}

// freeCallbackURL is an OAuth redirect URL on a free loopback port.
func freeCallbackURL() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return "http://" + addr + "/callback", nil
}

// startSource starts the demo HRIS cfg names on the HRIS port.
func (e *devEnv) startSource(cfg Config) error {
	kind := cfg.Dev.Source
	if kind == "" {
		kind = "demo"
	}
	var handler http.Handler
	switch kind {
	case "demo":
		statePath := filepath.Join(cfg.DataDir, "demo-hris.json")
		if cfg.Dev.memoryHRIS {
			statePath = ""
		}
		hris, err := demotest.NewHRIS(demotest.HRISOptions{
			Employees: cfg.Dev.Employees, Seed: 1, StatePath: statePath, PageSize: cmp.Or(cfg.Dev.hrisPageSize, demoHRISPageSize),
		})
		if err != nil {
			return fmt.Errorf("unable to start demo HRIS: %w", err)
		}
		e.hris, handler = hris, hris
	case "merge":
		handler = mergetest.New(mergetest.Options{Employees: cfg.Dev.Employees, Seed: 1})
		e.sourceSecret = mergetest.DefaultAPIKey + ":" + mergetest.DefaultAccountToken
	case "bamboohr":
		e.sourceSecret = "dev-bamboohr-key"
		handler = bamboohrtest.New(bamboohrtest.Options{APIKey: e.sourceSecret, Employees: cfg.Dev.Employees, Seed: 1})
	case "justlogin":
		e.sourceSecret = justloginClientSecret
		handler = justlogintest.New(justlogintest.Options{ClientID: justloginClientID,
			ClientSecret: justloginClientSecret, Users: cfg.Dev.Employees, Seed: 1, RotateRefreshTokens: true})
	case "csv":
		path, err := writeDemoCSV(filepath.Join(devCSVDir(cfg), "employees.csv"), cfg.Dev.Employees)
		if err != nil {
			return err
		}
		e.source = integration.Endpoint{Kind: "csv", URL: "file://" + path}
		return nil
	default:
		return fmt.Errorf("--demo-source %q: not one of %s", kind, strings.Join(DemoSources, ", "))
	}
	url, err := e.serve(cfg.Dev.HRISPort, handler, kind+" HRIS")
	if err != nil {
		return err
	}
	e.hrisURL = url
	e.source = integration.Endpoint{Kind: kind, URL: url}
	if kind == "justlogin" {
		e.source.OAuth = &integration.OAuthOptions{ClientID: justloginClientID, TokenRef: justloginTokenRef,
			AuthURL: justlogintest.AuthURL(url), TokenURL: justlogintest.TokenURL(url)}
		// The fake names no exit-date field, and JustLogin documents none:
		// leavers go by isActive. Full names need a mapping (see README).
	}
	if e.sourceSecret != "" {
		e.source.CredentialRef = devSourceCredential
	}
	return nil
}

// devCSVDir is the folder dev mode's CSV sources read: the demo export,
// and any file an admin drops there.
func devCSVDir(cfg Config) string { return filepath.Join(cfg.DataDir, "csv") }

// writeDemoCSV writes a CSV export of generated employees to path, unless
// one is there already (so people can edit it), and returns its absolute
// path.
func writeDemoCSV(path string, employees int) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return "", err
	}
	if _, err := os.Stat(abs); err == nil {
		return abs, nil
	}
	hris, err := demotest.NewHRIS(demotest.HRISOptions{Employees: employees, Seed: 1})
	if err != nil {
		return "", err
	}
	header := []string{"id"}
	for _, f := range roster.Catalogue[1:] {
		header = append(header, string(f))
	}
	rows := [][]string{}
	customs := []string{}
	for _, e := range hris.Employees() {
		for k := range e.Custom {
			if !slices.Contains(customs, k) {
				customs = append(customs, k)
			}
		}
	}
	slices.Sort(customs)
	for _, k := range customs {
		header = append(header, "custom."+k)
	}
	rows = append(rows, header)
	for _, e := range hris.Employees() {
		row := make([]string, len(header))
		for i, h := range header {
			row[i] = e.Get(roster.Field(h))
		}
		rows = append(rows, row)
	}
	f, err := os.OpenFile(abs, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("unable to write %s: %w", abs, err)
	}
	if err := csvsafe.Write(f, rows); err != nil {
		_ = f.Close()
		return "", err
	}
	return abs, f.Close()
}

// scimURL is the SCIM base URL of the directory.
func (e *devEnv) scimURL() string { return e.directoryURL + "/scim/v2" }

// forWorker gives cfg what dev mode's worker needs: its own secrets (the
// SCIM token, and a key for the credential store kept in the data dir) and
// the folder CSV sources read.
func (e *devEnv) forWorker(cfg Config) (Config, error) {
	cfg.CSVDirs = append(cfg.CSVDirs, devCSVDir(cfg))
	// Each goes only to the dev service it is for.
	cfg.devSecrets = registry.StaticSecrets{
		Values: map[string]string{devSCIMCredential: e.scimToken},
		Hosts:  map[string][]string{devSCIMCredential: credentials.UseFor("", e.directoryURL).Hosts},
	}
	if e.sourceSecret != "" {
		cfg.devSecrets.Values[devSourceCredential] = e.sourceSecret
		cfg.devSecrets.Hosts[devSourceCredential] = credentials.UseFor("", e.hrisURL).Hosts
	}
	// Kept in the data dir, so a worker started there joins dev mode as a
	// replica that can reach the demo systems too.
	if err := keepDevSecrets(filepath.Join(cfg.DataDir, devSecretsFile), cfg.devSecrets); err != nil {
		return cfg, err
	}
	if os.Getenv(credentials.KeyEnv) == "" {
		key, err := loadOrCreateKey(filepath.Join(cfg.DataDir, devCredentialsKeyFile))
		if err != nil {
			return cfg, err
		}
		cfg.credentialsKey = &key
	}
	// A payload key of its own, so history is encrypted in dev mode too;
	// the worker and the starter find it in the data dir.
	if os.Getenv(codec.KeyEnv) == "" {
		if _, err := loadOrCreateKey(filepath.Join(cfg.DataDir, codec.KeyFile)); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// codecPort is the dev mode codec server's port: the Web UI's, plus one.
func codecPort(cfg Config) int { return cfg.Dev.UIPort + 1 }

// devCodecTokenFile is where, in the data dir, dev mode keeps its codec
// server's token.
const devCodecTokenFile = "codec-token"

// serveCodec runs the codec server the dev Web UI decodes payloads with,
// on loopback. It requires the token kept in the data dir, as a bearer
// token or as the first segment of the path (the endpoint the UI is
// given), and answers browsers from the UI's own origins only.
func (e *devEnv) serveCodec(cfg Config, c *codec.Codec) error {
	if c == nil || cfg.Dev.UIPort <= 0 {
		return nil
	}
	if e.codecToken == "" {
		return errors.New("the dev codec server has no token")
	}
	ui := fmt.Sprintf("%d", cfg.Dev.UIPort)
	h := codec.NewServer(codec.ServerOptions{Codec: c, Token: e.codecToken, TokenInPath: true,
		Origins: []string{"http://localhost:" + ui, "http://127.0.0.1:" + ui}})
	url, err := e.serve(codecPort(cfg), h, "codec server")
	e.codecURL = url
	return err
}

// loadOrCreateKey reads the credentials key kept at path, or makes and
// keeps one.
func loadOrCreateKey(path string) (credentials.Key, error) {
	text, err := loadOrCreateSecret(path, func() (string, error) {
		key, err := credentials.NewKey("dev")
		return key.String(), err
	})
	if err != nil {
		return credentials.Key{}, err
	}
	return credentials.ParseKey(text)
}

// loadOrCreateToken reads the token kept at path, or makes and keeps one,
// so the directory's token survives restarts.
func loadOrCreateToken(path string) (string, error) {
	return loadOrCreateSecret(path, func() (string, error) {
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			return "", fmt.Errorf("unable to make a token: %w", err)
		}
		return hex.EncodeToString(b), nil
	})
}

// loadOrCreateSecret reads the secret dev mode keeps at path (owner-only),
// or makes one with create and keeps it there, so it survives restarts.
func loadOrCreateSecret(path string, create func() (string, error)) (string, error) {
	data, err := os.ReadFile(path)
	if v := strings.TrimSpace(string(data)); err == nil && v != "" {
		return v, nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("unable to read %s: %w", path, err)
	}
	v, err := create()
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(v+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("unable to keep %s: %w", path, err)
	}
	return v, nil
}

// serve runs h on 127.0.0.1:port and returns its base URL.
func (e *devEnv) serve(port int, h http.Handler, name string) (string, error) {
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return "", fmt.Errorf("unable to serve the %s on port %d (is another hrsync dev mode running?): %w", name, port, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	e.servers = append(e.servers, srv)
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), nil
}

// stop shuts everything down; it is safe on a half-started env.
func (e *devEnv) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, srv := range e.servers {
		_ = srv.Shutdown(ctx)
	}
	if e.directory != nil {
		_ = e.directory.Close()
	}
	if e.temporal != nil {
		_ = e.temporal.Stop()
	}
}

// demoConfig is the integration dev mode creates: the demo HRIS into the
// demo directory, first sync at once, then daily at 02:00.
func (e *devEnv) demoConfig() integration.Config {
	tz := os.Getenv("TZ")
	if _, err := time.LoadLocation(tz); tz == "" || err != nil {
		tz = integration.DefaultTimeZone
	}
	var rules roster.Rules
	if e.source.Kind == "justlogin" {
		// JustLogin's API gives one full name; the platform shows it whole.
		rules.Mapping = []roster.MapRule{{To: roster.FieldFirstName, From: []string{"fullName"}}}
	}
	return integration.Config{
		Rules:    rules,
		ID:       DemoIntegrationID,
		Name:     "Demo " + e.source.Kind + " HRIS → SCIM directory",
		Source:   e.source,
		Target:   integration.Endpoint{Kind: "scim", URL: e.scimURL(), CredentialRef: devSCIMCredential},
		Schedule: integration.Schedule{Cron: integration.DefaultCron, TimeZone: tz, FirstSync: integration.FirstSyncNow},
	}
}

// destinations is the policy for the worker's connections to integrations.
// Dev mode's demo HRIS and directory listen on loopback, so dev mode
// allows it.
func (c Config) destinations() netguard.Policy {
	p := c.Destinations
	if c.Dev.Enabled {
		p.AllowLoopback = true
	}
	return p
}

// runDev runs dev mode until ctx ends.
func runDev(ctx context.Context, cfg Config, logger *zap.Logger) error {
	env, err := startDevEnv(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer env.stop()
	cfg.Temporal = cfg.Temporal.ForDevServer(env.temporal.FrontendHostPort(), env.temporal.Namespace())
	cfg.WebUIURL = cmp.Or(cfg.WebUIURL, env.temporal.UIURL())

	if cfg, err = env.forWorker(cfg); err != nil {
		return err
	}
	r, err := startWorker(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer r.close()
	if err := env.serveCodec(cfg, r.codec); err != nil {
		return err
	}
	metricsURL, stopMetrics, err := serveMetrics(ctx, devMetricsAddr(cfg), r, logger)
	if err != nil {
		return err
	}
	defer stopMetrics()
	env.metricsURL = metricsURL
	if env.source.Kind == "justlogin" {
		if err := env.connectJustLogin(ctx, r.vault); err != nil {
			return err
		}
	}

	op := operator.New(r.client, r.dc)
	since := time.Now()
	created, err := ensureIntegration(ctx, op, env.demoConfig())
	if err != nil {
		return err
	}
	printBanner(env, created)
	return printFinishedSyncs(ctx, op, since, logger)
}

// ensureIntegration creates cfg's integration unless it is already running.
// A running one keeps its settings and history, but its endpoints are
// re-pointed at cfg's: dev mode owns the demo systems, and their ports may
// differ from the last start.
func ensureIntegration(ctx context.Context, op *operator.Operator, cfg integration.Config) (bool, error) {
	err := op.Create(ctx, cfg)
	if !errors.Is(err, operator.ErrExists) {
		return err == nil, err
	}
	st, err := op.Status(ctx, cfg.ID)
	if err != nil {
		return false, err
	}
	if reflect.DeepEqual(st.Config.Source, cfg.Source) && reflect.DeepEqual(st.Config.Target, cfg.Target) {
		return false, nil
	}
	updated := st.Config
	updated.Source, updated.Target = cfg.Source, cfg.Target
	_, err = op.UpdateConfig(ctx, updated)
	return false, err
}

// printBanner says what dev mode runs and where.
func printBanner(env *devEnv, created bool) { fmt.Println(banner(env, created)) }

// banner is the text printBanner prints. It names where the secrets are
// kept, never the secrets.
func banner(env *devEnv, created bool) string {
	state := "already exists; its next run is on its schedule"
	if created {
		state = "created; its first sync runs now"
	}
	lines := []string{
		"",
		"hrsync dev mode is running",
		"  Temporal Web UI   " + env.temporal.UIURL(),
		"  Temporal gRPC     " + env.temporal.FrontendHostPort() + "  (" + env.temporal.Persistence() + ")",
		"  demo HRIS         " + env.source.Kind + " at " + env.source.URL,
		"  SCIM directory    " + env.directoryURL + "/  (SCIM 2.0 at " + env.scimURL() + ", bearer token in " + filepath.Join(env.dataDir, "scim-token") + ")",
	}
	if env.codecURL != "" {
		lines = append(lines, "  codec server      "+env.codecURL+"  (the Web UI decrypts history through it; bearer token in "+filepath.Join(env.dataDir, devCodecTokenFile)+")")
	}
	if env.metricsURL != "" {
		lines = append(lines, "  metrics           "+env.metricsURL+"/metrics  (health: /healthz, /readyz)")
	}
	lines = append(lines, "  integration "+DemoIntegrationID+"  "+state, "", "Try:  go run ./starter status demo")
	if env.hris != nil {
		lines = append(lines, "      curl -X POST "+env.hrisURL+"/api/employees/E0002/terminate")
	}
	lines = append(lines, "      go run ./starter sync demo --wait", "")
	return strings.Join(lines, "\n")
}

// printFinishedSyncs prints a one-line summary of each sync that finishes
// while dev mode runs, until ctx ends.
func printFinishedSyncs(ctx context.Context, op *operator.Operator, since time.Time, logger *zap.Logger) error {
	printed := map[string]bool{}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		runs, err := op.Finished(ctx, since)
		if err != nil {
			if ctx.Err() == nil {
				logger.Warn("Unable to list finished syncs", zap.Error(err))
			}
			continue
		}
		for i := len(runs) - 1; i >= 0; i-- {
			r := runs[i]
			if printed[r.WorkflowID+r.StartedAt.String()] {
				continue
			}
			printed[r.WorkflowID+r.StartedAt.String()] = true
			fmt.Println(summaryLine(r))
		}
	}
}

// summaryLine describes a finished run in one line.
func summaryLine(r operator.Run) string {
	if r.Summary == nil {
		return fmt.Sprintf("sync %s %s", r.WorkflowID, r.Execution)
	}
	s := r.Summary
	took := s.FinishedAt.Sub(s.StartedAt).Round(10 * time.Millisecond)
	return fmt.Sprintf("sync %s %s in %s: fetched %d · created %d · updated %d · deactivated %d · reactivated %d · failed %d",
		r.WorkflowID, s.Status, took, s.Fetched, s.Applied[roster.OpCreate], s.Applied[roster.OpUpdate],
		s.Applied[roster.OpDeactivate], s.Applied[roster.OpReactivate], s.Failed)
}

// Where, in the data dir, dev mode keeps its credentials key and the
// secrets of its demo systems.
const (
	devCredentialsKeyFile = "credentials.key"
	devSecretsFile        = "dev-secrets.json"
)

// The variable that puts dev mode's Temporal on PostgreSQL.
const temporalPostgresEnv = "HRSYNC_TEMPORAL_POSTGRES"

// keepDevSecrets writes dev mode's secrets, and the hosts each may go to,
// to path (owner-only).
func keepDevSecrets(path string, s registry.StaticSecrets) error {
	data, err := json.Marshal(keptSecrets{Values: s.Values, Hosts: s.Hosts})
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("unable to keep dev mode's secrets in %s: %w", path, err)
	}
	return nil
}

// keptSecrets is the file keepDevSecrets writes.
type keptSecrets struct {
	Values map[string]string   `json:"values"`
	Hosts  map[string][]string `json:"hosts"`
}

// loadDevSecrets reads the secrets dev mode keeps at path; none when there
// is no such file.
func loadDevSecrets(path string) (registry.StaticSecrets, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return registry.StaticSecrets{}, nil
	}
	var s keptSecrets
	if err == nil {
		err = json.Unmarshal(data, &s)
	}
	if err != nil {
		return registry.StaticSecrets{}, fmt.Errorf("unable to read dev mode's secrets from %s: %w", path, err)
	}
	return registry.StaticSecrets{Values: s.Values, Hosts: s.Hosts}, nil
}

// loadKey reads the credentials key dev mode keeps at path; nil when there
// is no such file.
func loadKey(path string) (*credentials.Key, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("unable to read %s: %w", path, err)
	}
	key, err := credentials.ParseKey(strings.TrimSpace(string(data)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &key, nil
}
