package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/internal/netguard"
	"github.com/hrsync/hrsync/notify"
)

func sendWebhook(t *testing.T, n *notify.Notifier, cfg notify.WebhookConfig) (notify.Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return n.Send(ctx, notify.Config{Webhook: &cfg}, testNotice())
}

func TestWebhookBody(t *testing.T) {
	h := newHook(t, http.StatusOK)
	res, err := sendWebhook(t, notify.New(notify.Options{}), notify.WebhookConfig{URL: h.URL + "/hrsync"})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.Webhook)
	require.Empty(t, res.Emailed)

	reqs := h.received()
	require.Len(t, reqs, 1)
	r := reqs[0]
	require.Equal(t, http.MethodPost, r.method)
	require.Equal(t, "application/json", r.header.Get("Content-Type"))
	require.Equal(t, "hrsync", r.header.Get("User-Agent"))
	require.Empty(t, r.header.Get(notify.HeaderSignature), "unsigned without a secret")
	require.Empty(t, r.header.Get(notify.HeaderTimestamp))

	var body map[string]any
	require.NoError(t, json.Unmarshal(r.body, &body))
	require.Equal(t, []string{"approveHint", "blocks", "event", "held", "heldTotal", "includesPII", "integrationId",
		"integrationName", "planId", "planned", "syncWorkflowId", "time", "uiUrl"}, slices.Sorted(maps.Keys(body)))
	require.JSONEq(t, `{
		"event": "sync.awaiting_approval",
		"integrationId": "acme",
		"integrationName": "Acme Société",
		"syncWorkflowId": "sync/acme/2026-03-14T02:00:00Z",
		"planId": "plan-7f3a",
		"blocks": [
			{"code": "mass_deactivation", "message": "the run would deactivate 30 of 100 users (30%, limit 20%)"},
			{"code": "privacy", "message": "2 employees' identities changed — review them"}
		],
		"planned": {"create": 3, "update": 12, "deactivate": 30},
		"held": [
			{"employeeId": "E1001", "code": "identity_change", "reason": "", "changes": [
				{"field": "lastName", "old": "", "new": ""},
				{"field": "email", "old": "", "new": ""}
			]},
			{"employeeId": "E1002", "code": "identity_change", "reason": "", "changes": [
				{"field": "dateOfBirth", "old": "", "new": ""}
			]}
		],
		"heldTotal": 2,
		"includesPII": false,
		"approveHint": "go run ./starter approve acme",
		"uiUrl": "http://localhost:8233/namespaces/default/workflows/sync%2Facme",
		"time": "2026-03-14T02:00:07Z"
	}`, string(r.body))
	requireNoPII(t, "webhook body", string(r.body))
}

func TestWebhookEmptyListsAreArrays(t *testing.T) {
	h := newHook(t, http.StatusOK)
	notice := notify.Notice{IntegrationID: "acme", PlanID: "p", Time: fixedNow}
	_, err := notify.New(notify.Options{}).Send(context.Background(),
		notify.Config{Webhook: &notify.WebhookConfig{URL: h.URL}}, notice)
	require.NoError(t, err)
	var body map[string]any
	require.NoError(t, json.Unmarshal(h.received()[0].body, &body))
	require.Equal(t, []any{}, body["blocks"])
	require.Equal(t, []any{}, body["held"])
	require.Equal(t, map[string]any{}, body["planned"])
}

func TestWebhookIncludePII(t *testing.T) {
	h := newHook(t, http.StatusAccepted)
	res, err := sendWebhook(t, notify.New(notify.Options{}), notify.WebhookConfig{URL: h.URL, IncludePII: true})
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, res.Webhook)

	var p notify.Payload
	require.NoError(t, json.Unmarshal(h.received()[0].body, &p))
	require.True(t, p.IncludesPII)
	require.Equal(t, []notify.PayloadHeld{
		{EmployeeID: "E1001", Code: "identity_change", Changes: []notify.FieldChange{
			{Field: "lastName", Old: "Smith", New: "Smyth-Jones"},
			{Field: "email", Old: "jane.smith@acme.example", New: "jane.jones@acme.example"},
		}},
		{EmployeeID: "E1002", Code: "identity_change", Changes: []notify.FieldChange{
			{Field: "dateOfBirth", Old: "1980-02-03", New: "1980-03-02"},
		}},
	}, p.Held)
}

