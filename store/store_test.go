package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
	"github.com/hrsync/hrsync/store/storetest"
)

// backend is one kind of database the store runs on.
type backend struct {
	name string
	// fresh returns where a new, empty store lives — a SQLite file path or a
	// PostgreSQL DSN with its own schema — skipping the test when the
	// backend is unavailable. Whatever it creates is removed after the test.
	fresh func(t *testing.T) string
	// raw opens the database at location without the store, for setting up
	// old schemas.
	raw func(t *testing.T, location string) *sql.DB
}

var (
	sqliteBackend = backend{
		name: "sqlite",
		fresh: func(t *testing.T) string {
			return filepath.Join(t.TempDir(), "hrsync.db")
		},
		raw: func(t *testing.T, path string) *sql.DB {
			db, err := sql.Open("sqlite", "file:"+path)
			require.NoError(t, err)
			t.Cleanup(func() { _ = db.Close() })
			return db
		},
	}
	postgresBackend = backend{
		name:  "postgres",
		fresh: func(t *testing.T) string { return storetest.PostgresDSN(t) },
		raw: func(t *testing.T, dsn string) *sql.DB {
			db, err := sql.Open("pgx", dsn)
			require.NoError(t, err)
			t.Cleanup(func() { _ = db.Close() })
			return db
		},
	}
	backends = []backend{sqliteBackend, postgresBackend}
)

// openAt opens the store at location with store.Open, closed when the test
// ends.
func openAt(t *testing.T, location string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), location)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// eachBackend runs fn as a subtest per backend, each on a fresh, empty store,
// and passes where that store lives so it can be opened again.
func eachBackend(t *testing.T, fn func(t *testing.T, s *store.Store, location string)) {
	t.Helper()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			location := b.fresh(t)
			fn(t, openAt(t, location), location)
		})
	}
}

// each is eachBackend for tests that need only the store.
func each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	eachBackend(t, func(t *testing.T, s *store.Store, _ string) { fn(t, s) })
}

func emp(id string) roster.Employee {
	return roster.Employee{
		ID: id, FirstName: "F" + id, LastName: "L" + id, WorkEmail: id + "@x.test",
		Status: roster.StatusActive, Department: "Ops", DateOfJoining: roster.Date{Year: 2020, Month: time.May, Day: 4},
		Custom: map[string]string{"costCenter": "CC-1"},
	}
}

func emps(ids ...string) []roster.Employee {
	out := make([]roster.Employee, len(ids))
	for i, id := range ids {
		out[i] = emp(id)
	}
	return out
}

func rec(id string) roster.Record { return roster.RecordOf(emp(id)) }

func recs(ids ...string) []roster.Record {
	out := make([]roster.Record, len(ids))
	for i, id := range ids {
		out[i] = rec(id)
	}
	return out
}

func TestSnapshotBeginAppendFinishRead(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, s *store.Store) {
		require.NoError(t, s.BeginSnapshot(ctx, "snap-1", "acme", "sync-1", 0))
		snap, err := s.GetSnapshot(ctx, "snap-1")
		require.NoError(t, err)
		require.False(t, snap.Complete)
		require.Equal(t, "acme", snap.IntegrationID)
		require.Equal(t, "sync-1", snap.SyncID)
		require.WithinDuration(t, time.Now(), snap.CreatedAt, time.Minute)

		require.NoError(t, s.AppendRecords(ctx, "snap-1", 0, recs("E3", "E1")))
		require.NoError(t, s.AppendRecords(ctx, "snap-1", 2, recs("E2")))
		require.NoError(t, s.FinishSnapshot(ctx, "snap-1", 3))

		snap, err = s.GetSnapshot(ctx, "snap-1")
		require.NoError(t, err)
		require.True(t, snap.Complete)
		require.Equal(t, 3, snap.Count)

		got, err := s.SnapshotRecords(ctx, "snap-1")
		require.NoError(t, err)
		require.Equal(t, recs("E3", "E1", "E2"), got, "records come back in fetch order, not id order")
	})
}

func TestBeginSnapshotFromDropsRecordsAtAndAfterFrom(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, s *store.Store) {
		require.NoError(t, s.BeginSnapshot(ctx, "snap-1", "acme", "sync-1", 0))
		require.NoError(t, s.AppendRecords(ctx, "snap-1", 0, recs("E1", "E2", "E3", "E4")))
		require.NoError(t, s.FinishSnapshot(ctx, "snap-1", 4))

		// A retried fetch resumes after the second record.
		require.NoError(t, s.BeginSnapshot(ctx, "snap-1", "acme", "sync-1", 2))
		snap, err := s.GetSnapshot(ctx, "snap-1")
		require.NoError(t, err)
		require.False(t, snap.Complete, "a resumed snapshot is incomplete again")
		got, err := s.SnapshotRecords(ctx, "snap-1")
		require.NoError(t, err)
		require.Equal(t, recs("E1", "E2"), got)

		// Rewriting positions 2.. does not collide with what was dropped.
		require.NoError(t, s.AppendRecords(ctx, "snap-1", 2, recs("E3", "E4", "E5")))
		require.NoError(t, s.FinishSnapshot(ctx, "snap-1", 5))
		got, err = s.SnapshotRecords(ctx, "snap-1")
		require.NoError(t, err)
		require.Equal(t, recs("E1", "E2", "E3", "E4", "E5"), got)

		// Beginning from 0 starts over.
		require.NoError(t, s.BeginSnapshot(ctx, "snap-1", "acme", "sync-1", 0))
		got, err = s.SnapshotRecords(ctx, "snap-1")
		require.NoError(t, err)
		require.Empty(t, got)
	})
}

func TestAppendRecordsTwiceAtTheSamePositionFails(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, s *store.Store) {
		require.NoError(t, s.BeginSnapshot(ctx, "snap-1", "acme", "sync-1", 0))
		require.NoError(t, s.AppendRecords(ctx, "snap-1", 0, recs("E1", "E2")))
		// Writing a record twice is an error, never a silent overwrite or a
		// second copy; the failed batch leaves nothing behind.
		require.Error(t, s.AppendRecords(ctx, "snap-1", 1, recs("E9", "E8")))
		got, err := s.SnapshotRecords(ctx, "snap-1")
		require.NoError(t, err)
		require.Equal(t, recs("E1", "E2"), got)
	})
}

