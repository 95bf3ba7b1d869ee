package activities_test

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/connectors/registry"
	"github.com/hrsync/hrsync/internal/netguard"
	"github.com/hrsync/hrsync/notify"
)

// A worker with the production policy does not reach an HRIS on loopback,
// and says so once: the failure is permanent, naming the address.
func TestAFetchFromARefusedDestinationIsPermanent(t *testing.T) {
	fastRetries(t)
	var hits atomic.Int32
	f := newFixture(t, options{hrisHook: func(*http.Request) { hits.Add(1) }})
	f.acts.Connectors = registry.New(netguard.Policy{}.Client(5*time.Second), nil)
	_, err := f.env().ExecuteActivity(f.acts.Fetch, f.fetchIn("sync-1"))
	ae := appError(t, err)
	require.Equal(t, activities.ErrTypePermanent, ae.Type())
	require.True(t, ae.NonRetryable())
	require.Contains(t, ae.Error(), "127.0.0.1 is a loopback address, which this worker does not send to "+
		"(allow with --allow-loopback-destinations)")
	require.Zero(t, hits.Load())

	f.acts.Connectors = registry.New(netguard.Policy{AllowLoopback: true}.Client(5*time.Second), nil)
	require.Equal(t, 20, f.fetch("sync-1").Records, "allowed, the same fetch goes through")
}

// A webhook on loopback is not called by a worker with the production
// policy, and retrying would not change that.
func TestAWebhookToARefusedDestinationIsNotDelivered(t *testing.T) {
	var hits atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	t.Cleanup(hook.Close)
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestActivityEnvironment()
	acts := &activities.Activities{Now: func() time.Time { return now },
		Notifier: notify.New(notify.Options{HTTPClient: netguard.Policy{}.Client(notify.DefaultTimeout)})}
	env.RegisterActivity(acts)
	_, err := env.ExecuteActivity(acts.NotifyIncident, activities.IncidentInput{IntegrationID: integrationID,
		Event: notify.EventQuarantined, Message: "The directory was unreachable for 3 days.",
		Config: incidentConfig(hook.URL + "/hook?token=s3cret")})
	ae := appError(t, err)
	require.Equal(t, activities.ErrTypePermanent, ae.Type())
	require.True(t, ae.NonRetryable())
	require.Contains(t, ae.Error(), "127.0.0.1 is a loopback address")
	require.NotContains(t, ae.Error(), "s3cret")
	require.Zero(t, hits.Load(), "the webhook was not called")
}