func TestWebhookPayloadSaysWhenOnlyDigestsWereCompared(t *testing.T) {
	notice := testNotice()
	notice.Held = []notify.Held{{EmployeeID: "E1003", Code: "identity_change", Changes: []notify.FieldChange{
		{Field: "lastName", Old: "Lee", New: "Okafor"}, {Field: "dateOfBirth", Digest: true}}}}
	body, err := json.Marshal(notify.NewPayload(notice, true))
	require.NoError(t, err)
	require.Contains(t, string(body), `{"field":"dateOfBirth","old":"","new":"","digest":true}`)
	require.Contains(t, string(body), `{"field":"lastName","old":"Lee","new":"Okafor"}`)
}

func TestWebhookPayloadDoesNotAliasNotice(t *testing.T) {
	notice := testNotice()
	p := notify.NewPayload(notice, false)
	require.Equal(t, "Smith", notice.Held[0].Changes[0].Old, "stripping PII leaves the notice alone")
	p.Planned["create"] = 99
	require.Equal(t, 3, notice.Planned["create"])
}

func TestWebhookSignature(t *testing.T) {
	secret := "whsec-0123456789"
	h := newHook(t, http.StatusOK)
	n := notify.New(notify.Options{Now: func() time.Time { return fixedNow },
		Getenv: env(map[string]string{"HRSYNC_SECRET_WEBHOOK": secret})})
	_, err := sendWebhook(t, n, notify.WebhookConfig{URL: h.URL, SecretEnv: "HRSYNC_SECRET_WEBHOOK"})
	require.NoError(t, err)

	r := h.received()[0]
	ts, sig := r.header.Get(notify.HeaderTimestamp), r.header.Get(notify.HeaderSignature)
	require.Equal(t, strconv.FormatInt(fixedNow.Unix(), 10), ts)
	require.Regexp(t, `^v1=[0-9a-f]{64}$`, sig)
	require.Equal(t, notify.Sign([]byte(secret), ts, r.body), sig)

	require.NoError(t, notify.Verify([]byte(secret), ts, sig, r.body, fixedNow.Add(time.Minute), 0))
	require.NoError(t, notify.Verify([]byte(secret), ts, "v1=00,"+sig, r.body, fixedNow, time.Minute), "any listed signature may match")

	tampered := append([]byte(nil), r.body...)
	tampered[len(tampered)-3] ^= 1
	for name, err := range map[string]error{
		"wrong secret":      notify.Verify([]byte("other"), ts, sig, r.body, fixedNow, time.Minute),
		"tampered body":     notify.Verify([]byte(secret), ts, sig, tampered, fixedNow, time.Minute),
		"other timestamp":   notify.Verify([]byte(secret), strconv.FormatInt(fixedNow.Unix()+1, 10), sig, r.body, fixedNow, time.Minute),
		"old timestamp":     notify.Verify([]byte(secret), ts, sig, r.body, fixedNow.Add(10*time.Minute), 5*time.Minute),
		"future timestamp":  notify.Verify([]byte(secret), ts, sig, r.body, fixedNow.Add(-10*time.Minute), 0),
		"bad timestamp":     notify.Verify([]byte(secret), "yesterday", sig, r.body, fixedNow, time.Minute),
		"missing signature": notify.Verify([]byte(secret), ts, "", r.body, fixedNow, time.Minute),
		"no secret":         notify.Verify(nil, ts, sig, r.body, fixedNow, time.Minute),
	} {
		require.ErrorIs(t, err, notify.ErrSignature, name)
	}
}

func TestWebhookMissingSecretEnv(t *testing.T) {
	h := newHook(t, http.StatusOK)
	_, err := sendWebhook(t, notify.New(notify.Options{Getenv: env(nil)}),
		notify.WebhookConfig{URL: h.URL, SecretEnv: "HRSYNC_SECRET_WEBHOOK"})
	require.Error(t, err)
	require.True(t, connectors.IsPermanent(err))
	require.Contains(t, err.Error(), "HRSYNC_SECRET_WEBHOOK")
	require.Empty(t, h.received(), "nothing is sent unsigned")
}

