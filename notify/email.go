package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"slices"
	"strings"
	"time"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/credentials"
)

// maxHeldInEmail bounds how many held employees an email lists.
const maxHeldInEmail = 50

// email sends notice to cfg's recipients and returns those the server
// accepted it for.
func (n *Notifier) email(ctx context.Context, cfg EmailConfig, notice Notice) ([]string, error) {
	if err := (Config{Email: &cfg}).Check(); err != nil {
		return nil, connectors.Permanent(fmt.Errorf("notify: email: invalid configuration: %w", err))
	}
	from, _ := parseAddress(cfg.From) // Check parsed it
	to := make([]*mail.Address, 0, len(cfg.To))
	for _, s := range cfg.To {
		a, _ := parseAddress(s) // Check parsed it
		if !slices.ContainsFunc(to, func(b *mail.Address) bool { return strings.EqualFold(a.Address, b.Address) }) {
			to = append(to, a)
		}
	}
	if len(to) == 0 {
		return nil, connectors.Permanent(errors.New("notify: email: no recipients: email.to is empty and the integration has no admins"))
	}
	msg, err := n.message(from, to, subject(notice), emailBody(notice))
	if err != nil {
		return nil, fmt.Errorf("notify: email: %w", err)
	}
	return n.sendMail(ctx, cfg, from, to, msg)
}

// ErrMaybeDelivered marks, wrapped, an email whose conversation failed
// after the whole message was handed to the server: it may have been
// accepted all the same. Any other failure delivered nothing.
var ErrMaybeDelivered = errors.New("the server may have accepted the message")

// sendMail hands msg to cfg's SMTP server for every address of to, and
// returns those it accepted. cfg has been checked.
func (n *Notifier) sendMail(ctx context.Context, cfg EmailConfig, from *mail.Address, to []*mail.Address, msg []byte) ([]string, error) {
	var password string
	if cfg.Username != "" {
		// The password goes to the SMTP server only.
		var err error
		password, err = credentials.EnvSecret(n.getenv, cfg.PasswordEnv, credentials.Use{Hosts: []string{cfg.SMTPAddr}})
		if err != nil {
			return nil, connectors.Permanent(fmt.Errorf("notify: email: email.passwordEnv: %w", err))
		}
	}

	host, _, _ := net.SplitHostPort(cfg.SMTPAddr)
	fail := func(stage string, err error) error {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%w)", err, ctx.Err())
		}
		err = fmt.Errorf("notify: email: %s %s: %w", cfg.SMTPAddr, stage, err)
		if permanentSMTP(err) {
			return connectors.Permanent(err)
		}
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, n.timeout)
	defer cancel()
	dialer := net.Dialer{Timeout: n.timeout}
	conn, err := dialer.DialContext(ctx, "tcp", cfg.SMTPAddr)
	if err != nil {
		return nil, fail("dial", err)
	}
	// When ctx ends (cancelled, or past its deadline, which the timeout
	// guarantees) the read or write under way fails; ctx.Err is set by then.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		_ = conn.Close()
		return nil, fail("greeting", err)
	}
	defer func() { _ = c.Close() }()

	if err := c.Hello(n.heloName); err != nil {
		return nil, fail("EHLO", err)
	}
	if cfg.StartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return nil, connectors.Permanent(fail("STARTTLS", errors.New("the server does not offer STARTTLS, which email.startTLS requires")))
		}
		if err := c.StartTLS(n.tlsConfig(host)); err != nil {
			return nil, fail("STARTTLS", err)
		}
	}
	if cfg.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return nil, connectors.Permanent(fail("AUTH", errors.New("the server does not offer AUTH, which email.username requires")))
		}
		if err := c.Auth(smtp.PlainAuth("", cfg.Username, password, host)); err != nil {
			return nil, fail("AUTH", err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return nil, fail("MAIL FROM", err)
	}
	// A refused recipient (5xx) does not keep the others from being told;
	// a transient refusal (4xx) aborts so that a retry reaches everyone.
	var accepted []string
	var refused []error
	for i, a := range to {
		err := c.Rcpt(a.Address)
		switch {
		case err == nil:
			accepted = append(accepted, a.Address)
		case permanentSMTP(err):
			refused = append(refused, fail(fmt.Sprintf("RCPT TO (recipient %d of %d)", i+1, len(to)), err))
		default:
			_ = c.Reset()
			return nil, fail(fmt.Sprintf("RCPT TO (recipient %d of %d)", i+1, len(to)), err)
		}
	}
	if len(accepted) == 0 {
		_ = c.Reset()
		_ = c.Quit()
		return nil, errors.Join(refused...)
	}
	w, err := c.Data()
	if err != nil {
		return nil, fail("DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return nil, fail("DATA", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("%w (%w)", fail("DATA", err), ErrMaybeDelivered)
	}
	_ = c.Quit() // the message is accepted whatever QUIT answers
	return accepted, errors.Join(refused...)
}

// permanentSMTP reports whether err is an SMTP 5xx reply or a TLS
// certificate the server will keep presenting.
func permanentSMTP(err error) bool {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code >= 500
	}
	var ce *tls.CertificateVerificationError
	return errors.As(err, &ce)
}

