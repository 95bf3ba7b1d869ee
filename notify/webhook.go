package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/credentials"
)

// Webhook signature headers, set when the webhook has a secret.
const (
	// HeaderTimestamp holds the signing time in Unix seconds.
	HeaderTimestamp = "X-Hrsync-Timestamp"
	// HeaderSignature holds "v1=" and the hex HMAC-SHA256, keyed with the
	// secret, of the timestamp, ".", and the body.
	HeaderSignature = "X-Hrsync-Signature"
)

// DefaultTolerance is how far a webhook's timestamp may be from the
// receiver's clock when Verify is given no tolerance.
const DefaultTolerance = 5 * time.Minute

// maxResponse bounds how much of a webhook's answer is read.
const maxResponse = 64 << 10

// Payload is the JSON body of a webhook for a sync awaiting approval. Every
// field is always present.
type Payload struct {
	// Event is EventAwaitingApproval.
	Event           string `json:"event"`
	IntegrationID   string `json:"integrationId"`
	IntegrationName string `json:"integrationName"`
	SyncWorkflowID  string `json:"syncWorkflowId"`
	PlanID          string `json:"planId"`
	// Blocks and Held are empty arrays, never null, when there are none.
	Blocks  []Block        `json:"blocks"`
	Planned map[string]int `json:"planned"`
	Held    []PayloadHeld  `json:"held"`
	// HeldTotal is how many employees the sync keeps waiting; Held lists
	// at most the first 100.
	HeldTotal int `json:"heldTotal"`
	// IncludesPII says whether Held's Old and New values are the real ones;
	// without it they are all "".
	IncludesPII bool      `json:"includesPII"`
	ApproveHint string    `json:"approveHint"`
	UIURL       string    `json:"uiUrl"`
	Time        time.Time `json:"time"`
}

// PayloadHeld is one held employee in a Payload; Changes is an empty array,
// never null, when there are none.
type PayloadHeld struct {
	EmployeeID string        `json:"employeeId"`
	Code       string        `json:"code"`
	Reason     string        `json:"reason"`
	Changes    []FieldChange `json:"changes"`
}

// NewPayload is the webhook body for notice. Unless includePII, the old and
// new values of held employees' changes are "" and only field names remain.
func NewPayload(notice Notice, includePII bool) Payload {
	p := Payload{
		Event:           EventAwaitingApproval,
		IntegrationID:   notice.IntegrationID,
		IntegrationName: notice.IntegrationName,
		SyncWorkflowID:  notice.SyncWorkflowID,
		PlanID:          notice.PlanID,
		Blocks:          append([]Block{}, notice.Blocks...),
		Planned:         map[string]int{},
		Held:            make([]PayloadHeld, 0, len(notice.Held)),
		HeldTotal:       max(notice.HeldTotal, len(notice.Held)),
		IncludesPII:     includePII,
		ApproveHint:     notice.ApproveHint,
		UIURL:           notice.UIURL,
		Time:            notice.Time.UTC(),
	}
	for op, count := range notice.Planned {
		p.Planned[op] = count
	}
	for _, h := range notice.Held {
		ph := PayloadHeld{EmployeeID: h.EmployeeID, Code: h.Code, Reason: h.Reason, Changes: make([]FieldChange, 0, len(h.Changes))}
		for _, c := range h.Changes {
			if !includePII {
				c.Old, c.New = "", ""
			}
			ph.Changes = append(ph.Changes, c)
		}
		p.Held = append(p.Held, ph)
	}
	return p
}

// IncidentPayload is the JSON body of a webhook for a delayed sync or a
// quarantined integration. It carries ids and one sentence, no personal
// data. Every field is always present; those that do not apply are "".
type IncidentPayload struct {
	// Event is EventDelayed, EventQuarantined or EventFailed.
	Event           string `json:"event"`
	IntegrationID   string `json:"integrationId"`
	IntegrationName string `json:"integrationName"`
	SyncWorkflowID  string `json:"syncWorkflowId"`
	// Message says what happened, in one sentence.
	Message string `json:"message"`
	// Retrying is what a delayed sync's failing step waits for.
	Retrying string `json:"retrying"`
	// ResumeHint is the command that resumes a quarantined integration.
	ResumeHint string    `json:"resumeHint"`
	UIURL      string    `json:"uiUrl"`
	Time       time.Time `json:"time"`
}

// NewIncidentPayload is the webhook body for a delayed-sync or quarantine
// notice.
func NewIncidentPayload(notice Notice) IncidentPayload {
	return IncidentPayload{
		Event:           notice.event(),
		IntegrationID:   notice.IntegrationID,
		IntegrationName: notice.IntegrationName,
		SyncWorkflowID:  notice.SyncWorkflowID,
		Message:         notice.Message,
		Retrying:        notice.Retrying,
		ResumeHint:      notice.ResumeHint,
		UIURL:           notice.UIURL,
		Time:            notice.Time.UTC(),
	}
}

// WebhookError is a webhook's non-2xx answer. A 4xx other than 408 and 429,
// and a redirect, are also permanent (connectors.IsPermanent).
type WebhookError struct {
	// Endpoint is the webhook URL's scheme and host; the path and query,
	// which may hold a token, are left out.
	Endpoint string
	// Status is the HTTP status code.
	Status int
	// RetryAfter is how long the receiver asked to wait, zero when it did
	// not say.
	RetryAfter time.Duration
}

