package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
)

// rawAt opens the database of the store at location without the store.
func rawAt(t *testing.T, location string) *sql.DB {
	t.Helper()
	if strings.HasPrefix(location, "postgres") {
		return postgresBackend.raw(t, location)
	}
	return sqliteBackend.raw(t, location)
}

// changeRows returns every column of plan planID's changes but plan_id, in
// plan order, as text.
func changeRows(t *testing.T, db *sql.DB, planID string) [][]string {
	t.Helper()
	rows, err := db.Query(`SELECT plan_id, seq, employee_id, op, change, status, target_id, error, employee
		FROM plan_changes ORDER BY plan_id, seq`)
	require.NoError(t, err)
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		var id string
		var seq int
		r := make([]string, 7)
		require.NoError(t, rows.Scan(&id, &seq, &r[0], &r[1], &r[2], &r[3], &r[4], &r[5], &r[6]))
		if id == planID {
			out = append(out, append([]string{fmt.Sprint(seq)}, r...))
		}
	}
	require.NoError(t, rows.Err())
	return out
}

// writtenPlan is a plan with one change of every kind, and its header.
func writtenPlan(id string, n int) (store.Plan, []roster.Change) {
	kinds := []roster.Change{
		change(roster.OpCreate, "", ""), change(roster.OpUpdate, "", "u"), change(roster.OpUnchanged, "", "u"),
		change(roster.OpSkip, "", "u"), change(roster.OpDeactivate, "", "u"), change(roster.OpReactivate, "", "u"),
	}
	changes := make([]roster.Change, n)
	for i := range changes {
		id := fmt.Sprintf("E%d", i)
		c := kinds[i%len(kinds)]
		c.EmployeeID, c.Employee = id, emp(id)
		if c.TargetID != "" {
			c.TargetID = "u-" + id
		}
		if c.Op == roster.OpDeactivate {
			c.Inactive = true // inactive in the directory, active in the HRIS
		}
		if c.Op == roster.OpUpdate {
			c.Fields = []roster.Field{roster.FieldDepartment}
		}
		changes[i] = c
	}
	p := store.Plan{
		ID: id, IntegrationID: "acme", SyncID: "sync-1", SnapshotID: "snap-1",
		CreatedAt: time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC),
		Counts:    map[roster.Op]int{roster.OpCreate: 1, roster.OpUpdate: 1},
		Blocks:    []roster.Block{{Code: roster.BlockMassChange, Message: "too many"}},
		Problems:  []roster.Problem{{EmployeeID: "E9", Field: roster.FieldID, Code: roster.CodeDuplicateID, Message: "dup"}},
		Holds:     []roster.Hold{{EmployeeID: "E2", Code: roster.HoldIdentityChange, Reason: "name changed"}},
		Digest:    "abc123", Directory: "scim https://dir.test", Target: []byte(`{"unstored":["dateOfBirth"]}`),
		Warnings: []string{"dateOfBirth: not stored"}, NotManaged: 4, Invite: []byte(`{"send":true}`),
		Reconcile: true,
	}
	return p, changes
}

