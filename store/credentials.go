package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// SealedCredential is a credential as the store keeps it: encrypted by the
// credentials package, opaque here, with the scope it was sealed for.
type SealedCredential struct {
	ID     string
	Kind   string
	Sealed []byte
	// Hosts and Integrations are the credential's scope in the clear, so
	// the CLI can show it; the sealed value is bound to them.
	Hosts        []string
	Integrations []string
}

// PutCredential stores c, replacing a credential with the same ID.
func (s *Store) PutCredential(ctx context.Context, c SealedCredential) error {
	_, err := s.exec(ctx,
		`INSERT INTO credentials (id, kind, sealed, hosts, integrations, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		 ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, sealed = excluded.sealed, hosts = excluded.hosts,
		 integrations = excluded.integrations, updated_at = excluded.updated_at`,
		c.ID, c.Kind, c.Sealed, strings.Join(c.Hosts, ","), strings.Join(c.Integrations, ","), now(), now())
	if err != nil {
		return fmt.Errorf("unable to store credential %s: %w", c.ID, err)
	}
	return nil
}

// GetCredential returns credential id.
func (s *Store) GetCredential(ctx context.Context, id string) (SealedCredential, error) {
	c := SealedCredential{ID: id}
	var hosts, integrations string
	err := s.queryRow(ctx, `SELECT kind, sealed, hosts, integrations FROM credentials WHERE id = ?`, id).
		Scan(&c.Kind, &c.Sealed, &hosts, &integrations)
	if errors.Is(err, sql.ErrNoRows) {
		return SealedCredential{}, fmt.Errorf("credential %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return SealedCredential{}, fmt.Errorf("unable to read credential %s: %w", id, err)
	}
	c.Hosts, c.Integrations = splitList(hosts), splitList(integrations)
	return c, nil
}

// splitList reads a comma-joined list; "" is none.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// DeleteCredential removes credential id.
func (s *Store) DeleteCredential(ctx context.Context, id string) error {
	if _, err := s.exec(ctx, `DELETE FROM credentials WHERE id = ?`, id); err != nil {
		return fmt.Errorf("unable to delete credential %s: %w", id, err)
	}
	return nil
}