func TestSnapshotKeepsDuplicateEmployeeIDs(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, s *store.Store) {
		first, second := rec("E1"), rec("E1")
		second.Values["workEmail"] = "other@x.test"
		require.NoError(t, s.BeginSnapshot(ctx, "snap-1", "acme", "sync-1", 0))
		require.NoError(t, s.AppendRecords(ctx, "snap-1", 0, []roster.Record{first, rec("E2"), second}))
		require.NoError(t, s.FinishSnapshot(ctx, "snap-1", 3))

		got, err := s.SnapshotRecords(ctx, "snap-1")
		require.NoError(t, err)
		// Both copies survive so planning can report the duplicate id.
		require.Equal(t, []roster.Record{first, rec("E2"), second}, got)
	})
}

func TestSnapshotsAreSeparate(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, s *store.Store) {
		require.NoError(t, s.BeginSnapshot(ctx, "a", "acme", "sync-a", 0))
		require.NoError(t, s.BeginSnapshot(ctx, "b", "acme", "sync-b", 0))
		require.NoError(t, s.AppendRecords(ctx, "a", 0, recs("E1")))
		require.NoError(t, s.AppendRecords(ctx, "b", 0, recs("E2", "E3")))
		require.NoError(t, s.BeginSnapshot(ctx, "a", "acme", "sync-a", 0))

		got, err := s.SnapshotRecords(ctx, "b")
		require.NoError(t, err)
		require.Equal(t, recs("E2", "E3"), got, "resetting one snapshot leaves the other alone")
	})
}

func TestFinishUnknownSnapshotIsNotFound(t *testing.T) {
	each(t, func(t *testing.T, s *store.Store) {
		err := s.FinishSnapshot(context.Background(), "nope", 1)
		require.ErrorIs(t, err, store.ErrNotFound)
	})
}

func change(op roster.Op, id, targetID string) roster.Change {
	return roster.Change{Op: op, EmployeeID: id, TargetID: targetID, Employee: emp(id), Reason: "because"}
}

func TestSavePlanAndReadItBack(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, s *store.Store) {
		plan := store.Plan{
			ID: "plan-1", IntegrationID: "acme", SyncID: "sync-1", SnapshotID: "snap-1",
			Counts:   map[roster.Op]int{roster.OpCreate: 1, roster.OpUpdate: 1},
			Blocks:   []roster.Block{{Code: roster.BlockMassChange, Message: "too many"}},
			Problems: []roster.Problem{{EmployeeID: "E9", Field: roster.FieldID, Code: roster.CodeDuplicateID, Message: "dup"}},
			Holds: []roster.Hold{{EmployeeID: "E2", Code: roster.HoldIdentityChange, Reason: "name, date of birth changed",
				Changes: []roster.FieldChange{{Field: roster.FieldLastName, Old: "Lee", New: "Tan"}}}},
			Digest: "abc123", Unwritten: 7,
		}
		update := change(roster.OpUpdate, "E2", "u-2")
		update.Fields = []roster.Field{roster.FieldDepartment}
		changes := []roster.Change{change(roster.OpCreate, "E1", ""), update}
		require.NoError(t, s.SavePlan(ctx, plan, changes))

		got, err := s.GetPlan(ctx, "plan-1")
		require.NoError(t, err)
		require.WithinDuration(t, time.Now(), got.CreatedAt, time.Minute)
		got.CreatedAt = time.Time{}
		require.Equal(t, plan, got)

		pcs, err := s.PlanChanges(ctx, "plan-1")
		require.NoError(t, err)
		require.Len(t, pcs, 2)
		for i, pc := range pcs {
			require.Equal(t, i, pc.Seq)
			require.Equal(t, changes[i], pc.Change)
			require.Equal(t, store.StatusPending, pc.Status)
			require.Empty(t, pc.TargetID)
			require.Empty(t, pc.Error)
		}
	})
}

func TestSavePlanWithoutBlocksOrProblems(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, s *store.Store) {
		require.NoError(t, s.SavePlan(ctx, store.Plan{ID: "p", IntegrationID: "acme", SyncID: "s", SnapshotID: "s",
			Counts: map[roster.Op]int{}}, nil))
		got, err := s.GetPlan(ctx, "p")
		require.NoError(t, err)
		require.Empty(t, got.Blocks)
		require.Empty(t, got.Holds)
		require.Empty(t, got.Problems)
		pcs, err := s.PlanChanges(ctx, "p")
		require.NoError(t, err)
		require.Empty(t, pcs)
	})
}

func TestSavePlanReplacesAPlanWithTheSameID(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, s *store.Store) {
		first := store.Plan{ID: "plan-1", IntegrationID: "acme", SyncID: "sync-1", SnapshotID: "snap-1",
			Counts: map[roster.Op]int{roster.OpCreate: 3},
			Blocks: []roster.Block{{Code: roster.BlockMassChange, Message: "too many"}}}
		require.NoError(t, s.SavePlan(ctx, first, []roster.Change{
			change(roster.OpCreate, "E1", ""), change(roster.OpCreate, "E2", ""), change(roster.OpCreate, "E3", "")}))
		require.NoError(t, s.RecordOutcome(ctx, "plan-1", 0, store.StatusApplied, "u-1", ""))

		second := store.Plan{ID: "plan-1", IntegrationID: "acme", SyncID: "sync-1", SnapshotID: "snap-2",
			Counts: map[roster.Op]int{roster.OpDeactivate: 1}}
		require.NoError(t, s.SavePlan(ctx, second, []roster.Change{change(roster.OpDeactivate, "E7", "u-7")}))

		got, err := s.GetPlan(ctx, "plan-1")
		require.NoError(t, err)
		require.Equal(t, "snap-2", got.SnapshotID)
		require.Equal(t, map[roster.Op]int{roster.OpDeactivate: 1}, got.Counts)
		require.Empty(t, got.Blocks, "the old plan's blocks are gone")

		pcs, err := s.PlanChanges(ctx, "plan-1")
		require.NoError(t, err)
		require.Len(t, pcs, 1, "no change of the replaced plan is left over")
		require.Equal(t, "E7", pcs[0].Change.EmployeeID)
		require.Equal(t, store.StatusPending, pcs[0].Status)
	})
}

