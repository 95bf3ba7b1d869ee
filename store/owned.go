package store

import (
	"context"
	"fmt"

	"github.com/hrsync/hrsync/roster"
)

// Owner is the integration that manages one directory user, and the HRIS id
// it linked the user to.
type Owner struct {
	IntegrationID string
	EmployeeID    string
}

// OwnedUsers returns who owns each user of directory that any integration
// owns, by the directory's own user id. A user has at most one owner: the
// integration that created or adopted it first. Users missing from the map
// were provisioned by someone else, and hrsync leaves them alone until an
// integration adopts one.
func (s *Store) OwnedUsers(ctx context.Context, directory string) (map[string]Owner, error) {
	rows, err := s.query(ctx,
		`SELECT target_id, integration_id, employee_id FROM owned_users WHERE directory = ?`, directory)
	if err != nil {
		return nil, fmt.Errorf("unable to read the owned users of %s: %w", directory, err)
	}
	defer rows.Close()
	out := map[string]Owner{}
	for rows.Next() {
		var id string
		var o Owner
		if err := rows.Scan(&id, &o.IntegrationID, &o.EmployeeID); err != nil {
			return nil, fmt.Errorf("unable to read the owned users of %s: %w", directory, err)
		}
		out[id] = o
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("unable to read the owned users of %s: %w", directory, err)
	}
	return out, nil
}

// promoteOwned records that plan planID's integration owns every directory
// user one of its applied changes wrote or adopted. A user another
// integration already owns keeps its owner.
func promoteOwned(ctx context.Context, tx *txn, planID string) error {
	if _, err := tx.exec(ctx,
		`INSERT INTO owned_users (directory, target_id, integration_id, employee_id, since)
		 SELECT p.directory, c.target_id, p.integration_id, c.employee_id, ?
		 FROM plan_changes c JOIN plans p ON p.id = c.plan_id
		 WHERE c.plan_id = ? AND c.status = ? AND c.op != ? AND c.target_id != '' AND p.directory != ''
		 ON CONFLICT (directory, target_id) DO NOTHING`,
		now(), planID, string(StatusApplied), string(roster.OpSkip)); err != nil {
		return fmt.Errorf("unable to record the users plan %s owns: %w", planID, err)
	}
	return nil
}
