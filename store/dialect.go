package store

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"
)

// dialect is the SQL flavour of the database behind a Store. Every query in
// this package is written once, for SQLite, with ? placeholders; the dialect
// rebinds it and supplies the few statements whose syntax differs.
type dialect int

const (
	sqliteDialect dialect = iota
	postgresDialect
)

// String names the dialect, for errors.
func (d dialect) String() string {
	if d == postgresDialect {
		return "postgres"
	}
	return "sqlite"
}

// rebind turns the ? placeholders of query into the dialect's own: SQLite
// keeps them, PostgreSQL numbers them $1, $2, … A ? inside a quoted string or
// identifier ('…' or "…", doubled quotes included) or a comment is left
// alone.
func (d dialect) rebind(query string) string {
	if d != postgresDialect || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			// Copy through the closing quote; a doubled quote inside is
			// just two quoted spans back to back.
			j := strings.IndexByte(query[i+1:], c)
			if j < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+j+2])
			i += j + 1
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+j+1])
			i += j
		case c == '/' && i+1 < len(query) && query[i+1] == '*':
			j := strings.Index(query[i+2:], "*/")
			if j < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+j+4])
			i += j + 3
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// idBatch is a condition that a column is one of some ids, with its
// arguments.
type idBatch struct {
	cond string
	args []any
}

// maxIDsPerBatch bounds the ids of one IN list, well under SQLite's limit on
// a statement's parameters.
const maxIDsPerBatch = 500

// idBatches splits ids into conditions on column that together match every
// id, in ascending order: rows read batch by batch, each ordered by column,
// are in one order. PostgreSQL takes every id in one array (= ANY), ordered
// by its own collation; SQLite, whose binary collation orders strings as Go
// does, takes them sorted and without duplicates, in IN lists of at most
// maxIDsPerBatch. No ids make no batch.
func (d dialect) idBatches(column string, ids []string) []idBatch {
	if len(ids) == 0 {
		return nil
	}
	if d == postgresDialect {
		return []idBatch{{cond: column + " = ANY(?)", args: []any{ids}}}
	}
	sorted := slices.Compact(slices.Sorted(slices.Values(ids)))
	var out []idBatch
	for chunk := range slices.Chunk(sorted, maxIDsPerBatch) {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		out = append(out, idBatch{cond: column + " IN (" + placeholders(len(chunk)) + ")", args: args})
	}
	return out
}

// Advisory lock keys, PostgreSQL only. The migration lock uses the single
// 64-bit key space; per-integration locks use the two 32-bit key space, which
// does not overlap it.
const (
	// migrationLockKey serialises schema migrations across processes.
	migrationLockKey int64 = 0x6872_7379_6e63 // "hrsync"
	// integrationLockClass namespaces the per-integration locks.
	integrationLockClass int32 = 0x6872_7361 // "hrsa"
)

// lockMigration makes the migration in tx exclusive across processes: in
// PostgreSQL it takes a transaction-scoped advisory lock; SQLite's immediate
// transactions already admit one writer at a time.
func (d dialect) lockMigration(ctx context.Context, tx *txn) error {
	if d != postgresDialect {
		return nil
	}
	_, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(?)`, migrationLockKey)
	return err
}

// lockIntegration serialises transactions that rewrite integrationID's
// applied roster, so two concurrent replacements cannot merge, and those
// that append snapshot records with the purge of the integration, so none
// is left behind: in PostgreSQL it takes a transaction-scoped advisory lock
// keyed by the integration; SQLite's immediate transactions already admit
// one writer at a time.
func (d dialect) lockIntegration(ctx context.Context, tx *txn, integrationID string) error {
	if d != postgresDialect {
		return nil
	}
	_, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(?, hashtext(?))`, integrationLockClass, integrationID)
	return err
}

// migration is one schema change, spelt for each dialect.
type migration struct {
	sqlite, postgres string
}

// both is a migration whose statement is the same in every dialect.
func both(stmt string) migration { return migration{sqlite: stmt, postgres: stmt} }

// stmt returns m's statement for dialect d.
func (m migration) stmt(d dialect) string {
	if d == postgresDialect {
		return m.postgres
	}
	return m.sqlite
}

// txn is a transaction that rebinds its queries for the store's dialect.
type txn struct {
	tx      *sql.Tx
	dialect dialect
}

func (t *txn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.dialect.rebind(query), args...)
}

func (t *txn) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.dialect.rebind(query), args...)
}

func (t *txn) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.dialect.rebind(query), args...)
}

func (t *txn) prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	return t.tx.PrepareContext(ctx, t.dialect.rebind(query))
}

// exec, query and queryRow run a query outside any transaction, rebound for
// the store's dialect.
func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return s.db.ExecContext(ctx, s.dialect.rebind(query), args...)
}

func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return s.db.QueryContext(ctx, s.dialect.rebind(query), args...)
}

func (s *Store) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return s.db.QueryRowContext(ctx, s.dialect.rebind(query), args...)
}