// tlsConfig is the STARTTLS configuration for host.
func (n *Notifier) tlsConfig(host string) *tls.Config {
	cfg := &tls.Config{}
	if n.tls != nil {
		cfg = n.tls.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	if cfg.MinVersion == 0 {
		cfg.MinVersion = tls.VersionTLS12
	}
	return cfg
}

// message renders an RFC 5322 message with a quoted-printable UTF-8 text
// body.
func (n *Notifier) message(from *mail.Address, to []*mail.Address, subj, body string) ([]byte, error) {
	id, err := messageID(from.Address)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	header := func(name, value string) { b.WriteString(name + ": " + value + "\r\n") }
	header("Date", n.now().Format(time.RFC1123Z))
	header("From", from.String())
	header("To", addressList(len("To: "), to))
	header("Subject", mime.QEncoding.Encode("utf-8", subj))
	header("Message-ID", id)
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	header("Auto-Submitted", "auto-generated") // RFC 3834: no auto-replies
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(body)); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// messageID makes a unique Message-ID in the sender's domain.
func messageID(from string) (string, error) {
	var r [16]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", fmt.Errorf("message id: %w", err)
	}
	domain := "hrsync.invalid"
	if _, d, ok := strings.Cut(from, "@"); ok && d != "" {
		domain = d
	}
	return "<" + hex.EncodeToString(r[:]) + ".hrsync@" + domain + ">", nil
}

// addressList joins addresses for a header, folding lines before 78
// characters; used is the length of the line's start ("To: ").
func addressList(used int, as []*mail.Address) string {
	var sb strings.Builder
	for i, a := range as {
		s := a.String()
		if i > 0 {
			sb.WriteByte(',')
			used++
			if used+1+len(s) > 78 {
				sb.WriteString("\r\n ")
				used = 1
			} else {
				sb.WriteByte(' ')
				used++
			}
		}
		sb.WriteString(s)
		used += len(s)
	}
	return sb.String()
}

// subject is the email subject for notice, e.g.
// "[hrsync] acme: sync awaits approval (2 reasons)".
func subject(notice Notice) string {
	switch notice.Event {
	case EventDelayed:
		return "[hrsync] " + oneLine(notice.IntegrationID) + ": sync delayed"
	case EventQuarantined:
		return "[hrsync] " + oneLine(notice.IntegrationID) + ": integration quarantined, scheduled syncs paused"
	case EventFailed:
		return "[hrsync] " + oneLine(notice.IntegrationID) + ": sync failed"
	}
	s := "[hrsync] " + oneLine(notice.IntegrationID) + ": sync awaits approval"
	switch len(notice.Blocks) {
	case 0:
	case 1:
		s += " (1 reason)"
	default:
		s += fmt.Sprintf(" (%d reasons)", len(notice.Blocks))
	}
	return s
}

