package devserver

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/metrics"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"google.golang.org/protobuf/types/known/durationpb"
)

// clusterName is the name of the single local cluster.
const clusterName = "active"

// ports holds every port the server and UI listen on.
type ports struct {
	grpc, http, history, matching, worker, metrics, ui int
}

// resolvePorts checks the requested ports and picks free ones for the rest.
func resolvePorts(o *Options) (ports, error) {
	var p ports
	var err error

	if o.GRPCPort == 0 {
		if p.grpc, err = freePort(o.IP); err != nil {
			return p, err
		}
	} else {
		p.grpc = o.GRPCPort
		if err := checkPortFree(o.IP, p.grpc); err != nil {
			return p, err
		}
	}

	switch {
	case o.UIPort < 0:
		p.ui = -1
	case o.UIPort == 0 && o.GRPCPort == 0:
		if p.ui, err = freePort(o.IP); err != nil {
			return p, err
		}
	default:
		p.ui = o.UIPort
		if p.ui == 0 {
			p.ui = p.grpc + 1000
		}
		if err := checkPortFree(o.IP, p.ui); err != nil {
			return p, err
		}
	}

	for _, dst := range []*int{&p.http, &p.history, &p.matching, &p.worker, &p.metrics} {
		if *dst, err = freePort(o.IP); err != nil {
			return p, err
		}
	}
	return p, nil
}

// sqlConfig is the SQLite persistence config for the DB file.
//
// Every key that is not an SQLite URI parameter becomes a pragma. WAL lets
// readers (the sqlite3 shell, a second process) look at the file while the
// server writes; the plugin still keeps one connection, since it cannot ask
// for immediate transactions and several writers would hit "database is
// locked".
func sqlConfig(dbPath string) *config.SQL {
	return &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: dbPath,
		ConnectAttributes: map[string]string{
			"mode":         "rwc",
			"journal_mode": "wal",
			"synchronous":  "normal",
			"busy_timeout": "10000",
		},
	}
}

// stores are the server's persistence and visibility stores.
type stores struct {
	persistence, visibility *config.SQL
	shards                  int32
	// describe says where they are, for people.
	describe string
}

// prepareStores readies the SQLite file or the PostgreSQL databases the
// options name.
func prepareStores(o *Options, logger log.Logger) (stores, error) {
	if o.Postgres == "" {
		sqlConf := sqlConfig(o.DBPath)
		if err := prepareDB(o, sqlConf); err != nil {
			return stores{}, err
		}
		return stores{persistence: sqlConf, visibility: sqlConf, shards: 1, describe: "SQLite " + o.DBPath}, nil
	}
	p, v, err := postgresConfigs(o.Postgres)
	if err != nil {
		return stores{}, err
	}
	if err := preparePostgres(logger, pgStore{p, pgPersistenceSchema}, pgStore{v, pgVisibilitySchema}); err != nil {
		return stores{}, err
	}
	return stores{persistence: p, visibility: v, shards: pgHistoryShards,
		describe: fmt.Sprintf("PostgreSQL %s, databases %s and %s", p.ConnectAddr, p.DatabaseName, v.DatabaseName)}, nil
}

// prepareDB creates the schema when the DB file is new, and registers the
// namespace with its retention and search attributes when it is missing.
// An existing namespace is left alone here and reconciled once the server
// answers.
func prepareDB(o *Options, sqlConf *config.SQL) error {
	if strings.ContainsAny(o.DBPath, "?#") {
		return fmt.Errorf("DB path %q must not contain '?' or '#'", o.DBPath)
	}
	if err := os.MkdirAll(filepath.Dir(o.DBPath), 0o755); err != nil {
		return fmt.Errorf("creating the DB directory: %w", err)
	}
	_, err := os.Stat(o.DBPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := sqliteschema.SetupSchema(sqlConf); err != nil {
			return fmt.Errorf("creating the schema in %s: %w", o.DBPath, err)
		}
	case err != nil:
		return fmt.Errorf("checking the DB file: %w", err)
	}

	nsConf, err := sqliteschema.NewNamespaceConfig(clusterName, o.Namespace, false, o.SearchAttributes)
	if err != nil {
		return fmt.Errorf("configuring namespace %q: %w", o.Namespace, err)
	}
	nsConf.Detail.Config.Retention = durationpb.New(o.Retention)
	if err := sqliteschema.CreateNamespaces(sqlConf, nsConf); err != nil {
		return fmt.Errorf("creating namespace %q: %w", o.Namespace, err)
	}
	return nil
}