func TestRecordOutcome(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, s *store.Store) {
		require.NoError(t, s.SavePlan(ctx, store.Plan{ID: "plan-1", IntegrationID: "acme", SyncID: "sync-1"},
			[]roster.Change{change(roster.OpCreate, "E1", ""), change(roster.OpUpdate, "E2", "u-2"),
				change(roster.OpDeactivate, "E3", "u-3")}))

		require.NoError(t, s.RecordOutcome(ctx, "plan-1", 0, store.StatusApplied, "u-1", ""))
		require.NoError(t, s.RecordOutcome(ctx, "plan-1", 2, store.StatusFailed, "u-3", "demo: 400 Bad Request"))

		pcs, err := s.PlanChanges(ctx, "plan-1")
		require.NoError(t, err)
		require.Len(t, pcs, 3)
		require.Equal(t, store.StatusApplied, pcs[0].Status)
		require.Equal(t, "u-1", pcs[0].TargetID)
		require.Empty(t, pcs[0].Error)
		require.Equal(t, store.StatusPending, pcs[1].Status)
		require.Equal(t, store.StatusFailed, pcs[2].Status)
		require.Equal(t, "u-3", pcs[2].TargetID)
		require.Equal(t, "demo: 400 Bad Request", pcs[2].Error)

		require.ErrorIs(t, s.RecordOutcome(ctx, "plan-1", 3, store.StatusApplied, "", ""), store.ErrNotFound)
		require.ErrorIs(t, s.RecordOutcome(ctx, "plan-x", 0, store.StatusApplied, "", ""), store.ErrNotFound)
	})
}

func TestReplaceAppliedAndApplied(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, s *store.Store) {
		require.NoError(t, s.ReplaceApplied(ctx, "acme", emps("E3", "E1", "E2")))
		require.NoError(t, s.ReplaceApplied(ctx, "other", emps("E9")))

		got, err := s.Applied(ctx, "acme")
		require.NoError(t, err)
		require.Equal(t, emps("E1", "E2", "E3"), got, "ordered by employee id")

		changed := emp("E2")
		changed.Department = "Sales"
		require.NoError(t, s.ReplaceApplied(ctx, "acme", []roster.Employee{changed, emp("E4")}))
		got, err = s.Applied(ctx, "acme")
		require.NoError(t, err)
		require.Equal(t, []roster.Employee{changed, emp("E4")}, got, "the roster is replaced, not merged")

		got, err = s.Applied(ctx, "other")
		require.NoError(t, err)
		require.Equal(t, emps("E9"), got, "other integrations are untouched")

		got, err = s.Applied(ctx, "nobody")
		require.NoError(t, err)
		require.Empty(t, got)

		require.NoError(t, s.ReplaceApplied(ctx, "acme", nil))
		got, err = s.Applied(ctx, "acme")
		require.NoError(t, err)
		require.Empty(t, got)
	})
}

func TestAppliedOfIsTheAppliedRosterWithThoseIDs(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, s *store.Store) {
		ids := make([]string, 1500)
		for i := range ids {
			ids[i] = fmt.Sprintf("E%d", i) // E10 sorts before E2
		}
		require.NoError(t, s.ReplaceApplied(ctx, "acme", emps(ids...)))
		require.NoError(t, s.ReplaceApplied(ctx, "other", emps("E1", "E3", "X1")))

		// Ids from the end back, some twice, and ids never applied: more
		// than one batch's worth.
		ask := []string{"X1", "E3", "nobody"}
		want := map[string]bool{"E3": true}
		for i := len(ids) - 1; i >= 0; i -= 3 {
			ask = append(ask, ids[i], ids[i])
			want[ids[i]] = true
		}
		all, err := s.Applied(ctx, "acme")
		require.NoError(t, err)
		var filtered []roster.Employee
		for _, e := range all {
			if want[e.ID] {
				filtered = append(filtered, e)
			}
		}
		got, err := s.AppliedOf(ctx, "acme", ask)
		require.NoError(t, err)
		require.Equal(t, filtered, got, "those applied employees, once each, in Applied's order")

		got, err = s.AppliedOf(ctx, "other", []string{"E3", "E2", "E1"})
		require.NoError(t, err)
		require.Equal(t, emps("E1", "E3"), got)
		got, err = s.AppliedOf(ctx, "acme", nil)
		require.NoError(t, err)
		require.Empty(t, got)
	})
}

func TestSaveReportAndGetReport(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, s *store.Store) {
		r := store.Report{
			ID: "sync-1", IntegrationID: "acme", SyncID: "sync-1", PlanID: "sync-1",
			CreatedAt: time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC), Outcome: "applied",
			Planned:  map[roster.Op]int{roster.OpCreate: 2},
			Applied:  map[roster.Op]int{roster.OpCreate: 1},
			Failures: []store.Failure{{EmployeeID: "E2", Op: roster.OpCreate, Error: "refused"}},
			Problems: []roster.Problem{{EmployeeID: "E3", Code: roster.CodeDuplicateID, Message: "dup"}},
			Blocks:   []roster.Block{{Code: roster.BlockMassChange, Message: "too many"}},
		}
		require.NoError(t, s.SaveReport(ctx, r))
		got, err := s.GetReport(ctx, "sync-1")
		require.NoError(t, err)
		require.Equal(t, r, got)

		// Saving again replaces it.
		r.Outcome = "rejected"
		r.Failures = nil
		require.NoError(t, s.SaveReport(ctx, r))
		got, err = s.GetReport(ctx, "sync-1")
		require.NoError(t, err)
		require.Equal(t, r, got)
	})
}

