package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hrsync/hrsync/roster"
)

// Snapshot describes one fetched roster.
type Snapshot struct {
	ID            string
	IntegrationID string
	SyncID        string
	Complete      bool
	Count         int
	CreatedAt     time.Time
	Pull          Pull
}

// Pull says how a complete snapshot was fetched, so the next fetch can ask
// the source only for what changed since.
type Pull struct {
	// At is when the pull started.
	At time.Time
	// FullAt is when the last full pull this snapshot builds on started.
	FullAt time.Time
	// RulesDigest fingerprints the rules the records were kept under; a
	// change means the next pull must be full.
	RulesDigest string
}

// BeginSnapshot opens snapshot id for writing from record position from: it
// creates the snapshot if it is new and forgets any records at or after from,
// so a fetch that resumes from a heartbeat writes each record exactly once.
func (s *Store) BeginSnapshot(ctx context.Context, id, integrationID, syncID string, from int) error {
	return s.inTx(ctx, func(tx *txn) error {
		if _, err := tx.exec(ctx,
			`INSERT INTO snapshots (id, integration_id, sync_id, created_at) VALUES (?, ?, ?, ?)
			 ON CONFLICT (id) DO UPDATE SET complete = 0`,
			id, integrationID, syncID, now()); err != nil {
			return fmt.Errorf("unable to begin snapshot %s: %w", id, err)
		}
		if _, err := tx.exec(ctx,
			`DELETE FROM snapshot_records WHERE snapshot_id = ? AND seq >= ?`, id, from); err != nil {
			return fmt.Errorf("unable to reset snapshot %s: %w", id, err)
		}
		return nil
	})
}

