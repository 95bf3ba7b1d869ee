package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
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
	// Directory names the directory the plan writes to (see OwnedUsers).
	Directory string
	// Target is what the directory said it accepts, as its connector
	// encoded it, so every apply of the run writes the same attributes.
	Target []byte
	// Warnings are said once per run: fields the directory cannot store.
	Warnings []string
	// NotManaged counts the directory users the integration does not own.
	NotManaged int
	// Invite is how the run invites the users it creates, as the
	// activities encoded it; empty for none.
	Invite []byte
	// Employee is the one employee a run synced on demand; "" for a run
	// of everyone.
	Employee string
	// Reconcile says the plan compared the HRIS with the live directory,
	// not with the users as hrsync last wrote them (see KnownUsers).
	Reconcile bool
	// Unwritten counts the unchanged employees the plan counts in Counts
	// but did not store a change for: their state is the one hrsync last
	// wrote, so the change would write nothing, to the directory or to the
	// applied roster. A report counts them as applied.
	Unwritten int
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
// ID so a retried plan step leaves exactly one plan behind. It is BeginPlan,
// Append and Finish in one transaction: readers see the earlier plan or this
// one, never a part, and a PlanWriter of the same plan still running is
// superseded.
func (s *Store) SavePlan(ctx context.Context, p Plan, changes []roster.Change) error {
	header, err := encodePlan(p)
	if err != nil {
		return err
	}
	token := rand.Text()
	return s.inTx(ctx, func(tx *txn) error {
		if err := beginPlan(ctx, tx, p.ID, token); err != nil {
			return err
		}
		// Encoded a batch at a time: the encoded plan is never all in
		// memory next to the changes.
		for from := 0; from < len(changes); from += changeBatch {
			rows, err := encodeChanges(changes[from:min(from+changeBatch, len(changes))])
			if err != nil {
				return err
			}
			if err := insertChanges(ctx, tx, p.ID, from, rows); err != nil {
				return err
			}
		}
		return header.write(ctx, tx)
	})
}

// ErrSuperseded is the error of a PlanWriter whose plan a later BeginPlan
// or SavePlan of the same ID took over: it writes nothing more.
var ErrSuperseded = errors.New("superseded by a later write of the plan")

// PlanWriter writes one plan's changes in parts, then its header, each in a
// short transaction of its own, so that writing a large plan neither holds
// the store's write lock throughout nor needs every change in memory at
// once.
//
// From BeginPlan to Finish the plan has no header: GetPlan says ErrNotFound,
// even for a plan an earlier write finished, and PlanChanges returns the
// changes appended so far. A plan GetPlan finds is whole: the header and
// exactly the changes of the writer that finished it. Nothing reads a plan
// before its Plan activity has returned it.
//
// A later BeginPlan or SavePlan of the same ID (a retried activity whose
// earlier attempt still runs) supersedes the writer: its next Append or
// Finish fails with ErrSuperseded and writes nothing. A PlanWriter is not
// safe for concurrent use.
type PlanWriter struct {
	s     *Store
	id    string
	token string // this write's, in plan_writes while no later one began
	next  int    // position of the next change appended
	done  bool   // Finish succeeded
}

// BeginPlan starts writing plan id, dropping the changes any earlier write of
// that id left; the plan's header is only written by Finish. An earlier
// header is dropped too, so the plan is not found until then.
func (s *Store) BeginPlan(ctx context.Context, id string) (*PlanWriter, error) {
	w := &PlanWriter{s: s, id: id, token: rand.Text()}
	if err := s.inTx(ctx, func(tx *txn) error { return beginPlan(ctx, tx, id, w.token) }); err != nil {
		return nil, err
	}
	return w, nil
}