func TestSaveReportFillsInCreatedAt(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, s *store.Store) {
		require.NoError(t, s.SaveReport(ctx, store.Report{ID: "r", IntegrationID: "acme", SyncID: "r"}))
		got, err := s.GetReport(ctx, "r")
		require.NoError(t, err)
		require.WithinDuration(t, time.Now(), got.CreatedAt, time.Minute)
	})
}

func TestUnknownIDsAreNotFound(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, s *store.Store) {
		_, err := s.GetPlan(ctx, "nope")
		require.ErrorIs(t, err, store.ErrNotFound)
		_, err = s.GetSnapshot(ctx, "nope")
		require.ErrorIs(t, err, store.ErrNotFound)
		_, err = s.GetReport(ctx, "nope")
		require.ErrorIs(t, err, store.ErrNotFound)
	})
}

// seed stores one of everything for integration id.
func seed(t *testing.T, s *store.Store, id string, records int) {
	t.Helper()
	ctx := context.Background()
	ids := make([]string, records)
	for i := range ids {
		ids[i] = fmt.Sprintf("E%d", i+1)
	}
	for _, n := range []string{"1", "2"} {
		syncID := id + "-sync-" + n
		require.NoError(t, s.BeginSnapshot(ctx, syncID, id, syncID, 0))
		require.NoError(t, s.AppendRecords(ctx, syncID, 0, recs(ids...)))
		require.NoError(t, s.FinishSnapshot(ctx, syncID, records))
		changes := make([]roster.Change, records)
		for i, e := range ids {
			changes[i] = change(roster.OpCreate, e, "")
		}
		require.NoError(t, s.SavePlan(ctx, store.Plan{ID: syncID, IntegrationID: id, SyncID: syncID, SnapshotID: syncID,
			Counts: map[roster.Op]int{roster.OpCreate: records}}, changes))
		require.NoError(t, s.SaveReport(ctx, store.Report{ID: syncID, IntegrationID: id, SyncID: syncID, PlanID: syncID}))
	}
	require.NoError(t, s.ReplaceApplied(ctx, id, emps(ids...)))
}

func TestPurgeRemovesOnlyTheNamedIntegration(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, s *store.Store) {
		seed(t, s, "acme", 3)
		seed(t, s, "globex", 2)

		p, err := s.Purge(ctx, "acme")
		require.NoError(t, err)
		require.Equal(t, store.Purged{Snapshots: 2, Records: 6, Plans: 2, Changes: 6, Applied: 3, Reports: 2}, p)

		_, err = s.GetSnapshot(ctx, "acme-sync-1")
		require.ErrorIs(t, err, store.ErrNotFound)
		_, err = s.GetPlan(ctx, "acme-sync-2")
		require.ErrorIs(t, err, store.ErrNotFound)
		_, err = s.GetReport(ctx, "acme-sync-1")
		require.ErrorIs(t, err, store.ErrNotFound)
		records, err := s.SnapshotRecords(ctx, "acme-sync-1")
		require.NoError(t, err)
		require.Empty(t, records)
		pcs, err := s.PlanChanges(ctx, "acme-sync-1")
		require.NoError(t, err)
		require.Empty(t, pcs)
		applied, err := s.Applied(ctx, "acme")
		require.NoError(t, err)
		require.Empty(t, applied)

		// globex is untouched.
		snap, err := s.GetSnapshot(ctx, "globex-sync-1")
		require.NoError(t, err)
		require.Equal(t, 2, snap.Count)
		records, err = s.SnapshotRecords(ctx, "globex-sync-2")
		require.NoError(t, err)
		require.Len(t, records, 2)
		pcs, err = s.PlanChanges(ctx, "globex-sync-1")
		require.NoError(t, err)
		require.Len(t, pcs, 2)
		_, err = s.GetReport(ctx, "globex-sync-2")
		require.NoError(t, err)
		applied, err = s.Applied(ctx, "globex")
		require.NoError(t, err)
		require.Len(t, applied, 2)

		// Purging again finds nothing.
		p, err = s.Purge(ctx, "acme")
		require.NoError(t, err)
		require.Equal(t, store.Purged{}, p)
	})
}

// A fetch still running when its integration is purged, or any writer
// holding a snapshot id that no longer exists, stores nothing: no record
// outlives the purge.
func TestAppendingToAPurgedSnapshotStoresNothing(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, s *store.Store) {
		require.NoError(t, s.BeginSnapshot(ctx, "acme-sync-1", "acme", "acme-sync-1", 0))
		require.NoError(t, s.AppendRecords(ctx, "acme-sync-1", 0, recs("E1", "E2")))
		p, err := s.Purge(ctx, "acme")
		require.NoError(t, err)
		require.EqualValues(t, 2, p.Records)

		require.ErrorIs(t, s.AppendRecords(ctx, "acme-sync-1", 2, recs("E3")), store.ErrNotFound)
		require.ErrorIs(t, s.AppendRecords(ctx, "never-begun", 0, recs("E1")), store.ErrNotFound)
		for _, id := range []string{"acme-sync-1", "never-begun"} {
			got, err := s.SnapshotRecords(ctx, id)
			require.NoError(t, err)
			require.Empty(t, got, id)
		}
	})
}

