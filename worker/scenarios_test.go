package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdkpb "go.temporal.io/api/sdk/v1"

	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
	"github.com/hrsync/hrsync/workflows"
)

// The scenarios run the rules of a sync end to end: the embedded Temporal
// server, a worker, the demo HRIS and directory on loopback, and the store.

// scenario is a dev stack whose demo integration has synced once under rules.
type scenario struct {
	*devStack
	t     *testing.T
	store *store.Store
	dir   string
}

func newScenario(t *testing.T, employees int, rules roster.Rules) *scenario {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end scenarios start a Temporal server; skipped with -short")
	}
	dir := t.TempDir()
	s := &scenario{devStack: startDevStack(t, dir, employees), t: t, dir: dir}
	t.Cleanup(func() { s.close() })
	cfg := s.env.demoConfig()
	cfg.Rules = rules
	created, err := ensureIntegration(context.Background(), s.op, cfg)
	require.NoError(t, err)
	require.True(t, created)
	eventually(t, "the first sync", func() bool { return s.status(t).LastSync != nil })
	require.Equal(t, workflows.StatusCompleted, s.status(t).LastSync.Status, s.status(t).LastSync.Error)
	s.store, err = store.OpenSQLite(context.Background(), cfg0Store(dir))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.store.Close() })
	return s
}

// csvIntegration writes a CSV export of n active employees with ids
// prefix001… into the scenario's folder and returns an integration that
// reads it into dev mode's directory.
func (s *scenario) csvIntegration(id, prefix string, n int) integration.Config {
	s.t.Helper()
	path := filepath.Join(devCSVDir(Config{DataDir: s.dir}), id+".csv")
	require.NoError(s.t, os.MkdirAll(filepath.Dir(path), 0o700))
	rows := []string{"id,firstName,lastName,workEmail,status"}
	for i := 1; i <= n; i++ {
		rows = append(rows, fmt.Sprintf("%s%03d,First%d,%s,%s%03d@%s.test,active", prefix, i, i, id, strings.ToLower(prefix), i, id))
	}
	require.NoError(s.t, os.WriteFile(path, []byte(strings.Join(rows, "\n")+"\n"), 0o600))
	cfg := s.env.demoConfig()
	cfg.ID, cfg.Name = id, "CSV export "+id
	cfg.Source = integration.Endpoint{Kind: "csv", URL: "file://" + path}
	return cfg
}

// cfg0Store is the store dev mode keeps under dir.
func cfg0Store(dir string) string { return Config{DataDir: dir}.storePath() }

// leaves returns n active employees nobody reports to, skipping the first
// ten ids (the scenarios change those on purpose).
func (s *scenario) leaves(n int) []string {
	s.t.Helper()
	manages := map[string]bool{}
	for _, e := range s.env.hris.Employees() {
		manages[e.ManagerID] = true
	}
	var out []string
	for _, e := range s.env.hris.Employees() {
		if len(out) < n && e.ID > "E0010" && !manages[e.ID] && e.Status == roster.StatusActive {
			out = append(out, e.ID)
		}
	}
	require.Len(s.t, out, n)
	return out
}

// user returns the directory user linked to HRIS id.
func (s *scenario) user(id string) roster.User {
	s.t.Helper()
	u, ok := s.directoryUser(s.t, id)
	require.True(s.t, ok, "no directory user for %s", id)
	return u
}

// blockedSync starts a sync and waits until it blocks.
func (s *scenario) blockedSync() (string, workflows.BlockedSync) {
	s.t.Helper()
	res, err := s.op.SyncNow(context.Background(), DemoIntegrationID, "e2e", false)
	require.NoError(s.t, err)
	eventually(s.t, "the sync to block", func() bool {
		cur := s.status(s.t).Current
		return cur != nil && cur.Blocked != nil
	})
	return res.WorkflowID, *s.status(s.t).Current.Blocked
}

// metadata is what the Web UI renders of workflow id: its handlers and
// current details, from the SDK's __temporal_workflow_metadata query.
func (s *scenario) metadata(id string) *sdkpb.WorkflowMetadata {
	s.t.Helper()
	v, err := s.c.QueryWorkflow(context.Background(), id, "", "__temporal_workflow_metadata")
	require.NoError(s.t, err)
	var md sdkpb.WorkflowMetadata
	require.NoError(s.t, v.Get(&md))
	return &md
}

