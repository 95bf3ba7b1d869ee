package activities_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/connectors/demo/demotest"
	"github.com/hrsync/hrsync/connectors/registry"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
)

// generatedRecords writes a snapshot of n employees, made up in code, as a
// fetch would: a reporting tree with a few leavers.
func generatedRecords(t *testing.T, st *store.Store, id string, n int, changed func(i int) bool) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, st.BeginSnapshot(ctx, id, integrationID, id, 0))
	batch := make([]roster.Record, 0, 1000)
	flush := func(at int) {
		require.NoError(t, st.AppendRecords(ctx, id, at, batch))
		batch = batch[:0]
	}
	for i := range n {
		r := roster.Record{ID: fmt.Sprintf("E%07d", i), Values: map[string]string{
			"employeeNumber": fmt.Sprintf("N%07d", i),
			"firstName":      fmt.Sprintf("First%d", i),
			"lastName":       fmt.Sprintf("Last%d", i),
			"workEmail":      fmt.Sprintf("person%d@example.test", i),
			"department":     []string{"Engineering", "Sales", "Operations", "Finance"}[i%4],
			"jobTitle":       "Specialist",
			"location":       "Singapore",
			"dateOfJoining":  "2021-04-01",
			"status":         "active",
		}}
		if i > 0 {
			r.Values["managerId"] = fmt.Sprintf("E%07d", (i-1)/8)
		}
		if changed != nil && changed(i) {
			r.Values["jobTitle"] = "Senior Specialist"
		}
		if len(batch) == cap(batch) {
			flush(i - len(batch))
		}
		batch = append(batch, r)
	}
	flush(n - len(batch))
	require.NoError(t, st.FinishSnapshot(ctx, id, n))
}

// peakLiveHeap runs fn and returns the most heap that was live at any
// collection while it ran. Collections run often meanwhile (GOGC=10), so
// the live heap is sampled close to its peaks.
func peakLiveHeap(t *testing.T, fn func()) uint64 {
	t.Helper()
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	runtime.GC()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	base := read()
	var peak atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			if v := read(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	fn()
	runtime.GC()
	close(done)
	<-stopped
	if peak.Load() < base {
		return 0
	}
	return peak.Load() - base
}

// planMemory measures the heap a first sync's plan of n employees and a
// re-sync's plan of the same roster, 1% changed, hold at most.
func planMemory(t *testing.T, n int) (first, again uint64) {
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "hrsync.db"))
	require.NoError(t, err)
	defer st.Close()
	dir, err := demotest.NewDirectory(demotest.DirectoryOptions{})
	require.NoError(t, err)
	acts := &activities.Activities{Store: st, Connectors: registry.New(nil, nil), Now: func() time.Time { return now }}
	cfg := integration.Config{ID: integrationID, Source: integration.Endpoint{Kind: "demo", URL: "http://127.0.0.1:1"},
		Target: integration.Endpoint{Kind: "demo", URL: serve(t, dir, nil)}}
	var ts testSuite

	generatedRecords(t, st, "s1", n, nil)
	var plan activities.PlanResult
	first = peakLiveHeap(t, func() {
		require.NoError(t, run(t, ts.env(acts), acts.Plan, activities.PlanInput{IntegrationID: integrationID,
			SyncID: "s1", SnapshotID: "s1", Config: cfg}, &plan))
	})
	require.Equal(t, n, plan.Counts[roster.OpCreate])
	require.Empty(t, plan.Blocks)

	// The directory took every user, as an apply would have made them.
	created, err := st.ChangesWithStatus(ctx, plan.PlanID, store.StatusPending, store.Part{}, -1, n)
	require.NoError(t, err)
	outcomes := make([]store.Outcome, 0, len(created))
	for _, pc := range created {
		outcomes = append(outcomes, store.Outcome{Seq: pc.Seq, Status: store.StatusApplied, TargetID: "u-" + pc.Change.EmployeeID})
	}
	require.NoError(t, st.RecordOutcomes(ctx, plan.PlanID, outcomes))
	created, outcomes = nil, nil
	var committed activities.CommitResult
	require.NoError(t, run(t, ts.env(acts), acts.Commit, activities.CommitInput{IntegrationID: integrationID,
		SyncID: "s1", PlanID: plan.PlanID, Outcome: activities.OutcomeApplied}, &committed))
	require.Equal(t, n, committed.Applied[roster.OpCreate])

	generatedRecords(t, st, "s2", n, func(i int) bool { return i%100 == 7 })
	plan = activities.PlanResult{}
	again = peakLiveHeap(t, func() {
		require.NoError(t, run(t, ts.env(acts), acts.Plan, activities.PlanInput{IntegrationID: integrationID,
			SyncID: "s2", SnapshotID: "s2", Config: cfg}, &plan))
	})
	require.Empty(t, plan.Reconciled, "the re-sync compares with the users as hrsync wrote them")
	require.Equal(t, n/100, plan.Counts[roster.OpUpdate])
	require.Equal(t, n-n/100, plan.Counts[roster.OpUnchanged])
	// The unchanged are counted, not stored: they would write nothing.
	stored, err := st.CountWithStatus(ctx, plan.PlanID, store.StatusApplied, store.Part{})
	require.NoError(t, err)
	require.Zero(t, stored)
	pending, err := st.CountWithStatus(ctx, plan.PlanID, store.StatusPending, store.Part{})
	require.NoError(t, err)
	require.Equal(t, n/100, pending)
	return first, again
}

