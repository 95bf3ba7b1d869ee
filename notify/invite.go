package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"text/template"
	"time"

	"go.uber.org/zap"

	"github.com/hrsync/hrsync/connectors"
)

// EventUserInvited is the webhook event of one newly created user invited
// to the directory's platform.
const EventUserInvited = "user.invited"

// The invitation email sent when the template leaves its subject or body
// unset.
const (
	DefaultInviteSubject = "{{firstName}}, your account is ready"
	DefaultInviteBody    = `Hello {{firstName}},

An account has been created for you. Sign in here to get started:

{{loginURL}}
`
)

// InviteTemplate is the email that invites a newly created user. Subject and
// Body are text/template templates with the functions firstName, lastName
// and loginURL ({{firstName}}, ...); the same values are the fields
// .FirstName, .LastName and .LoginURL. Unset, they are
// DefaultInviteSubject and DefaultInviteBody.
type InviteTemplate struct {
	Subject string `json:"subject,omitempty" yaml:"subject,omitempty"`
	Body    string `json:"body,omitempty" yaml:"body,omitempty"`
	// LoginURL is where the invited user signs in: an http(s) URL.
	LoginURL string `json:"loginUrl,omitempty" yaml:"loginUrl,omitempty"`
}

// InviteData is what an invitation template is rendered with.
type InviteData struct {
	FirstName string
	LastName  string
	LoginURL  string
}

// maxTemplate bounds the length of an invitation subject or body template.
const maxTemplate = 16 << 10

// Check reports every problem with t at once, each naming its field, e.g.
// "subject: ...": a template that does not parse or render, or a login URL
// that is not an absolute http(s) URL.
func (t InviteTemplate) Check() error {
	var errs []error
	for _, f := range []struct{ name, text string }{{"subject", t.Subject}, {"body", t.Body}} {
		if len(f.text) > maxTemplate {
			errs = append(errs, fmt.Errorf("%s: is longer than %d bytes", f.name, maxTemplate))
		}
	}
	if _, _, err := t.Render(InviteData{FirstName: "Ada", LastName: "Lovelace", LoginURL: "https://example.com"}); err != nil {
		errs = append(errs, err)
	}
	if t.LoginURL != "" {
		u, err := url.Parse(t.LoginURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, errors.New("loginUrl: must be an absolute http(s) URL"))
		}
	}
	return errors.Join(errs...)
}

// Render returns the subject, on one line, and the body of the invitation
// for d. A template that does not parse or execute is an error naming its
// field.
func (t InviteTemplate) Render(d InviteData) (subject, body string, err error) {
	subject, err = render("subject", t.Subject, DefaultInviteSubject, d)
	if err != nil {
		return "", "", err
	}
	body, err = render("body", t.Body, DefaultInviteBody, d)
	if err != nil {
		return "", "", err
	}
	return oneLine(subject), body, nil
}

func render(name, text, fallback string, d InviteData) (string, error) {
	if text == "" {
		text = fallback
	}
	funcs := template.FuncMap{
		"firstName": func() string { return d.FirstName },
		"lastName":  func() string { return d.LastName },
		"loginURL":  func() string { return d.LoginURL },
	}
	tmpl, err := template.New(name).Funcs(funcs).Option("missingkey=error").Parse(text)
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, d); err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return b.String(), nil
}

// Invite is one newly created directory user to invite.
type Invite struct {
	IntegrationID   string
	IntegrationName string
	SyncWorkflowID  string
	// EmployeeID is the user's HRIS id, TargetID its directory id.
	EmployeeID string
	TargetID   string
	// FirstName, LastName and Email are personal data: they go into the
	// email, and into the webhook only when it is configured with
	// IncludePII.
	FirstName string
	LastName  string
	Email     string
	Template  InviteTemplate
	// Time is when the invitation is sent; the send time when zero.
	Time time.Time
}

// InvitePayload is the JSON body of the EventUserInvited webhook. Every
// field is always present; FirstName, LastName and Email are "" unless the
// webhook is configured with IncludePII.
type InvitePayload struct {
	Event           string    `json:"event"`
	IntegrationID   string    `json:"integrationId"`
	IntegrationName string    `json:"integrationName"`
	SyncWorkflowID  string    `json:"syncWorkflowId"`
	EmployeeID      string    `json:"employeeId"`
	TargetID        string    `json:"targetId"`
	LoginURL        string    `json:"loginUrl"`
	Emailed         bool      `json:"emailed"`
	IncludesPII     bool      `json:"includesPII"`
	FirstName       string    `json:"firstName"`
	LastName        string    `json:"lastName"`
	Email           string    `json:"email"`
	Time            time.Time `json:"time"`
}

