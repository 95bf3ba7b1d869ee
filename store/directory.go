package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hrsync/hrsync/roster"
)

// DirectoryState is what an integration knows of its directory beyond the
// users it wrote: when a run last compared the whole live directory (a
// reconcile), and whether a write has since found the directory other than
// hrsync left it (drift), which makes the next run reconcile.
type DirectoryState struct {
	IntegrationID string
	// Directory names the directory reconciled (see Plan.Directory); a
	// run against another directory must reconcile first.
	Directory string
	// ReconciledAt is when the last applied reconcile's plan was made.
	ReconciledAt time.Time
	// NotManaged is how many directory users that reconcile found the
	// integration does not own; incremental runs report it as known then.
	NotManaged int
	// Drift says what a write found, "" for nothing; DriftAt is when.
	Drift   string
	DriftAt time.Time
}

// GetDirectoryState returns integrationID's directory state, or ErrNotFound
// when no reconcile has ever been applied and no drift found.
func (s *Store) GetDirectoryState(ctx context.Context, integrationID string) (DirectoryState, error) {
	st := DirectoryState{IntegrationID: integrationID}
	var reconciled, driftAt string
	err := s.queryRow(ctx,
		`SELECT directory, reconciled_at, not_managed, drift, drift_at FROM directory_state WHERE integration_id = ?`,
		integrationID).Scan(&st.Directory, &reconciled, &st.NotManaged, &st.Drift, &driftAt)
	if errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("directory state of %s: %w", integrationID, ErrNotFound)
	}
	if err != nil {
		return st, fmt.Errorf("unable to read the directory state of %s: %w", integrationID, err)
	}
	st.ReconciledAt, st.DriftAt = parseTime(reconciled), parseTime(driftAt)
	return st, nil
}

// RecordReconcile records that a reconcile of directory, planned at
// plannedAt, was applied for integrationID. Drift found before the plan
// was made is repaired by it and forgotten; drift found since is kept, so
// the next run reconciles again.
func (s *Store) RecordReconcile(ctx context.Context, integrationID, directory string, plannedAt time.Time, notManaged int) error {
	at := stamp(plannedAt)
	if _, err := s.exec(ctx,
		`INSERT INTO directory_state (integration_id, directory, reconciled_at, not_managed, drift, drift_at)
		 VALUES (?, ?, ?, ?, '', '')
		 ON CONFLICT (integration_id) DO UPDATE SET directory = excluded.directory,
		   reconciled_at = excluded.reconciled_at, not_managed = excluded.not_managed,
		   drift = CASE WHEN directory_state.drift_at > excluded.reconciled_at THEN directory_state.drift ELSE '' END,
		   drift_at = CASE WHEN directory_state.drift_at > excluded.reconciled_at THEN directory_state.drift_at ELSE '' END`,
		integrationID, directory, at, notManaged); err != nil {
		return fmt.Errorf("unable to record the reconcile of %s: %w", integrationID, err)
	}
	return nil
}

// MarkDrift records that a write of integrationID found its directory
// other than hrsync left it at at, saying what, so the next run reconciles.
func (s *Store) MarkDrift(ctx context.Context, integrationID, drift string, at time.Time) error {
	if _, err := s.exec(ctx,
		`INSERT INTO directory_state (integration_id, directory, reconciled_at, not_managed, drift, drift_at)
		 VALUES (?, '', '', 0, ?, ?)
		 ON CONFLICT (integration_id) DO UPDATE SET drift = excluded.drift, drift_at = excluded.drift_at`,
		integrationID, drift, stamp(at)); err != nil {
		return fmt.Errorf("unable to record drift of %s: %w", integrationID, err)
	}
	return nil
}

// stamp formats t in UTC at a fixed width, so that stamps compare in SQL
// as the times do.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

