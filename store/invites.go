package store

import (
	"context"
	"fmt"

	"github.com/hrsync/hrsync/roster"
)

// InviteStatus is how far the invitation of one user has got.
type InviteStatus string

// The statuses of an invitation. It is recorded as pending before it is
// sent, so it is sent at most once: one still pending was being sent when
// its run stopped, or its server did not confirm it, and may or may not
// have arrived.
const (
	InvitePending InviteStatus = "pending"
	InviteSent    InviteStatus = "sent"
	InviteFailed  InviteStatus = "failed"
)

// Invitation is the record of one user's invitation.
type Invitation struct {
	IntegrationID string
	EmployeeID    string
	// SyncID is the run that created the user and sent the invitation.
	SyncID   string
	TargetID string
	Status   InviteStatus
	// Error says why a failed or unconfirmed invitation did not go.
	Error string
}

// InviteCounts sums up the invitations of one run.
type InviteCounts struct {
	Sent int `json:"sent"`
	// Failed were not delivered; Unconfirmed may or may not have been.
	// Neither is sent again automatically.
	Failed      int             `json:"failed,omitempty"`
	Unconfirmed int             `json:"unconfirmed,omitempty"`
	Failures    []InviteFailure `json:"failures,omitempty"`
}

// InviteFailure is one invitation that failed or is unconfirmed, named by
// HRIS id.
type InviteFailure struct {
	EmployeeID string       `json:"employeeId"`
	Status     InviteStatus `json:"status"`
	Error      string       `json:"error,omitempty"`
}

// ClaimInvite records inv as pending, unless the user has an invitation
// already, and reports whether it did: only the caller that claims an
// invitation sends it.
func (s *Store) ClaimInvite(ctx context.Context, inv Invitation) (bool, error) {
	res, err := s.exec(ctx,
		`INSERT INTO invites (integration_id, employee_id, sync_id, target_id, status, created_at)
		 VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (integration_id, employee_id) DO NOTHING`,
		inv.IntegrationID, inv.EmployeeID, inv.SyncID, inv.TargetID, string(InvitePending), now())
	if err != nil {
		return false, fmt.Errorf("unable to record the invitation of employee %s: %w", inv.EmployeeID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("unable to record the invitation of employee %s: %w", inv.EmployeeID, err)
	}
	return n == 1, nil
}

// FinishInvite records what became of a claimed invitation: sent, failed
// or, with errMsg, still pending because unconfirmed.
func (s *Store) FinishInvite(ctx context.Context, integrationID, employeeID string, status InviteStatus, errMsg string) error {
	sentAt := ""
	if status == InviteSent {
		sentAt = now()
	}
	res, err := s.exec(ctx,
		`UPDATE invites SET status = ?, sent_at = ?, error = ? WHERE integration_id = ? AND employee_id = ?`,
		string(status), sentAt, errMsg, integrationID, employeeID)
	if err != nil {
		return fmt.Errorf("unable to record the invitation of employee %s: %w", employeeID, err)
	}
	return mustAffect(res, "invitation", integrationID+"/"+employeeID)
}

// RunInvites sums up the invitations run syncID of integrationID sent.
func (s *Store) RunInvites(ctx context.Context, integrationID, syncID string) (InviteCounts, error) {
	var c InviteCounts
	rows, err := s.query(ctx,
		`SELECT employee_id, status, error FROM invites WHERE integration_id = ? AND sync_id = ? ORDER BY employee_id`,
		integrationID, syncID)
	if err != nil {
		return c, fmt.Errorf("unable to read the invitations of run %s: %w", syncID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var f InviteFailure
		var status string
		if err := rows.Scan(&f.EmployeeID, &status, &f.Error); err != nil {
			return c, fmt.Errorf("unable to read the invitations of run %s: %w", syncID, err)
		}
		f.Status = InviteStatus(status)
		switch f.Status {
		case InviteSent:
			c.Sent++
			continue
		case InviteFailed:
			c.Failed++
		default:
			c.Unconfirmed++
		}
		c.Failures = append(c.Failures, f)
	}
	if err := rows.Err(); err != nil {
		return c, fmt.Errorf("unable to read the invitations of run %s: %w", syncID, err)
	}
	return c, nil
}

// SucceededBefore reports whether a run of everyone of integrationID, other
// than syncID, has committed an applied report: whether syncID is not the
// integration's first successful sync. A run of one employee on demand
// does not count, so trying one person before a launch leaves the first
// sync's invitations to it.
func (s *Store) SucceededBefore(ctx context.Context, integrationID, syncID string) (bool, error) {
	var n int
	err := s.queryRow(ctx,
		`SELECT count(*) FROM reports r WHERE r.integration_id = ? AND r.id != ? AND r.outcome = 'applied'
		 AND NOT EXISTS (SELECT 1 FROM plans p WHERE p.sync_id = r.id AND p.employee != '')`,
		integrationID, syncID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("unable to read the runs of %s: %w", integrationID, err)
	}
	return n > 0, nil
}

// CreatedChanges returns up to limit creates of plan id that reached the
// directory (written, or written and waiting for a manager), after
// position after (-1 for the start), in plan order.
func (s *Store) CreatedChanges(ctx context.Context, id string, after, limit int) ([]PlannedChange, error) {
	rows, err := s.query(ctx,
		`SELECT seq, change, status, target_id, error FROM plan_changes
		 WHERE plan_id = ? AND op = ? AND status IN (?, ?) AND seq > ? ORDER BY seq LIMIT ?`,
		id, string(roster.OpCreate), string(StatusApplied), string(StatusLinking), after, limit)
	if err != nil {
		return nil, fmt.Errorf("unable to read the creates of plan %s: %w", id, err)
	}
	return scanChanges(rows, id)
}
