// Package devserver runs a real Temporal server and its Web UI inside the
// current process, persisted in an SQLite file or in PostgreSQL.
//
// It backs `worker --dev`, so a newcomer gets a working Temporal with no
// installs, and the end-to-end tests, which need a real server. Stopping and
// starting again on the same file or database keeps every workflow and its
// history. On PostgreSQL it is the production topology on one machine:
// other processes' workers join it as replicas.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/membership/static"
	"go.temporal.io/server/common/primitives"
	"go.temporal.io/server/temporal"
	"go.uber.org/zap"
)

// Defaults for Options.
const (
	// DefaultGRPCPort is the port `temporal server start-dev` and the SDKs
	// use; dev mode passes it so other tools find the server.
	DefaultGRPCPort = 7233
	// DefaultUIPort is the Web UI port that goes with DefaultGRPCPort.
	DefaultUIPort = DefaultGRPCPort + 1000
	// DefaultNamespace is the namespace registered when none is given.
	DefaultNamespace = "default"
	// DefaultRetention keeps closed runs visible in the UI for a month.
	DefaultRetention = 30 * 24 * time.Hour
	// DisableUI as Options.UIPort runs the server without the Web UI.
	DisableUI = -1
)

const (
	readyTimeout = time.Minute
	stopTimeout  = 30 * time.Second
)

// Options configure the embedded server. Zero values get the defaults
// shown; for the ports, 0 means "pick a free port".
type Options struct {
	// DBPath is the SQLite file; required unless Postgres is set. Its
	// parent directory is created.
	DBPath string
	// Postgres, when set, is a postgres:// DSN, and the server keeps its
	// persistence in the database it names and its visibility in that
	// name plus VisibilitySuffix, each created if missing and brought up
	// to date with the server's own schema tool on start.
	Postgres string
	// IP to listen on; default "127.0.0.1".
	IP string
	// GRPCPort is the frontend port; 0 picks a free port (tests). Dev mode
	// passes DefaultGRPCPort.
	GRPCPort int
	// UIPort is the Web UI port; 0 means GRPCPort+1000 when GRPCPort is set
	// (8233 for 7233) and a free port when GRPCPort is 0; DisableUI (-1)
	// turns the UI off.
	UIPort int
	// Namespace to register; default "default".
	Namespace string
	// Retention of closed workflows; default 30 days. An existing namespace
	// with a shorter retention is raised to it on start; a longer one set by
	// hand is kept.
	Retention time.Duration
	// SearchAttributes are registered on the namespace, and added on start
	// when an existing namespace lacks some.
	SearchAttributes map[string]enums.IndexedValueType
	// CodecEndpoint, when set, is the codec server the Web UI uses to
	// decode payloads.
	CodecEndpoint string
	// Logger receives the server's warnings and errors (its info logs are
	// dropped: they are many). Nil discards everything.
	Logger *zap.Logger
}

