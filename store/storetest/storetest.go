// Package storetest gives tests a store of their own on the PostgreSQL
// server the environment names, so every backend can be tested where a
// server is reachable and skipped, saying so, where not.
package storetest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// PostgresEnv names the variable holding the DSN of a PostgreSQL server to
// run tests against, such as
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const PostgresEnv = "HRSYNC_TEST_POSTGRES"

// PostgresDSN creates a schema of its own on the server named by
// HRSYNC_TEST_POSTGRES, dropped when the test ends, and returns a DSN whose
// search_path selects it. Without the variable the test is skipped.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skip("set " + PostgresEnv + " to run the PostgreSQL tests")
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	schema := "hrsync_test_" + hex.EncodeToString(b[:])

	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		_ = admin.Close()
		t.Fatalf("unable to create a test schema on %s: %v", PostgresEnv, err)
	}
	// Registered before any store on the schema is opened, so it runs after
	// they are closed.
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("unable to drop test schema %s: %v", schema, err)
		}
	})

	if !strings.Contains(base, "://") {
		return base + " search_path=" + schema // key=value form
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// PostgresDatabase names a database of its own on the server named by
// HRSYNC_TEST_POSTGRES, for a test that creates it (Temporal's dev server
// does) and returns a DSN naming it. When the test ends the database and
// any others whose names start with it, such as its visibility database,
// are dropped, with whatever is still connected to them. Without the
// variable the test is skipped.
func PostgresDatabase(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skip("set " + PostgresEnv + " to run the PostgreSQL tests")
	}
	u, err := url.Parse(base)
	if err != nil || !strings.Contains(base, "://") {
		t.Skipf("%s must be a postgres:// URL for tests that make databases", PostgresEnv)
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	name := "hrsync_test_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		rows, err := admin.Query(`SELECT datname FROM pg_database WHERE starts_with(datname, $1)`, name)
		if err != nil {
			t.Errorf("unable to list the test databases: %v", err)
			return
		}
		var names []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				t.Error(err)
			}
			names = append(names, n)
		}
		_ = rows.Close()
		for _, n := range names {
			if _, err := admin.Exec(`DROP DATABASE IF EXISTS "` + n + `" WITH (FORCE)`); err != nil {
				t.Errorf("unable to drop test database %s: %v", n, err)
			}
		}
	})
	u.Path = "/" + name
	return u.String()
}
