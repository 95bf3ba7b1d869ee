package activities_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/notify"
	"github.com/hrsync/hrsync/notify/smtptest"
)

// retries answers Retrying with line, or err, and records what it was
// asked about.
type retries struct {
	line  string
	err   error
	mu    sync.Mutex
	asked []string
}

func (r *retries) Retrying(_ context.Context, syncWorkflowID string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.asked = append(r.asked, syncWorkflowID)
	return r.line, r.err
}

// incidentHook is a webhook receiver that keeps the last body it got.
func incidentHook(t *testing.T) (string, func() notify.IncidentPayload) {
	t.Helper()
	var mu sync.Mutex
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		body = b
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() notify.IncidentPayload {
		mu.Lock()
		defer mu.Unlock()
		var p notify.IncidentPayload
		require.NoError(t, json.Unmarshal(body, &p))
		return p
	}
}

// notifyIncident runs NotifyIncident with the given Retries.
func notifyIncident(t *testing.T, r activities.Retries, in activities.IncidentInput) (activities.NotifyResult, error) {
	t.Helper()
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestActivityEnvironment()
	env.RegisterActivity(&activities.Activities{Now: func() time.Time { return now }, Retries: r})
	var res activities.NotifyResult
	val, err := env.ExecuteActivity((&activities.Activities{}).NotifyIncident, in)
	if err != nil {
		return res, err
	}
	require.NoError(t, val.Get(&res))
	return res, nil
}

func incidentConfig(webhook string) integration.Config {
	return integration.Config{ID: integrationID, Name: "Acme", Notify: notify.Config{
		Webhook: &notify.WebhookConfig{URL: webhook}}}
}

func TestNotifyIncidentDelayedSaysWhatTheStepWaitsFor(t *testing.T) {
	url, received := incidentHook(t)
	r := &retries{line: "directory unreachable since 10:42, 7 tries, last error: 503 Service Unavailable"}

	res, err := notifyIncident(t, r, activities.IncidentInput{IntegrationID: integrationID,
		SyncWorkflowID: "integration/acme/sync/7", Event: notify.EventDelayed,
		Message: "Sync 7 is still Applying.", Config: incidentConfig(url)})

	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.Webhook)
	require.Equal(t, []string{"integration/acme/sync/7"}, r.asked)
	p := received()
	require.Equal(t, notify.EventDelayed, p.Event)
	require.Equal(t, "Acme", p.IntegrationName)
	require.Equal(t, "Sync 7 is still Applying.", p.Message)
	require.Equal(t, r.line, p.Retrying)
	require.Empty(t, p.ResumeHint)
	require.True(t, now.Equal(p.Time))
}

func TestNotifyIncidentDelayedWithoutTheRetryLine(t *testing.T) {
	for name, r := range map[string]activities.Retries{
		"no Retries":     nil,
		"Retries failed": &retries{err: errors.New("temporal unreachable")},
	} {
		t.Run(name, func(t *testing.T) {
			url, received := incidentHook(t)
			_, err := notifyIncident(t, r, activities.IncidentInput{IntegrationID: integrationID,
				SyncWorkflowID: "integration/acme/sync/7", Event: notify.EventDelayed, Message: "Still fetching.",
				Config: incidentConfig(url)})
			require.NoError(t, err, "the retry line is best effort")
			require.Empty(t, received().Retrying)
		})
	}
}

func TestNotifyIncidentQuarantinedEmailsTheAdmins(t *testing.T) {
	smtp, err := smtptest.Start(smtptest.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = smtp.Close() })
	cfg := integration.Config{ID: integrationID, Admins: []string{"hr-ops@acme.example"},
		Notify: notify.Config{Email: &notify.EmailConfig{SMTPAddr: smtp.Addr(), From: "hrsync@acme.example"}}}
	r := &retries{line: "directory unreachable"}

	res, err := notifyIncident(t, r, activities.IncidentInput{IntegrationID: integrationID,
		SyncWorkflowID: "integration/acme/sync/7", Event: notify.EventQuarantined,
		Message: "Apply failed: kept failing until the outage limit.", Config: cfg})

	require.NoError(t, err)
	require.Equal(t, []string{"hr-ops@acme.example"}, res.Emailed, "the admins are the default recipients")
	require.Empty(t, r.asked, "a run that gave up retries nothing")
	msgs := smtp.Messages()
	require.Len(t, msgs, 1)
	data := string(msgs[0].Data)
	require.Contains(t, data, "integration quarantined")
	require.Contains(t, data, "go run ./starter resume acme")
	require.False(t, strings.Contains(data, "directory unreachable"))
}

func TestNotifyIncidentRefusesAnotherEvent(t *testing.T) {
	url, _ := incidentHook(t)

	_, err := notifyIncident(t, nil, activities.IncidentInput{IntegrationID: integrationID,
		Event: notify.EventAwaitingApproval, Config: incidentConfig(url)})

	var appErr *temporal.ApplicationError
	require.ErrorAs(t, err, &appErr)
	require.Equal(t, activities.ErrTypePermanent, appErr.Type())
	require.True(t, appErr.NonRetryable())
}

func TestNotifyIncidentFailedSendsTheRunsSentence(t *testing.T) {
	url, received := incidentHook(t)
	r := &retries{line: "directory unreachable"}

	res, err := notifyIncident(t, r, activities.IncidentInput{IntegrationID: integrationID,
		SyncWorkflowID: "integration/acme/sync/7", Event: notify.EventFailed,
		Message: "Apply failed: 400 bad request; the next scheduled run tries again.", Config: incidentConfig(url)})

	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.Webhook)
	require.Empty(t, r.asked, "a failed run retries nothing")
	p := received()
	require.Equal(t, notify.EventFailed, p.Event)
	require.Equal(t, "Apply failed: 400 bad request; the next scheduled run tries again.", p.Message)
	require.Empty(t, p.Retrying)
}
