// Command worker runs hrsync's Temporal worker. With --dev it first starts,
// in the same process, an embedded Temporal server with its Web UI, a demo
// HRIS and a demo directory, and creates a demo integration, so a newcomer
// has a working hrsync with one command.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"
	_ "time/tzdata" // schedules resolve time zones the same way on every machine

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/codec"
	"github.com/hrsync/hrsync/connectors/registry"
	"github.com/hrsync/hrsync/credentials"
	"github.com/hrsync/hrsync/devserver"
	"github.com/hrsync/hrsync/internal/keys"
	"github.com/hrsync/hrsync/internal/logging"
	"github.com/hrsync/hrsync/internal/metrics"
	"github.com/hrsync/hrsync/internal/netguard"
	"github.com/hrsync/hrsync/internal/temporalenv"
	"github.com/hrsync/hrsync/notify"
	"github.com/hrsync/hrsync/operator"
	"github.com/hrsync/hrsync/store"
	"github.com/hrsync/hrsync/workflows"
)

// Config is the worker's configuration, from flags and the environment.
type Config struct {
	// Temporal says where Temporal is (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE).
	Temporal temporalenv.Connection
	// DataDir holds dev mode's Temporal database, the store and the demo
	// systems' state.
	DataDir string
	// StorePath is the store (HRSYNC_STORE): a SQLite file, or a
	// postgres:// DSN for a store several workers share; default
	// <DataDir>/hrsync.db.
	StorePath string
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// Dev, when set, runs everything embedded.
	Dev DevConfig
	// Codec configures the codec server the Web UI decodes through; dev
	// mode runs its own.
	Codec CodecConfig
	// AllowPlaintextHistory lets the worker run with no payload key, its
	// histories readable by whoever can read Temporal. Off: a forgotten
	// key stops the worker rather than leaking people data.
	AllowPlaintextHistory bool
	// CSVDirs are the folders (or files) CSV sources may read
	// (HRSYNC_CSV_DIRS, comma-separated); none means no CSV source runs.
	// Dev mode adds <data-dir>/csv.
	CSVDirs []string
	// WebUIURL is the Temporal Web UI's base URL (HRSYNC_WEB_UI_URL), so
	// notices link to the run they are about; dev mode uses its own.
	WebUIURL string
	// Destinations says which addresses beyond the public internet the
	// worker may connect to for an integration — its HRIS, directory and
	// webhook: none by default (HRSYNC_ALLOW_LOOPBACK_DESTINATIONS,
	// HRSYNC_ALLOW_PRIVATE_DESTINATIONS). Dev mode adds loopback.
	Destinations netguard.Policy
	// DebugAddr is where the worker serves Go profiles (HRSYNC_DEBUG_ADDR,
	// see serveDebug); empty serves none.
	DebugAddr string
	// MetricsAddr is where the worker serves Prometheus metrics (/metrics)
	// and its health (/healthz, /readyz) (HRSYNC_METRICS_ADDR, see
	// serveMetrics); empty serves none. Dev mode serves them on loopback,
	// on the Web UI's port plus two, unless told otherwise.
	MetricsAddr string
	// WorkflowPollers and ActivityPollers are how many long polls the
	// worker keeps open for each kind of task (HRSYNC_WORKFLOW_POLLERS,
	// HRSYNC_ACTIVITY_POLLERS); zero leaves the SDK's default of two. A
	// worker serving many integrations due at once waits on its workflow
	// pollers first (docs/BENCHMARKS.md, "Many tenants").
	WorkflowPollers, ActivityPollers int

	// devSecrets are secrets dev mode made itself, by reference, each
	// bound to the host of the dev service it is for.
	devSecrets registry.StaticSecrets
	// credentialsKey seals stored credentials; nil means the key from
	// HRSYNC_CREDENTIALS_KEY, if any. Dev mode keeps one in its data dir.
	credentialsKey *credentials.Key
}

func main() {
	if err := newRootCmd().Execute(); err != nil {
		os.Exit(1)
	}
}

