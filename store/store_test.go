package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
)

// open returns a store on a fresh SQLite file, closed when the test ends,
// and the file's path.
func open(t *testing.T) (*store.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hrsync.db")
	s, err := store.OpenSQLite(context.Background(), path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s, path
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
	s, _ := open(t)

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
}

func TestBeginSnapshotFromDropsRecordsAtAndAfterFrom(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
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
}

func TestAppendRecordsTwiceAtTheSamePositionFails(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	require.NoError(t, s.BeginSnapshot(ctx, "snap-1", "acme", "sync-1", 0))
	require.NoError(t, s.AppendRecords(ctx, "snap-1", 0, recs("E1", "E2")))
	// Writing a record twice is an error, never a silent overwrite or a
	// second copy; the failed batch leaves nothing behind.
	require.Error(t, s.AppendRecords(ctx, "snap-1", 1, recs("E9", "E8")))
	got, err := s.SnapshotRecords(ctx, "snap-1")
	require.NoError(t, err)
	require.Equal(t, recs("E1", "E2"), got)
}

func TestSnapshotKeepsDuplicateEmployeeIDs(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	first, second := rec("E1"), rec("E1")
	second.Values["workEmail"] = "other@x.test"
	require.NoError(t, s.BeginSnapshot(ctx, "snap-1", "acme", "sync-1", 0))
	require.NoError(t, s.AppendRecords(ctx, "snap-1", 0, []roster.Record{first, rec("E2"), second}))
	require.NoError(t, s.FinishSnapshot(ctx, "snap-1", 3))

	got, err := s.SnapshotRecords(ctx, "snap-1")
	require.NoError(t, err)
	// Both copies survive so planning can report the duplicate id.
	require.Equal(t, []roster.Record{first, rec("E2"), second}, got)
}

func TestSnapshotsAreSeparate(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	require.NoError(t, s.BeginSnapshot(ctx, "a", "acme", "sync-a", 0))
	require.NoError(t, s.BeginSnapshot(ctx, "b", "acme", "sync-b", 0))
	require.NoError(t, s.AppendRecords(ctx, "a", 0, recs("E1")))
	require.NoError(t, s.AppendRecords(ctx, "b", 0, recs("E2", "E3")))
	require.NoError(t, s.BeginSnapshot(ctx, "a", "acme", "sync-a", 0))

	got, err := s.SnapshotRecords(ctx, "b")
	require.NoError(t, err)
	require.Equal(t, recs("E2", "E3"), got, "resetting one snapshot leaves the other alone")
}

func TestFinishUnknownSnapshotIsNotFound(t *testing.T) {
	s, _ := open(t)
	err := s.FinishSnapshot(context.Background(), "nope", 1)
	require.ErrorIs(t, err, store.ErrNotFound)
}

func change(op roster.Op, id, targetID string) roster.Change {
	return roster.Change{Op: op, EmployeeID: id, TargetID: targetID, Employee: emp(id), Reason: "because"}
}

func TestSavePlanAndReadItBack(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	plan := store.Plan{
		ID: "plan-1", IntegrationID: "acme", SyncID: "sync-1", SnapshotID: "snap-1",
		Counts:   map[roster.Op]int{roster.OpCreate: 1, roster.OpUpdate: 1},
		Blocks:   []roster.Block{{Code: roster.BlockMassChange, Message: "too many"}},
		Problems: []roster.Problem{{EmployeeID: "E9", Field: roster.FieldID, Code: roster.CodeDuplicateID, Message: "dup"}},
		Holds: []roster.Hold{{EmployeeID: "E2", Code: roster.HoldIdentityChange, Reason: "name, date of birth changed",
			Changes: []roster.FieldChange{{Field: roster.FieldLastName, Old: "Lee", New: "Tan"}}}},
		Digest: "abc123",
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
}

func TestSavePlanWithoutBlocksOrProblems(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
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
}

func TestSavePlanReplacesAPlanWithTheSameID(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
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
}

func TestRecordOutcome(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
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
}

func TestReplaceAppliedAndApplied(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
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
}

func TestSaveReportAndGetReport(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
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
}

func TestSaveReportFillsInCreatedAt(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	require.NoError(t, s.SaveReport(ctx, store.Report{ID: "r", IntegrationID: "acme", SyncID: "r"}))
	got, err := s.GetReport(ctx, "r")
	require.NoError(t, err)
	require.WithinDuration(t, time.Now(), got.CreatedAt, time.Minute)
}

func TestUnknownIDsAreNotFound(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	_, err := s.GetPlan(ctx, "nope")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.GetSnapshot(ctx, "nope")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.GetReport(ctx, "nope")
	require.ErrorIs(t, err, store.ErrNotFound)
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
	s, _ := open(t)
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
}

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	s, path := open(t)
	seed(t, s, "acme", 2)
	require.NoError(t, s.RecordOutcome(ctx, "acme-sync-1", 1, store.StatusFailed, "", "refused"))
	require.NoError(t, s.Close())

	s2, err := store.OpenSQLite(ctx, path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s2.Close() })

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
}

func TestOpenSQLiteCreatesTheDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "dir", "hrsync.db")
	s, err := store.OpenSQLite(context.Background(), path)
	require.NoError(t, err)
	require.NoError(t, s.Close())
}

func TestConcurrentWritersDoNotFail(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			id := fmt.Sprintf("snap-%d", i)
			if err := s.BeginSnapshot(ctx, id, "acme", id, 0); err != nil {
				errs <- err
				return
			}
			if err := s.AppendRecords(ctx, id, 0, recs("E1", "E2")); err != nil {
				errs <- err
				return
			}
			errs <- s.FinishSnapshot(ctx, id, 2)
		}()
	}
	for range 8 {
		require.NoError(t, <-errs)
	}
}

func TestExportsAndSnapshotDeletion(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
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
}

func TestMigratesAStoreFromTheFirstSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	// A store as the first release wrote it: plans without holds or digest.
	db, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE plans (id TEXT PRIMARY KEY, integration_id TEXT NOT NULL, sync_id TEXT NOT NULL,
		snapshot_id TEXT NOT NULL, created_at TEXT NOT NULL, counts TEXT NOT NULL, blocks TEXT NOT NULL, problems TEXT NOT NULL)`)
	require.NoError(t, err)
	_, err = db.Exec(`INSERT INTO plans VALUES ('p1', 'acme', 's1', 's1', '2026-01-01T00:00:00Z', '{"create":2}', '[]', '[]')`)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	s, err := store.OpenSQLite(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	plan, err := s.GetPlan(ctx, "p1")
	require.NoError(t, err)
	require.Equal(t, 2, plan.Counts[roster.OpCreate])
	require.Empty(t, plan.Holds)
	require.NoError(t, s.Close())

	// Opening again runs no migration twice.
	s2, err := store.OpenSQLite(ctx, path)
	require.NoError(t, err)
	require.NoError(t, s2.Close())
}