// emailBody is the plain-text body of the email for notice: the reasons,
// the planned counts, the held employees by HRIS id and code with the
// names (never the values) of their changed fields, and what to run next.
func emailBody(notice Notice) string {
	if notice.incident() {
		return incidentBody(notice)
	}
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	id := oneLine(notice.IntegrationID)
	if name := oneLine(notice.IntegrationName); name != "" && name != id {
		line("A sync of integration %s (%s) is waiting for an administrator's approval.", id, name)
	} else {
		line("A sync of integration %s is waiting for an administrator's approval.", id)
	}

	line("")
	line("Why it waits:")
	if len(notice.Blocks) == 0 {
		line("  (no reason given)")
	}
	for _, bl := range notice.Blocks {
		line("  - %s: %s", oneLine(bl.Code), oneLine(bl.Message))
	}

	line("")
	line("Planned changes:")
	ops := make([]string, 0, len(notice.Planned))
	width := 0
	for op, count := range notice.Planned {
		if count != 0 {
			ops = append(ops, op)
			width = max(width, len(oneLine(op)))
		}
	}
	slices.Sort(ops)
	if len(ops) == 0 {
		line("  none")
	}
	for _, op := range ops {
		line("  %-*s  %d", width, oneLine(op), notice.Planned[op])
	}

	if len(notice.Held) > 0 {
		line("")
		total := max(notice.HeldTotal, len(notice.Held))
		line("Held for review (%d):", total)
		for i, h := range notice.Held {
			if i == maxHeldInEmail {
				line("  ... and %d more", total-maxHeldInEmail)
				break
			}
			fields := make([]string, 0, len(h.Changes))
			for _, c := range h.Changes {
				fields = append(fields, oneLine(c.Field))
			}
			if len(fields) > 0 {
				line("  - %s (%s): %s changed", oneLine(h.EmployeeID), oneLine(h.Code), strings.Join(fields, ", "))
			} else if h.Reason != "" {
				line("  - %s (%s): %s", oneLine(h.EmployeeID), oneLine(h.Code), oneLine(h.Reason))
			} else {
				line("  - %s (%s)", oneLine(h.EmployeeID), oneLine(h.Code))
			}
		}
		line("Old and new values are not sent by email; see `%s` for details.", command(notice, "status"))
	}

	line("")
	approve := oneLine(notice.ApproveHint)
	if approve == "" {
		approve = command(notice, "approve")
	}
	line("To approve: %s", approve)
	line("To reject:  %s", command(notice, "reject"))
	if u := oneLine(notice.UIURL); u != "" {
		line("Temporal Web UI: %s", u)
	}

	writeFooter(line, notice, "Blocked at:    ")
	return b.String()
}

// incidentBody is the plain-text body of the email for a delayed sync or a
// quarantined integration: what happened in one sentence, what the failing
// step waits for when known, and what to run next. It names ids only.
func incidentBody(notice Notice) string {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	id := oneLine(notice.IntegrationID)
	name := id
	if n := oneLine(notice.IntegrationName); n != "" && n != id {
		name = id + " (" + n + ")"
	}
	switch notice.Event {
	case EventQuarantined:
		line("Integration %s is quarantined: a sync gave up after the outage limit, and scheduled syncs are paused until an administrator resumes it.", name)
	case EventFailed:
		line("A sync of integration %s failed; what it applied before it stopped is in its report.", name)
	default:
		line("A sync of integration %s is taking longer than it should; it keeps retrying.", name)
	}
	line("")
	if msg := oneLine(notice.Message); msg != "" {
		line("%s", msg)
		line("")
	}
	if r := oneLine(notice.Retrying); r != "" {
		line("Retrying: %s", r)
		line("")
	}
	if notice.Event == EventQuarantined {
		resume := oneLine(notice.ResumeHint)
		if resume == "" {
			resume = command(notice, "resume")
		}
		line("To resume:     %s", resume)
	}
	line("To see status: %s", command(notice, "status"))
	if u := oneLine(notice.UIURL); u != "" {
		line("Temporal Web UI: %s", u)
	}
	writeFooter(line, notice, "Time:          ")
	return b.String()
}

// writeFooter ends every email the same way: the ids a reader looks the run
// up by, when it happened (after timeLabel), and the signature.
func writeFooter(line func(format string, args ...any), notice Notice, timeLabel string) {
	line("")
	line("Integration:   %s", oneLine(notice.IntegrationID))
	if notice.SyncWorkflowID != "" {
		line("Sync workflow: %s", oneLine(notice.SyncWorkflowID))
	}
	if notice.PlanID != "" {
		line("Plan:          %s", oneLine(notice.PlanID))
	}
	if !notice.Time.IsZero() {
		line("%s%s", timeLabel, notice.Time.UTC().Format(time.RFC3339))
	}
	line("")
	line("-- ")
	line("hrsync")
}

// command is the starter command running verb on the notice's integration,
// spelt like ApproveHint or ResumeHint ("go run ./starter approve demo"
// gives "go run ./starter reject demo").
func command(notice Notice, verb string) string {
	prefix := "starter"
	for _, hint := range []struct{ text, verb string }{
		{notice.ApproveHint, "approve"}, {notice.ResumeHint, "resume"},
	} {
		fields := strings.Fields(oneLine(hint.text))
		if i := slices.Index(fields, hint.verb); i > 0 {
			prefix = strings.Join(fields[:i], " ")
			break
		}
	}
	return prefix + " " + verb + " " + oneLine(notice.IntegrationID)
}

// oneLine replaces control characters with spaces and trims the result, so
// a value cannot break the layout of the text it goes in.
func oneLine(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s))
}