// withDefaults validates the options and fills in the defaults.
func (o Options) withDefaults() (Options, error) {
	switch {
	case o.Postgres != "" && o.DBPath != "":
		return o, errors.New("devserver: set DBPath or Postgres, not both")
	case o.Postgres == "" && o.DBPath == "":
		return o, errors.New("devserver: DBPath is required")
	case o.DBPath != "":
		abs, err := filepath.Abs(o.DBPath)
		if err != nil {
			return o, fmt.Errorf("devserver: DB path %q: %w", o.DBPath, err)
		}
		o.DBPath = abs
	}
	if o.IP == "" {
		o.IP = "127.0.0.1"
	}
	if ip := net.ParseIP(o.IP); ip == nil || ip.IsUnspecified() {
		return o, fmt.Errorf("devserver: IP %q is not a specific IP address", o.IP)
	}
	if o.GRPCPort < 0 || o.GRPCPort > 65535 {
		return o, fmt.Errorf("devserver: invalid gRPC port %d", o.GRPCPort)
	}
	if o.UIPort < DisableUI || o.UIPort > 65535 || (o.UIPort == 0 && o.GRPCPort > 65535-1000) {
		return o, fmt.Errorf("devserver: invalid UI port %d", o.UIPort)
	}
	if o.Namespace == "" {
		o.Namespace = DefaultNamespace
	}
	if o.Retention == 0 {
		o.Retention = DefaultRetention
	}
	if o.Retention < time.Hour {
		return o, fmt.Errorf("devserver: retention %s is below the server's minimum of 1h", o.Retention)
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	return o, nil
}

// Server is a running embedded Temporal server and Web UI.
type Server struct {
	opts       Options
	frontend   string
	uiURL      string
	log        *serverLogger
	srv        temporal.Server
	srvStarted bool
	// persistence says where the server keeps its data.
	persistence string
	ui          *uiServer
	stopOnce    sync.Once
	stopErr     error
}

// Start starts the server and, unless disabled, the Web UI. It returns once
// the frontend answers and the namespace, its retention and its search
// attributes are in place. On error nothing is left running.
func Start(ctx context.Context, opts Options) (_ *Server, err error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	p, err := resolvePorts(&o)
	if err != nil {
		return nil, fmt.Errorf("devserver: %w", err)
	}
	s := &Server{
		opts:     o,
		frontend: net.JoinHostPort(o.IP, strconv.Itoa(p.grpc)),
		log:      newServerLogger(o.Logger),
	}
	st, err := prepareStores(&o, s.log)
	if err != nil {
		return nil, fmt.Errorf("devserver: %w", err)
	}
	s.persistence = st.describe
	if p.ui > 0 {
		s.uiURL = "http://" + net.JoinHostPort(uiHost(o.IP), strconv.Itoa(p.ui))
	}

	cfg := serverConfig(&o, p, st)
	if s.srv, err = newTemporalServer(cfg, s.log); err != nil {
		return nil, fmt.Errorf("devserver: %w", err)
	}
	defer func() {
		if err != nil {
			_ = s.Stop()
		}
	}()

	s.srvStarted = true
	if err := s.srv.Start(); err != nil {
		return nil, fmt.Errorf("devserver: starting the Temporal server: %w", err)
	}

	readyCtx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	if err := s.prepareNamespace(readyCtx); err != nil {
		return nil, fmt.Errorf("devserver: %w", err)
	}

	if p.ui > 0 {
		if s.ui, err = startUI(readyCtx, &o, p.ui, s.frontend); err != nil {
			return nil, fmt.Errorf("devserver: %w", err)
		}
	}
	return s, nil
}

// newTemporalServer builds (but does not start) the Temporal server.
func newTemporalServer(cfg *config.Config, logger *serverLogger) (temporal.Server, error) {
	authorizer, err := authorization.GetAuthorizerFromConfig(&cfg.Global.Authorization)
	if err != nil {
		return nil, fmt.Errorf("creating the authorizer: %w", err)
	}
	claimMapper, err := authorization.GetClaimMapperFromConfig(&cfg.Global.Authorization, logger)
	if err != nil {
		return nil, fmt.Errorf("creating the claim mapper: %w", err)
	}
	host := func(svc string) static.Hosts {
		return static.SingleLocalHost(net.JoinHostPort(cfg.Global.Membership.BroadcastAddress,
			strconv.Itoa(cfg.Services[svc].RPC.GRPCPort)))
	}
	srv, err := temporal.NewServer(
		temporal.WithConfig(cfg),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(map[primitives.ServiceName]static.Hosts{
			primitives.FrontendService: host(string(primitives.FrontendService)),
			primitives.HistoryService:  host(string(primitives.HistoryService)),
			primitives.MatchingService: host(string(primitives.MatchingService)),
			primitives.WorkerService:   host(string(primitives.WorkerService)),
		}),
		temporal.WithLogger(logger),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claimMapper }),
		temporal.WithDynamicConfigClient(dynamicConfig()),
	)
	if err != nil {
		return nil, fmt.Errorf("creating the Temporal server: %w", err)
	}
	return srv, nil
}

// uiHost is the host shown in the UI URL: "localhost" for the loopback
// address, as `temporal server start-dev` prints it.
func uiHost(ip string) string {
	if ip == "127.0.0.1" {
		return "localhost"
	}
	return ip
}

// FrontendHostPort is the address clients and workers dial, e.g.
// "127.0.0.1:7233".
func (s *Server) FrontendHostPort() string { return s.frontend }

// UIURL is the Web UI's address, e.g. "http://localhost:8233", or "" when
// the UI is disabled.
func (s *Server) UIURL() string { return s.uiURL }

// Persistence says where the server keeps its data, e.g. "SQLite
// .hrsync/temporal.db", with no password.
func (s *Server) Persistence() string { return s.persistence }

// Namespace is the namespace the server was started with.
func (s *Server) Namespace() string { return s.opts.Namespace }

// Stop stops the Web UI, then the server. It is safe to call more than
// once; later calls return the first call's result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		s.log.quiet.Store(true)
		var errs []error
		if s.ui != nil {
			errs = append(errs, s.ui.stop())
		}
		if s.srvStarted {
			errs = append(errs, stopWithTimeout(s.srv))
		}
		s.stopErr = errors.Join(errs...)
	})
	return s.stopErr
}

// stopWithTimeout stops the server but gives up waiting after stopTimeout,
// so a stuck service cannot hang the caller.
func stopWithTimeout(srv temporal.Server) error {
	done := make(chan error, 1)
	go func() { done <- srv.Stop() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("devserver: stopping the Temporal server: %w", err)
		}
		return nil
	case <-time.After(stopTimeout):
		return fmt.Errorf("devserver: the Temporal server did not stop within %s", stopTimeout)
	}
}