// KnownUsers returns the users of directory that integrationID owns, each
// as hrsync last wrote it (its applied employee, inactive when hrsync
// deactivated it), ordered by HRIS id: the directory as hrsync left it,
// which an incremental plan compares the HRIS with instead of listing the
// directory.
func (s *Store) KnownUsers(ctx context.Context, integrationID, directory string) ([]roster.User, error) {
	var out []roster.User
	err := s.ScanKnownUsers(ctx, integrationID, directory, func(u roster.User) error {
		out = append(out, u)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ScanKnownUsers calls fn with each known user of integrationID in directory,
// as KnownUsers returns them, decoding one at a time. An error from fn stops
// the scan and is returned.
func (s *Store) ScanKnownUsers(ctx context.Context, integrationID, directory string, fn func(roster.User) error) error {
	return s.scanKnownUsers(ctx, integrationID, directory, idBatch{}, fn)
}

// KnownUsersOf returns the known users (as KnownUsers) of integrationID in
// directory linked to the given HRIS ids, ordered as KnownUsers orders them.
// Any number of ids may be given; ids with no known user are left out.
func (s *Store) KnownUsersOf(ctx context.Context, integrationID, directory string, employeeIDs []string) ([]roster.User, error) {
	var out []roster.User
	for _, b := range s.dialect.idBatches("o.employee_id", employeeIDs) {
		if err := s.scanKnownUsers(ctx, integrationID, directory, b, func(u roster.User) error {
			out = append(out, u)
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ScanKnownEmails calls fn with the HRIS id and work email of each known
// user of integrationID in directory, in the order of KnownUsers, decoding
// nothing else: what a plan keeps of the users it does not compare yet.
// An error from fn stops the scan and is returned.
func (s *Store) ScanKnownEmails(ctx context.Context, integrationID, directory string,
	fn func(employeeID, workEmail string) error) error {
	query, args := knownUsersQuery(integrationID, directory, idBatch{})
	query = strings.Replace(query, "SELECT o.target_id, a.data", "SELECT o.employee_id, a.data", 1)
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("unable to read the known users of %s: %w", integrationID, err)
	}
	defer rows.Close()
	var id string
	var data []byte
	for rows.Next() {
		var e struct {
			WorkEmail string `json:"workEmail"`
		}
		if err := rows.Scan(&id, &data); err != nil {
			return fmt.Errorf("unable to read the known users of %s: %w", integrationID, err)
		}
		if err := json.Unmarshal(data, &e); err != nil {
			return fmt.Errorf("unable to decode a known user of %s: %w", integrationID, err)
		}
		if err := fn(id, e.WorkEmail); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("unable to read the known users of %s: %w", integrationID, err)
	}
	return nil
}

// scanKnownUsers calls fn with the known users of integrationID in
// directory that also meet only's condition, if it has one, in HRIS id
// order. The owned_users_known index finds them and gives their order.
func (s *Store) scanKnownUsers(ctx context.Context, integrationID, directory string, only idBatch,
	fn func(roster.User) error) error {
	query, args := knownUsersQuery(integrationID, directory, only)
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("unable to read the known users of %s: %w", integrationID, err)
	}
	defer rows.Close()
	var data []byte
	for rows.Next() {
		var u roster.User
		if err := rows.Scan(&u.TargetID, &data); err != nil {
			return fmt.Errorf("unable to read the known users of %s: %w", integrationID, err)
		}
		if err := json.Unmarshal(data, &u.Employee); err != nil {
			return fmt.Errorf("unable to decode a known user of %s: %w", integrationID, err)
		}
		u.Active = u.Employee.Status != roster.StatusInactive
		if err := fn(u); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("unable to read the known users of %s: %w", integrationID, err)
	}
	return nil
}

// knownUsersQuery reads the known users of integrationID in directory
// that meet only's condition, if it has one, in HRIS id order.
func knownUsersQuery(integrationID, directory string, only idBatch) (string, []any) {
	query := `SELECT o.target_id, a.data FROM owned_users o
		 JOIN applied a ON a.integration_id = o.integration_id AND a.employee_id = o.employee_id
		 WHERE o.integration_id = ? AND o.directory = ?`
	args := []any{integrationID, directory}
	if only.cond != "" {
		query += " AND " + only.cond
		args = append(args, only.args...)
	}
	return query + " ORDER BY o.employee_id, o.target_id", args
}

// Disown forgets that anyone owns user targetID of directory: the user is
// gone from it.
func (s *Store) Disown(ctx context.Context, directory, targetID string) error {
	if _, err := s.exec(ctx, `DELETE FROM owned_users WHERE directory = ? AND target_id = ?`, directory, targetID); err != nil {
		return fmt.Errorf("unable to forget user %s of %s: %w", targetID, directory, err)
	}
	return nil
}
