package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"mime"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/notify"
	"github.com/hrsync/hrsync/notify/smtptest"
)

func delayedNotice() notify.Notice {
	return notify.Notice{
		Event:           notify.EventDelayed,
		IntegrationID:   "acme",
		IntegrationName: "Acme Société",
		SyncWorkflowID:  "integration/acme/sync/7",
		Message:         "Sync 7 has been running since 2026-03-14 02:00 UTC and is still Applying.",
		Retrying:        "directory unreachable since 02:01, 7 tries, next at 02:31:05, last error: 503 Service Unavailable",
		Time:            time.Date(2026, 3, 14, 2, 30, 0, 0, time.UTC),
	}
}

func quarantinedNotice() notify.Notice {
	return notify.Notice{
		Event:           notify.EventQuarantined,
		IntegrationID:   "acme",
		IntegrationName: "Acme Société",
		SyncWorkflowID:  "integration/acme/sync/7",
		Message:         "Apply failed: kept failing until the outage limit; last error: 503 Service Unavailable.",
		ResumeHint:      "go run ./starter resume acme",
		Time:            time.Date(2026, 3, 15, 2, 0, 0, 0, time.UTC),
	}
}

// emailText sends notice by email and returns the subject and the decoded
// body, with LF line ends.
func emailText(t *testing.T, notice notify.Notice) (string, string) {
	t.Helper()
	srv := startSMTP(t, smtptest.Options{})
	n := notify.New(notify.Options{Now: func() time.Time { return fixedNow }})
	cfg := emailConfig(srv, "ops@acme.example")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := n.Send(ctx, notify.Config{Email: &cfg}, notice)
	require.NoError(t, err)
	require.Equal(t, []string{"ops@acme.example"}, res.Emailed)
	msgs := srv.Messages()
	require.Len(t, msgs, 1)
	for _, line := range strings.Split(string(msgs[0].Data), "\r\n") {
		require.LessOrEqual(t, len(line), 78, "line %q", line)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(msgs[0].Data))
	require.NoError(t, err)
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	require.NoError(t, err)
	return subject, strings.ReplaceAll(string(body), "\r\n", "\n")
}

func TestEmailSyncDelayed(t *testing.T) {
	subject, text := emailText(t, delayedNotice())

	require.Equal(t, "[hrsync] acme: sync delayed", subject)
	for _, want := range []string{
		"A sync of integration acme (Acme Société) is taking longer than it should; it keeps retrying.",
		"Sync 7 has been running since 2026-03-14 02:00 UTC and is still Applying.",
		"Retrying: directory unreachable since 02:01, 7 tries, next at 02:31:05, last error: 503 Service Unavailable",
		"To see status: starter status acme",
		"Sync workflow: integration/acme/sync/7",
		"Time:          2026-03-14T02:30:00Z",
	} {
		require.Contains(t, text, want)
	}
	require.NotContains(t, text, "To resume", "a delayed sync needs no resume")
	require.NotContains(t, text, "approve")
}

func TestEmailIntegrationQuarantined(t *testing.T) {
	subject, text := emailText(t, quarantinedNotice())

	require.Equal(t, "[hrsync] acme: integration quarantined, scheduled syncs paused", subject)
	for _, want := range []string{
		"Integration acme (Acme Société) is quarantined: a sync gave up after the outage limit, and scheduled syncs are paused until an administrator resumes it.",
		"Apply failed: kept failing until the outage limit; last error: 503 Service Unavailable.",
		"To resume:     go run ./starter resume acme",
		"To see status: go run ./starter status acme",
		"Integration:   acme",
		"Sync workflow: integration/acme/sync/7",
		"Time:          2026-03-15T02:00:00Z",
	} {
		require.Contains(t, text, want)
	}
	require.NotContains(t, text, "Retrying:", "nothing retries once the run gave up")
}

