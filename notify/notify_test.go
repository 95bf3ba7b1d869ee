package notify_test

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/notify"
	"github.com/hrsync/hrsync/notify/smtptest"
)

// piiValues are the identity details in testNotice; they must never show up
// in an email, an error, or a webhook without IncludePII.
var piiValues = []string{"Smith", "Smyth-Jones", "jane.smith@acme.example", "jane.jones@acme.example", "1980-02-03", "1980-03-02"}

var fixedNow = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

func testNotice() notify.Notice {
	return notify.Notice{
		IntegrationID:   "acme",
		IntegrationName: "Acme Société",
		SyncWorkflowID:  "sync/acme/2026-03-14T02:00:00Z",
		PlanID:          "plan-7f3a",
		Blocks: []notify.Block{
			{Code: "mass_deactivation", Message: "the run would deactivate 30 of 100 users (30%, limit 20%)"},
			{Code: "privacy", Message: "2 employees' identities changed — review them"},
		},
		Planned: map[string]int{"create": 3, "update": 12, "deactivate": 30},
		Held: []notify.Held{
			{EmployeeID: "E1001", Code: "identity_change", Changes: []notify.FieldChange{
				{Field: "lastName", Old: "Smith", New: "Smyth-Jones"},
				{Field: "email", Old: "jane.smith@acme.example", New: "jane.jones@acme.example"},
			}},
			{EmployeeID: "E1002", Code: "identity_change", Changes: []notify.FieldChange{
				{Field: "dateOfBirth", Old: "1980-02-03", New: "1980-03-02"},
			}},
		},
		ApproveHint: "go run ./starter approve acme",
		UIURL:       "http://localhost:8233/namespaces/default/workflows/sync%2Facme",
		Time:        time.Date(2026, 3, 14, 2, 0, 7, 0, time.UTC),
	}
}

// env is a fake environment.
func env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func requireNoPII(t *testing.T, what string, s string) {
	t.Helper()
	for _, v := range piiValues {
		require.NotContains(t, s, v, "%s leaks PII", what)
	}
}

// hook is an httptest webhook receiver that records requests and answers
// with status.
type hook struct {
	*httptest.Server
	mu       sync.Mutex
	status   int
	header   http.Header
	requests []received
}

type received struct {
	method string
	header http.Header
	body   []byte
}

func newHook(t *testing.T, status int) *hook {
	t.Helper()
	h := &hook{status: status, header: http.Header{}}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.requests = append(h.requests, received{method: r.Method, header: r.Header.Clone(), body: body})
		status := h.status
		for k, v := range h.header {
			w.Header()[k] = v
		}
		h.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hook) received() []received {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]received(nil), h.requests...)
}

func startSMTP(t *testing.T, opts smtptest.Options) *smtptest.Server {
	t.Helper()
	srv, err := smtptest.Start(opts)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, srv.Close()) })
	return srv
}

func TestSendWithoutChannelsDoesNothing(t *testing.T) {
	res, err := notify.New(notify.Options{}).Send(context.Background(), notify.Config{}, testNotice())
	require.NoError(t, err)
	require.Equal(t, notify.Result{}, res)
}

func TestSendBothChannelsEmailFailsWebhookStillSent(t *testing.T) {
	srv := startSMTP(t, smtptest.Options{})
	srv.FailNext(550)
	h := newHook(t, http.StatusNoContent)
	n := notify.New(notify.Options{Now: func() time.Time { return fixedNow }})

	res, err := n.Send(context.Background(), notify.Config{
		Email:   &notify.EmailConfig{SMTPAddr: srv.Addr(), From: "hrsync@acme.example", To: []string{"admin@acme.example"}},
		Webhook: &notify.WebhookConfig{URL: h.URL + "/hook"},
	}, testNotice())
	require.Error(t, err)
	require.Contains(t, err.Error(), "notify: email")
	require.Contains(t, err.Error(), "550")
	require.True(t, connectors.IsPermanent(err), "the only failure is permanent")
	require.Empty(t, res.Emailed)
	require.Equal(t, http.StatusNoContent, res.Webhook)
	require.Len(t, h.received(), 1)
	requireNoPII(t, "error", err.Error())
}