// wait waits for sync id and returns its summary.
func (s *scenario) wait(id string) workflows.SyncSummary {
	s.t.Helper()
	return s.waitSync(s.t, id)
}

// outcome is what the run's stored plan did with employee id.
func (s *scenario) outcome(planID, id string) store.PlannedChange {
	s.t.Helper()
	changes, err := s.store.PlanChanges(context.Background(), planID)
	require.NoError(s.t, err)
	for _, pc := range changes {
		if pc.Change.EmployeeID == id {
			return pc
		}
	}
	s.t.Fatalf("plan %s has no change for %s", planID, id)
	return store.PlannedChange{}
}

func TestScenarioUpdatesAndLeavers(t *testing.T) {
	s := newScenario(t, 40, roster.Rules{})
	today := roster.DateOf(time.Now().UTC())

	// An update, a leaver with a past exit date, a leaver with a future one.
	require.NoError(t, s.env.hris.Update("E0005", func(e *roster.Employee) { e.JobTitle = "Principal Engineer" }))
	require.NoError(t, s.env.hris.Terminate("E0006", roster.Date{Year: 2025, Month: 1, Day: 31}))
	future := roster.DateOf(time.Now().UTC().AddDate(0, 0, 9))
	require.NoError(t, s.env.hris.Update("E0008", func(e *roster.Employee) { e.ExitDate = future }))

	sum := s.syncNow(t)
	require.Equal(t, workflows.StatusCompleted, sum.Status)
	require.Equal(t, "Principal Engineer", s.user("E0005").Employee.JobTitle)
	require.False(t, s.user("E0006").Active, "a past exit date deactivates")
	require.Equal(t, "2025-01-31", s.user("E0006").Employee.ExitDate.String())
	require.True(t, s.user("E0008").Active, "a future exit date waits for its day")
	require.Equal(t, future, s.user("E0008").Employee.ExitDate)
	require.Equal(t, future, sum.NextExitDate)

	// With a schedule that fires after it (only on 29 February), the
	// integration wakes on the exit date instead.
	cfg := s.status(t).Config
	cfg.Schedule.Cron = "0 2 29 2 *"
	_, err := s.op.UpdateConfig(context.Background(), cfg)
	require.NoError(t, err)
	st := s.status(t)
	require.NotNil(t, st.NextRunAt)
	wake := time.Date(future.Year, future.Month, future.Day, 0, 1, 0, 0, time.UTC)
	require.True(t, wake.Equal(*st.NextRunAt), "next run %s, want %s", st.NextRunAt, wake)

	// A person missing from the HRIS becomes a former employee as of today.
	// Only a full pull finds someone missing (the demo HRIS lists a removed
	// employee among its changes as a leaver, as Merge does): this
	// integration pulls in full every run from now on.
	cfg = s.status(t).Config
	cfg.Source.FullPullDays = -1
	_, err = s.op.UpdateConfig(context.Background(), cfg)
	require.NoError(t, err)
	leaves := s.leaves(2)
	require.NoError(t, s.env.hris.Remove(leaves[0]))
	sum = s.syncNow(t)
	require.Equal(t, 1, sum.Applied[roster.OpDeactivate])
	gone := s.user(leaves[0])
	require.False(t, gone.Active)
	require.Equal(t, today, gone.Employee.ExitDate)

	// With the vanished policy "deactivate", no exit date is set.
	cfg = s.status(t).Config
	cfg.Vanished = roster.VanishedDeactivate
	_, err = s.op.UpdateConfig(context.Background(), cfg)
	require.NoError(t, err)
	require.NoError(t, s.env.hris.Remove(leaves[1]))
	s.syncNow(t)
	require.False(t, s.user(leaves[1]).Active)
	require.True(t, s.user(leaves[1]).Employee.ExitDate.IsZero())

	// A re-hire is reactivated.
	require.NoError(t, s.env.hris.Update("E0006", func(e *roster.Employee) {
		e.Status, e.ExitDate = roster.StatusActive, roster.Date{}
	}))
	sum = s.syncNow(t)
	require.Equal(t, 1, sum.Applied[roster.OpReactivate])
	require.True(t, s.user("E0006").Active)
}