// Appends racing a purge: each batch either lands before the purge, which
// then removes it, or is refused; none is left behind.
func TestPurgeRacingAppendsLeavesNoRecord(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, s *store.Store) {
		require.NoError(t, s.BeginSnapshot(ctx, "acme-sync-1", "acme", "acme-sync-1", 0))
		done := make(chan error)
		go func() {
			for n := 0; ; n += 2 {
				if err := s.AppendRecords(ctx, "acme-sync-1", n, recs(fmt.Sprint("E", n), fmt.Sprint("E", n+1))); err != nil {
					done <- err
					return
				}
			}
		}()
		time.Sleep(50 * time.Millisecond)
		_, err := s.Purge(ctx, "acme")
		require.NoError(t, err)
		require.ErrorIs(t, <-done, store.ErrNotFound)
		got, err := s.SnapshotRecords(ctx, "acme-sync-1")
		require.NoError(t, err)
		require.Zero(t, len(got), "records left behind")
	})
}

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	eachBackend(t, func(t *testing.T, s *store.Store, location string) {
		seed(t, s, "acme", 2)
		require.NoError(t, s.RecordOutcome(ctx, "acme-sync-1", 1, store.StatusFailed, "", "refused"))
		require.NoError(t, s.Close())

		s2 := openAt(t, location)
		snap, err := s2.GetSnapshot(ctx, "acme-sync-1")
		require.NoError(t, err)
		require.True(t, snap.Complete)
		require.Equal(t, 2, snap.Count)
		records, err := s2.SnapshotRecords(ctx, "acme-sync-1")
		require.NoError(t, err)
		require.Equal(t, recs("E1", "E2"), records)
		plan, err := s2.GetPlan(ctx, "acme-sync-1")
		require.NoError(t, err)
		require.Equal(t, map[roster.Op]int{roster.OpCreate: 2}, plan.Counts)
		pcs, err := s2.PlanChanges(ctx, "acme-sync-1")
		require.NoError(t, err)
		require.Len(t, pcs, 2)
		require.Equal(t, store.StatusFailed, pcs[1].Status)
		require.Equal(t, "refused", pcs[1].Error)
		applied, err := s2.Applied(ctx, "acme")
		require.NoError(t, err)
		require.Equal(t, emps("E1", "E2"), applied)
		_, err = s2.GetReport(ctx, "acme-sync-2")
		require.NoError(t, err)
	})
}

func TestOpenSQLiteCreatesTheDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "dir", "hrsync.db")
	s, err := store.OpenSQLite(context.Background(), path)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	info, err := os.Stat(filepath.Dir(path))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), info.Mode().Perm())
}

// The store holds people data: its file is the owner's alone, also when
// its folder was there before.
func TestOpenSQLiteMakesTheFileOwnerOnly(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Chmod(dir, 0o755))
	path := filepath.Join(dir, "hrsync.db")
	s, err := store.OpenSQLite(context.Background(), path)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		info, err := os.Stat(name)
		if os.IsNotExist(err) {
			continue
		}
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), info.Mode().Perm(), name)
	}
}

func TestConcurrentWritersDoNotFail(t *testing.T) {
	ctx := context.Background()
	eachBackend(t, func(t *testing.T, s *store.Store, location string) {
		// Two handles stand for two worker processes sharing the store.
		handles := []*store.Store{s, openAt(t, location)}
		const writers = 8
		errs := make(chan error, writers)
		for i := range writers {
			go func() {
				errs <- func() error {
					h := handles[i%len(handles)]
					id := fmt.Sprintf("snap-%d", i)
					if err := h.BeginSnapshot(ctx, id, "acme", id, 0); err != nil {
						return err
					}
					if err := h.AppendRecords(ctx, id, 0, recs("E1", "E2")); err != nil {
						return err
					}
					if err := h.FinishSnapshot(ctx, id, 2); err != nil {
						return err
					}
					// Everyone also rewrites the same plan, applied roster,
					// report and credential.
					ids := make([]string, i+1)
					changes := make([]roster.Change, i+1)
					for k := range ids {
						ids[k] = fmt.Sprintf("W%d-E%d", i, k)
						changes[k] = change(roster.OpCreate, ids[k], "")
					}
					if err := h.SavePlan(ctx, store.Plan{ID: "shared", IntegrationID: "acme", SyncID: id, SnapshotID: id,
						Counts: map[roster.Op]int{roster.OpCreate: i + 1}}, changes); err != nil {
						return err
					}
					if err := h.ReplaceApplied(ctx, "acme", emps(ids...)); err != nil {
						return err
					}
					if err := h.SaveReport(ctx, store.Report{ID: "shared", IntegrationID: "acme", SyncID: id}); err != nil {
						return err
					}
					return h.PutCredential(ctx, store.SealedCredential{ID: "shared", Kind: "k", Sealed: []byte(id)})
				}()
			}()
		}
		for range writers {
			require.NoError(t, <-errs)
		}

		for i := range writers {
			snap, err := s.GetSnapshot(ctx, fmt.Sprintf("snap-%d", i))
			require.NoError(t, err)
			require.True(t, snap.Complete)
			require.Equal(t, 2, snap.Count)
		}
		// The shared plan is exactly one writer's: header and changes agree
		// and nothing of another writer's is mixed in.
		plan, err := s.GetPlan(ctx, "shared")
		require.NoError(t, err)
		pcs, err := s.PlanChanges(ctx, "shared")
		require.NoError(t, err)
		require.Len(t, pcs, plan.Counts[roster.OpCreate])
		var w int
		_, err = fmt.Sscanf(plan.SnapshotID, "snap-%d", &w)
		require.NoError(t, err)
		for k, pc := range pcs {
			require.Equal(t, fmt.Sprintf("W%d-E%d", w, k), pc.Change.EmployeeID)
		}
		// The applied roster is exactly one writer's, never a merge.
		applied, err := s.Applied(ctx, "acme")
		require.NoError(t, err)
		require.NotEmpty(t, applied)
		var a int
		_, err = fmt.Sscanf(applied[0].ID, "W%d-", &a)
		require.NoError(t, err)
		ids := make([]string, a+1)
		for k := range ids {
			ids[k] = fmt.Sprintf("W%d-E%d", a, k)
		}
		want := emps(ids...)
		sort.Slice(want, func(x, y int) bool { return want[x].ID < want[y].ID })
		require.Equal(t, want, applied)
		_, err = s.GetReport(ctx, "shared")
		require.NoError(t, err)
		_, err = s.GetCredential(ctx, "shared")
		require.NoError(t, err)
	})
}

