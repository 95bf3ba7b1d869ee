package activities_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/notify"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
)

// A mass deactivation holds no one by name: its webhook lists the
// employees the blocked deactivations concern, by id and block code, the
// first 100 and how many in all.
func TestNotifyMassDeactivationListsConcernedEmployees(t *testing.T) {
	f := newFixture(t, options{})
	ctx := context.Background()
	var hook []byte
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hook, _ = io.ReadAll(r.Body)
	}))
	t.Cleanup(web.Close)
	changes := []roster.Change{{Op: roster.OpCreate, EmployeeID: "N1", Reason: "new in the HRIS"},
		{Op: roster.OpSkip, EmployeeID: "S1", Reason: "held back: invalid_email"}}
	for i := range 120 {
		changes = append(changes, roster.Change{Op: roster.OpDeactivate, EmployeeID: fmt.Sprintf("E%03d", i),
			TargetID: fmt.Sprintf("u%d", i), Reason: "missing from the HRIS"})
	}
	require.NoError(t, f.store.SavePlan(ctx, store.Plan{ID: "sync-3", IntegrationID: integrationID, SyncID: "sync-3",
		SnapshotID: "sync-3", Counts: map[roster.Op]int{roster.OpDeactivate: 120, roster.OpCreate: 1},
		Blocks: []roster.Block{{Code: roster.BlockMassChange, Message: "the run would deactivate 120 of 150 users"}}},
		changes))
	cfg := f.config
	cfg.Notify = notify.Config{Webhook: &notify.WebhookConfig{URL: web.URL}}

	var res activities.NotifyResult
	require.NoError(t, run(t, f.env(), f.acts.Notify, activities.NotifyInput{
		IntegrationID: integrationID, SyncWorkflowID: "integration/acme/sync/3", PlanID: "sync-3", Config: cfg}, &res))

	var payload notify.Payload
	require.NoError(t, json.Unmarshal(hook, &payload))
	require.Equal(t, 121, payload.HeldTotal, "the held-back employee and the 120 deactivations")
	require.Len(t, payload.Held, activities.MaxHeldListed)
	require.Equal(t, notify.PayloadHeld{EmployeeID: "S1", Code: activities.CodeHeldBack, Reason: "invalid_email",
		Changes: []notify.FieldChange{}}, payload.Held[0])
	require.Equal(t, notify.PayloadHeld{EmployeeID: "E000", Code: roster.BlockMassChange, Changes: []notify.FieldChange{}},
		payload.Held[1])
	for _, h := range payload.Held {
		require.NotEqual(t, "N1", h.EmployeeID, "a create the block does not concern is not listed")
	}
}

// The plan result lists who a blocked plan keeps waiting, for the run's
// details in the Web UI.
func TestPlanListsHeldEmployeesOfABlockedPlan(t *testing.T) {
	listed, total := activities.HeldEmployees(
		[]roster.Block{{Code: roster.BlockPrivacy}},
		[]roster.Hold{{EmployeeID: "E4", Code: roster.HoldIdentityChange, Reason: "name, email changed"}},
		[]roster.Change{{Op: roster.OpUpdate, EmployeeID: "E4"}, {Op: roster.OpDeactivate, EmployeeID: "E5"}})
	require.Equal(t, 1, total, "a privacy block concerns its holds, not the deactivations")
	require.Equal(t, []activities.HeldEmployee{{EmployeeID: "E4", Code: roster.HoldIdentityChange,
		Reason: "name, email changed"}}, listed)
}