func TestScenarioPrivacyBlock(t *testing.T) {
	s := newScenario(t, 30, roster.Rules{})
	ctx := context.Background()
	before := s.user("E0004").Employee

	// A new name and date of birth blocks the sync; nothing is applied.
	require.NoError(t, s.env.hris.Update("E0004", func(e *roster.Employee) {
		e.LastName, e.DateOfBirth = "Okafor", roster.Date{Year: 1988, Month: 2, Day: 29}
	}))
	require.NoError(t, s.env.hris.Update("E0005", func(e *roster.Employee) { e.Department = "Legal" }))
	id, blocked := s.blockedSync()
	require.Equal(t, roster.BlockPrivacy, blocked.Blocks[0].Code)
	plan, err := s.store.GetPlan(ctx, blocked.PlanID)
	require.NoError(t, err)
	require.Equal(t, []roster.Hold{{EmployeeID: "E0004", Code: roster.HoldIdentityChange, Reason: "name, date of birth changed",
		Changes: []roster.FieldChange{
			{Field: roster.FieldLastName, Old: before.LastName, New: "Okafor"},
			{Field: roster.FieldDateOfBirth, Old: before.DateOfBirth.String(), New: "1988-02-29"},
		}}}, plan.Holds)
	require.Equal(t, before, s.user("E0004").Employee, "nothing of a blocked run is applied")

	// What the Web UI renders of the waiting run, through the API it reads:
	// whom it holds, by id and reason, never the values; and of the
	// integration, only approve and reject to send.
	md := s.metadata(id)
	require.Contains(t, md.GetCurrentDetails(), "E0004: identity_change, name, date of birth changed")
	require.Contains(t, md.GetCurrentDetails(), "1 employees held")
	require.NotContains(t, md.GetCurrentDetails(), "Okafor")
	require.NotContains(t, md.GetCurrentDetails(), before.LastName)
	var signals []string
	for _, d := range s.metadata(workflows.IntegrationWorkflowID(DemoIntegrationID)).GetDefinition().GetSignalDefinitions() {
		signals = append(signals, d.GetName())
	}
	require.Equal(t, []string{workflows.SignalApprove, workflows.SignalReject}, signals)
	require.NotEqual(t, "Legal", s.user("E0005").Employee.Department)

	// Approved, exactly the reviewed plan is applied.
	_, err = s.op.Approve(ctx, DemoIntegrationID, "carol", "")
	require.NoError(t, err)
	sum := s.wait(id)
	require.Equal(t, workflows.StatusCompleted, sum.Status)
	require.Equal(t, "carol", sum.ApprovedBy)
	require.Equal(t, blocked.PlanID, sum.PlanID)
	require.Equal(t, "Okafor", s.user("E0004").Employee.LastName)
	require.Equal(t, "Legal", s.user("E0005").Employee.Department)

	// An email moving to another person blocks; rejected, nothing changes.
	taken := s.user("E0006").Employee.WorkEmail
	require.NoError(t, s.env.hris.Update("E0006", func(e *roster.Employee) { e.WorkEmail = "moved.on@demo.example" }))
	require.NoError(t, s.env.hris.Update("E0007", func(e *roster.Employee) { e.WorkEmail = taken }))
	id, blocked = s.blockedSync()
	_, err = s.op.Reject(ctx, DemoIntegrationID, "dave", "looks wrong")
	require.NoError(t, err)
	sum = s.wait(id)
	require.Equal(t, workflows.StatusRejected, sum.Status)
	require.Equal(t, taken, s.user("E0006").Employee.WorkEmail)
	report, err := s.store.GetReport(ctx, sum.ReportID)
	require.NoError(t, err)
	require.Equal(t, "rejected", report.Outcome)

	// Approved after the HRIS changed again, the run re-plans and asks again.
	id, blocked = s.blockedSync()
	require.NoError(t, s.env.hris.Update("E0008", func(e *roster.Employee) {
		e.FirstName, e.WorkEmail = "Renamed", "renamed@demo.example"
	}))
	_, err = s.op.Approve(ctx, DemoIntegrationID, "carol", "")
	require.NoError(t, err)
	eventually(t, "the re-planned sync to block again", func() bool {
		cur := s.status(t).Current
		return cur != nil && cur.Blocked != nil && cur.Blocked.PlanID != blocked.PlanID
	})
	require.Equal(t, taken, s.user("E0006").Employee.WorkEmail, "still nothing applied")

	// A manual sync with --approve pushes the changes through.
	_, err = s.op.Reject(ctx, DemoIntegrationID, "carol", "")
	require.NoError(t, err)
	s.wait(id)
	res, err := s.op.SyncNow(ctx, DemoIntegrationID, "erin", true)
	require.NoError(t, err)
	sum = s.wait(res.WorkflowID)
	require.Equal(t, workflows.StatusCompleted, sum.Status)
	require.Equal(t, "erin (sync --approve)", sum.ApprovedBy)
	require.Equal(t, taken, s.user("E0007").Employee.WorkEmail)
	require.Equal(t, "Renamed", s.user("E0008").Employee.FirstName)
}

