// Package notify tells an integration's administrators, by email (SMTP) and
// by webhook (a signed JSON POST), that a sync waits for their approval, that
// a sync is delayed by an outage, or that an outage quarantined the
// integration.
//
// A Notice carries ids, counts and reasons. The identity details of held
// employees (old and new names, emails, dates of birth) leave hrsync only by
// a webhook configured with IncludePII; emails name the changed fields,
// never their values. Errors and logs never carry them either.
package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"time"

	"go.uber.org/zap"

	"github.com/hrsync/hrsync/connectors"
)

// Notice is what administrators are told: that a sync waits for approval
// (the default Event), is delayed, or that the integration is quarantined.
type Notice struct {
	// Event is what happened: EventAwaitingApproval (also when empty),
	// EventDelayed, EventQuarantined or EventFailed. The webhook sends it as its event.
	Event string `json:"event,omitempty"`
	// Message says in one sentence what happened to a delayed sync or a
	// quarantined integration; unused while a sync awaits approval.
	Message string `json:"message,omitempty"`
	// Retrying is what a delayed sync's failing step waits for, as status
	// shows it ("directory unreachable since 10:42, 7 tries, …"); empty
	// when unknown.
	Retrying string `json:"retrying,omitempty"`
	// ResumeHint is the command that resumes a quarantined integration,
	// e.g. "go run ./starter resume demo".
	ResumeHint string `json:"resumeHint,omitempty"`
	// IntegrationID and IntegrationName identify the integration.
	IntegrationID   string `json:"integrationId"`
	IntegrationName string `json:"integrationName,omitempty"`
	// SyncWorkflowID is the blocked sync's workflow.
	SyncWorkflowID string `json:"syncWorkflowId"`
	// PlanID is the blocked plan; approving names it.
	PlanID string `json:"planId"`
	// Blocks are the reasons the run waits.
	Blocks []Block `json:"blocks,omitempty"`
	// Planned counts the planned operations by name ("create", "update",
	// "deactivate", ...).
	Planned map[string]int `json:"planned,omitempty"`
	// Held are the employees the blocked sync keeps waiting: those held
	// for review or held back by the rules and, for a block that holds no
	// one by name (a mass deactivation), those its operations concern — at
	// most the first 100 of HeldTotal.
	Held      []Held `json:"held,omitempty"`
	HeldTotal int    `json:"heldTotal,omitempty"`
	// ApproveHint is the command that approves the run, e.g.
	// "go run ./starter approve demo".
	ApproveHint string `json:"approveHint,omitempty"`
	// UIURL optionally links to the sync in the Temporal Web UI.
	UIURL string `json:"uiUrl,omitempty"`
	// Time is when the sync blocked, or the event happened; the send time
	// when zero.
	Time time.Time `json:"time"`
}

// Block is one reason a run waits for approval, e.g. code
// "mass_deactivation" with message "the run would deactivate 30 of 100
// users (30%, limit 20%)".
type Block struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Held is one employee a blocked sync keeps waiting, named by HRIS id; Code
// and Reason say why ("identity_change", "name, email changed";
// "mass_deactivation"), never with personal data.
type Held struct {
	EmployeeID string        `json:"employeeId"`
	Code       string        `json:"code"`
	Reason     string        `json:"reason,omitempty"`
	Changes    []FieldChange `json:"changes,omitempty"`
}

// FieldChange is one identity attribute's value before and after. Old and
// New are personal data. Digest says hrsync keeps no values for the
// attribute, only keyed digests, so Old and New are empty even with PII.
type FieldChange struct {
	Field  string `json:"field"`
	Old    string `json:"old"`
	New    string `json:"new"`
	Digest bool   `json:"digest,omitempty"`
}

// Result says what was delivered.
type Result struct {
	// Emailed are the recipients the SMTP server accepted the email for.
	Emailed []string
	// Webhook is the HTTP status the webhook answered with, 0 when it was
	// not called or did not answer.
	Webhook int
}

// Options configure a Notifier; every field is optional.
type Options struct {
	// HTTPClient posts webhooks; one with DefaultTimeout when nil. Its
	// redirect policy is replaced: a webhook never follows redirects.
	HTTPClient *http.Client
	// Getenv looks up the environment variables that hold the SMTP
	// password and the webhook secret; os.Getenv when nil.
	Getenv func(name string) string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// TLSConfig is used for STARTTLS, e.g. to trust a private CA; the
	// system roots and the SMTP host's name when nil. ServerName defaults
	// to the host of email.smtpAddr.
	TLSConfig *tls.Config
	// Timeout bounds one SMTP conversation and one webhook call when the
	// context allows longer; DefaultTimeout when zero.
	Timeout time.Duration
	// HeloName is the name sent with EHLO; "localhost" when empty.
	HeloName string
	// Logger records what was sent, by ids and counts only; none when nil.
	Logger *zap.Logger
}