// Append stores the next changes of the plan, numbered on from the last.
func (w *PlanWriter) Append(ctx context.Context, changes []roster.Change) error {
	if w.done {
		return fmt.Errorf("unable to append to plan %s: it is finished", w.id)
	}
	// Encoded before the transaction, which then only writes.
	rows, err := encodeChanges(changes)
	if err != nil {
		return err
	}
	if err := w.s.inTx(ctx, func(tx *txn) error {
		if err := w.s.checkWriter(ctx, tx, w.id, w.token); err != nil {
			return err
		}
		return insertChanges(ctx, tx, w.id, w.next, rows)
	}); err != nil {
		return err
	}
	w.next += len(rows)
	return nil
}

// Finish writes the plan's header p (p.ID must be the id begun) and makes
// the plan whole.
func (w *PlanWriter) Finish(ctx context.Context, p Plan) error {
	if p.ID != w.id {
		return fmt.Errorf("unable to finish plan %s with the header of plan %s", w.id, p.ID)
	}
	if w.done {
		return fmt.Errorf("unable to finish plan %s: it is finished", w.id)
	}
	header, err := encodePlan(p)
	if err != nil {
		return err
	}
	if err := w.s.inTx(ctx, func(tx *txn) error {
		if err := w.s.checkWriter(ctx, tx, w.id, w.token); err != nil {
			return err
		}
		return header.write(ctx, tx)
	}); err != nil {
		return err
	}
	w.done = true
	return nil
}

// beginPlan makes token the writer of plan id in tx and drops the header
// and changes any earlier write of the plan left. Its row of plan_writes
// is written first: in PostgreSQL the row lock makes a concurrent begin,
// append or finish of the same plan wait until tx ends, and then see that
// it is superseded, or replace what tx wrote rather than collide with it.
func beginPlan(ctx context.Context, tx *txn, id, token string) error {
	if _, err := tx.exec(ctx,
		`INSERT INTO plan_writes (plan_id, token) VALUES (?, ?)
		 ON CONFLICT (plan_id) DO UPDATE SET token = excluded.token`, id, token); err != nil {
		return fmt.Errorf("unable to begin plan %s: %w", id, err)
	}
	if _, err := tx.exec(ctx, `DELETE FROM plan_changes WHERE plan_id = ?`, id); err != nil {
		return fmt.Errorf("unable to replace plan %s: %w", id, err)
	}
	if _, err := tx.exec(ctx, `DELETE FROM plans WHERE id = ?`, id); err != nil {
		return fmt.Errorf("unable to replace plan %s: %w", id, err)
	}
	return nil
}

// checkWriter fails with ErrSuperseded unless token is still the writer of
// plan id, and in PostgreSQL locks the plan's row of plan_writes until tx
// ends, so that no BeginPlan comes between the check and what tx writes
// (SQLite's immediate transactions hold the only write lock already). A
// missing row was removed by a Purge.
func (s *Store) checkWriter(ctx context.Context, tx *txn, id, token string) error {
	var current string
	err := tx.queryRow(ctx, `SELECT token FROM plan_writes WHERE plan_id = ?`+s.dialect.forUpdate(), id).Scan(&current)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && current != token) {
		return fmt.Errorf("plan %s: %w", id, ErrSuperseded)
	}
	if err != nil {
		return fmt.Errorf("unable to check the writer of plan %s: %w", id, err)
	}
	return nil
}

// changeBatch is how many changes SavePlan encodes at a time.
const changeBatch = 1000

// planRow is a plan header as the plans table holds it.
type planRow struct {
	p                                                  Plan
	created, counts, blocks, problems, holds, warnings string
}