func TestScenarioValidation(t *testing.T) {
	s := newScenario(t, 30, roster.Rules{})
	ctx := context.Background()

	// A bad date and a duplicate email hold back only those employees.
	require.NoError(t, s.env.hris.Update("E0010", func(e *roster.Employee) { e.JobTitle = "Staff Engineer" }))
	require.NoError(t, s.env.hris.SetRaw("E0010", "dateOfJoining", "2020-02-30"))
	dup := s.user("E0011").Employee.WorkEmail
	require.NoError(t, s.env.hris.SetRaw("E0012", "workEmail", dup))
	require.NoError(t, s.env.hris.Update("E0013", func(e *roster.Employee) { e.JobTitle = "Analyst II" }))
	sum := s.syncNow(t)
	require.Equal(t, workflows.StatusCompleted, sum.Status)
	require.Equal(t, 3, sum.Held)
	require.Equal(t, "Analyst II", s.user("E0013").Employee.JobTitle, "the others go ahead")
	require.NotEqual(t, "Staff Engineer", s.user("E0010").Employee.JobTitle)
	held := s.outcome(sum.PlanID, "E0010")
	require.Equal(t, roster.OpSkip, held.Change.Op)
	require.Equal(t, "held back: invalid_date", held.Change.Reason)
	require.Equal(t, "held back: duplicate_email", s.outcome(sum.PlanID, "E0011").Change.Reason)
	require.True(t, s.user("E0011").Active, "a held employee is not treated as gone")

	// A manager missing from the list blocks the whole run by default…
	require.NoError(t, s.env.hris.SetRaw("E0014", "managerId", "E0999"))
	id, blocked := s.blockedSync()
	require.Equal(t, roster.BlockHierarchy, blocked.Blocks[0].Code)
	_, err := s.op.Reject(ctx, DemoIntegrationID, "carol", "")
	require.NoError(t, err)
	s.wait(id)

	// …and under the skip policy holds back only the employee concerned,
	// as does a reporting loop.
	cfg := s.status(t).Config
	cfg.Hierarchy = roster.HierarchySkip
	_, err = s.op.UpdateConfig(ctx, cfg)
	require.NoError(t, err)
	require.NoError(t, s.env.hris.SetRaw("E0015", "managerId", "E0016"))
	require.NoError(t, s.env.hris.SetRaw("E0016", "managerId", "E0015"))
	require.NoError(t, s.env.hris.Update("E0017", func(e *roster.Employee) { e.JobTitle = "Designer" }))
	sum = s.syncNow(t)
	require.Equal(t, workflows.StatusCompleted, sum.Status)
	require.Equal(t, "Designer", s.user("E0017").Employee.JobTitle)
	require.Equal(t, "held back: manager_not_found", s.outcome(sum.PlanID, "E0014").Change.Reason)
	require.Equal(t, "held back: reporting_loop", s.outcome(sum.PlanID, "E0015").Change.Reason)
	require.Equal(t, "held back: reporting_loop", s.outcome(sum.PlanID, "E0016").Change.Reason)
}