func TestExportsAndSnapshotDeletion(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, s *store.Store) {
		require.NoError(t, s.SaveExport(ctx, store.Export{ID: "x1", IntegrationID: "acme", Kind: "preview", Data: []byte("id\nE1\n")}))
		got, err := s.GetExport(ctx, "x1")
		require.NoError(t, err)
		require.Equal(t, "id\nE1\n", string(got.Data))
		require.NoError(t, s.DeleteExport(ctx, "x1"))
		_, err = s.GetExport(ctx, "x1")
		require.ErrorIs(t, err, store.ErrNotFound)

		require.NoError(t, s.BeginSnapshot(ctx, "snap", "acme", "sync", 0))
		require.NoError(t, s.AppendRecords(ctx, "snap", 0, recs("E1", "E2")))
		require.NoError(t, s.DeleteSnapshot(ctx, "snap"))
		_, err = s.GetSnapshot(ctx, "snap")
		require.ErrorIs(t, err, store.ErrNotFound)
		records, err := s.SnapshotRecords(ctx, "snap")
		require.NoError(t, err)
		require.Empty(t, records)

		require.NoError(t, s.SaveExport(ctx, store.Export{ID: "x2", IntegrationID: "acme", Kind: "preview", Data: []byte("a")}))
		purged, err := s.Purge(ctx, "acme")
		require.NoError(t, err)
		require.Equal(t, int64(1), purged.Exports)
	})
}

func TestMigratesAStoreFromTheFirstSchema(t *testing.T) {
	ctx := context.Background()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			location := b.fresh(t)
			// A store as the first release wrote it: plans without holds or digest.
			db := b.raw(t, location)
			_, err := db.Exec(`CREATE TABLE plans (id TEXT PRIMARY KEY, integration_id TEXT NOT NULL, sync_id TEXT NOT NULL,
		snapshot_id TEXT NOT NULL, created_at TEXT NOT NULL, counts TEXT NOT NULL, blocks TEXT NOT NULL, problems TEXT NOT NULL)`)
			require.NoError(t, err)
			_, err = db.Exec(`INSERT INTO plans VALUES ('p1', 'acme', 's1', 's1', '2026-01-01T00:00:00Z', '{"create":2}', '[]', '[]')`)
			require.NoError(t, err)
			_, err = db.Exec(`CREATE TABLE reports (id TEXT PRIMARY KEY, integration_id TEXT NOT NULL, sync_id TEXT NOT NULL,
		created_at TEXT NOT NULL, data TEXT NOT NULL)`)
			require.NoError(t, err)
			_, err = db.Exec(`INSERT INTO reports VALUES ('s1', 'acme', 's1', '2026-01-01T00:00:00Z', '{"id":"s1","outcome":"applied"}'),
		('t1', 'other', 't1', '2026-01-01T00:00:00Z', '{"id":"t1","outcome":"rejected"}')`)
			require.NoError(t, err)
			require.NoError(t, db.Close())

			s, err := store.Open(ctx, location)
			require.NoError(t, err)
			defer s.Close()
			plan, err := s.GetPlan(ctx, "p1")
			require.NoError(t, err)
			require.Equal(t, 2, plan.Counts[roster.OpCreate])
			require.Empty(t, plan.Holds)
			// Reports written before they kept their outcome in a column
			// have it filled in, so the first successful run is known.
			before, err := s.SucceededBefore(ctx, "acme", "s2")
			require.NoError(t, err)
			require.True(t, before)
			before, err = s.SucceededBefore(ctx, "other", "t2")
			require.NoError(t, err)
			require.False(t, before)
			require.NoError(t, s.Close())

			// Opening again runs no migration twice.
			s2, err := store.Open(ctx, location)
			require.NoError(t, err)
			require.NoError(t, s2.Close())
		})
	}
}

func TestConcurrentOpensOfAFreshStoreAllSucceed(t *testing.T) {
	ctx := context.Background()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			location := b.fresh(t)
			// Several worker processes starting at once on an empty database.
			const openers = 4
			type opened struct {
				s   *store.Store
				err error
			}
			results := make(chan opened, openers)
			start := make(chan struct{})
			for range openers {
				go func() {
					<-start
					s, err := store.Open(ctx, location)
					results <- opened{s, err}
				}()
			}
			close(start)
			var stores []*store.Store
			for range openers {
				r := <-results
				require.NoError(t, r.err)
				t.Cleanup(func() { _ = r.s.Close() })
				stores = append(stores, r.s)
			}

			var rows int
			require.NoError(t, b.raw(t, location).QueryRow(`SELECT COUNT(*) FROM schema_version`).Scan(&rows))
			require.Equal(t, 1, rows, "one schema version, recorded once")
			for i, s := range stores {
				id := fmt.Sprintf("x%d", i)
				require.NoError(t, s.SaveExport(ctx, store.Export{ID: id, IntegrationID: "acme", Kind: "k", Data: []byte{0, 1, 2}}))
				got, err := stores[(i+1)%len(stores)].GetExport(ctx, id)
				require.NoError(t, err)
				require.Equal(t, []byte{0, 1, 2}, got.Data)
			}
		})
	}
}

func TestCredentials(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, s *store.Store) {
		sealed := []byte{0, 0xff, 'a', 0, 0x80}
		require.NoError(t, s.PutCredential(ctx, store.SealedCredential{ID: "c1", Kind: "oauth", Sealed: sealed}))
		got, err := s.GetCredential(ctx, "c1")
		require.NoError(t, err)
		require.Equal(t, store.SealedCredential{ID: "c1", Kind: "oauth", Sealed: sealed}, got)

		require.NoError(t, s.PutCredential(ctx, store.SealedCredential{ID: "c1", Kind: "apikey", Sealed: []byte("new")}))
		got, err = s.GetCredential(ctx, "c1")
		require.NoError(t, err)
		require.Equal(t, store.SealedCredential{ID: "c1", Kind: "apikey", Sealed: []byte("new")}, got)

		require.NoError(t, s.DeleteCredential(ctx, "c1"))
		_, err = s.GetCredential(ctx, "c1")
		require.ErrorIs(t, err, store.ErrNotFound)
	})
}

