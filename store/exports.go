package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Export is a file hrsync produced for an administrator, such as a preview
// CSV, kept until the operator's CLI collects it.
type Export struct {
	ID            string
	IntegrationID string
	Kind          string
	Data          []byte
}

// SaveExport stores e, replacing an export with the same ID.
func (s *Store) SaveExport(ctx context.Context, e Export) error {
	_, err := s.exec(ctx,
		`INSERT INTO exports (id, integration_id, kind, created_at, data) VALUES (?, ?, ?, ?, ?)
		 ON CONFLICT (id) DO UPDATE SET data = excluded.data, created_at = excluded.created_at`,
		e.ID, e.IntegrationID, e.Kind, now(), e.Data)
	if err != nil {
		return fmt.Errorf("unable to save export %s: %w", e.ID, err)
	}
	return nil
}

// GetExport returns export id.
func (s *Store) GetExport(ctx context.Context, id string) (Export, error) {
	e := Export{ID: id}
	err := s.queryRow(ctx, `SELECT integration_id, kind, data FROM exports WHERE id = ?`, id).
		Scan(&e.IntegrationID, &e.Kind, &e.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return Export{}, fmt.Errorf("export %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Export{}, fmt.Errorf("unable to read export %s: %w", id, err)
	}
	return e, nil
}

// DeleteExport removes export id once it has been collected.
func (s *Store) DeleteExport(ctx context.Context, id string) error {
	if _, err := s.exec(ctx, `DELETE FROM exports WHERE id = ?`, id); err != nil {
		return fmt.Errorf("unable to delete export %s: %w", id, err)
	}
	return nil
}

// DeleteSnapshot removes snapshot id and its records, for data that was only
// needed for a moment, such as a preview's.
func (s *Store) DeleteSnapshot(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx *txn) error {
		if _, err := tx.exec(ctx, `DELETE FROM snapshot_records WHERE snapshot_id = ?`, id); err != nil {
			return fmt.Errorf("unable to delete snapshot %s: %w", id, err)
		}
		if _, err := tx.exec(ctx, `DELETE FROM snapshots WHERE id = ?`, id); err != nil {
			return fmt.Errorf("unable to delete snapshot %s: %w", id, err)
		}
		return nil
	})
}
