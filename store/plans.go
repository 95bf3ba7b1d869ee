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

// Plan is the header of one sync's plan: what it will do, in counts, and
// why it may not go ahead unapproved.
type Plan struct {
	ID            string
	IntegrationID string
	SyncID        string
	SnapshotID    string
	CreatedAt     time.Time
	Counts        map[roster.Op]int
	Blocks        []roster.Block
	Problems      []roster.Problem
	// Holds are the employees kept back for review, with what changed.
	Holds []roster.Hold
	// Digest fingerprints the changes, so a re-plan can tell whether
	// anything moved since an administrator reviewed it.
	Digest string
}

// ChangeStatus is how far one planned change has got.
type ChangeStatus string

// The statuses of a planned change.
const (
	StatusPending ChangeStatus = "pending"
	// StatusLinking is a change written to the directory whose manager is
	// still to be linked, once every user of the run exists.
	StatusLinking ChangeStatus = "linking"
	StatusApplied ChangeStatus = "applied"
	StatusFailed  ChangeStatus = "failed"
)

// PlannedChange is one change of a plan with its outcome so far.
type PlannedChange struct {
	Seq      int
	Change   roster.Change
	Status   ChangeStatus
	TargetID string
	Error    string
}

// SavePlan stores p and its changes, replacing any earlier plan with the same
// ID so a retried plan step leaves exactly one plan behind.
func (s *Store) SavePlan(ctx context.Context, p Plan, changes []roster.Change) error {
	counts, err := json.Marshal(p.Counts)
	if err != nil {
		return fmt.Errorf("unable to encode plan counts: %w", err)
	}
	blocks, err := json.Marshal(nonNil(p.Blocks))
	if err != nil {
		return fmt.Errorf("unable to encode plan blocks: %w", err)
	}
	problems, err := json.Marshal(nonNil(p.Problems))
	if err != nil {
		return fmt.Errorf("unable to encode plan problems: %w", err)
	}
	holds, err := json.Marshal(nonNil(p.Holds))
	if err != nil {
		return fmt.Errorf("unable to encode plan holds: %w", err)
	}
	return s.inTx(ctx, func(tx *txn) error {
		// The plan row is written first: in PostgreSQL its row lock makes a
		// concurrent save of the same plan wait until this one commits, and
		// then replace its changes rather than collide with them.
		if _, err := tx.exec(ctx,
			`INSERT INTO plans (id, integration_id, sync_id, snapshot_id, created_at, counts, blocks, problems, holds, digest)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			 ON CONFLICT (id) DO UPDATE SET snapshot_id = excluded.snapshot_id, created_at = excluded.created_at,
			   counts = excluded.counts, blocks = excluded.blocks, problems = excluded.problems,
			   holds = excluded.holds, digest = excluded.digest`,
			p.ID, p.IntegrationID, p.SyncID, p.SnapshotID, now(), string(counts), string(blocks), string(problems),
			string(holds), p.Digest); err != nil {
			return fmt.Errorf("unable to save plan %s: %w", p.ID, err)
		}
		if _, err := tx.exec(ctx, `DELETE FROM plan_changes WHERE plan_id = ?`, p.ID); err != nil {
			return fmt.Errorf("unable to replace plan %s: %w", p.ID, err)
		}
		stmt, err := tx.prepare(ctx,
			`INSERT INTO plan_changes (plan_id, seq, employee_id, op, change, status) VALUES (?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("unable to prepare change insert: %w", err)
		}
		defer stmt.Close()
		for i, c := range changes {
			data, err := json.Marshal(c)
			if err != nil {
				return fmt.Errorf("unable to encode change for employee %s: %w", c.EmployeeID, err)
			}
			if _, err := stmt.ExecContext(ctx, p.ID, i, c.EmployeeID, string(c.Op), string(data), string(StatusPending)); err != nil {
				return fmt.Errorf("unable to save change for employee %s: %w", c.EmployeeID, err)
			}
		}
		return nil
	})
}

// GetPlan returns the header of plan id.
func (s *Store) GetPlan(ctx context.Context, id string) (Plan, error) {
	var p Plan
	var created, counts, blocks, problems, holds string
	err := s.queryRow(ctx,
		`SELECT id, integration_id, sync_id, snapshot_id, created_at, counts, blocks, problems, holds, digest
		 FROM plans WHERE id = ?`, id).
		Scan(&p.ID, &p.IntegrationID, &p.SyncID, &p.SnapshotID, &created, &counts, &blocks, &problems, &holds, &p.Digest)
	if errors.Is(err, sql.ErrNoRows) {
		return Plan{}, fmt.Errorf("plan %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Plan{}, fmt.Errorf("unable to read plan %s: %w", id, err)
	}
	p.CreatedAt = parseTime(created)
	for _, f := range []struct {
		data string
		into any
	}{{counts, &p.Counts}, {blocks, &p.Blocks}, {problems, &p.Problems}, {holds, &p.Holds}} {
		if err := json.Unmarshal([]byte(f.data), f.into); err != nil {
			return Plan{}, fmt.Errorf("unable to decode plan %s: %w", id, err)
		}
	}
	return p, nil
}

// PlanChanges returns plan id's changes in plan order with their outcomes.
func (s *Store) PlanChanges(ctx context.Context, id string) ([]PlannedChange, error) {
	rows, err := s.query(ctx,
		`SELECT seq, change, status, target_id, error FROM plan_changes WHERE plan_id = ? ORDER BY seq`, id)
	if err != nil {
		return nil, fmt.Errorf("unable to read changes of plan %s: %w", id, err)
	}
	defer rows.Close()
	var out []PlannedChange
	for rows.Next() {
		var pc PlannedChange
		var data, status string
		if err := rows.Scan(&pc.Seq, &data, &status, &pc.TargetID, &pc.Error); err != nil {
			return nil, fmt.Errorf("unable to read changes of plan %s: %w", id, err)
		}
		if err := json.Unmarshal([]byte(data), &pc.Change); err != nil {
			return nil, fmt.Errorf("unable to decode change %d of plan %s: %w", pc.Seq, id, err)
		}
		pc.Status = ChangeStatus(status)
		out = append(out, pc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("unable to read changes of plan %s: %w", id, err)
	}
	return out, nil
}

// RecordOutcome stores what became of change seq of plan planID.
func (s *Store) RecordOutcome(ctx context.Context, planID string, seq int, status ChangeStatus, targetID, errMsg string) error {
	res, err := s.exec(ctx,
		`UPDATE plan_changes SET status = ?, target_id = ?, error = ? WHERE plan_id = ? AND seq = ?`,
		string(status), targetID, errMsg, planID, seq)
	if err != nil {
		return fmt.Errorf("unable to record outcome of change %d of plan %s: %w", seq, planID, err)
	}
	return mustAffect(res, "plan change", fmt.Sprintf("%s/%d", planID, seq))
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
