package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// The known users are found through owned_users_known, in its order: no
// scan of every owned user, no sort.
func TestKnownUsersUseTheirIndex(t *testing.T) {
	ctx := context.Background()
	s, err := OpenSQLite(ctx, filepath.Join(t.TempDir(), "hrsync.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ids := make([]string, 1000)
	for i := range ids {
		ids[i] = fmt.Sprint("E", i)
	}
	for _, c := range []struct {
		name  string
		only  idBatch
		where string
	}{
		{"all", idBatch{}, "(integration_id=? AND directory=?)"},
		{"by id", s.dialect.idBatches("o.employee_id", ids)[0], "(integration_id=? AND directory=? AND employee_id=?)"},
	} {
		query, args := knownUsersQuery("acme", "dir", c.only)
		rows, err := s.query(ctx, "EXPLAIN QUERY PLAN "+query, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		got := strings.Join(plan, "\n")
		if !strings.Contains(got, "SEARCH o USING COVERING INDEX owned_users_known "+c.where) ||
			strings.Contains(got, "TEMP B-TREE") {
			t.Errorf("%s: query plan\n%s\ndoes not search owned_users_known %s in its order", c.name, got, c.where)
		}
	}
}