// encodePlan encodes p's header for the plans table; a zero CreatedAt is
// now.
func encodePlan(p Plan) (planRow, error) {
	r := planRow{p: p, created: now()}
	if !p.CreatedAt.IsZero() {
		r.created = p.CreatedAt.UTC().Format(time.RFC3339Nano)
	}
	for _, f := range []struct {
		what string
		v    any
		into *string
	}{
		{"counts", p.Counts, &r.counts}, {"blocks", nonNil(p.Blocks), &r.blocks},
		{"problems", nonNil(p.Problems), &r.problems}, {"holds", nonNil(p.Holds), &r.holds},
		{"warnings", nonNil(p.Warnings), &r.warnings},
	} {
		data, err := json.Marshal(f.v)
		if err != nil {
			return planRow{}, fmt.Errorf("unable to encode plan %s: %w", f.what, err)
		}
		*f.into = string(data)
	}
	return r, nil
}

// write stores the header in tx, replacing the one of an earlier plan with
// the same ID.
func (r planRow) write(ctx context.Context, tx *txn) error {
	p := r.p
	if _, err := tx.exec(ctx,
		`INSERT INTO plans (id, integration_id, sync_id, snapshot_id, created_at, counts, blocks, problems, holds, digest,
		   directory, target, warnings, not_managed, invite, employee, reconcile, unwritten)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		 ON CONFLICT (id) DO UPDATE SET snapshot_id = excluded.snapshot_id, created_at = excluded.created_at,
		   counts = excluded.counts, blocks = excluded.blocks, problems = excluded.problems,
		   holds = excluded.holds, digest = excluded.digest, directory = excluded.directory,
		   target = excluded.target, warnings = excluded.warnings, not_managed = excluded.not_managed,
		   invite = excluded.invite, employee = excluded.employee, reconcile = excluded.reconcile,
		   unwritten = excluded.unwritten`,
		p.ID, p.IntegrationID, p.SyncID, p.SnapshotID, r.created, r.counts, r.blocks, r.problems,
		r.holds, p.Digest, p.Directory, string(p.Target), r.warnings, p.NotManaged, string(p.Invite),
		p.Employee, flag(p.Reconcile), p.Unwritten); err != nil {
		return fmt.Errorf("unable to save plan %s: %w", p.ID, err)
	}
	return nil
}

// changeRow is one planned change as the plan_changes table holds it.
type changeRow struct {
	employeeID, op, change, status, targetID, employee string
}

// encodeChanges encodes changes for the plan_changes table.
func encodeChanges(changes []roster.Change) ([]changeRow, error) {
	out := make([]changeRow, len(changes))
	for i, c := range changes {
		data, err := json.Marshal(c)
		if err != nil {
			return nil, fmt.Errorf("unable to encode change for employee %s: %w", c.EmployeeID, err)
		}
		// What the directory holds once the change is made: a user it
		// deactivates is inactive whatever the HRIS status says (a
		// leaver by exit date), which an incremental plan relies on.
		after := c.Employee
		if c.Inactive {
			after.Status = roster.StatusInactive
		}
		employee, err := json.Marshal(after)
		if err != nil {
			return nil, fmt.Errorf("unable to encode employee %s: %w", c.EmployeeID, err)
		}
		// A change with nothing to write is applied as planned; apply
		// never reads it.
		status, targetID := StatusPending, ""
		if c.Op == roster.OpUnchanged || c.Op == roster.OpSkip {
			status, targetID = StatusApplied, c.TargetID
		}
		out[i] = changeRow{employeeID: c.EmployeeID, op: string(c.Op), change: string(data), status: string(status),
			targetID: targetID, employee: string(employee)}
	}
	return out, nil
}

