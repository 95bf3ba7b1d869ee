package scimtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// storeSchema creates the store's tables; each statement is idempotent. A
// user's full resource is kept as JSON; the columns beside it are what
// uniqueness, lookups and ordering need.
var storeSchema = []string{
	`CREATE TABLE IF NOT EXISTS users (
		id TEXT PRIMARY KEY,
		seq INTEGER NOT NULL,
		external_id TEXT UNIQUE,
		user_name TEXT NOT NULL,
		user_name_lower TEXT NOT NULL UNIQUE,
		active INTEGER NOT NULL,
		version INTEGER NOT NULL,
		resource TEXT NOT NULL,
		created TEXT NOT NULL,
		last_modified TEXT NOT NULL)`,
	`CREATE INDEX IF NOT EXISTS users_seq ON users (seq)`,
	`CREATE INDEX IF NOT EXISTS users_last_modified ON users (last_modified)`,
}

// timeFormat is how created and lastModified are written: UTC with
// milliseconds, so their text sorts in time order.
const timeFormat = "2006-01-02T15:04:05.000Z07:00"

// record is one stored user.
type record struct {
	ID           string
	Seq          int64
	ExternalID   string
	UserName     string
	Active       bool
	Version      int64
	Created      time.Time
	LastModified time.Time
	// Resource is the full representation: schemas, id, externalId,
	// attributes, extensions and meta (with the location of the request
	// that last wrote it).
	Resource map[string]any
}

// etag is the record's version as meta.version and the ETag header show it.
func (r *record) etag() string { return formatVersion(r.Version) }

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// store keeps users in SQLite. It holds one connection, so a transaction
// has the database to itself: check-then-write sequences are atomic.
type store struct {
	db *sql.DB
	// keep holds an in-memory database open for the store's lifetime.
	keep *sql.Conn
	// keepDB is the pool keep belongs to.
	keepDB *sql.DB
	// pages lets paging by startIndex read each page by seq.
	pages pageCursors
}

// pageCursors remembers, for the users table as it stands, how many users
// there are and which seq comes just before a list offset, so that paging
// through the whole directory by startIndex reads each page by seq rather
// than counting and skipping every row before it: linear, as a real
// directory's paging is. Every insert and delete moves gen on and so
// forgets it all.
type pageCursors struct {
	mu     sync.Mutex
	gen    uint64
	total  int
	before map[int]int64
}

// maxCursors bounds how many page starts are remembered.
const maxCursors = 4096

// changed forgets every cursor: the table gained or lost a row.
func (c *pageCursors) changed() {
	c.mu.Lock()
	c.gen++
	c.before = nil
	c.mu.Unlock()
}

// lookup returns the generation, the known total (or -1) and the seq
// before offset (ok false when unknown).
func (c *pageCursors) lookup(offset int) (gen uint64, total int, seq int64, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.before == nil {
		return c.gen, -1, 0, false
	}
	seq, ok = c.before[offset]
	return c.gen, c.total, seq, ok
}

// remember keeps total and the seq before offset, if the table has not
// changed since gen.
func (c *pageCursors) remember(gen uint64, total, offset int, seq int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if c.before == nil || len(c.before) >= maxCursors {
		c.before = map[int]int64{}
	}
	c.total = total
	c.before[offset] = seq
}

// openStore opens the SQLite file at path (creating it), or a private
// in-memory database when path is "".
func openStore(ctx context.Context, path string) (*store, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Set("_txlock", "immediate")
	var dsn string
	if path == "" {
		q.Set("mode", "memory")
		q.Set("cache", "shared")
		dsn = "file:scimtest-" + randomHex(12) + "?" + q.Encode()
	} else {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("scimtest: create store directory: %w", err)
		}
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
		dsn = "file:" + path + "?" + q.Encode()
	}
	st := &store{}
	if path == "" {
		// A shared-cache memory database lives while a connection to it is
		// open: keep one aside that never runs a statement.
		keepDB, err := sql.Open("sqlite", dsn)
		if err != nil {
			return nil, fmt.Errorf("scimtest: open store: %w", err)
		}
		conn, err := keepDB.Conn(ctx)
		if err != nil {
			_ = keepDB.Close()
			return nil, fmt.Errorf("scimtest: open store: %w", err)
		}
		st.keepDB, st.keep = keepDB, conn
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		_ = st.close()
		return nil, fmt.Errorf("scimtest: open store %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	st.db = db
	for _, stmt := range storeSchema {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			_ = st.close()
			return nil, fmt.Errorf("scimtest: create store schema: %w", err)
		}
	}
	return st, nil
}

// close closes the database.
func (st *store) close() error {
	var errs []error
	if st.db != nil {
		errs = append(errs, st.db.Close())
	}
	if st.keep != nil {
		errs = append(errs, st.keep.Close(), st.keepDB.Close())
	}
	return errors.Join(errs...)
}