// AppendRecords writes records into snapshot id at positions from, from+1, …
// A snapshot that is not there — purged with its integration while a fetch
// still ran — takes nothing, and the error is ErrNotFound.
func (s *Store) AppendRecords(ctx context.Context, id string, from int, records []roster.Record) error {
	return s.inTx(ctx, func(tx *txn) error {
		if err := s.lockSnapshot(ctx, tx, id); err != nil {
			return err
		}
		stmt, err := tx.prepare(ctx,
			`INSERT INTO snapshot_records (snapshot_id, seq, employee_id, data) VALUES (?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("unable to prepare record insert: %w", err)
		}
		defer stmt.Close()
		for i, r := range records {
			data, err := json.Marshal(r)
			if err != nil {
				return fmt.Errorf("unable to encode employee %s: %w", r.ID, err)
			}
			if _, err := stmt.ExecContext(ctx, id, from+i, r.ID, string(data)); err != nil {
				return fmt.Errorf("unable to store employee %s in snapshot %s: %w", r.ID, id, err)
			}
		}
		return nil
	})
}

// lockSnapshot takes, in tx, the lock of the integration snapshot id
// belongs to, the one Purge takes, and checks under it that the snapshot is
// still there: what tx writes into it then either precedes the purge, which
// removes it, or is refused.
func (s *Store) lockSnapshot(ctx context.Context, tx *txn, id string) error {
	var integrationID string
	find := func() error {
		return tx.queryRow(ctx, `SELECT integration_id FROM snapshots WHERE id = ?`, id).Scan(&integrationID)
	}
	err := find()
	if err == nil {
		err = s.dialect.lockIntegration(ctx, tx, integrationID)
		if err == nil {
			err = find() // a purge may have committed while tx waited for the lock
		}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("snapshot %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("unable to open snapshot %s for writing: %w", id, err)
	}
	return nil
}

// FinishSnapshot marks snapshot id complete with count records.
func (s *Store) FinishSnapshot(ctx context.Context, id string, count int) error {
	res, err := s.exec(ctx,
		`UPDATE snapshots SET complete = 1, record_count = ? WHERE id = ?`, count, id)
	if err != nil {
		return fmt.Errorf("unable to finish snapshot %s: %w", id, err)
	}
	return mustAffect(res, "snapshot", id)
}

// RecordPull notes how snapshot id was fetched.
func (s *Store) RecordPull(ctx context.Context, id string, p Pull) error {
	res, err := s.exec(ctx,
		`UPDATE snapshots SET pulled_at = ?, full_pulled_at = ?, rules_digest = ? WHERE id = ?`,
		p.At.UTC().Format(time.RFC3339Nano), p.FullAt.UTC().Format(time.RFC3339Nano), p.RulesDigest, id)
	if err != nil {
		return fmt.Errorf("unable to record the pull of snapshot %s: %w", id, err)
	}
	return mustAffect(res, "snapshot", id)
}

// LatestPull returns the integration's most recent complete snapshot that
// records its pull, other than except.
func (s *Store) LatestPull(ctx context.Context, integrationID, except string) (Snapshot, error) {
	var id string
	err := s.queryRow(ctx,
		`SELECT id FROM snapshots WHERE integration_id = ? AND complete = 1 AND pulled_at != '' AND id != ?
		 ORDER BY pulled_at DESC LIMIT 1`, integrationID, except).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Snapshot{}, fmt.Errorf("no earlier pull for %s: %w", integrationID, ErrNotFound)
	}
	if err != nil {
		return Snapshot{}, fmt.Errorf("unable to find the last pull of %s: %w", integrationID, err)
	}
	return s.GetSnapshot(ctx, id)
}

// GetSnapshot returns snapshot id's description.
func (s *Store) GetSnapshot(ctx context.Context, id string) (Snapshot, error) {
	var snap Snapshot
	var created, pulled, fullPulled string
	err := s.queryRow(ctx,
		`SELECT id, integration_id, sync_id, complete, record_count, created_at, pulled_at, full_pulled_at, rules_digest
		 FROM snapshots WHERE id = ?`, id).
		Scan(&snap.ID, &snap.IntegrationID, &snap.SyncID, &snap.Complete, &snap.Count, &created, &pulled, &fullPulled,
			&snap.Pull.RulesDigest)
	if errors.Is(err, sql.ErrNoRows) {
		return Snapshot{}, fmt.Errorf("snapshot %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Snapshot{}, fmt.Errorf("unable to read snapshot %s: %w", id, err)
	}
	snap.CreatedAt = parseTime(created)
	snap.Pull.At, snap.Pull.FullAt = parseTime(pulled), parseTime(fullPulled)
	return snap, nil
}

// SnapshotRecords returns the records of snapshot id in fetch order.
func (s *Store) SnapshotRecords(ctx context.Context, id string) ([]roster.Record, error) {
	rows, err := s.query(ctx,
		`SELECT data FROM snapshot_records WHERE snapshot_id = ? ORDER BY seq`, id)
	if err != nil {
		return nil, fmt.Errorf("unable to read snapshot %s: %w", id, err)
	}
	return scanJSON[roster.Record](rows, "snapshot "+id)
}

// ScanSnapshot calls fn with each record of snapshot id in fetch order,
// decoding one at a time, so a caller that keeps less than the record holds
// never has the whole roster's records in memory. An error from fn stops
// the scan and is returned.
func (s *Store) ScanSnapshot(ctx context.Context, id string, fn func(roster.Record) error) error {
	rows, err := s.query(ctx,
		`SELECT data FROM snapshot_records WHERE snapshot_id = ? ORDER BY seq`, id)
	if err != nil {
		return fmt.Errorf("unable to read snapshot %s: %w", id, err)
	}
	defer rows.Close()
	var data []byte
	for rows.Next() {
		if err := rows.Scan(&data); err != nil {
			return fmt.Errorf("unable to read snapshot %s: %w", id, err)
		}
		var r roster.Record
		if err := json.Unmarshal(data, &r); err != nil {
			return fmt.Errorf("unable to decode a record of snapshot %s: %w", id, err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("unable to read snapshot %s: %w", id, err)
	}
	return nil
}

// ReplaceApplied makes employees the applied roster of integrationID: the
// state hrsync last put into the directory.
func (s *Store) ReplaceApplied(ctx context.Context, integrationID string, employees []roster.Employee) error {
	return s.inTx(ctx, func(tx *txn) error {
		if err := s.dialect.lockIntegration(ctx, tx, integrationID); err != nil {
			return fmt.Errorf("unable to lock applied roster of %s: %w", integrationID, err)
		}
		if _, err := tx.exec(ctx, `DELETE FROM applied WHERE integration_id = ?`, integrationID); err != nil {
			return fmt.Errorf("unable to clear applied roster of %s: %w", integrationID, err)
		}
		stmt, err := tx.prepare(ctx,
			`INSERT INTO applied (integration_id, employee_id, data) VALUES (?, ?, ?)
			 ON CONFLICT (integration_id, employee_id) DO UPDATE SET data = excluded.data`)
		if err != nil {
			return fmt.Errorf("unable to prepare applied insert: %w", err)
		}
		defer stmt.Close()
		for _, e := range employees {
			data, err := json.Marshal(e)
			if err != nil {
				return fmt.Errorf("unable to encode employee %s: %w", e.ID, err)
			}
			if _, err := stmt.ExecContext(ctx, integrationID, e.ID, string(data)); err != nil {
				return fmt.Errorf("unable to store applied employee %s: %w", e.ID, err)
			}
		}
		return nil
	})
}

// Applied returns the applied roster of integrationID, ordered by employee id.
func (s *Store) Applied(ctx context.Context, integrationID string) ([]roster.Employee, error) {
	rows, err := s.query(ctx,
		`SELECT data FROM applied WHERE integration_id = ? ORDER BY employee_id`, integrationID)
	if err != nil {
		return nil, fmt.Errorf("unable to read applied roster of %s: %w", integrationID, err)
	}
	return scanJSON[roster.Employee](rows, "applied roster of "+integrationID)
}

// AppliedOf returns the applied employees of integrationID with the given
// HRIS ids, ordered by employee id; ids not applied are left out.
func (s *Store) AppliedOf(ctx context.Context, integrationID string, employeeIDs []string) ([]roster.Employee, error) {
	var out []roster.Employee
	for _, b := range s.dialect.idBatches("employee_id", employeeIDs) {
		rows, err := s.query(ctx,
			`SELECT data FROM applied WHERE integration_id = ? AND `+b.cond+` ORDER BY employee_id`,
			append([]any{integrationID}, b.args...)...)
		if err != nil {
			return nil, fmt.Errorf("unable to read applied roster of %s: %w", integrationID, err)
		}
		batch, err := scanJSON[roster.Employee](rows, "applied roster of "+integrationID)
		if err != nil {
			return nil, err
		}
		out = append(out, batch...)
	}
	return out, nil
}

// scanJSON decodes the single JSON column of every row and closes rows.
func scanJSON[T any](rows *sql.Rows, what string) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("unable to read %s: %w", what, err)
		}
		var v T
		if err := json.Unmarshal([]byte(data), &v); err != nil {
			return nil, fmt.Errorf("unable to decode %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("unable to read %s: %w", what, err)
	}
	return out, nil
}

func mustAffect(res sql.Result, what, id string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("unable to update %s %s: %w", what, id, err)
	}
	if n == 0 {
		return fmt.Errorf("%s %s: %w", what, id, ErrNotFound)
	}
	return nil
}

func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}
