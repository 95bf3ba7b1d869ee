package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/operator"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/workflows"
)

// reviewedSync starts a manual sync with review and waits until it awaits
// review; it returns the run's workflow ID and what waits.
func (s *scenario) reviewedSync() (string, workflows.BlockedSync) {
	s.t.Helper()
	res, err := s.op.SyncNowWith(context.Background(), DemoIntegrationID, workflows.SyncRequest{By: "e2e", Review: true})
	require.NoError(s.t, err)
	eventually(s.t, "the sync to await review", func() bool { return s.status(s.t).Status == workflows.StatusAwaitingReview })
	b := *s.status(s.t).Current.Blocked
	require.True(s.t, b.Review)
	require.Equal(s.t, res.WorkflowID, b.WorkflowID)
	return res.WorkflowID, b
}

// byEmployee indexes directory users by HRIS id.
func byEmployee(users []roster.User) map[string]roster.User {
	out := make(map[string]roster.User, len(users))
	for _, u := range users {
		out[u.Employee.ID] = u
	}
	return out
}

func TestScenarioReview(t *testing.T) {
	s := newScenario(t, 30, roster.Rules{})
	ctx := context.Background()

	// A job title, a surname (one identity attribute: no guard blocks it)
	// and a leaver: nothing blocks, yet the run waits for review.
	require.NoError(t, s.env.hris.Update("E0010", func(e *roster.Employee) { e.JobTitle = "Reviewed Title" }))
	require.NoError(t, s.env.hris.Update("E0011", func(e *roster.Employee) { e.LastName = "Newsurname" }))
	require.NoError(t, s.env.hris.Terminate("E0012", roster.Date{Year: 2025, Month: 1, Day: 31}))
	before := byEmployee(s.directoryUsers(t))
	id, waiting := s.reviewedSync()
	require.Empty(t, waiting.Blocks)
	require.Equal(t, before, byEmployee(s.directoryUsers(t)), "nothing applied while the plan waits")

	// The review lists each employee's change; the surname only as changed.
	r, err := operator.ReviewPlan(ctx, s.store, waiting.PlanID, false)
	require.NoError(t, err)
	require.Equal(t, waiting.PlanID, r.PlanID)
	listed := map[string]operator.ReviewChange{}
	for _, c := range r.Changes {
		listed[c.EmployeeID] = c
	}
	require.Len(t, listed, 3, "%+v", r.Changes)
	require.Equal(t, roster.OpUpdate, listed["E0010"].Op)
	require.Equal(t, []roster.ReviewField{{Field: roster.FieldJobTitle, Old: before["E0010"].Employee.JobTitle,
		New: "Reviewed Title"}}, listed["E0010"].Fields)
	require.Equal(t, []roster.ReviewField{{Field: roster.FieldLastName, Identity: true}}, listed["E0011"].Fields)
	require.Equal(t, roster.OpDeactivate, listed["E0012"].Op)

	// An approval naming another plan is refused; approving applies the
	// plan listed, exactly.
	_, err = s.op.Approve(ctx, DemoIntegrationID, "mallory", "integration/demo/sync/999")
	require.ErrorContains(t, err, "is not the one waiting")
	_, err = s.op.Approve(ctx, DemoIntegrationID, "carol", "")
	require.NoError(t, err)
	sum := s.wait(id)
	require.Equal(t, workflows.StatusCompleted, sum.Status, sum.Error)
	require.True(t, sum.Reviewed)
	require.Equal(t, "carol", sum.ApprovedBy)
	after := byEmployee(s.directoryUsers(t))
	for eid, u := range before {
		if _, ok := listed[eid]; !ok {
			require.Equal(t, u, after[eid], "%s was not in the plan", eid)
		}
	}
	require.Equal(t, "Reviewed Title", after["E0010"].Employee.JobTitle)
	require.Equal(t, "Newsurname", after["E0011"].Employee.LastName)
	require.False(t, after["E0012"].Active)

	// A rejected review applies nothing.
	require.NoError(t, s.env.hris.Update("E0013", func(e *roster.Employee) { e.JobTitle = "Never Applied" }))
	before = after
	id, _ = s.reviewedSync()
	_, err = s.op.Reject(ctx, DemoIntegrationID, "dave", "not today")
	require.NoError(t, err)
	sum = s.wait(id)
	require.Equal(t, workflows.StatusRejected, sum.Status)
	require.Equal(t, "dave", sum.RejectedBy)
	require.Equal(t, before, byEmployee(s.directoryUsers(t)), "a rejected review applies nothing")

	// go test ./worker -run TestScenarioReview -update-replay vN-… records
	// these runs — a review approved and one rejected — for the replay tests.
	if *updateReplay != "" {
		// The integration's latest run has just begun; a pause and a resume
		// give it a history to replay.
		_, err = s.op.Pause(ctx, DemoIntegrationID, "e2e", "")
		require.NoError(t, err)
		_, err = s.op.Resume(ctx, DemoIntegrationID, "e2e")
		require.NoError(t, err)
		writeReplayHistories(t, s.c, s.codec, *updateReplay)
	}
}
