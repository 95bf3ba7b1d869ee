package main

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"

	"github.com/hrsync/hrsync/devserver"
)

// freshDatabase names a database of its own on the PostgreSQL server dsn
// names, for a bench's Temporal to create, and gives a DSN naming it and a
// function that drops it and its visibility database.
func freshDatabase(dsn, prefix string) (string, func() error, error) {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", nil, errors.New("--temporal-postgres: want a postgres:// DSN")
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, err
	}
	name := prefix + "_" + hex.EncodeToString(b[:])
	fresh := *u
	fresh.Path = "/" + name
	drop := func() error {
		admin, err := sql.Open("pgx", dsn)
		if err != nil {
			return err
		}
		defer admin.Close()
		var errs []error
		for _, db := range []string{name, name + devserver.VisibilitySuffix} {
			if _, err := admin.Exec(`DROP DATABASE IF EXISTS "` + db + `" WITH (FORCE)`); err != nil {
				errs = append(errs, fmt.Errorf("unable to drop database %s: %w", db, err))
			}
		}
		return errors.Join(errs...)
	}
	return fresh.String(), drop, nil
}