// Error names the endpoint and the status.
func (e *WebhookError) Error() string {
	msg := fmt.Sprintf("notify: webhook %s: %d %s", e.Endpoint, e.Status, http.StatusText(e.Status))
	if e.Status >= 300 && e.Status < 400 {
		msg += " (redirects are not followed: configure the final URL)"
	}
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return msg
}

// RetryDelay is the wait the receiver asked for; see connectors.RetryAfter.
func (e *WebhookError) RetryDelay() time.Duration { return e.RetryAfter }

// Retryable reports whether the same call may succeed later: timeouts, rate
// limits and server errors.
func (e *WebhookError) Retryable() bool { return connectors.RetryableStatus(e.Status) }

// webhook posts notice to cfg.URL and returns the answer's status.
func (n *Notifier) webhook(ctx context.Context, cfg WebhookConfig, notice Notice) (int, error) {
	var payload any = NewPayload(notice, cfg.IncludePII)
	if notice.incident() {
		payload = NewIncidentPayload(notice)
	}
	return n.post(ctx, cfg, notice.event(), payload)
}

// post sends payload as JSON to the webhook cfg, signed when it
// has a secret, and returns the answer's status.
func (n *Notifier) post(ctx context.Context, cfg WebhookConfig, event string, payload any) (int, error) {
	if err := (Config{Webhook: &cfg}).Check(); err != nil {
		return 0, connectors.Permanent(fmt.Errorf("notify: webhook: invalid configuration: %w", err))
	}
	u, _ := url.Parse(cfg.URL) // Check parsed it
	endpoint := u.Scheme + "://" + u.Host
	var secret []byte
	if cfg.SecretEnv != "" {
		// The key signs bodies and is never sent, so it has no hosts.
		s, err := credentials.EnvSecret(n.getenv, cfg.SecretEnv, credentials.Use{})
		if err != nil {
			return 0, connectors.Permanent(fmt.Errorf("notify: webhook: webhook.secretEnv: %w", err))
		}
		secret = []byte(s)
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return 0, fmt.Errorf("notify: webhook %s: encode: %w", endpoint, err)
	}

	ctx, cancel := context.WithTimeout(ctx, n.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.URL, bytes.NewReader(body))
	if err != nil {
		return 0, connectors.Permanent(fmt.Errorf("notify: webhook %s: %w", endpoint, unwrapURLError(err)))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "hrsync")
	req.Header.Set("X-Hrsync-Event", event)
	if secret != nil {
		ts := strconv.FormatInt(n.now().Unix(), 10)
		req.Header.Set(HeaderTimestamp, ts)
		req.Header.Set(HeaderSignature, Sign(secret, ts, body))
	}
	resp, err := n.http.Do(req)
	if err != nil {
		// A *url.Error repeats the URL, which may hold a token.
		return 0, fmt.Errorf("notify: webhook %s: %w", endpoint, unwrapURLError(err))
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp.StatusCode, nil
	}
	werr := &WebhookError{Endpoint: endpoint, Status: resp.StatusCode,
		RetryAfter: connectors.ParseRetryAfter(resp.Header.Get("Retry-After"), n.now())}
	if werr.Retryable() {
		return resp.StatusCode, werr
	}
	return resp.StatusCode, connectors.Permanent(werr)
}

// unwrapURLError drops the URL a *url.Error carries.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Sign returns the HeaderSignature value for body sent at timestamp (Unix
// seconds, as in HeaderTimestamp): "v1=" and the hex HMAC-SHA256 of
// "<timestamp>.<body>" keyed with secret.
func Sign(secret []byte, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "v1=" + hex.EncodeToString(mac.Sum(nil))
}

// ErrSignature is the error Verify returns, wrapped, for a webhook it
// cannot trust.
var ErrSignature = errors.New("invalid webhook signature")

// Verify checks a received webhook: timestamp and signature are the values
// of HeaderTimestamp and HeaderSignature, body the raw body. It fails when
// the timestamp is more than tolerance (DefaultTolerance when not
// positive) away from now, which stops replays, or when no "v1=" entry of
// the comma-separated signature matches. Comparison takes constant time.
func Verify(secret []byte, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) error {
	if len(secret) == 0 {
		return fmt.Errorf("%w: no secret to verify with", ErrSignature)
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	secs, err := strconv.ParseInt(strings.TrimSpace(timestamp), 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp is not Unix seconds", ErrSignature)
	}
	if skew := now.Sub(time.Unix(secs, 0)).Abs(); skew > tolerance {
		return fmt.Errorf("%w: timestamp is %s away from now, more than %s", ErrSignature, skew.Truncate(time.Second), tolerance)
	}
	want := Sign(secret, strings.TrimSpace(timestamp), body)
	for _, s := range strings.Split(signature, ",") {
		if hmac.Equal([]byte(strings.TrimSpace(s)), []byte(want)) {
			return nil
		}
	}
	return fmt.Errorf("%w: signature does not match", ErrSignature)
}