func TestOpenPicksTheBackendFromTheDSN(t *testing.T) {
	ctx := context.Background()
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "hrsync.db")
		s := openAt(t, path)
		require.NoError(t, s.ReplaceApplied(ctx, "acme", emps("E1")))
		_, err := os.Stat(path)
		require.NoError(t, err, "a plain path is a SQLite file")
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := postgresBackend.fresh(t)
		for _, scheme := range []string{"postgres://", "postgresql://"} {
			s := openAt(t, scheme+strings.TrimPrefix(strings.TrimPrefix(dsn, "postgresql://"), "postgres://"))
			require.NoError(t, s.ReplaceApplied(ctx, "acme", emps("E1")))
		}
		// Both opened the same PostgreSQL schema, not a file.
		var n int
		require.NoError(t, postgresBackend.raw(t, dsn).QueryRow(`SELECT COUNT(*) FROM applied`).Scan(&n))
		require.Equal(t, 1, n)
	})
}

func TestPartsBatchesOutcomesAndPromotion(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, s *store.Store) {
		changes := []roster.Change{change(roster.OpCreate, "E0", ""), change(roster.OpUpdate, "E1", "u-1"),
			change(roster.OpUnchanged, "E2", "u-2"), change(roster.OpCreate, "E3", ""),
			change(roster.OpSkip, "E4", ""), change(roster.OpDeactivate, "E5", "u-5"), change(roster.OpCreate, "E6", "")}
		require.NoError(t, s.SavePlan(ctx, store.Plan{ID: "plan-1", IntegrationID: "acme", SyncID: "sync-1"}, changes))

		// Nothing to write means applied as planned, with the user's id.
		pcs, err := s.PlanChanges(ctx, "plan-1")
		require.NoError(t, err)
		require.Equal(t, store.StatusApplied, pcs[2].Status)
		require.Equal(t, "u-2", pcs[2].TargetID)
		require.Equal(t, store.StatusApplied, pcs[4].Status)

		// Two parts: even and odd positions, each read in batches.
		seqs := func(pcs []store.PlannedChange) []int {
			var out []int
			for _, pc := range pcs {
				out = append(out, pc.Seq)
			}
			return out
		}
		even := store.Part{Index: 0, Of: 2}
		n, err := s.CountWithStatus(ctx, "plan-1", store.StatusPending, even)
		require.NoError(t, err)
		require.Equal(t, 2, n, "E0 and E6; E2 and E4 have nothing to write")
		first, err := s.ChangesWithStatus(ctx, "plan-1", store.StatusPending, even, -1, 1)
		require.NoError(t, err)
		require.Equal(t, []int{0}, seqs(first), "a batch is at most the limit")
		next, err := s.ChangesWithStatus(ctx, "plan-1", store.StatusPending, even, 0, 1)
		require.NoError(t, err)
		require.Equal(t, []int{6}, seqs(next), "the next batch starts after the last one")
		odd, err := s.ChangesWithStatus(ctx, "plan-1", store.StatusPending, store.Part{Index: 1, Of: 2}, -1, 10)
		require.NoError(t, err)
		require.Equal(t, []int{1, 3, 5}, seqs(odd))
		all, err := s.ChangesWithStatus(ctx, "plan-1", store.StatusPending, store.Part{}, 3, 10)
		require.NoError(t, err)
		require.Equal(t, []int{5, 6}, seqs(all), "the zero Part is the whole plan, after a position")

		require.NoError(t, s.RecordOutcomes(ctx, "plan-1", []store.Outcome{
			{Seq: 0, Status: store.StatusLinking, TargetID: "u-0"},
			{Seq: 1, Status: store.StatusApplied, TargetID: "u-1"},
			{Seq: 3, Status: store.StatusFailed, Error: "refused"},
			{Seq: 5, Status: store.StatusApplied, TargetID: "u-5"},
		}))
		require.ErrorIs(t, s.RecordOutcomes(ctx, "plan-1", []store.Outcome{{Seq: 1, Status: store.StatusApplied},
			{Seq: 99, Status: store.StatusApplied}}), store.ErrNotFound, "an unknown change fails the whole batch")
		pcs, err = s.PlanChanges(ctx, "plan-1")
		require.NoError(t, err)
		require.Equal(t, "u-1", pcs[1].TargetID, "the failed batch changed nothing")

		ids, err := s.TargetIDs(ctx, "plan-1", []string{"E0", "E2", "E3", "E9"})
		require.NoError(t, err)
		require.Equal(t, map[string]string{"E0": "u-0", "E2": "u-2"}, ids)

		out, err := s.PlanOutcomes(ctx, "plan-1")
		require.NoError(t, err)
		require.Equal(t, 2, out.Unfinished, "E0 linking, E6 pending")
		require.Equal(t, map[roster.Op]int{roster.OpUpdate: 1, roster.OpDeactivate: 1, roster.OpUnchanged: 1,
			roster.OpSkip: 1}, out.Applied)
		require.Equal(t, []store.Failure{{EmployeeID: "E3", Op: roster.OpCreate, Error: "refused"}}, out.Failures)

		require.NoError(t, s.ReplaceApplied(ctx, "acme", emps("E3", "E8")))
		require.NoError(t, s.PromoteApplied(ctx, "acme", "plan-1"))
		got, err := s.Applied(ctx, "acme")
		require.NoError(t, err)
		require.Equal(t, emps("E1", "E2", "E3", "E5", "E8"), got,
			"applied changes promoted; the failed E3 keeps its old state, the skipped E4 stays out")
	})
}

