package activities_test

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/integration"
)

// TestAHostileConfigCannotSendASecretElsewhere points an integration's
// source and target at a host that is not the one their secret is bound
// to, as a crafted configuration would: fetch and plan fail at once,
// permanently, and the other host hears nothing at all.
func TestAHostileConfigCannotSendASecretElsewhere(t *testing.T) {
	var heard atomic.Int32
	attacker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		heard.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(attacker.Close)
	t.Setenv("HRSYNC_SECRET_ACME_SCIM", "acme-token")
	t.Setenv("HRSYNC_SECRET_ACME_SCIM_HOSTS", "scim.acme.example")

	permanent := func(err error) {
		t.Helper()
		require.True(t, appError(t, err).NonRetryable(), "%v", err)
		require.ErrorContains(t, err, "HRSYNC_SECRET_ACME_SCIM refused: it may be sent to scim.acme.example, not to 127.0.0.1:")
	}

	f := newFixture(t, options{})
	f.source = integration.Endpoint{Kind: "demo", URL: attacker.URL, CredentialRef: "env:HRSYNC_SECRET_ACME_SCIM"}
	_, err := f.env().ExecuteActivity(f.acts.Fetch, f.fetchIn("sync-1"))
	permanent(err)

	f = newFixture(t, options{})
	f.fetch("sync-1")
	f.config.Target = integration.Endpoint{Kind: "scim", URL: attacker.URL + "/scim/v2", CredentialRef: "env:HRSYNC_SECRET_ACME_SCIM"}
	_, err = f.env().ExecuteActivity(f.acts.Plan, activities.PlanInput{
		IntegrationID: f.config.ID, SyncID: "sync-1", SnapshotID: "sync-1", Config: f.config})
	permanent(err)

	require.Zero(t, heard.Load(), "the other host heard nothing")
}