func newRootCmd() *cobra.Command {
	conn, connErr := temporalenv.FromEnv()
	dest, destErr := destinationsFromEnv()
	workflowPollers, pollErr := intFromEnv(workflowPollersEnv)
	activityPollers, err := intFromEnv(activityPollersEnv)
	pollErr = errors.Join(pollErr, err)
	cfg := Config{Temporal: conn, StorePath: os.Getenv("HRSYNC_STORE"), Codec: codecConfigFromEnv(), Destinations: dest,
		CSVDirs: splitList(os.Getenv("HRSYNC_CSV_DIRS")), WebUIURL: os.Getenv("HRSYNC_WEB_UI_URL"),
		DebugAddr: os.Getenv(debugAddrEnv), WorkflowPollers: workflowPollers, ActivityPollers: activityPollers,
		Dev: DevConfig{TemporalPostgres: os.Getenv(temporalPostgresEnv)}}
	cfg.MetricsAddr = os.Getenv(metricsAddrEnv)
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run the hrsync worker (with --dev: everything embedded)",
		Long: "Runs the hrsync worker against the Temporal service named by TEMPORAL_ADDRESS and\n" +
			"TEMPORAL_NAMESPACE. With --dev it also runs an embedded Temporal server and Web UI,\n" +
			"a demo HRIS and a demo directory, and creates the demo integration.",
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if connErr != nil && !cfg.Dev.Enabled { // dev mode runs its own Temporal
				return connErr
			}
			if err := errors.Join(destErr, pollErr); err != nil {
				return err
			}
			if cfg.Dev.TemporalPostgres != "" && !cfg.Dev.Enabled {
				return errors.New("--temporal-postgres (" + temporalPostgresEnv + ") puts dev mode's own Temporal on PostgreSQL, " +
					"so it needs --dev; a worker joins a running Temporal with TEMPORAL_ADDRESS")
			}
			if cfg.WorkflowPollers < 0 || cfg.ActivityPollers < 0 {
				return errors.New("--workflow-pollers and --activity-pollers: zero (the SDK's default) or more")
			}
			logger, err := logging.New(cfg.LogLevel)
			if err != nil {
				return err
			}
			defer func() { _ = logger.Sync() }()
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if cfg.Dev.Enabled {
				err = runDev(ctx, cfg, logger)
			} else {
				err = run(ctx, cfg, logger)
			}
			if err != nil {
				logger.Error("hrsync worker stopped", zap.Error(err))
			}
			return err
		},
	}
	cmd.AddCommand(newBenchCmd(), newBenchFaultsCmd(), newProbeCmd())
	// The root command's help ends with the variables the worker reads.
	help := cmd.HelpFunc()
	cmd.SetHelpFunc(func(c *cobra.Command, args []string) {
		help(c, args)
		if c == cmd {
			fmt.Fprint(c.OutOrStdout(), envHelp())
		}
	})
	f := cmd.Flags()
	f.BoolVar(&cfg.Dev.Enabled, "dev", false, "run an embedded Temporal server, Web UI, demo HRIS and demo directory")
	f.StringVar(&cfg.DataDir, "data-dir", ".hrsync", "directory for dev mode's Temporal database, the store and demo state")
	f.StringVar(&cfg.StorePath, "store", cfg.StorePath, "store: a SQLite file or a postgres:// DSN (env HRSYNC_STORE; default <data-dir>/hrsync.db)")
	f.StringVar(&cfg.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	f.BoolVar(&cfg.AllowPlaintextHistory, "allow-plaintext-history", false,
		"run with no payload key ("+codec.KeyEnv+"), storing workflow histories, with people data, unencrypted")
	f.StringSliceVar(&cfg.CSVDirs, "csv-dir", cfg.CSVDirs,
		"a folder CSV sources may read files from; repeat for several (env HRSYNC_CSV_DIRS; none: no CSV source)")
	f.BoolVar(&cfg.Destinations.AllowLoopback, netguard.LoopbackFlag, cfg.Destinations.AllowLoopback,
		"let integrations reach loopback addresses, 127.0.0.0/8 and ::1 (env "+allowLoopbackEnv+"); dev mode does")
	f.BoolVar(&cfg.Destinations.AllowPrivate, netguard.PrivateFlag, cfg.Destinations.AllowPrivate,
		"let integrations reach private addresses, 10/8, 172.16/12, 192.168/16, 100.64/10 and fc00::/7 (env "+
			allowPrivateEnv+")")
	f.IntVar(&cfg.WorkflowPollers, "workflow-pollers", cfg.WorkflowPollers,
		"long polls kept open for workflow tasks (env "+workflowPollersEnv+"); 0: the SDK's default, 2")
	f.IntVar(&cfg.ActivityPollers, "activity-pollers", cfg.ActivityPollers,
		"long polls kept open for activity tasks (env "+activityPollersEnv+"); 0: the SDK's default, 2")
	f.StringVar(&cfg.DebugAddr, "debug-addr", cfg.DebugAddr,
		"serve Go profiles (/debug/pprof/) on this address, e.g. 127.0.0.1:6060 (env "+debugAddrEnv+"); keep it off public interfaces")
	f.StringVar(&cfg.MetricsAddr, "metrics-addr", cfg.MetricsAddr,
		"serve Prometheus metrics (/metrics) and health (/healthz, /readyz) on this address, e.g. :9090 (env "+
			metricsAddrEnv+"); dev mode: 127.0.0.1 on the Web UI port + 2")
	f.StringVar(&cfg.WebUIURL, "web-ui-url", cfg.WebUIURL,
		"the Temporal Web UI's base URL, for links in notices (env HRSYNC_WEB_UI_URL; dev mode: its own)")
	cfg.Codec.addFlags(f)
	f.IntVar(&cfg.Dev.Employees, "demo-employees", 200, "employees the demo HRIS generates on first start")
	f.StringVar(&cfg.Dev.Source, "demo-source", "demo", "dev mode: the HRIS to run: demo, merge, bamboohr, justlogin or csv")
	f.StringVar(&cfg.Dev.TemporalPostgres, "temporal-postgres", cfg.Dev.TemporalPostgres,
		"dev mode: keep Temporal in PostgreSQL, in the database this postgres:// DSN names and its visibility in <db>"+
			devserver.VisibilitySuffix+", created or upgraded on start (env "+temporalPostgresEnv+"; default: SQLite in <data-dir>)")
	f.IntVar(&cfg.Dev.GRPCPort, "port", 7233, "dev mode: Temporal gRPC port")
	f.IntVar(&cfg.Dev.UIPort, "ui-port", 8233, "dev mode: Temporal Web UI port")
	f.IntVar(&cfg.Dev.HRISPort, "demo-hris-port", 8280, "dev mode: demo HRIS port")
	f.IntVar(&cfg.Dev.DirectoryPort, "demo-directory-port", 8281, "dev mode: demo directory port")
	return cmd
}

