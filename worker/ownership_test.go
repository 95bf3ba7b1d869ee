package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/workflows"
)

// Two integrations write to dev mode's directory, beside a user another
// system provisioned, through the real Temporal server and workflows: each
// integration's syncs leave the other's users, and the outsider, alone.
func TestScenarioTwoIntegrationsShareTheDirectory(t *testing.T) {
	s := newScenario(t, 30, roster.Rules{})
	ctx := context.Background()

	// A user someone else provisioned, linked to an id of their own.
	body, err := json.Marshal(map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"externalId": "OTHER-1", "userName": "someone@elsewhere.test", "active": true})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, s.env.scimURL()+"/Users", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+s.env.scimToken)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	_ = resp.Body.Close()

	demoActive := func() map[string]bool {
		out := map[string]bool{}
		for _, u := range s.directoryUsers(t) {
			if strings.HasPrefix(u.Employee.ID, "E") {
				out[u.Employee.ID] = u.Active
			}
		}
		return out
	}
	before := demoActive()

	// A second integration, reading a CSV export, on the same directory.
	second := s.csvIntegration("second", "B", 5)
	require.NoError(t, s.op.Create(ctx, second))
	var last *workflows.SyncSummary
	eventually(t, "the second integration's first sync", func() bool {
		st, err := s.op.Status(ctx, "second")
		last = st.LastSync
		return err == nil && last != nil
	})
	require.Equal(t, workflows.StatusCompleted, last.Status, last.Error)
	require.Equal(t, 5, last.Applied[roster.OpCreate])
	require.Zero(t, last.Applied[roster.OpDeactivate], "the demo's users are not the second integration's leavers")
	require.Equal(t, len(before)+1, last.NotManaged, "the demo's users and the outsider are not managed")
	require.Equal(t, before, demoActive(), "the demo's users are as they were")

	// The demo integration syncs a leaver: the second's users and the
	// outsider stay active.
	leaver := s.leaves(1)[0]
	require.NoError(t, s.env.hris.Terminate(leaver, roster.Date{}))
	sum := s.syncNow(t)
	require.Equal(t, workflows.StatusCompleted, sum.Status, sum.Error)
	require.Equal(t, 1, sum.Applied[roster.OpDeactivate])
	require.Empty(t, sum.Reconciled, "a run between reconciles does not list the directory")
	require.Zero(t, sum.NotManaged, "as the last reconcile found it, before the outsider came")
	// Asked to, a run lists the directory, the second's users and all,
	// and leaves them alone.
	res, err := s.op.SyncNowWith(ctx, DemoIntegrationID, workflows.SyncRequest{By: "e2e", Reconcile: true})
	require.NoError(t, err)
	sum = s.waitSync(t, res.WorkflowID)
	require.Equal(t, workflows.StatusCompleted, sum.Status, sum.Error)
	require.Equal(t, activities.ReconcileAsked, sum.Reconciled)
	require.Equal(t, 6, sum.NotManaged, "the second's five and the outsider")
	require.Zero(t, sum.Applied[roster.OpUpdate]+sum.Applied[roster.OpDeactivate])
	for _, u := range s.directoryUsers(t) {
		switch {
		case strings.HasPrefix(u.Employee.ID, "B"), u.Employee.ID == "OTHER-1":
			require.True(t, u.Active, "user %s", u.Employee.ID)
		case u.Employee.ID == leaver:
			require.False(t, u.Active)
		}
	}

	// Removing the second integration leaves its users in the directory
	// and the credential the demo still uses in place.
	removed, err := s.op.Remove(ctx, "second", "e2e")
	require.NoError(t, err)
	require.EqualValues(t, 5, removed.Purged.Owned)
	sum = s.syncNow(t)
	require.Equal(t, workflows.StatusCompleted, sum.Status, sum.Error)
	require.Zero(t, sum.Applied[roster.OpDeactivate]+sum.Applied[roster.OpUpdate], "nothing of the second's is the demo's")
}