// InviteResult says how an invitation went out.
type InviteResult struct {
	// Emailed is true when the SMTP server accepted the email.
	Emailed bool
	// Webhook is the HTTP status the webhook answered with, 0 when it was
	// not called or did not answer.
	Webhook int
}

// Invite sends inv by every channel cfg configures: an email to the user
// (cfg.Email's server and sender; its recipients are ignored), then the
// EventUserInvited webhook, which says whether the email went. A failing
// channel does not stop the other; the error joins every failure and wraps
// ErrMaybeDelivered when the email may have been accepted all the same.
// Errors and logs name the employee by HRIS id only.
func (n *Notifier) Invite(ctx context.Context, cfg Config, inv Invite) (InviteResult, error) {
	if inv.Time.IsZero() {
		inv.Time = n.now()
	}
	var res InviteResult
	var errs []error
	log := n.log.With(zap.String("Event", EventUserInvited), zap.String("IntegrationId", inv.IntegrationID),
		zap.String("SyncWorkflowId", inv.SyncWorkflowID), zap.String("EmployeeId", inv.EmployeeID))
	if cfg.Email != nil {
		err := n.inviteEmail(ctx, *cfg.Email, inv)
		res.Emailed = err == nil
		if err != nil {
			log.Warn("Unable to email the invitation", zap.Error(err))
			errs = append(errs, err)
		} else {
			log.Info("Emailed the invitation")
		}
	}
	if cfg.Webhook != nil {
		status, err := n.inviteWebhook(ctx, *cfg.Webhook, inv, res.Emailed)
		res.Webhook = status
		if err != nil {
			log.Warn("Unable to call the invitation webhook", zap.Int("Status", status), zap.Error(err))
			errs = append(errs, err)
		}
	}
	return res, joinFailures(errs)
}

// inviteEmail emails inv to the user.
func (n *Notifier) inviteEmail(ctx context.Context, cfg EmailConfig, inv Invite) error {
	cfg.To = nil
	if err := (Config{Email: &cfg}).Check(); err != nil {
		return connectors.Permanent(fmt.Errorf("notify: invite: invalid configuration: %w", err))
	}
	if err := inv.Template.Check(); err != nil {
		return connectors.Permanent(fmt.Errorf("notify: invite: template: %w", err))
	}
	from, _ := parseAddress(cfg.From) // Check parsed it
	to, err := parseAddress(inv.Email)
	if err != nil || strings.TrimSpace(inv.Email) == "" {
		// The address is personal data: never repeat it.
		return connectors.Permanent(fmt.Errorf("notify: invite: employee %s has no valid email address", inv.EmployeeID))
	}
	subject, body, err := inv.Template.Render(InviteData{FirstName: inv.FirstName, LastName: inv.LastName,
		LoginURL: inv.Template.LoginURL})
	if err != nil {
		return connectors.Permanent(fmt.Errorf("notify: invite: template: %w", err))
	}
	rcpt := []*mail.Address{{Name: strings.TrimSpace(inv.FirstName + " " + inv.LastName), Address: to.Address}}
	msg, err := n.message(from, rcpt, subject, body)
	if err != nil {
		return fmt.Errorf("notify: invite: %w", err)
	}
	_, err = n.sendMail(ctx, cfg, from, rcpt, msg)
	return err
}

// inviteWebhook posts the EventUserInvited event of inv.
func (n *Notifier) inviteWebhook(ctx context.Context, cfg WebhookConfig, inv Invite, emailed bool) (int, error) {
	p := InvitePayload{
		Event: EventUserInvited, IntegrationID: inv.IntegrationID, IntegrationName: inv.IntegrationName,
		SyncWorkflowID: inv.SyncWorkflowID, EmployeeID: inv.EmployeeID, TargetID: inv.TargetID,
		LoginURL: inv.Template.LoginURL, Emailed: emailed, IncludesPII: cfg.IncludePII, Time: inv.Time.UTC(),
	}
	if cfg.IncludePII {
		p.FirstName, p.LastName, p.Email = inv.FirstName, inv.LastName, inv.Email
	}
	return n.post(ctx, cfg, EventUserInvited, p)
}