func TestAPlanWrittenInPartsIsThePlanSavedWhole(t *testing.T) {
	ctx := context.Background()
	eachBackend(t, func(t *testing.T, s *store.Store, location string) {
		db := rawAt(t, location)
		for _, n := range []int{7, 2345} { // the second spans SavePlan's batches
			whole, changes := writtenPlan(fmt.Sprint("whole-", n), n)
			require.NoError(t, s.SavePlan(ctx, whole, changes))

			parts := whole
			parts.ID = fmt.Sprint("parts-", n)
			w, err := s.BeginPlan(ctx, parts.ID)
			require.NoError(t, err)
			_, err = s.GetPlan(ctx, parts.ID)
			require.ErrorIs(t, err, store.ErrNotFound, "no header before Finish")
			third := n / 3
			require.NoError(t, w.Append(ctx, changes[:third]))
			require.NoError(t, w.Append(ctx, nil))
			require.NoError(t, w.Append(ctx, changes[third:2*third+1]))
			require.NoError(t, w.Append(ctx, changes[2*third+1:]))
			pcs, err := s.PlanChanges(ctx, parts.ID)
			require.NoError(t, err)
			require.Len(t, pcs, n, "the changes appended so far")
			_, err = s.GetPlan(ctx, parts.ID)
			require.ErrorIs(t, err, store.ErrNotFound, "no header before Finish")
			require.NoError(t, w.Finish(ctx, parts))

			got, err := s.GetPlan(ctx, parts.ID)
			require.NoError(t, err)
			want, err := s.GetPlan(ctx, whole.ID)
			require.NoError(t, err)
			want.ID = parts.ID
			require.Equal(t, want, got)
			require.Equal(t, parts, got)

			wantRows := changeRows(t, db, whole.ID)
			require.Len(t, wantRows, n)
			require.Equal(t, wantRows, changeRows(t, db, parts.ID), "the same rows")
			wantChanges, err := s.PlanChanges(ctx, whole.ID)
			require.NoError(t, err)
			gotChanges, err := s.PlanChanges(ctx, parts.ID)
			require.NoError(t, err)
			require.Equal(t, wantChanges, gotChanges)
			for _, status := range []store.ChangeStatus{store.StatusPending, store.StatusApplied} {
				wantN, err := s.CountWithStatus(ctx, whole.ID, status, store.Part{})
				require.NoError(t, err)
				gotN, err := s.CountWithStatus(ctx, parts.ID, status, store.Part{})
				require.NoError(t, err)
				require.Equal(t, wantN, gotN, status)
				require.NotZero(t, gotN, status)
			}
			wantOut, err := s.PlanOutcomes(ctx, whole.ID)
			require.NoError(t, err)
			gotOut, err := s.PlanOutcomes(ctx, parts.ID)
			require.NoError(t, err)
			require.Equal(t, wantOut, gotOut)

			require.Error(t, w.Append(ctx, changes[:1]), "a finished plan takes no more changes")
			require.Error(t, w.Finish(ctx, parts), "nor a second header")
			pcs, err = s.PlanChanges(ctx, parts.ID)
			require.NoError(t, err)
			require.Len(t, pcs, n)
		}
	})
}

func TestFinishWantsTheHeaderOfThePlanBegun(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, s *store.Store) {
		w, err := s.BeginPlan(ctx, "p1")
		require.NoError(t, err)
		require.Error(t, w.Finish(ctx, store.Plan{ID: "p2", IntegrationID: "acme"}))
		_, err = s.GetPlan(ctx, "p2")
		require.ErrorIs(t, err, store.ErrNotFound)
		require.NoError(t, w.Finish(ctx, store.Plan{ID: "p1", IntegrationID: "acme"}))
	})
}

func TestALaterBeginPlanSupersedesAWriter(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, s *store.Store) {
		p, changes := writtenPlan("plan-1", 9)
		first, err := s.BeginPlan(ctx, p.ID)
		require.NoError(t, err)
		require.NoError(t, first.Append(ctx, changes[:2]))

		// The activity is retried while its first attempt still runs.
		second, err := s.BeginPlan(ctx, p.ID)
		require.NoError(t, err)
		pcs, err := s.PlanChanges(ctx, p.ID)
		require.NoError(t, err)
		require.Empty(t, pcs, "the first attempt's changes are dropped")
		require.ErrorIs(t, first.Append(ctx, changes[2:4]), store.ErrSuperseded)
		require.NoError(t, second.Append(ctx, changes[5:7]))
		require.ErrorIs(t, first.Finish(ctx, p), store.ErrSuperseded)
		_, err = s.GetPlan(ctx, p.ID)
		require.ErrorIs(t, err, store.ErrNotFound, "the superseded writer wrote no header")
		require.NoError(t, second.Append(ctx, changes[7:]))
		p2 := p
		p2.SnapshotID = "snap-2"
		require.NoError(t, second.Finish(ctx, p2))
		require.ErrorIs(t, first.Append(ctx, changes[2:4]), store.ErrSuperseded, "also once the later one finished")

		got, err := s.GetPlan(ctx, p.ID)
		require.NoError(t, err)
		require.Equal(t, p2, got)
		pcs, err = s.PlanChanges(ctx, p.ID)
		require.NoError(t, err)
		require.Len(t, pcs, 4, "only the second writer's changes")
		for i, pc := range pcs {
			require.Equal(t, i, pc.Seq)
			require.Equal(t, changes[5+i], pc.Change)
		}

		// SavePlan is a write of the plan too.
		third, err := s.BeginPlan(ctx, p.ID)
		require.NoError(t, err)
		require.NoError(t, s.SavePlan(ctx, p, changes[:1]))
		require.ErrorIs(t, third.Append(ctx, changes), store.ErrSuperseded)
		require.ErrorIs(t, third.Finish(ctx, p2), store.ErrSuperseded)
		got, err = s.GetPlan(ctx, p.ID)
		require.NoError(t, err)
		require.Equal(t, p, got)
		pcs, err = s.PlanChanges(ctx, p.ID)
		require.NoError(t, err)
		require.Len(t, pcs, 1)
	})
}

