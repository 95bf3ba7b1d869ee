package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/notify"
	"github.com/hrsync/hrsync/notify/smtptest"
)

func testInvite() notify.Invite {
	return notify.Invite{IntegrationID: "acme", SyncWorkflowID: "integration/acme/sync/1", EmployeeID: "E0001",
		TargetID: "u-1", FirstName: "Ada", LastName: "Lovelace", Email: "ada@acme.example",
		Template: notify.InviteTemplate{LoginURL: "https://app.acme.example/login"}}
}

func TestInviteTemplateDefaultsAndPlaceholders(t *testing.T) {
	d := notify.InviteData{FirstName: "Ada", LastName: "Lovelace", LoginURL: "https://x.example/in"}
	subject, body, err := notify.InviteTemplate{}.Render(d)
	require.NoError(t, err)
	require.Equal(t, "Ada, your account is ready", subject)
	require.Contains(t, body, "Hello Ada,")
	require.Contains(t, body, "https://x.example/in")

	subject, body, err = notify.InviteTemplate{Subject: "Hi {{.FirstName}}\r\nBcc: x@evil.example",
		Body: "{{firstName}} {{lastName}}: {{loginURL}}"}.Render(d)
	require.NoError(t, err)
	require.Equal(t, "Hi Ada  Bcc: x@evil.example", subject, "a subject stays on one line")
	require.Equal(t, "Ada Lovelace: https://x.example/in", body)

	err = notify.InviteTemplate{Subject: "{{surname}}", Body: "{{.Nope}}", LoginURL: "ftp://x"}.Check()
	require.ErrorContains(t, err, "subject: ")
	require.ErrorContains(t, err, "loginUrl: must be an absolute http(s) URL")
	require.ErrorContains(t, notify.InviteTemplate{Body: "{{.Nope}}"}.Check(), "body: ")
}

func TestInviteEmailsTheUserAndCallsTheWebhook(t *testing.T) {
	srv := startSMTP(t, smtptest.Options{})
	var got notify.InvitePayload
	var event string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		event = r.Header.Get("X-Hrsync-Event")
		_ = json.Unmarshal(body, &got)
	}))
	t.Cleanup(hook.Close)
	n := notify.New(notify.Options{Now: func() time.Time { return fixedNow }})
	cfg := notify.Config{Email: &notify.EmailConfig{SMTPAddr: srv.Addr(), From: "hrsync@acme.example",
		To: []string{"admin@acme.example"}}, Webhook: &notify.WebhookConfig{URL: hook.URL}}

	res, err := n.Invite(context.Background(), cfg, testInvite())
	require.NoError(t, err)
	require.Equal(t, notify.InviteResult{Emailed: true, Webhook: http.StatusOK}, res)
	msgs := srv.Messages()
	require.Len(t, msgs, 1)
	require.Equal(t, []string{"ada@acme.example"}, msgs[0].To, "to the user, not the admins")
	require.Contains(t, string(msgs[0].Data), "Hello Ada,")

	require.Equal(t, notify.EventUserInvited, event)
	require.Equal(t, notify.InvitePayload{Event: notify.EventUserInvited, IntegrationID: "acme",
		SyncWorkflowID: "integration/acme/sync/1", EmployeeID: "E0001", TargetID: "u-1",
		LoginURL: "https://app.acme.example/login", Emailed: true, Time: fixedNow}, got, "no personal data")

	cfg.Webhook.IncludePII = true
	cfg.Email = nil
	_, err = n.Invite(context.Background(), cfg, testInvite())
	require.NoError(t, err)
	require.False(t, got.Emailed)
	require.Equal(t, []string{"Ada", "Lovelace", "ada@acme.example"}, []string{got.FirstName, got.LastName, got.Email})
}

func TestInviteFailures(t *testing.T) {
	srv := startSMTP(t, smtptest.Options{})
	n := notify.New(notify.Options{})
	cfg := notify.Config{Email: &notify.EmailConfig{SMTPAddr: srv.Addr(), From: "hrsync@acme.example"}}

	inv := testInvite()
	inv.Email = ""
	_, err := n.Invite(context.Background(), cfg, inv)
	require.True(t, connectors.IsPermanent(err))
	require.ErrorContains(t, err, "employee E0001 has no valid email address")

	srv.FailNext(550)
	_, err = n.Invite(context.Background(), cfg, testInvite())
	require.True(t, connectors.IsPermanent(err))
	require.False(t, errors.Is(err, notify.ErrMaybeDelivered), "refused before the message was sent")
	require.NotContains(t, err.Error(), "ada@", "errors never repeat the address")

	require.NoError(t, srv.Close())
	_, err = n.Invite(context.Background(), cfg, testInvite())
	require.Error(t, err)
	require.False(t, connectors.IsPermanent(err))
	require.False(t, errors.Is(err, notify.ErrMaybeDelivered))
	require.Empty(t, srv.Messages())
}