func TestPromotionRecordsOwnershipPerDirectory(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, s *store.Store) {
		changes := []roster.Change{change(roster.OpCreate, "E0", ""), change(roster.OpUnchanged, "E1", "u-1"),
			change(roster.OpSkip, "E2", "u-2"), change(roster.OpCreate, "E3", "")}
		const dir = "scim https://people.example/scim/v2"
		require.NoError(t, s.SavePlan(ctx, store.Plan{ID: "a-1", IntegrationID: "acme", SyncID: "a-1", Directory: dir,
			Target: []byte(`{"unstored":["dateOfBirth"]}`), Warnings: []string{"dateOfBirth: not stored"}}, changes))
		plan, err := s.GetPlan(ctx, "a-1")
		require.NoError(t, err)
		require.Equal(t, dir, plan.Directory)
		require.JSONEq(t, `{"unstored":["dateOfBirth"]}`, string(plan.Target))
		require.Equal(t, []string{"dateOfBirth: not stored"}, plan.Warnings)

		require.NoError(t, s.RecordOutcomes(ctx, "a-1", []store.Outcome{
			{Seq: 0, Status: store.StatusApplied, TargetID: "u-0"},
			{Seq: 3, Status: store.StatusFailed, Error: "refused"},
		}))
		require.NoError(t, s.PromoteApplied(ctx, "acme", "a-1"))

		// A second integration on the same directory claims u-1 too, and a
		// third on another directory has a user with the same id.
		require.NoError(t, s.SavePlan(ctx, store.Plan{ID: "g-1", IntegrationID: "globex", SyncID: "g-1", Directory: dir},
			[]roster.Change{change(roster.OpUnchanged, "G1", "u-1"), change(roster.OpUnchanged, "G9", "u-9")}))
		require.NoError(t, s.PromoteApplied(ctx, "globex", "g-1"))
		require.NoError(t, s.SavePlan(ctx, store.Plan{ID: "i-1", IntegrationID: "initech", SyncID: "i-1", Directory: "scim other"},
			[]roster.Change{change(roster.OpUnchanged, "I1", "u-1")}))
		require.NoError(t, s.PromoteApplied(ctx, "initech", "i-1"))

		owners, err := s.OwnedUsers(ctx, dir)
		require.NoError(t, err)
		require.Equal(t, map[string]store.Owner{
			"u-0": {IntegrationID: "acme", EmployeeID: "E0"},
			"u-1": {IntegrationID: "acme", EmployeeID: "E1"},
			"u-9": {IntegrationID: "globex", EmployeeID: "G9"},
		}, owners, "written or unchanged users are owned; skipped and failed ones are not; the first owner stays")

		purged, err := s.Purge(ctx, "acme")
		require.NoError(t, err)
		require.EqualValues(t, 2, purged.Owned)
		owners, err = s.OwnedUsers(ctx, dir)
		require.NoError(t, err)
		require.Equal(t, map[string]store.Owner{"u-9": {IntegrationID: "globex", EmployeeID: "G9"}}, owners)
	})
}

func TestInvitesAreClaimedOnceAndCounted(t *testing.T) {
	each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		inv := store.Invitation{IntegrationID: "acme", EmployeeID: "E1", SyncID: "s1", TargetID: "u1"}
		ok, err := s.ClaimInvite(ctx, inv)
		require.NoError(t, err)
		require.True(t, ok)
		inv.SyncID = "s2"
		ok, err = s.ClaimInvite(ctx, inv)
		require.NoError(t, err)
		require.False(t, ok, "one invitation per user, ever")
		for _, id := range []string{"E2", "E3"} {
			ok, err = s.ClaimInvite(ctx, store.Invitation{IntegrationID: "acme", EmployeeID: id, SyncID: "s1"})
			require.NoError(t, err)
			require.True(t, ok)
		}
		ok, err = s.ClaimInvite(ctx, store.Invitation{IntegrationID: "other", EmployeeID: "E1", SyncID: "s1"})
		require.NoError(t, err)
		require.True(t, ok, "invitations are per integration")
		require.NoError(t, s.FinishInvite(ctx, "acme", "E1", store.InviteSent, ""))
		require.NoError(t, s.FinishInvite(ctx, "acme", "E2", store.InviteFailed, "550 no such user"))
		require.ErrorIs(t, s.FinishInvite(ctx, "acme", "E9", store.InviteSent, ""), store.ErrNotFound)

		c, err := s.RunInvites(ctx, "acme", "s1")
		require.NoError(t, err)
		require.Equal(t, store.InviteCounts{Sent: 1, Failed: 1, Unconfirmed: 1, Failures: []store.InviteFailure{
			{EmployeeID: "E2", Status: store.InviteFailed, Error: "550 no such user"},
			{EmployeeID: "E3", Status: store.InvitePending}}}, c)

		purged, err := s.Purge(ctx, "acme")
		require.NoError(t, err)
		require.Equal(t, int64(3), purged.Invites)
	})
}

func TestSucceededBeforeLooksAtAppliedReportsOnly(t *testing.T) {
	each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		first := func(syncID string) bool {
			before, err := s.SucceededBefore(ctx, "acme", syncID)
			require.NoError(t, err)
			return !before
		}
		require.True(t, first("s1"))
		for _, r := range []store.Report{{ID: "s1", Outcome: "failed"}, {ID: "s2", Outcome: "rejected"}} {
			r.IntegrationID, r.SyncID = "acme", r.ID
			require.NoError(t, s.SaveReport(ctx, r))
		}
		require.True(t, first("s3"))
		// A run of one employee on demand is not the first sync.
		require.NoError(t, s.SavePlan(ctx, store.Plan{ID: "p-one", IntegrationID: "acme", SyncID: "one", SnapshotID: "one",
			Employee: "E0001"}, nil))
		require.NoError(t, s.SaveReport(ctx, store.Report{ID: "one", IntegrationID: "acme", SyncID: "one", Outcome: "applied"}))
		require.True(t, first("s3"), "a one-employee run leaves the first sync to come")
		require.NoError(t, s.SaveReport(ctx, store.Report{ID: "s3", IntegrationID: "acme", SyncID: "s3", Outcome: "applied"}))
		require.True(t, first("s3"), "a run's own report does not count")
		require.False(t, first("s4"))
	})
}

func TestPingAnswersWhileOpenAndFailsOnceClosed(t *testing.T) {
	each(t, func(t *testing.T, s *store.Store) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		require.NoError(t, s.Ping(ctx))
		require.NoError(t, s.Close())
		require.ErrorContains(t, s.Ping(ctx), "store does not answer")
	})
}