// Two attempts of one Plan activity write at once: whatever interleaves,
// the earlier one fails and the plan is exactly the later one's.
func TestOverlappingPlanWritersLeaveTheLaterOnesPlan(t *testing.T) {
	ctx := context.Background()
	eachBackend(t, func(t *testing.T, s *store.Store, location string) {
		other := openAt(t, location) // the second attempt runs in another worker
		p, changes := writtenPlan("plan-1", 40)
		first, err := s.BeginPlan(ctx, p.ID)
		require.NoError(t, err)
		started := make(chan struct{})
		done := make(chan error)
		go func() {
			for i := 0; ; i++ {
				if i == 2 {
					close(started)
				}
				if err := first.Append(ctx, changes[:10]); err != nil {
					done <- err
					return
				}
			}
		}()
		<-started
		second, err := other.BeginPlan(ctx, p.ID)
		require.NoError(t, err)
		for from := 10; from < 40; from += 10 {
			require.NoError(t, second.Append(ctx, changes[from:from+10]))
		}
		require.NoError(t, second.Finish(ctx, p))
		require.ErrorIs(t, <-done, store.ErrSuperseded)

		pcs, err := s.PlanChanges(ctx, p.ID)
		require.NoError(t, err)
		require.Len(t, pcs, 30)
		for i, pc := range pcs {
			require.Equal(t, i, pc.Seq)
			require.Equal(t, changes[10+i], pc.Change)
		}
	})
}

func TestBeginPlanOverAFinishedPlanReplacesIt(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, s *store.Store) {
		p, changes := writtenPlan("plan-1", 6)
		w, err := s.BeginPlan(ctx, p.ID)
		require.NoError(t, err)
		require.NoError(t, w.Append(ctx, changes))
		require.NoError(t, w.Finish(ctx, p))
		require.NoError(t, s.RecordOutcome(ctx, p.ID, 0, store.StatusApplied, "u-0", ""))

		// A retry of an activity whose first attempt finished.
		again, err := s.BeginPlan(ctx, p.ID)
		require.NoError(t, err)
		_, err = s.GetPlan(ctx, p.ID)
		require.ErrorIs(t, err, store.ErrNotFound, "the finished plan is not read as part of the new one")
		pcs, err := s.PlanChanges(ctx, p.ID)
		require.NoError(t, err)
		require.Empty(t, pcs)
		require.NoError(t, again.Append(ctx, changes[4:]))
		p.Counts = map[roster.Op]int{roster.OpDeactivate: 1}
		require.NoError(t, again.Finish(ctx, p))

		got, err := s.GetPlan(ctx, p.ID)
		require.NoError(t, err)
		require.Equal(t, p, got)
		pcs, err = s.PlanChanges(ctx, p.ID)
		require.NoError(t, err)
		require.Len(t, pcs, 2)
		require.Equal(t, changes[4], pcs[0].Change)
		require.Equal(t, store.StatusPending, pcs[0].Status, "no outcome of the replaced plan is left")
		require.Equal(t, changes[5], pcs[1].Change)
	})
}

func TestPurgeForgetsThePlansWriters(t *testing.T) {
	ctx := context.Background()
	eachBackend(t, func(t *testing.T, s *store.Store, location string) {
		db := rawAt(t, location)
		writers := func() []string {
			rows, err := db.Query(`SELECT plan_id FROM plan_writes ORDER BY plan_id`)
			require.NoError(t, err)
			defer rows.Close()
			var ids []string
			for rows.Next() {
				var id string
				require.NoError(t, rows.Scan(&id))
				ids = append(ids, id)
			}
			require.NoError(t, rows.Err())
			return ids
		}
		for _, integration := range []string{"acme", "globex"} {
			p, changes := writtenPlan(integration+"-1", 3)
			p.IntegrationID = integration
			require.NoError(t, s.SavePlan(ctx, p, changes))
			p.ID = integration + "-2"
			w, err := s.BeginPlan(ctx, p.ID)
			require.NoError(t, err)
			require.NoError(t, w.Append(ctx, changes))
			require.NoError(t, w.Finish(ctx, p))
		}
		require.Equal(t, []string{"acme-1", "acme-2", "globex-1", "globex-2"}, writers())

		purged, err := s.Purge(ctx, "acme")
		require.NoError(t, err)
		require.Equal(t, int64(2), purged.Plans)
		require.Equal(t, int64(6), purged.Changes)
		require.Equal(t, []string{"globex-1", "globex-2"}, writers())
	})
}