// A webhook signed with the worker's own key would be an oracle for it:
// only HRSYNC_SECRET_… variables can sign.
func TestWebhookSecretEnvCannotNameTheWorkersKeys(t *testing.T) {
	h := newHook(t, http.StatusOK)
	_, err := sendWebhook(t, notify.New(notify.Options{Getenv: env(map[string]string{"HRSYNC_CREDENTIALS_KEY": "k1:c2VjcmV0"})}),
		notify.WebhookConfig{URL: h.URL, SecretEnv: "HRSYNC_CREDENTIALS_KEY"})
	require.ErrorContains(t, err, "only variables named HRSYNC_SECRET_")
	require.True(t, connectors.IsPermanent(err))
	require.Empty(t, h.received())
}

func TestWebhookStatuses(t *testing.T) {
	for _, tc := range []struct {
		status    int
		permanent bool
	}{
		{http.StatusBadRequest, true},
		{http.StatusUnauthorized, true},
		{http.StatusNotFound, true},
		{http.StatusFound, true},
		{http.StatusRequestTimeout, false},
		{http.StatusTooManyRequests, false},
		{http.StatusInternalServerError, false},
		{http.StatusServiceUnavailable, false},
	} {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			h := newHook(t, tc.status)
			h.header.Set("Location", "/elsewhere")
			res, err := sendWebhook(t, notify.New(notify.Options{}), notify.WebhookConfig{URL: h.URL + "/hooks/T0K3N?key=K3Y"})
			require.Error(t, err)
			require.Equal(t, tc.status, res.Webhook)
			require.Equal(t, tc.permanent, connectors.IsPermanent(err), "%v", err)
			var we *notify.WebhookError
			require.ErrorAs(t, err, &we)
			require.Equal(t, tc.status, we.Status)
			require.NotContains(t, err.Error(), "T0K3N", "the URL's path may be a secret")
			require.NotContains(t, err.Error(), "K3Y")
			require.Len(t, h.received(), 1, "redirects are not followed")
		})
	}
}

func TestWebhookRetryAfter(t *testing.T) {
	h := newHook(t, http.StatusTooManyRequests)
	h.header.Set("Retry-After", "7")
	_, err := sendWebhook(t, notify.New(notify.Options{}), notify.WebhookConfig{URL: h.URL})
	require.Error(t, err)
	require.False(t, connectors.IsPermanent(err))
	require.Equal(t, 7*time.Second, connectors.RetryAfter(err))
}

func TestWebhookUnreachableIsRetryable(t *testing.T) {
	h := newHook(t, http.StatusOK)
	url := h.URL + "/hooks/T0K3N"
	h.Close()
	_, err := sendWebhook(t, notify.New(notify.Options{}), notify.WebhookConfig{URL: url})
	require.Error(t, err)
	require.False(t, connectors.IsPermanent(err))
	require.NotContains(t, err.Error(), "T0K3N")
}

func TestWebhookToARefusedDestinationIsNotDelivered(t *testing.T) {
	h := newHook(t, http.StatusOK)
	production := notify.New(notify.Options{HTTPClient: netguard.Policy{}.Client(notify.DefaultTimeout)})
	res, err := sendWebhook(t, production, notify.WebhookConfig{URL: h.URL + "/hooks/T0K3N"})
	require.Error(t, err)
	require.True(t, connectors.IsPermanent(err), "%v", err)
	require.Contains(t, err.Error(), "127.0.0.1 is a loopback address, which this worker does not send to")
	require.NotContains(t, err.Error(), "T0K3N")
	require.Zero(t, res.Webhook)
	require.Empty(t, h.received(), "the webhook was not called")

	// Allowed, as in dev mode, it is.
	dev := notify.New(notify.Options{HTTPClient: netguard.Policy{AllowLoopback: true}.Client(notify.DefaultTimeout)})
	res, err = sendWebhook(t, dev, notify.WebhookConfig{URL: h.URL + "/hooks/T0K3N"})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.Webhook)
	require.Len(t, h.received(), 1)
}

func TestWebhookHonoursContext(t *testing.T) {
	block := make(chan struct{})
	h := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-block }))
	defer h.Close()
	defer close(block)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := notify.New(notify.Options{}).Send(ctx, notify.Config{Webhook: &notify.WebhookConfig{URL: h.URL}}, testNotice())
	require.Error(t, err)
	require.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
	require.False(t, connectors.IsPermanent(err))
}