// serverConfig builds the static server config: all four services on one
// host, archival off.
func serverConfig(o *Options, p ports, st stores) *config.Config {
	hostPort := func(port int) string { return net.JoinHostPort(o.IP, strconv.Itoa(port)) }
	service := func(port int) config.Service {
		return config.Service{RPC: config.RPC{GRPCPort: port, BindOnIP: o.IP}}
	}
	frontend := service(p.grpc)
	frontend.RPC.HTTPPort = p.http

	// SQLite keeps both in one file, behind one store: two would open two
	// writers on it.
	storeName, visibilityName := "sqlite-default", "sqlite-default"
	if st.visibility != st.persistence {
		storeName, visibilityName = "postgres-default", "postgres-visibility"
	}
	return &config.Config{
		Global: config.Global{
			Membership: config.Membership{
				MaxJoinDuration:  30 * time.Second,
				BroadcastAddress: o.IP,
			},
			Metrics: &metrics.Config{
				Prometheus: &metrics.PrometheusConfig{
					ListenAddress: hostPort(p.metrics),
					HandlerPath:   "/metrics",
				},
			},
		},
		Persistence: config.Persistence{
			DefaultStore:     storeName,
			VisibilityStore:  visibilityName,
			NumHistoryShards: st.shards,
			DataStores: map[string]config.DataStore{
				storeName:      {SQL: st.persistence},
				visibilityName: {SQL: st.visibility},
			},
		},
		ClusterMetadata: &cluster.Config{
			EnableGlobalNamespace:    false,
			FailoverVersionIncrement: 10,
			MasterClusterName:        clusterName,
			CurrentClusterName:       clusterName,
			ClusterInformation: map[string]cluster.ClusterInformation{
				clusterName: {
					Enabled:                true,
					InitialFailoverVersion: 1,
					RPCAddress:             hostPort(p.grpc),
					HTTPAddress:            hostPort(p.http),
				},
			},
		},
		DCRedirectionPolicy: config.DCRedirectionPolicy{Policy: "noop"},
		Services: map[string]config.Service{
			"frontend": frontend,
			"history":  service(p.history),
			"matching": service(p.matching),
			"worker":   service(p.worker),
		},
		Archival: config.Archival{
			History:    config.HistoryArchival{State: "disabled"},
			Visibility: config.VisibilityArchival{State: "disabled"},
		},
		NamespaceDefaults: config.NamespaceDefaults{
			Archival: config.ArchivalNamespaceDefaults{
				History:    config.HistoryArchivalNamespaceDefaults{State: "disabled"},
				Visibility: config.VisibilityArchivalNamespaceDefaults{State: "disabled"},
			},
		},
		// The server's own SDK clients (system workflows) dial this; it
		// panics at start without it.
		PublicClient: config.PublicClient{HostPort: hostPort(p.grpc)},
	}
}

// dynamicConfig mirrors what `temporal server start-dev` sets: search
// attributes and Nexus endpoints visible at once, and persistence rate
// limits high enough for a single-host SQLite server. Namespace changes
// also spread a little faster than the server's default (2s).
func dynamicConfig() dynamicconfig.StaticClient {
	return dynamicconfig.StaticClient{
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key():                 8096,
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key():      true,
		dynamicconfig.ForceNexusEndpointRefreshOnRead.Key():              true,
		dynamicconfig.FrontendPersistenceMaxQPS.Key():                    10000,
		dynamicconfig.HistoryPersistenceMaxQPS.Key():                     45000,
		dynamicconfig.MatchingPersistenceMaxQPS.Key():                    10000,
		dynamicconfig.NamespaceCacheRefreshInterval.Key():                namespaceRefresh,
	}
}

// searchAttributeTypeName is the short name of an SA type, e.g. "Keyword".
func searchAttributeTypeName(t enums.IndexedValueType) string {
	return strings.TrimPrefix(t.String(), "INDEXED_VALUE_TYPE_")
}
