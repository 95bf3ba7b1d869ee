package store

import "testing"

func TestRebind(t *testing.T) {
	for _, c := range []struct{ in, sqlite, postgres string }{
		{`SELECT 1`, `SELECT 1`, `SELECT 1`},
		{`SELECT a FROM t WHERE a = ? AND b = ?`, `SELECT a FROM t WHERE a = ? AND b = ?`,
			`SELECT a FROM t WHERE a = $1 AND b = $2`},
		{`UPDATE t SET a = '?', b = ? WHERE c = 'it''s ?' AND d = ?`, ``,
			`UPDATE t SET a = '?', b = $1 WHERE c = 'it''s ?' AND d = $2`},
		{`SELECT "odd?name", ? FROM t -- why?
			WHERE x = ? /* or ? */ AND y = ?`, ``,
			`SELECT "odd?name", $1 FROM t -- why?
			WHERE x = $2 /* or ? */ AND y = $3`},
		{`SELECT 'unterminated ?`, ``, `SELECT 'unterminated ?`},
		{`VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, ``, `VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`},
	} {
		want := c.sqlite
		if want == "" {
			want = c.in
		}
		if got := sqliteDialect.rebind(c.in); got != want {
			t.Errorf("sqlite rebind(%q) = %q, want %q", c.in, got, want)
		}
		if got := postgresDialect.rebind(c.in); got != c.postgres {
			t.Errorf("postgres rebind(%q) = %q, want %q", c.in, got, c.postgres)
		}
	}
}