// TestPlanMemoryDoesNotGrowWithTheRoster plans a first sync and a re-sync
// of 20,000 and of 200,000 generated employees and compares the most heap
// each plan held. A plan holds a part of the roster at a time and, of the
// rest, an outline per employee for the checks of the whole roster; ten
// times the roster may cost no more than planBytesPerEmployee for each
// employee added.
func TestPlanMemoryDoesNotGrowWithTheRoster(t *testing.T) {
	if testing.Short() {
		t.Skip("plans 440,000 employees")
	}
	const small, large = 20_000, 200_000
	smallFirst, smallAgain := planMemory(t, small)
	largeFirst, largeAgain := planMemory(t, large)
	perEmployee := func(a, b uint64) float64 { return (float64(b) - float64(a)) / (large - small) }
	t.Logf("first sync: %d MiB at %d, %d MiB at %d: %.0f bytes per employee added",
		smallFirst>>20, small, largeFirst>>20, large, perEmployee(smallFirst, largeFirst))
	t.Logf("re-sync:    %d MiB at %d, %d MiB at %d: %.0f bytes per employee added",
		smallAgain>>20, small, largeAgain>>20, large, perEmployee(smallAgain, largeAgain))
	require.Less(t, perEmployee(smallFirst, largeFirst), float64(planBytesPerEmployee))
	require.Less(t, perEmployee(smallAgain, largeAgain), float64(planBytesPerEmployee))
}

// planBytesPerEmployee bounds what a plan holds per employee beyond its
// part: the outline of the whole-roster checks (about 190 bytes, see
// roster.Validator) and hashes of the ids and emails the directory holds.
// Measured: 239 bytes for a first sync, 260 for a re-sync; the plan that
// held every employee (at 886ef34) measured 1,315 and 1,756, and failed.
const planBytesPerEmployee = 320

// TestAnEmailMovedBetweenReconcilesIsHeld: between reconciles a plan reads
// the known users part by part and keeps only hashes of their emails, yet
// a work email passing from one employee to another, across parts, still
// waits for review, naming who holds it; an employee keeping their own
// email is not held.
func TestAnEmailMovedBetweenReconcilesIsHeld(t *testing.T) {
	f := newFixture(t, options{hris: demotest.HRISOptions{Employees: 2500, Seed: 3}})
	f.sync("s1")
	active, _ := f.split()
	first, last := active[0], active[len(active)-1] // more than a part apart
	require.NoError(t, f.hris.Update(first.ID, func(e *roster.Employee) { e.WorkEmail = "renamed@example.test" }))
	require.NoError(t, f.hris.Update(last.ID, func(e *roster.Employee) { e.WorkEmail = first.WorkEmail }))
	mid := active[len(active)/2]
	require.NoError(t, f.hris.Update(mid.ID, func(e *roster.Employee) { e.JobTitle = "Changed" }))

	f.fetch("s2")
	p := f.plan("s2")
	require.Empty(t, p.Reconciled)
	require.Len(t, p.Blocks, 1)
	require.Equal(t, roster.BlockPrivacy, p.Blocks[0].Code)
	require.Len(t, p.HeldEmployees, 1)
	held := p.HeldEmployees[0]
	require.Equal(t, last.ID, held.EmployeeID)
	require.Equal(t, roster.HoldEmailMoved, held.Code)
	require.Contains(t, held.Reason, first.ID)
}

// TestEachPartGivesTheRosterInOrderAndStopsOnAnError: the snapshot read
// ahead on its own goroutine reaches the plan whole and in order, and an
// error planning a part stops the reading and is what the plan returns.
func TestEachPartGivesTheRosterInOrderAndStopsOnAnError(t *testing.T) {
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "hrsync.db"))
	require.NoError(t, err)
	defer st.Close()
	acts := &activities.Activities{Store: st, Connectors: registry.New(nil, nil), Now: func() time.Time { return now }}
	n := 5*activities.PlanPart + 7
	generatedRecords(t, st, "s1", n, nil)

	var ids []string
	require.NoError(t, acts.EachPart(ctx, "s1", func(part []roster.Employee) error {
		require.LessOrEqual(t, len(part), activities.PlanPart)
		for _, e := range part {
			ids = append(ids, e.ID)
		}
		return nil
	}))
	require.Len(t, ids, n)
	for i, id := range ids {
		require.Equal(t, fmt.Sprintf("E%07d", i), id)
	}

	stop := errors.New("the store went away")
	parts := 0
	err = acts.EachPart(ctx, "s1", func([]roster.Employee) error {
		if parts++; parts == 2 {
			return stop
		}
		return nil
	})
	require.ErrorIs(t, err, stop)
	require.Equal(t, 2, parts, "no part after the error")
}