// insertChanges stores rows in tx as the changes of plan planID at
// positions from, from+1, …
func insertChanges(ctx context.Context, tx *txn, planID string, from int, rows []changeRow) error {
	if len(rows) == 0 {
		return nil
	}
	stmt, err := tx.prepare(ctx,
		`INSERT INTO plan_changes (plan_id, seq, employee_id, op, change, status, target_id, employee)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("unable to prepare change insert: %w", err)
	}
	defer stmt.Close()
	for i, r := range rows {
		if _, err := stmt.ExecContext(ctx, planID, from+i, r.employeeID, r.op, r.change, r.status,
			r.targetID, r.employee); err != nil {
			return fmt.Errorf("unable to save change for employee %s: %w", r.employeeID, err)
		}
	}
	return nil
}

// flag is b as the 0 or 1 an INTEGER column holds.
func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// GetPlan returns the header of plan id.
func (s *Store) GetPlan(ctx context.Context, id string) (Plan, error) {
	var p Plan
	var created, counts, blocks, problems, holds, target, warnings, invite string
	err := s.queryRow(ctx,
		`SELECT id, integration_id, sync_id, snapshot_id, created_at, counts, blocks, problems, holds, digest,
		   directory, target, warnings, not_managed, invite, employee, reconcile, unwritten
		 FROM plans WHERE id = ?`, id).
		Scan(&p.ID, &p.IntegrationID, &p.SyncID, &p.SnapshotID, &created, &counts, &blocks, &problems, &holds, &p.Digest,
			&p.Directory, &target, &warnings, &p.NotManaged, &invite, &p.Employee, &p.Reconcile, &p.Unwritten)
	if errors.Is(err, sql.ErrNoRows) {
		return Plan{}, fmt.Errorf("plan %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Plan{}, fmt.Errorf("unable to read plan %s: %w", id, err)
	}
	p.CreatedAt = parseTime(created)
	if target != "" {
		p.Target = []byte(target)
	}
	if invite != "" {
		p.Invite = []byte(invite)
	}

	for _, f := range []struct {
		data string
		into any
	}{{counts, &p.Counts}, {blocks, &p.Blocks}, {problems, &p.Problems}, {holds, &p.Holds}, {warnings, &p.Warnings}} {
		if err := json.Unmarshal([]byte(f.data), f.into); err != nil {
			return Plan{}, fmt.Errorf("unable to decode plan %s: %w", id, err)
		}
	}
	if len(p.Warnings) == 0 {
		p.Warnings = nil
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
	return scanChanges(rows, id)
}

// Part names the share of a plan one of several parallel appliers works
// on: the changes whose position modulo Of is Index. The zero Part is the
// whole plan.
type Part struct {
	Index, Of int
}

// of is the number of parts, at least 1.
func (p Part) of() int { return max(p.Of, 1) }

// ChangesWithStatus returns up to limit changes of plan id in part with
// status, after position after (-1 for the start), in plan order.
func (s *Store) ChangesWithStatus(ctx context.Context, id string, status ChangeStatus, part Part, after, limit int) ([]PlannedChange, error) {
	rows, err := s.query(ctx,
		`SELECT seq, change, status, target_id, error FROM plan_changes
		 WHERE plan_id = ? AND status = ? AND seq > ? AND seq % ? = ? ORDER BY seq LIMIT ?`,
		id, string(status), after, part.of(), part.Index, limit)
	if err != nil {
		return nil, fmt.Errorf("unable to read %s changes of plan %s: %w", status, id, err)
	}
	return scanChanges(rows, id)
}

// CountWithStatus counts the changes of plan id in part with status.
func (s *Store) CountWithStatus(ctx context.Context, id string, status ChangeStatus, part Part) (int, error) {
	var n int
	err := s.queryRow(ctx,
		`SELECT count(*) FROM plan_changes WHERE plan_id = ? AND status = ? AND seq % ? = ?`,
		id, string(status), part.of(), part.Index).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("unable to count %s changes of plan %s: %w", status, id, err)
	}
	return n, nil
}

// TargetIDs returns the directory ids that plan id's changes recorded for
// the given employees, by employee id; employees without one are left out.
func (s *Store) TargetIDs(ctx context.Context, id string, employeeIDs []string) (map[string]string, error) {
	out := make(map[string]string, len(employeeIDs))
	for chunk := range slices.Chunk(employeeIDs, 500) {
		args := make([]any, 0, len(chunk)+1)
		args = append(args, id)
		for _, e := range chunk {
			args = append(args, e)
		}
		rows, err := s.query(ctx,
			`SELECT employee_id, target_id FROM plan_changes WHERE plan_id = ? AND target_id != '' AND employee_id IN (`+
				placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("unable to read directory ids of plan %s: %w", id, err)
		}
		for rows.Next() {
			var emp, target string
			if err := rows.Scan(&emp, &target); err != nil {
				rows.Close()
				return nil, fmt.Errorf("unable to read directory ids of plan %s: %w", id, err)
			}
			out[emp] = target
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("unable to read directory ids of plan %s: %w", id, err)
		}
	}
	return out, nil
}

// placeholders is n comma-separated parameters.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// scanChanges decodes rows of seq, change, status, target_id and error,
// and closes rows.
func scanChanges(rows *sql.Rows, id string) ([]PlannedChange, error) {
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
	return s.RecordOutcomes(ctx, planID, []Outcome{{Seq: seq, Status: status, TargetID: targetID, Error: errMsg}})
}

// Outcome is what became of one change: its new status, the directory id
// and, for a failure or a warning, the message.
type Outcome struct {
	Seq      int
	Status   ChangeStatus
	TargetID string
	Error    string
	// Left, when set, is what the directory holds of the person after all,
	// where that is not what the change planned (a manager left unset);
	// it is what the run promotes into the applied roster.
	Left *roster.Employee
	// Code names, in a word, why a failed change failed (an HTTP status
	// such as "409", or "other"), for metrics; it is not stored.
	Code string
}

// RecordOutcomes stores the outcomes of several changes of plan planID in
// one transaction.
func (s *Store) RecordOutcomes(ctx context.Context, planID string, outcomes []Outcome) error {
	if len(outcomes) == 0 {
		return nil
	}
	return s.inTx(ctx, func(tx *txn) error {
		stmt, err := tx.prepare(ctx,
			`UPDATE plan_changes SET status = ?, target_id = ?, error = ? WHERE plan_id = ? AND seq = ?`)
		if err != nil {
			return fmt.Errorf("unable to prepare outcome update: %w", err)
		}
		defer stmt.Close()
		for _, o := range outcomes {
			res, err := stmt.ExecContext(ctx, string(o.Status), o.TargetID, o.Error, planID, o.Seq)
			if err != nil {
				return fmt.Errorf("unable to record outcome of change %d of plan %s: %w", o.Seq, planID, err)
			}
			if err := mustAffect(res, "plan change", fmt.Sprintf("%s/%d", planID, o.Seq)); err != nil {
				return err
			}
			if o.Left == nil {
				continue
			}
			data, err := json.Marshal(o.Left)
			if err != nil {
				return fmt.Errorf("unable to encode employee %s: %w", o.Left.ID, err)
			}
			if _, err := tx.exec(ctx, `UPDATE plan_changes SET employee = ? WHERE plan_id = ? AND seq = ?`,
				string(data), planID, o.Seq); err != nil {
				return fmt.Errorf("unable to record outcome of change %d of plan %s: %w", o.Seq, planID, err)
			}
		}
		return nil
	})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Outcomes sums up plan id's results: how many changes of each operation
// reached the directory, the failures in plan order, and how many are still
// pending or linking.
type Outcomes struct {
	Applied    map[roster.Op]int
	Failures   []Failure
	Unfinished int
}

// PlanOutcomes reads the results of plan id.
func (s *Store) PlanOutcomes(ctx context.Context, id string) (Outcomes, error) {
	out := Outcomes{Applied: map[roster.Op]int{}}
	rows, err := s.query(ctx,
		`SELECT op, status, count(*) FROM plan_changes WHERE plan_id = ? GROUP BY op, status ORDER BY op, status`, id)
	if err != nil {
		return out, fmt.Errorf("unable to sum up plan %s: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var op, status string
		var n int
		if err := rows.Scan(&op, &status, &n); err != nil {
			return out, fmt.Errorf("unable to sum up plan %s: %w", id, err)
		}
		switch ChangeStatus(status) {
		case StatusApplied:
			out.Applied[roster.Op(op)] += n
		case StatusPending, StatusLinking:
			out.Unfinished += n
		}
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("unable to sum up plan %s: %w", id, err)
	}
	failed, err := s.query(ctx,
		`SELECT employee_id, op, error FROM plan_changes WHERE plan_id = ? AND status = ? ORDER BY seq`,
		id, string(StatusFailed))
	if err != nil {
		return out, fmt.Errorf("unable to read failures of plan %s: %w", id, err)
	}
	defer failed.Close()
	for failed.Next() {
		var f Failure
		var op string
		if err := failed.Scan(&f.EmployeeID, &op, &f.Error); err != nil {
			return out, fmt.Errorf("unable to read failures of plan %s: %w", id, err)
		}
		f.Op = roster.Op(op)
		out.Failures = append(out.Failures, f)
	}
	return out, failed.Err()
}

// PromoteApplied makes every change of plan planID that reached the
// directory part of integrationID's applied roster, in one statement, and
// records the integration as the owner of every user those changes wrote;
// a failed change leaves the person's previous state. Skipped changes wrote
// nothing and are left out.
func (s *Store) PromoteApplied(ctx context.Context, integrationID, planID string) error {
	return s.inTx(ctx, func(tx *txn) error {
		if err := s.dialect.lockIntegration(ctx, tx, integrationID); err != nil {
			return fmt.Errorf("unable to lock applied roster of %s: %w", integrationID, err)
		}
		if err := promoteLegacy(ctx, tx, integrationID, planID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx,
			`INSERT INTO applied (integration_id, employee_id, data)
			 SELECT ?, employee_id, employee FROM plan_changes
			 WHERE plan_id = ? AND status = ? AND op != ? AND employee != ''
			 ON CONFLICT (integration_id, employee_id) DO UPDATE SET data = excluded.data`,
			integrationID, planID, string(StatusApplied), string(roster.OpSkip)); err != nil {
			return fmt.Errorf("unable to promote plan %s into the applied roster of %s: %w", planID, integrationID, err)
		}
		return promoteOwned(ctx, tx, planID)
	})
}

// promoteLegacy promotes the applied changes of a plan saved before
// changes kept their employee in a column of its own.
func promoteLegacy(ctx context.Context, tx *txn, integrationID, planID string) error {
	rows, err := tx.query(ctx,
		`SELECT change FROM plan_changes WHERE plan_id = ? AND status = ? AND op != ? AND employee = ''`,
		planID, string(StatusApplied), string(roster.OpSkip))
	if err != nil {
		return fmt.Errorf("unable to read plan %s: %w", planID, err)
	}
	var employees []roster.Employee
	for rows.Next() {
		var data string
		var c roster.Change
		if err := rows.Scan(&data); err != nil {
			rows.Close()
			return fmt.Errorf("unable to read plan %s: %w", planID, err)
		}
		if err := json.Unmarshal([]byte(data), &c); err != nil {
			rows.Close()
			return fmt.Errorf("unable to decode a change of plan %s: %w", planID, err)
		}
		employees = append(employees, c.Employee)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return fmt.Errorf("unable to read plan %s: %w", planID, err)
	}
	for _, e := range employees {
		data, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("unable to encode employee %s: %w", e.ID, err)
		}
		if _, err := tx.exec(ctx,
			`INSERT INTO applied (integration_id, employee_id, data) VALUES (?, ?, ?)
			 ON CONFLICT (integration_id, employee_id) DO UPDATE SET data = excluded.data`,
			integrationID, e.ID, string(data)); err != nil {
			return fmt.Errorf("unable to store applied employee %s: %w", e.ID, err)
		}
	}
	return nil
}
