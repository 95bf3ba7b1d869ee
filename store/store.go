// Package store keeps everything hrsync holds outside Temporal history:
// fetched snapshots, plans and their per-employee outcomes, the last applied
// roster of each integration, and run reports. Workflow history carries only
// the IDs and counts that point here.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

// ErrNotFound is returned when a snapshot, plan or report does not exist.
var ErrNotFound = errors.New("not found")

// Store is a handle on hrsync's database. It is safe for concurrent use.
type Store struct {
	db      *sql.DB
	dialect dialect
}

// schema creates every table; each statement is idempotent.
var schema = []string{
	`CREATE TABLE IF NOT EXISTS snapshots (
		id TEXT PRIMARY KEY,
		integration_id TEXT NOT NULL,
		sync_id TEXT NOT NULL,
		complete INTEGER NOT NULL DEFAULT 0,
		record_count INTEGER NOT NULL DEFAULT 0,
		created_at TEXT NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS snapshot_records (
		snapshot_id TEXT NOT NULL,
		seq INTEGER NOT NULL,
		employee_id TEXT NOT NULL,
		data TEXT NOT NULL,
		PRIMARY KEY (snapshot_id, seq))`,
	`CREATE TABLE IF NOT EXISTS plans (
		id TEXT PRIMARY KEY,
		integration_id TEXT NOT NULL,
		sync_id TEXT NOT NULL,
		snapshot_id TEXT NOT NULL,
		created_at TEXT NOT NULL,
		counts TEXT NOT NULL,
		blocks TEXT NOT NULL,
		problems TEXT NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS plan_changes (
		plan_id TEXT NOT NULL,
		seq INTEGER NOT NULL,
		employee_id TEXT NOT NULL,
		op TEXT NOT NULL,
		change TEXT NOT NULL,
		status TEXT NOT NULL,
		target_id TEXT NOT NULL DEFAULT '',
		error TEXT NOT NULL DEFAULT '',
		PRIMARY KEY (plan_id, seq))`,
	`CREATE TABLE IF NOT EXISTS applied (
		integration_id TEXT NOT NULL,
		employee_id TEXT NOT NULL,
		data TEXT NOT NULL,
		PRIMARY KEY (integration_id, employee_id))`,
	`CREATE TABLE IF NOT EXISTS reports (
		id TEXT PRIMARY KEY,
		integration_id TEXT NOT NULL,
		sync_id TEXT NOT NULL,
		created_at TEXT NOT NULL,
		data TEXT NOT NULL)`,
	`CREATE INDEX IF NOT EXISTS snapshots_integration ON snapshots (integration_id)`,
	`CREATE INDEX IF NOT EXISTS plans_integration ON plans (integration_id)`,
	`CREATE INDEX IF NOT EXISTS reports_integration ON reports (integration_id)`,
}