// inTx runs fn in a transaction, committed when fn returns nil.
func (st *store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := st.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// userColumns are the columns scanRecord reads, in order.
const userColumns = `id, seq, COALESCE(external_id, ''), user_name, active, version, created, last_modified, resource`

// scanRecord reads one row of userColumns.
func scanRecord(scan func(dest ...any) error) (*record, error) {
	var (
		r                      record
		created, modified, res string
	)
	if err := scan(&r.ID, &r.Seq, &r.ExternalID, &r.UserName, &r.Active, &r.Version, &created, &modified, &res); err != nil {
		return nil, err
	}
	var err error
	if r.Created, err = time.Parse(timeFormat, created); err != nil {
		return nil, fmt.Errorf("user %s: bad created time: %w", r.ID, err)
	}
	if r.LastModified, err = time.Parse(timeFormat, modified); err != nil {
		return nil, fmt.Errorf("user %s: bad lastModified time: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(res), &r.Resource); err != nil {
		return nil, fmt.Errorf("user %s: bad resource JSON: %w", r.ID, err)
	}
	return &r, nil
}

// get returns user id, nil when there is none.
func (st *store) get(ctx context.Context, q querier, id string) (*record, error) {
	r, err := scanRecord(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return r, err
}

// list returns the users matching the SQL condition where (with args),
// ordered by creation; "" means all users.
func (st *store) list(ctx context.Context, q querier, where string, args ...any) ([]*record, error) {
	return st.query(ctx, q, where, "seq", args...)
}

// page returns how many users there are and count of them from offset, in
// creation order.
func (st *store) page(ctx context.Context, q querier, offset, count int) (int, []*record, error) {
	gen, total, after, known := st.pages.lookup(offset)
	if total < 0 {
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&total); err != nil {
			return 0, nil, err
		}
	}
	if count <= 0 || offset >= total {
		return total, nil, nil
	}
	var rows *sql.Rows
	var err error
	switch {
	case offset == 0:
		rows, err = q.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY seq LIMIT ?`, count)
	case known:
		rows, err = q.QueryContext(ctx, `SELECT `+userColumns+` FROM users WHERE seq > ? ORDER BY seq LIMIT ?`, after, count)
	default:
		rows, err = q.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY seq LIMIT ? OFFSET ?`, count, offset)
	}
	if err != nil {
		return 0, nil, err
	}
	defer func() { _ = rows.Close() }()
	var out []*record
	for rows.Next() {
		r, err := scanRecord(rows.Scan)
		if err != nil {
			return 0, nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return 0, nil, err
	}
	if len(out) > 0 {
		st.pages.remember(gen, total, offset+len(out), out[len(out)-1].Seq)
	}
	return total, out, nil
}

// query returns the users matching where, in the given order.
func (st *store) query(ctx context.Context, q querier, where, order string, args ...any) ([]*record, error) {
	stmt := `SELECT ` + userColumns + ` FROM users`
	if where != "" {
		stmt += ` WHERE ` + where
	}
	rows, err := q.QueryContext(ctx, stmt+` ORDER BY `+order, args...)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var out []*record
	for rows.Next() {
		r, err := scanRecord(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// idWhere returns the id of a user other than except matching where, ""
// when there is none.
func (st *store) idWhere(ctx context.Context, q querier, where, except string, args ...any) (string, error) {
	var id string
	err := q.QueryRowContext(ctx, `SELECT id FROM users WHERE `+where+` AND id <> ? LIMIT 1`,
		append(args, except)...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// columns returns the values of the derived columns of r, from its
// resource.
func columns(r *record) (externalID any, userName string, active bool, resource string, err error) {
	b, err := json.Marshal(r.Resource)
	if err != nil {
		return nil, "", false, "", err
	}
	if id := text(r.Resource, "externalId"); id != "" {
		externalID = id
	}
	return externalID, text(r.Resource, "userName"), r.Resource["active"] == true, string(b), nil
}

// insert adds r, giving it the next creation sequence number.
func (st *store) insert(ctx context.Context, q querier, r *record) error {
	ext, name, active, res, err := columns(r)
	if err != nil {
		return err
	}
	// Around the write, so no list running beside it keeps a cursor.
	st.pages.changed()
	defer st.pages.changed()
	err = q.QueryRowContext(ctx, `INSERT INTO users
		(id, seq, external_id, user_name, user_name_lower, active, version, resource, created, last_modified)
		VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM users), ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
		r.ID, ext, name, fold(name), active, r.Version, res,
		r.Created.UTC().Format(timeFormat), r.LastModified.UTC().Format(timeFormat)).Scan(&r.Seq)
	if err != nil {
		return fmt.Errorf("insert user: %w", err)
	}
	return nil
}

// update writes r over the stored user of the same id.
func (st *store) update(ctx context.Context, q querier, r *record) error {
	ext, name, active, res, err := columns(r)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `UPDATE users SET external_id = ?, user_name = ?, user_name_lower = ?,
		active = ?, version = ?, resource = ?, last_modified = ? WHERE id = ?`,
		ext, name, fold(name), active, r.Version, res, r.LastModified.UTC().Format(timeFormat), r.ID)
	if err != nil {
		return fmt.Errorf("update user: %w", err)
	}
	return nil
}

// remove deletes user id.
func (st *store) remove(ctx context.Context, q querier, id string) error {
	st.pages.changed()
	defer st.pages.changed()
	if _, err := q.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	return nil
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newID returns a random (version 4) UUID.
func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
