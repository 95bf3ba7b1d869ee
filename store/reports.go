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

// Report is the lasting record of one sync run: what it set out to do, what
// became of each change, and what kept people out of it.
type Report struct {
	ID            string            `json:"id"`
	IntegrationID string            `json:"integrationId"`
	SyncID        string            `json:"syncId"`
	PlanID        string            `json:"planId"`
	CreatedAt     time.Time         `json:"createdAt"`
	Outcome       string            `json:"outcome"`
	Planned       map[roster.Op]int `json:"planned"`
	Applied       map[roster.Op]int `json:"applied"`
	Failures      []Failure         `json:"failures,omitempty"`
	Problems      []roster.Problem  `json:"problems,omitempty"`
	Blocks        []roster.Block    `json:"blocks,omitempty"`
	// Warnings are the plan's run-wide warnings.
	Warnings []string `json:"warnings,omitempty"`
	// NotManaged counts the directory users the integration did not own.
	NotManaged int `json:"notManaged,omitempty"`
	// Unfinished counts the changes a failed run did not get to.
	Unfinished int `json:"unfinished,omitempty"`
	// Invites says how the invitations of the users the run created went;
	// nil when it invited no one.
	Invites *InviteCounts `json:"invites,omitempty"`
}

// Failure is one change that could not be applied, named by HRIS id.
type Failure struct {
	EmployeeID string    `json:"employeeId"`
	Op         roster.Op `json:"op"`
	Error      string    `json:"error"`
}

// SaveReport stores r, replacing an earlier report with the same ID.
func (s *Store) SaveReport(ctx context.Context, r Report) error {
	if r.CreatedAt.IsZero() {
		r.CreatedAt = time.Now().UTC()
	}
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("unable to encode report %s: %w", r.ID, err)
	}
	_, err = s.exec(ctx,
		`INSERT INTO reports (id, integration_id, sync_id, created_at, data, outcome) VALUES (?, ?, ?, ?, ?, ?)
		 ON CONFLICT (id) DO UPDATE SET data = excluded.data, outcome = excluded.outcome`,
		r.ID, r.IntegrationID, r.SyncID, r.CreatedAt.Format(time.RFC3339Nano), string(data), r.Outcome)
	if err != nil {
		return fmt.Errorf("unable to save report %s: %w", r.ID, err)
	}
	return nil
}

// GetReport returns report id.
func (s *Store) GetReport(ctx context.Context, id string) (Report, error) {
	var data string
	err := s.queryRow(ctx, `SELECT data FROM reports WHERE id = ?`, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return Report{}, fmt.Errorf("report %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Report{}, fmt.Errorf("unable to read report %s: %w", id, err)
	}
	var r Report
	if err := json.Unmarshal([]byte(data), &r); err != nil {
		return Report{}, fmt.Errorf("unable to decode report %s: %w", id, err)
	}
	return r, nil
}

// Purged counts what Purge removed.
type Purged struct {
	Snapshots int64 `json:"snapshots"`
	Records   int64 `json:"records"`
	Plans     int64 `json:"plans"`
	Changes   int64 `json:"changes"`
	Applied   int64 `json:"applied"`
	Reports   int64 `json:"reports"`
	Exports   int64 `json:"exports"`
	// Owned counts the directory users the integration no longer owns;
	// the users themselves stay in the directory.
	Owned int64 `json:"owned"`
	// Credentials counts the stored credentials removed with the
	// integration.
	Credentials int64 `json:"credentials"`
	// Invites counts the records of invitations sent.
	Invites int64 `json:"invites"`
}

// Purge deletes everything stored for integrationID.
func (s *Store) Purge(ctx context.Context, integrationID string) (Purged, error) {
	var p Purged
	steps := []struct {
		n    *int64
		stmt string
	}{
		{&p.Records, `DELETE FROM snapshot_records WHERE snapshot_id IN (SELECT id FROM snapshots WHERE integration_id = ?)`},
		{&p.Snapshots, `DELETE FROM snapshots WHERE integration_id = ?`},
		// Before the plans they are found by. A plan still being written
		// (see PlanWriter) has no plan row yet and is not found: like a
		// SavePlan that commits after the purge, its Finish outlives it.
		{new(int64), `DELETE FROM plan_writes WHERE plan_id IN (SELECT id FROM plans WHERE integration_id = ?)`},
		{&p.Changes, `DELETE FROM plan_changes WHERE plan_id IN (SELECT id FROM plans WHERE integration_id = ?)`},
		{&p.Plans, `DELETE FROM plans WHERE integration_id = ?`},
		{&p.Applied, `DELETE FROM applied WHERE integration_id = ?`},
		{&p.Reports, `DELETE FROM reports WHERE integration_id = ?`},
		{&p.Exports, `DELETE FROM exports WHERE integration_id = ?`},
		{&p.Owned, `DELETE FROM owned_users WHERE integration_id = ?`},
		{&p.Invites, `DELETE FROM invites WHERE integration_id = ?`},
		{new(int64), `DELETE FROM directory_state WHERE integration_id = ?`},
	}
	err := s.inTx(ctx, func(tx *txn) error {
		// Under the integration's lock, so a fetch still writing records
		// either finishes first, and its records are purged, or finds its
		// snapshot gone.
		if err := s.dialect.lockIntegration(ctx, tx, integrationID); err != nil {
			return fmt.Errorf("unable to lock integration %s for purging: %w", integrationID, err)
		}
		for _, st := range steps {
			res, err := tx.exec(ctx, st.stmt, integrationID)
			if err != nil {
				return fmt.Errorf("unable to purge integration %s: %w", integrationID, err)
			}
			if *st.n, err = res.RowsAffected(); err != nil {
				return fmt.Errorf("unable to purge integration %s: %w", integrationID, err)
			}
		}
		return nil
	})
	return p, err
}