// The variables that set the worker's pollers.
const (
	workflowPollersEnv = "HRSYNC_WORKFLOW_POLLERS"
	activityPollersEnv = "HRSYNC_ACTIVITY_POLLERS"
)

// intFromEnv reads the whole number in environment variable name; unset
// is zero.
func intFromEnv(name string) (int, error) {
	v := strings.TrimSpace(os.Getenv(name))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s=%q: want a whole number, 0 or more", name, v)
	}
	return n, nil
}

// The variables that widen the destination policy, true or false.
const (
	allowLoopbackEnv = "HRSYNC_ALLOW_LOOPBACK_DESTINATIONS"
	allowPrivateEnv  = "HRSYNC_ALLOW_PRIVATE_DESTINATIONS"
)

// destinationsFromEnv reads the destination policy from the environment;
// unset variables allow nothing.
func destinationsFromEnv() (netguard.Policy, error) {
	var p netguard.Policy
	var errs []error
	for _, v := range []struct {
		name  string
		allow *bool
	}{{allowLoopbackEnv, &p.AllowLoopback}, {allowPrivateEnv, &p.AllowPrivate}} {
		s := strings.TrimSpace(os.Getenv(v.name))
		if s == "" {
			continue
		}
		allow, err := strconv.ParseBool(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: want true or false", v.name, s))
			continue
		}
		*v.allow = allow
	}
	return p, errors.Join(errs...)
}

// storePath is where the store lives.
func (c Config) storePath() string {
	if c.StorePath != "" {
		return c.StorePath
	}
	return filepath.Join(c.DataDir, "hrsync.db")
}