func TestWebhookIncidentBodies(t *testing.T) {
	for _, tt := range []struct {
		notice notify.Notice
		want   string
	}{
		{delayedNotice(), `{
			"event": "sync.delayed",
			"integrationId": "acme",
			"integrationName": "Acme Société",
			"syncWorkflowId": "integration/acme/sync/7",
			"message": "Sync 7 has been running since 2026-03-14 02:00 UTC and is still Applying.",
			"retrying": "directory unreachable since 02:01, 7 tries, next at 02:31:05, last error: 503 Service Unavailable",
			"resumeHint": "",
			"uiUrl": "",
			"time": "2026-03-14T02:30:00Z"
		}`},
		{quarantinedNotice(), `{
			"event": "integration.quarantined",
			"integrationId": "acme",
			"integrationName": "Acme Société",
			"syncWorkflowId": "integration/acme/sync/7",
			"message": "Apply failed: kept failing until the outage limit; last error: 503 Service Unavailable.",
			"retrying": "",
			"resumeHint": "go run ./starter resume acme",
			"uiUrl": "",
			"time": "2026-03-15T02:00:00Z"
		}`},
	} {
		t.Run(tt.notice.Event, func(t *testing.T) {
			h := newHook(t, http.StatusOK)
			secret := "whsec-0123456789"
			n := notify.New(notify.Options{Now: func() time.Time { return fixedNow },
				Getenv: env(map[string]string{"HRSYNC_SECRET_WEBHOOK": secret})})
			res, err := n.Send(context.Background(), notify.Config{Webhook: &notify.WebhookConfig{
				URL: h.URL + "/hrsync", SecretEnv: "HRSYNC_SECRET_WEBHOOK", IncludePII: true}}, tt.notice)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.Webhook)

			reqs := h.received()
			require.Len(t, reqs, 1)
			r := reqs[0]
			require.Equal(t, tt.notice.Event, r.header.Get("X-Hrsync-Event"))
			ts := r.header.Get(notify.HeaderTimestamp)
			require.NoError(t, notify.Verify([]byte(secret), ts, r.header.Get(notify.HeaderSignature), r.body, fixedNow, 0),
				"incidents are signed like approvals")
			var body map[string]any
			require.NoError(t, json.Unmarshal(r.body, &body))
			require.Equal(t, []string{"event", "integrationId", "integrationName", "message", "resumeHint", "retrying",
				"syncWorkflowId", "time", "uiUrl"}, slices.Sorted(maps.Keys(body)), "ids and one sentence, no plan or people")
			require.JSONEq(t, tt.want, string(r.body))
		})
	}
}

func TestSendRefusesAnUnknownEvent(t *testing.T) {
	h := newHook(t, http.StatusOK)
	notice := delayedNotice()
	notice.Event = "sync.exploded"

	res, err := notify.New(notify.Options{}).Send(context.Background(),
		notify.Config{Webhook: &notify.WebhookConfig{URL: h.URL}}, notice)

	require.ErrorContains(t, err, `unknown event "sync.exploded"`)
	require.True(t, connectors.IsPermanent(err), "no retry sends an event nobody defined")
	require.Equal(t, notify.Result{}, res)
	require.Empty(t, h.received())
}

func TestAwaitingApprovalNamedExplicitlyIsUnchanged(t *testing.T) {
	h := newHook(t, http.StatusOK)
	notice := testNotice()
	notice.Event = notify.EventAwaitingApproval

	_, err := notify.New(notify.Options{}).Send(context.Background(),
		notify.Config{Webhook: &notify.WebhookConfig{URL: h.URL}}, notice)

	require.NoError(t, err)
	var p notify.Payload
	require.NoError(t, json.Unmarshal(h.received()[0].body, &p))
	require.Equal(t, notify.EventAwaitingApproval, p.Event)
	require.Equal(t, "plan-7f3a", p.PlanID)
	require.Equal(t, notify.EventAwaitingApproval, h.received()[0].header.Get("X-Hrsync-Event"))
}

func TestFailedSyncNotice(t *testing.T) {
	notice := notify.Notice{Event: notify.EventFailed, IntegrationID: "acme", SyncWorkflowID: "integration/acme/sync/7",
		Message: "Fetch failed: 401 unauthorized; reconnect the account (starter connect), then sync.",
		Time:    time.Date(2026, 3, 15, 2, 0, 0, 0, time.UTC)}
	subject, body := emailText(t, notice)
	require.Equal(t, "[hrsync] acme: sync failed", subject)
	require.Contains(t, body, "A sync of integration acme failed")
	require.Contains(t, body, notice.Message)
	require.Contains(t, body, "To see status:")
	p := notify.NewIncidentPayload(notice)
	require.Equal(t, "sync.failed", p.Event)
	require.Equal(t, notice.Message, p.Message)
}
