package devserver

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"strings"

	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	pgplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql"
	"go.temporal.io/server/tools/common/schema"
	sqltool "go.temporal.io/server/tools/sql"
)

// The embedded schemas the server's own tool (temporal-sql-tool) applies
// to PostgreSQL: the versioned directories under the server module's
// schema/ folder.
const (
	pgPersistenceSchema = "postgresql/v12/temporal"
	pgVisibilitySchema  = "postgresql/v12/visibility"
)

// pgHistoryShards is the number of history shards of a cluster on
// PostgreSQL. It is fixed when the database is first used; a few shards
// let several workflows' tasks be written at once, as one shard on SQLite
// cannot.
const pgHistoryShards = 4

// VisibilitySuffix names the visibility database next to the persistence
// one: a DSN naming database "temporal" keeps visibility in
// "temporal_visibility", as Temporal's own deployments do.
const VisibilitySuffix = "_visibility"

// postgresConfigs turns a postgres:// DSN into the server's SQL configs for
// persistence (the database it names) and visibility (that name plus
// VisibilitySuffix). Query parameters, such as sslmode, are passed to the
// driver as they are.
func postgresConfigs(dsn string) (persistence, visibility *config.SQL, err error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, nil, errors.New("Temporal's PostgreSQL DSN is not a URL") // the DSN may hold a password
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return nil, nil, fmt.Errorf("Temporal's PostgreSQL DSN must start postgres://, not %s://", u.Scheme)
	}
	host, port := u.Hostname(), u.Port()
	if host == "" {
		return nil, nil, errors.New("Temporal's PostgreSQL DSN names no host")
	}
	if port == "" {
		port = "5432"
	}
	db := strings.TrimPrefix(u.Path, "/")
	if db == "" || strings.Contains(db, "/") {
		return nil, nil, errors.New("Temporal's PostgreSQL DSN must name one database, as in postgres://user@host:5432/temporal")
	}
	if !validDatabaseName(db + VisibilitySuffix) {
		return nil, nil, fmt.Errorf("Temporal's database name %q: use letters, digits and underscores, starting with a letter", db)
	}
	attrs := map[string]string{}
	for k, v := range u.Query() {
		if len(v) != 1 {
			return nil, nil, fmt.Errorf("Temporal's PostgreSQL DSN sets %q more than once", k)
		}
		attrs[k] = v[0]
	}
	password, _ := u.User.Password()
	base := config.SQL{
		PluginName:        pgplugin.PluginNamePGX,
		User:              u.User.Username(),
		Password:          password,
		ConnectAddr:       net.JoinHostPort(host, port),
		ConnectProtocol:   "tcp",
		ConnectAttributes: attrs,
		MaxConns:          20,
		MaxIdleConns:      20,
	}
	p, v := base, base
	p.DatabaseName = db
	v.DatabaseName = db + VisibilitySuffix
	v.ConnectAttributes = maps.Clone(attrs)
	return &p, &v, nil
}

// validDatabaseName reports whether name can be used unquoted: the
// server's tool creates and drops databases by name without quoting all
// of them.
func validDatabaseName(name string) bool {
	if name == "" || len(name) > 63 {
		return false
	}
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r == '_':
		case (r >= '0' && r <= '9') && i > 0:
		default:
			return false
		}
	}
	return true
}

// preparePostgres creates the database behind each config if it is
// missing and brings its schema to the version this server needs, with
// the server's own schema tool: the versioning tables first (as
// `temporal-sql-tool setup-schema -v 0.0`), then every versioned change
// not applied yet (as `update-schema --schema-name …`). Run on a current
// database it changes nothing.
//
// A role that may not create databases can still be given ones made for
// it: creating is tried, and only if the schema cannot be brought up to
// date either are both failures reported.
func preparePostgres(logger log.Logger, stores ...pgStore) error {
	for _, s := range stores {
		admin := *s.conf
		createErr := sqltool.DoCreateDatabase(&admin, "postgres", logger)
		if err := migrate(s.conf, s.schema, logger); err != nil {
			if createErr != nil {
				err = errors.Join(fmt.Errorf("creating it: %w", createErr), err)
			}
			return fmt.Errorf("bringing the schema of database %q up to date: %w", s.conf.DatabaseName, err)
		}
	}
	return nil
}

// pgStore is one database the server uses and the embedded schema it has.
type pgStore struct {
	conf   *config.SQL
	schema string
}

// migrate runs the schema tool's setup and update tasks on one database.
func migrate(conf *config.SQL, schemaName string, logger log.Logger) error {
	conn, err := sqltool.NewConnection(conf, logger)
	if err != nil {
		return err
	}
	defer conn.Close()
	setup := schema.NewSetupSchemaTask(conn, &schema.SetupConfig{InitialVersion: "0.0"}, logger)
	if err := setup.Run(); err != nil {
		return err
	}
	return schema.NewUpdateSchemaTask(conn, &schema.UpdateConfig{DBName: conf.DatabaseName, SchemaName: schemaName}, logger).Run()
}