// run connects to Temporal and runs the worker until ctx ends.
func run(ctx context.Context, cfg Config, logger *zap.Logger) error {
	r, err := startWorker(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer r.close()
	_, stopCodec, err := cfg.Codec.serve(ctx, r.codec, cfg.Temporal.Namespace, logger)
	if err != nil {
		return err
	}
	defer stopCodec()
	stopDebug, err := serveDebug(ctx, cfg.DebugAddr, logger)
	if err != nil {
		return err
	}
	defer stopDebug()
	_, stopMetrics, err := serveMetrics(ctx, cfg.MetricsAddr, r, logger)
	if err != nil {
		return err
	}
	defer stopMetrics()
	logger.Info("hrsync worker started", zap.String("temporal", cfg.Temporal.Address),
		zap.String("namespace", cfg.Temporal.Namespace), zap.String("taskQueue", workflows.TaskQueue))
	<-ctx.Done()
	if errors.Is(context.Cause(ctx), context.Canceled) {
		return nil
	}
	return context.Cause(ctx)
}

// running is a started worker with the client and store it uses.
type running struct {
	client client.Client
	store  *store.Store
	worker worker.Worker
	// vault is the credential store, when a key is configured.
	vault *credentials.Vault
	// dc is the data converter the client uses; codec encrypts it, nil
	// when there is no payload key.
	dc    converter.DataConverter
	codec *codec.Codec
	// metrics is the worker's registry; state says whether the worker
	// polls (both for serveMetrics).
	metrics *metrics.Metrics
	state   *workerState
}

// startWorker dials Temporal, opens the store and starts a worker with
// hrsync's workflows and activities, resolving credentials through secrets.
// Payloads are encrypted under the payload key (HRSYNC_PAYLOAD_KEY, or the
// one dev mode keeps in its data dir); without one the worker does not
// start, unless told to store history in the clear, and then it says so.
func startWorker(ctx context.Context, cfg Config, logger *zap.Logger) (*running, error) {
	dc, pc, err := codec.LoadConverter(filepath.Join(cfg.DataDir, codec.KeyFile))
	switch {
	case errors.Is(err, codec.ErrNoKey) && !cfg.AllowPlaintextHistory:
		return nil, errors.New("no payload key: set " + codec.KeyEnv + " (`go run ./starter keygen` makes one), " +
			"or pass --allow-plaintext-history to store workflow histories, with people data, unencrypted")
	case errors.Is(err, codec.ErrNoKey):
		logger.Warn("No " + codec.KeyEnv + ": workflow histories are stored unencrypted, readable by anyone who can open them")
	case err != nil:
		return nil, err
	default:
		logger.Info("Workflow payloads are encrypted", zap.String("keyId", pc.KeyID()))
		cfg.Temporal.FailureConverter = codec.FailureConverter(dc)
	}
	cfg.Temporal.DataConverter = dc
	m, err := metrics.New(logger)
	if err != nil {
		return nil, err
	}
	cfg.Temporal.MetricsHandler = m.SDK()
	c, err := cfg.Temporal.Dial(ctx, logger)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, cfg.storePath())
	if err != nil {
		c.Close()
		return nil, err
	}
	ring, err := cfg.storeKeys()
	if err != nil {
		c.Close()
		_ = st.Close()
		return nil, err
	}
	secrets, vault, err := cfg.secrets(st, ring, logger)
	if err != nil {
		c.Close()
		_ = st.Close()
		return nil, err
	}
	// Integrations name the hosts these clients connect to; the policy
	// decides, when each connection is made, which addresses they reach.
	dest := cfg.destinations()
	if dest.AllowLoopback || dest.AllowPrivate {
		logger.Info("Integrations may reach addresses beyond the public internet",
			zap.Bool("loopback", dest.AllowLoopback), zap.Bool("private", dest.AllowPrivate))
	}
	// Targets on one host keep to one rate limit across every worker on
	// this store, not one per worker.
	connectors := registry.New(dest.Client(registry.DefaultTimeout), secrets).WithFileRoots(cfg.CSVDirs...).
		WithLimits(registry.Limits{Shared: st, Logger: logger}).WithMetrics(m)
	if vault != nil {
		connectors = connectors.WithVault(vault)
	}
	notifier := notify.New(notify.Options{HTTPClient: dest.Client(notify.DefaultTimeout)})
	state := &workerState{}
	w := worker.New(c, workflows.TaskQueue, worker.Options{
		// Heartbeats carry a fetch's or an apply's progress to operators;
		// send them every few seconds rather than at the SDK's default of
		// most of the heartbeat timeout.
		MaxHeartbeatThrottleInterval:     2 * time.Second,
		MaxConcurrentWorkflowTaskPollers: cfg.WorkflowPollers,
		MaxConcurrentActivityTaskPollers: cfg.ActivityPollers,
		// Keeps the runs' internal notices to their integration out of the
		// Web UI's Send Signal dialog.
		Interceptors: []interceptor.WorkerInterceptor{&workflows.Interceptor{}},
		// Readiness fails once the worker has stopped for good.
		OnFatalError: state.fail,
	})
	op := operator.New(c, dc)
	workflows.Register(w, &activities.Activities{Store: st, Connectors: connectors, Notifier: notifier,
		IdentityKeys: ring, Users: op, Retries: op,
		WebUI: activities.WebUI{URL: cfg.WebUIURL, Namespace: cfg.Temporal.Namespace}, Metrics: m})
	// What waits on people is read from Temporal when scraped, the same on
	// every worker.
	if err := m.Registry().Register(newBacklogCollector(op.Backlog, logger)); err != nil {
		c.Close()
		_ = st.Close()
		return nil, fmt.Errorf("unable to register the backlog metrics: %w", err)
	}
	if err := w.Start(); err != nil {
		c.Close()
		_ = st.Close()
		return nil, fmt.Errorf("unable to start worker: %w", err)
	}
	state.start()
	return &running{client: c, store: st, worker: w, vault: vault, dc: dc, codec: pc, metrics: m, state: state}, nil
}