func TestSendBothChannelsWebhookFailsEmailStillSent(t *testing.T) {
	srv := startSMTP(t, smtptest.Options{})
	h := newHook(t, http.StatusBadGateway)
	n := notify.New(notify.Options{})

	res, err := n.Send(context.Background(), notify.Config{
		Email:   &notify.EmailConfig{SMTPAddr: srv.Addr(), From: "hrsync@acme.example", To: []string{"admin@acme.example"}},
		Webhook: &notify.WebhookConfig{URL: h.URL},
	}, testNotice())
	require.Error(t, err)
	require.Contains(t, err.Error(), "502")
	require.False(t, connectors.IsPermanent(err))
	require.Equal(t, []string{"admin@acme.example"}, res.Emailed)
	require.Equal(t, http.StatusBadGateway, res.Webhook)
	require.Len(t, srv.Messages(), 1)
}

func TestSendMixedFailuresAreRetryable(t *testing.T) {
	srv := startSMTP(t, smtptest.Options{})
	srv.FailNext(554)
	h := newHook(t, http.StatusServiceUnavailable)

	_, err := notify.New(notify.Options{}).Send(context.Background(), notify.Config{
		Email:   &notify.EmailConfig{SMTPAddr: srv.Addr(), From: "hrsync@acme.example", To: []string{"admin@acme.example"}},
		Webhook: &notify.WebhookConfig{URL: h.URL},
	}, testNotice())
	require.Error(t, err)
	require.Contains(t, err.Error(), "554")
	require.Contains(t, err.Error(), "503")
	require.False(t, connectors.IsPermanent(err), "the webhook may still succeed: worth a retry")
}

func TestSendInvalidChannelDoesNotStopTheOther(t *testing.T) {
	h := newHook(t, http.StatusOK)
	res, err := notify.New(notify.Options{}).Send(context.Background(), notify.Config{
		Email:   &notify.EmailConfig{SMTPAddr: "no-port", From: "hrsync@acme.example", To: []string{"admin@acme.example"}},
		Webhook: &notify.WebhookConfig{URL: h.URL},
	}, testNotice())
	require.Error(t, err)
	require.True(t, connectors.IsPermanent(err))
	require.Contains(t, err.Error(), "email.smtpAddr")
	require.Equal(t, http.StatusOK, res.Webhook)
}

func TestSendFillsTimeFromClock(t *testing.T) {
	h := newHook(t, http.StatusOK)
	notice := testNotice()
	notice.Time = time.Time{}
	_, err := notify.New(notify.Options{Now: func() time.Time { return fixedNow }}).
		Send(context.Background(), notify.Config{Webhook: &notify.WebhookConfig{URL: h.URL}}, notice)
	require.NoError(t, err)
	require.Contains(t, string(h.received()[0].body), `"time":"2026-03-14T09:26:53Z"`)
}

// The TLS client configuration for a smtptest server.
func trust(srv *smtptest.Server) *tls.Config { return &tls.Config{RootCAs: srv.RootCAs()} }

func TestErrorsNeverCarryPII(t *testing.T) {
	// Every failure path that sees the notice: none may repeat its values.
	srv := startSMTP(t, smtptest.Options{RejectRecipients: []string{"gone@acme.example"}})
	h := newHook(t, http.StatusUnprocessableEntity)
	_, err := notify.New(notify.Options{}).Send(context.Background(), notify.Config{
		Email:   &notify.EmailConfig{SMTPAddr: srv.Addr(), From: "hrsync@acme.example", To: []string{"gone@acme.example"}},
		Webhook: &notify.WebhookConfig{URL: h.URL, IncludePII: true},
	}, testNotice())
	require.Error(t, err)
	requireNoPII(t, "error", err.Error())
	require.False(t, strings.Contains(err.Error(), "E1001"), "errors name no employees")
}