// DefaultTimeout bounds one SMTP conversation or webhook call.
const DefaultTimeout = 30 * time.Second

// Notifier sends notices. It is safe for concurrent use.
type Notifier struct {
	http     *http.Client
	getenv   func(string) string
	now      func() time.Time
	tls      *tls.Config
	timeout  time.Duration
	heloName string
	log      *zap.Logger
}

// New makes a Notifier, filling unset options with their defaults.
func New(opts Options) *Notifier {
	n := &Notifier{getenv: opts.Getenv, now: opts.Now, tls: opts.TLSConfig, timeout: opts.Timeout,
		heloName: opts.HeloName, log: opts.Logger}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	noRedirects := *hc
	noRedirects.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	n.http = &noRedirects
	if n.getenv == nil {
		n.getenv = os.Getenv
	}
	if n.now == nil {
		n.now = time.Now
	}
	if n.timeout <= 0 {
		n.timeout = DefaultTimeout
	}
	if n.heloName == "" {
		n.heloName = "localhost"
	}
	if n.log == nil {
		n.log = zap.NewNop()
	}
	return n
}

// The events of a Notice, as a webhook names them.
const (
	// EventAwaitingApproval is a sync that waits for an administrator to
	// approve or reject its plan.
	EventAwaitingApproval = "sync.awaiting_approval"
	// EventDelayed is a sync still running past the outage policy's
	// notifyAfter, typically because the HRIS or the directory is down.
	EventDelayed = "sync.delayed"
	// EventQuarantined is an integration whose sync gave up after the
	// outage policy's giveUpAfter: scheduled syncs are paused until an
	// administrator resumes it.
	EventQuarantined = "integration.quarantined"
	// EventFailed is a sync that failed (other than by giving up after
	// the outage limit, which EventQuarantined tells): it changed what its
	// report says and the next run tries again, or the account needs
	// connecting again.
	EventFailed = "sync.failed"
)

// event is the notice's event, EventAwaitingApproval when unset.
func (n Notice) event() string {
	if n.Event == "" {
		return EventAwaitingApproval
	}
	return n.Event
}

// incident reports whether the notice is about an outage (a delayed sync or
// a quarantined integration) rather than a plan awaiting approval.
func (n Notice) incident() bool {
	return n.Event == EventDelayed || n.Event == EventQuarantined || n.Event == EventFailed
}

// Send delivers notice by every channel cfg configures: email, then
// webhook. A failing channel does not stop the other; the error joins every
// failure. A failure retrying cannot fix (an invalid configuration, a
// missing secret, an SMTP 5xx reply, a webhook 4xx other than 408 and 429)
// is permanent; the joined error satisfies connectors.IsPermanent only when
// every failure is. A retry repeats the channels that succeeded unless the
// caller drops them from cfg: Result says which did. An email refused for
// some recipients is still sent to the others. With no channel configured
// Send does nothing.
func (n *Notifier) Send(ctx context.Context, cfg Config, notice Notice) (Result, error) {
	if notice.Time.IsZero() {
		notice.Time = n.now()
	}
	if ev := notice.event(); ev != EventAwaitingApproval && !notice.incident() {
		return Result{}, connectors.Permanent(fmt.Errorf("notify: unknown event %q", ev))
	}
	var res Result
	var errs []error
	log := n.log.With(zap.String("Event", notice.event()), zap.String("IntegrationId", notice.IntegrationID),
		zap.String("SyncWorkflowId", notice.SyncWorkflowID), zap.String("PlanId", notice.PlanID))
	if cfg.Email != nil {
		emailed, err := n.email(ctx, *cfg.Email, notice)
		res.Emailed = emailed
		if len(emailed) > 0 {
			log.Info("Emailed administrators", zap.Int("Recipients", len(emailed)))
		}
		if err != nil {
			log.Warn("Unable to email administrators", zap.Error(err))
			errs = append(errs, err)
		}
	}
	if cfg.Webhook != nil {
		status, err := n.webhook(ctx, *cfg.Webhook, notice)
		res.Webhook = status
		if err != nil {
			log.Warn("Unable to call the notification webhook", zap.Int("Status", status), zap.Error(err))
			errs = append(errs, err)
		} else {
			log.Info("Called the notification webhook", zap.Int("Status", status))
		}
	}
	return res, joinFailures(errs)
}

// joinFailures joins the channels' errors. The result is permanent only
// when every failure is: while one channel may still succeed, a retry is
// worth it, so the permanent failures are then kept only as text.
func joinFailures(errs []error) error {
	if !slices.ContainsFunc(errs, func(err error) bool { return !connectors.IsPermanent(err) }) {
		return errors.Join(errs...)
	}
	for i, err := range errs {
		if connectors.IsPermanent(err) {
			errs[i] = errors.New(err.Error())
		}
	}
	return errors.Join(errs...)
}
