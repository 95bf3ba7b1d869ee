package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// SealedCredential is a credential as the store keeps it: encrypted by the
// credentials package, opaque here.
type SealedCredential struct {
	ID     string
	Kind   string
	Sealed []byte
}

// PutCredential stores c, replacing a credential with the same ID.
func (s *Store) PutCredential(ctx context.Context, c SealedCredential) error {
	_, err := s.exec(ctx,
		`INSERT INTO credentials (id, kind, sealed, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
		 ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, sealed = excluded.sealed, updated_at = excluded.updated_at`,
		c.ID, c.Kind, c.Sealed, now(), now())
	if err != nil {
		return fmt.Errorf("unable to store credential %s: %w", c.ID, err)
	}
	return nil
}

// GetCredential returns credential id.
func (s *Store) GetCredential(ctx context.Context, id string) (SealedCredential, error) {
	c := SealedCredential{ID: id}
	err := s.queryRow(ctx, `SELECT kind, sealed FROM credentials WHERE id = ?`, id).Scan(&c.Kind, &c.Sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return SealedCredential{}, fmt.Errorf("credential %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return SealedCredential{}, fmt.Errorf("unable to read credential %s: %w", id, err)
	}
	return c, nil
}

// DeleteCredential removes credential id.
func (s *Store) DeleteCredential(ctx context.Context, id string) error {
	if _, err := s.exec(ctx, `DELETE FROM credentials WHERE id = ?`, id); err != nil {
		return fmt.Errorf("unable to delete credential %s: %w", id, err)
	}
	return nil
}