// Open opens the store named by dsn: a "postgres://" or "postgresql://" URL
// opens a PostgreSQL database (see OpenPostgres); anything else is the path
// of a SQLite database file (see OpenSQLite).
func Open(ctx context.Context, dsn string) (*Store, error) {
	if hasPrefixFold(dsn, "postgres://") || hasPrefixFold(dsn, "postgresql://") {
		return OpenPostgres(ctx, dsn)
	}
	return OpenSQLite(ctx, dsn)
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// OpenPostgres connects to the PostgreSQL database at dsn (a URL or
// key=value connection string understood by pgx; a search_path parameter
// picks the schema) and brings its schema up to date. Several processes may
// open the same database at once: migrations are serialised by an advisory
// lock.
func OpenPostgres(ctx context.Context, dsn string) (*Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("unable to open postgres store: %w", err)
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(4)
	s := &Store{db: db, dialect: postgresDialect}
	if err := s.migrate(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// OpenSQLite opens (creating if need be) the SQLite database file at path and
// brings its schema up to date. The store holds people data: a new file is
// made readable by its owner only, whether or not its folder existed, and
// SQLite gives its journal files the same permissions.
func OpenSQLite(ctx context.Context, path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("unable to create store directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("unable to create store %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("unable to create store %s: %w", path, err)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("unable to open store %s: %w", path, err)
	}
	db.SetMaxOpenConns(4)
	s := &Store{db: db, dialect: sqliteDialect}
	if err := s.migrate(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// migrations change the schema after its first version; each runs once, in
// order, and the count that ran is kept in schema_version. A statement whose
// syntax differs between dialects is spelt for each.
var migrations = []migration{
	both(`ALTER TABLE plans ADD COLUMN holds TEXT NOT NULL DEFAULT '[]'`),
	both(`ALTER TABLE plans ADD COLUMN digest TEXT NOT NULL DEFAULT ''`),
	{
		sqlite: `CREATE TABLE exports (
		id TEXT PRIMARY KEY,
		integration_id TEXT NOT NULL,
		kind TEXT NOT NULL,
		created_at TEXT NOT NULL,
		data BLOB NOT NULL)`,
		postgres: `CREATE TABLE exports (
		id TEXT PRIMARY KEY,
		integration_id TEXT NOT NULL,
		kind TEXT NOT NULL,
		created_at TEXT NOT NULL,
		data BYTEA NOT NULL)`,
	},
	{
		sqlite: `CREATE TABLE credentials (
		id TEXT PRIMARY KEY,
		kind TEXT NOT NULL,
		sealed BLOB NOT NULL,
		created_at TEXT NOT NULL,
		updated_at TEXT NOT NULL)`,
		postgres: `CREATE TABLE credentials (
		id TEXT PRIMARY KEY,
		kind TEXT NOT NULL,
		sealed BYTEA NOT NULL,
		created_at TEXT NOT NULL,
		updated_at TEXT NOT NULL)`,
	},
	both(`ALTER TABLE snapshots ADD COLUMN pulled_at TEXT NOT NULL DEFAULT ''`),
	both(`ALTER TABLE snapshots ADD COLUMN full_pulled_at TEXT NOT NULL DEFAULT ''`),
	both(`ALTER TABLE snapshots ADD COLUMN rules_digest TEXT NOT NULL DEFAULT ''`),
	// The employee a change leaves in the directory, promoted into the
	// applied roster by one statement when the run commits.
	both(`ALTER TABLE plan_changes ADD COLUMN employee TEXT NOT NULL DEFAULT ''`),
	both(`CREATE INDEX plan_changes_status ON plan_changes (plan_id, status, seq)`),
	// Which directory a plan writes to, what that directory accepts, and
	// the run's warnings.
	both(`ALTER TABLE plans ADD COLUMN directory TEXT NOT NULL DEFAULT ''`),
	both(`ALTER TABLE plans ADD COLUMN target TEXT NOT NULL DEFAULT ''`),
	both(`ALTER TABLE plans ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]'`),
	// The directory users each integration owns: one owner per user.
	both(`CREATE TABLE owned_users (
		directory TEXT NOT NULL,
		target_id TEXT NOT NULL,
		integration_id TEXT NOT NULL,
		employee_id TEXT NOT NULL,
		since TEXT NOT NULL,
		PRIMARY KEY (directory, target_id))`),
	both(`CREATE INDEX owned_users_integration ON owned_users (integration_id)`),
	both(`ALTER TABLE plans ADD COLUMN not_managed INTEGER NOT NULL DEFAULT 0`),
	// Where each stored credential may be sent, and by whom.
	both(`ALTER TABLE credentials ADD COLUMN hosts TEXT NOT NULL DEFAULT ''`),
	both(`ALTER TABLE credentials ADD COLUMN integrations TEXT NOT NULL DEFAULT ''`),
	// Invitations: one per newly created user of an integration, ever; the
	// invite settings a plan's run sends them with; and each report's
	// outcome, so a run can tell whether an earlier one succeeded.
	both(`CREATE TABLE invites (
		integration_id TEXT NOT NULL,
		employee_id TEXT NOT NULL,
		sync_id TEXT NOT NULL,
		target_id TEXT NOT NULL DEFAULT '',
		status TEXT NOT NULL,
		created_at TEXT NOT NULL,
		sent_at TEXT NOT NULL DEFAULT '',
		error TEXT NOT NULL DEFAULT '',
		PRIMARY KEY (integration_id, employee_id))`),
	both(`CREATE INDEX invites_sync ON invites (integration_id, sync_id)`),
	both(`ALTER TABLE plans ADD COLUMN invite TEXT NOT NULL DEFAULT ''`),
	both(`ALTER TABLE reports ADD COLUMN outcome TEXT NOT NULL DEFAULT ''`),
	{
		sqlite:   `UPDATE reports SET outcome = COALESCE(json_extract(data, '$.outcome'), '')`,
		postgres: `UPDATE reports SET outcome = COALESCE(data::jsonb ->> 'outcome', '')`,
	},
	// The one employee a run synced on demand, "" for a whole run.
	both(`ALTER TABLE plans ADD COLUMN employee TEXT NOT NULL DEFAULT ''`),
	// Incremental runs: whether a plan compared the live directory (a
	// reconcile), and per integration when one was last applied and what
	// drift writes have found since.
	both(`ALTER TABLE plans ADD COLUMN reconcile INTEGER NOT NULL DEFAULT 0`),
	both(`CREATE TABLE directory_state (
		integration_id TEXT PRIMARY KEY,
		directory TEXT NOT NULL,
		reconciled_at TEXT NOT NULL,
		not_managed INTEGER NOT NULL DEFAULT 0,
		drift TEXT NOT NULL DEFAULT '',
		drift_at TEXT NOT NULL DEFAULT '')`),
	// --- rate_buckets (shared target rate limits, store/ratelimit.go) ---
	// One token bucket per target host, from which every worker process
	// leases its requests. Times are Unix nanoseconds.
	{
		sqlite: `CREATE TABLE rate_buckets (
		host TEXT PRIMARY KEY,
		tokens REAL NOT NULL,
		updated_at INTEGER NOT NULL,
		per_minute INTEGER NOT NULL,
		per_minute_at INTEGER NOT NULL)`,
		postgres: `CREATE TABLE rate_buckets (
		host TEXT PRIMARY KEY,
		tokens DOUBLE PRECISION NOT NULL,
		updated_at BIGINT NOT NULL,
		per_minute INTEGER NOT NULL,
		per_minute_at BIGINT NOT NULL)`,
	},
	// --- end rate_buckets ---
	// The known users of an integration in one directory, by HRIS id: in
	// the order KnownUsers reads them (no sort) and found by id without a
	// scan (KnownUsersOf). Covering, so neither reads the table itself.
	both(`CREATE INDEX owned_users_known ON owned_users (integration_id, directory, employee_id, target_id)`),
	// Which write of each plan may go on (see PlanWriter): the token of
	// the one begun last.
	both(`CREATE TABLE plan_writes (
		plan_id TEXT PRIMARY KEY,
		token TEXT NOT NULL)`),
	// How many unchanged changes a plan counts but did not store (see
	// Plan.Unwritten).
	both(`ALTER TABLE plans ADD COLUMN unwritten INTEGER NOT NULL DEFAULT 0`),
}

// migrate creates the schema and runs the migrations still due, all in one
// transaction. In PostgreSQL the transaction first takes an advisory lock, so
// processes starting at once migrate one after the other (the later one
// finds nothing left to do); under READ COMMITTED each statement after the
// lock sees what the earlier process committed.
func (s *Store) migrate(ctx context.Context) error {
	return s.inTx(ctx, func(tx *txn) error {
		if err := s.dialect.lockMigration(ctx, tx); err != nil {
			return fmt.Errorf("unable to lock the store for migration: %w", err)
		}
		for _, stmt := range schema {
			if _, err := tx.exec(ctx, stmt); err != nil {
				return fmt.Errorf("unable to create store schema: %w", err)
			}
		}
		if _, err := tx.exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
			return fmt.Errorf("unable to create schema version: %w", err)
		}
		var version int
		err := tx.queryRow(ctx, `SELECT version FROM schema_version`).Scan(&version)
		if errors.Is(err, sql.ErrNoRows) {
			if _, err := tx.exec(ctx, `INSERT INTO schema_version (version) VALUES (0)`); err != nil {
				return fmt.Errorf("unable to record schema version: %w", err)
			}
		} else if err != nil {
			return fmt.Errorf("unable to read schema version: %w", err)
		}
		for i := version; i < len(migrations); i++ {
			if _, err := tx.exec(ctx, migrations[i].stmt(s.dialect)); err != nil {
				return fmt.Errorf("unable to migrate %s store to version %d: %w", s.dialect, i+1, err)
			}
		}
		if _, err := tx.exec(ctx, `UPDATE schema_version SET version = ?`, len(migrations)); err != nil {
			return fmt.Errorf("unable to record schema version: %w", err)
		}
		return nil
	})
}

// Close releases the database.
func (s *Store) Close() error { return s.db.Close() }

// Ping checks that the database answers a query, as a worker's readiness
// check does; ctx bounds how long it may take.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.db.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("the %s store does not answer: %w", s.dialect, err)
	}
	return nil
}

// inTx runs fn in a transaction, committing when it returns nil.
// SQLite transactions are immediate (one writer at a time); PostgreSQL ones
// run at the default READ COMMITTED level, with atomic upserts and advisory
// locks where statements must not interleave.
func (s *Store) inTx(ctx context.Context, fn func(*txn) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("unable to begin transaction: %w", err)
	}
	if err := fn(&txn{tx: tx, dialect: s.dialect}); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("unable to commit: %w", err)
	}
	return nil
}