// storeKeys is the keyring that protects what the store keeps: it seals
// stored credentials and keys the digests kept in place of identity values
// that are compared but not synced. nil means none is configured. With no
// HRSYNC_CREDENTIALS_KEY, the key dev mode keeps in the data dir is used
// when there is one, as the payload key is: a worker started beside dev
// mode joins it as a replica.
func (c Config) storeKeys() (*keys.Keyring, error) {
	if c.credentialsKey != nil {
		return &keys.Keyring{Current: *c.credentialsKey}, nil
	}
	if os.Getenv(credentials.KeyEnv) == "" {
		key, err := loadKey(filepath.Join(c.DataDir, devCredentialsKeyFile))
		if err != nil || key == nil {
			return nil, err
		}
		return &keys.Keyring{Current: *key}, nil
	}
	current, older, err := credentials.KeysFromEnv()
	if err != nil {
		return nil, err
	}
	return &keys.Keyring{Current: current, Old: older}, nil
}

// secrets resolves credential references: env:NAME from the environment,
// store:<id> from the encrypted credential store when there is a store
// keyring, and dev mode's own.
func (c Config) secrets(st *store.Store, ring *keys.Keyring, logger *zap.Logger) (registry.Secrets, *credentials.Vault, error) {
	schemes := registry.SchemeSecrets{"env": registry.EnvSecrets{}}
	var vault *credentials.Vault
	if ring != nil {
		var err error
		if vault, err = credentials.NewVault(st, ring.Current, ring.Old...); err != nil {
			return nil, nil, err
		}
		schemes["store"] = vault
	} else {
		logger.Info("No " + credentials.KeyEnv + ": stored credentials (store:<id>) are unavailable, " +
			"and a date of birth that is not synced is not compared by the privacy check")
	}
	dev := c.devSecrets
	if len(dev.Values) == 0 && c.DataDir != "" {
		var err error
		if dev, err = loadDevSecrets(filepath.Join(c.DataDir, devSecretsFile)); err != nil {
			return nil, nil, err
		}
	}
	if len(dev.Values) > 0 {
		schemes["dev"] = dev
	}
	return schemes, vault, nil
}

// close stops the worker, then releases the store and the client.
func (r *running) close() {
	r.state.stop()
	r.worker.Stop()
	_ = r.store.Close()
	r.client.Close()
}
