package notify_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/notify"
	"github.com/hrsync/hrsync/notify/smtptest"
)

func emailConfig(srv *smtptest.Server, to ...string) notify.EmailConfig {
	return notify.EmailConfig{SMTPAddr: srv.Addr(), From: "hrsync <hrsync@acme.example>", To: to}
}

func sendEmail(t *testing.T, n *notify.Notifier, cfg notify.EmailConfig) (notify.Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return n.Send(ctx, notify.Config{Email: &cfg}, testNotice())
}

func TestEmailDelivered(t *testing.T) {
	srv := startSMTP(t, smtptest.Options{})
	n := notify.New(notify.Options{Now: func() time.Time { return fixedNow }})

	res, err := sendEmail(t, n, emailConfig(srv, "Ops <ops@acme.example>", "it@acme.example", "OPS@acme.example"))
	require.NoError(t, err)
	require.Equal(t, []string{"ops@acme.example", "it@acme.example"}, res.Emailed, "duplicates are sent once")
	require.Zero(t, res.Webhook)

	msgs := srv.Messages()
	require.Len(t, msgs, 1)
	m := msgs[0]
	require.Equal(t, "hrsync@acme.example", m.From)
	require.Equal(t, []string{"ops@acme.example", "it@acme.example"}, m.To)
	require.False(t, m.TLS)

	for _, line := range strings.Split(string(m.Data), "\r\n") {
		require.LessOrEqual(t, len(line), 78, "line %q", line)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	require.NoError(t, err)
	h := msg.Header
	date, err := h.Date()
	require.NoError(t, err)
	require.True(t, date.Equal(fixedNow))
	require.Equal(t, `"hrsync" <hrsync@acme.example>`, h.Get("From"))
	to, err := h.AddressList("To")
	require.NoError(t, err)
	require.Equal(t, []*mail.Address{{Name: "Ops", Address: "ops@acme.example"}, {Address: "it@acme.example"}}, to)
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	require.NoError(t, err)
	require.Equal(t, "[hrsync] acme: sync awaits approval (2 reasons)", subject)
	require.Regexp(t, regexp.MustCompile(`^<[0-9a-f]{32}\.hrsync@acme\.example>$`), h.Get("Message-ID"))
	require.Equal(t, "1.0", h.Get("MIME-Version"))
	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "text/plain", mediaType)
	require.Equal(t, "utf-8", params["charset"])
	require.Equal(t, "quoted-printable", h.Get("Content-Transfer-Encoding"))
	require.Equal(t, "auto-generated", h.Get("Auto-Submitted"))

	raw, err := io.ReadAll(msg.Body)
	require.NoError(t, err)
	require.Contains(t, string(raw), "Soci=C3=A9t=C3=A9", "UTF-8 is quoted-printable encoded")
	body, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw)))
	require.NoError(t, err)
	require.Contains(t, string(body), "\r\n", "lines end in CRLF")
	text := strings.ReplaceAll(string(body), "\r\n", "\n")
	for _, want := range []string{
		"A sync of integration acme (Acme Société) is waiting for an administrator's approval.",
		"  - mass_deactivation: the run would deactivate 30 of 100 users (30%, limit 20%)",
		"  - privacy: 2 employees' identities changed — review them",
		"  create      3\n",
		"  deactivate  30\n",
		"  update      12\n",
		"Held for review (2):",
		"  - E1001 (identity_change): lastName, email changed",
		"  - E1002 (identity_change): dateOfBirth changed",
		"see `go run ./starter status acme` for details",
		"To approve: go run ./starter approve acme",
		"To reject:  go run ./starter reject acme",
		"Temporal Web UI: http://localhost:8233/namespaces/default/workflows/sync%2Facme",
		"Sync workflow: sync/acme/2026-03-14T02:00:00Z",
		"Plan:          plan-7f3a",
		"Blocked at:    2026-03-14T02:00:07Z",
	} {
		require.Contains(t, text, want)
	}
	requireNoPII(t, "email", string(m.Data))
	requireNoPII(t, "email body", text)
}

func TestEmailSTARTTLSAndAuthPlain(t *testing.T) {
	srv := startSMTP(t, smtptest.Options{TLS: true, Username: "hrsync", Password: "s3cret"})
	n := notify.New(notify.Options{TLSConfig: trust(srv), Getenv: env(map[string]string{"HRSYNC_SECRET_SMTP_PASSWORD": "s3cret", "HRSYNC_SECRET_SMTP_PASSWORD_HOSTS": "127.0.0.1"})})
	cfg := emailConfig(srv, "ops@acme.example")
	cfg.StartTLS, cfg.Username, cfg.PasswordEnv = true, "hrsync", "HRSYNC_SECRET_SMTP_PASSWORD"

	res, err := sendEmail(t, n, cfg)
	require.NoError(t, err)
	require.Equal(t, []string{"ops@acme.example"}, res.Emailed)
	msgs := srv.Messages()
	require.Len(t, msgs, 1)
	require.True(t, msgs[0].TLS, "sent over STARTTLS")
	require.Equal(t, "hrsync", msgs[0].User)
}

func TestEmailAuthWithoutTLSOnLoopback(t *testing.T) {
	srv := startSMTP(t, smtptest.Options{Username: "hrsync", Password: "s3cret"})
	n := notify.New(notify.Options{Getenv: env(map[string]string{"HRSYNC_SECRET_SMTP_PASSWORD": "s3cret", "HRSYNC_SECRET_SMTP_PASSWORD_HOSTS": "127.0.0.1"})})
	cfg := emailConfig(srv, "ops@acme.example")
	cfg.Username, cfg.PasswordEnv = "hrsync", "HRSYNC_SECRET_SMTP_PASSWORD"

	_, err := sendEmail(t, n, cfg)
	require.NoError(t, err)
	require.Equal(t, "hrsync", srv.Messages()[0].User)
}

func TestEmailRequiredSTARTTLSMissing(t *testing.T) {
	srv := startSMTP(t, smtptest.Options{})
	cfg := emailConfig(srv, "ops@acme.example")
	cfg.StartTLS = true

	res, err := sendEmail(t, notify.New(notify.Options{}), cfg)
	require.Error(t, err)
	require.Contains(t, err.Error(), "does not offer STARTTLS")
	require.True(t, connectors.IsPermanent(err))
	require.Empty(t, res.Emailed)
	require.Empty(t, srv.Messages())
}

func TestEmailUntrustedCertificateIsPermanent(t *testing.T) {
	srv := startSMTP(t, smtptest.Options{TLS: true})
	cfg := emailConfig(srv, "ops@acme.example")
	cfg.StartTLS = true

	_, err := sendEmail(t, notify.New(notify.Options{}), cfg) // system roots only
	require.Error(t, err)
	require.True(t, connectors.IsPermanent(err), "%v", err)
	require.Empty(t, srv.Messages())
}

func TestEmailWrongPasswordIsPermanent(t *testing.T) {
	srv := startSMTP(t, smtptest.Options{TLS: true, Username: "hrsync", Password: "s3cret"})
	n := notify.New(notify.Options{TLSConfig: trust(srv), Getenv: env(map[string]string{"HRSYNC_SECRET_SMTP_PASSWORD": "guess", "HRSYNC_SECRET_SMTP_PASSWORD_HOSTS": "127.0.0.1"})})
	cfg := emailConfig(srv, "ops@acme.example")
	cfg.StartTLS, cfg.Username, cfg.PasswordEnv = true, "hrsync", "HRSYNC_SECRET_SMTP_PASSWORD"

	_, err := sendEmail(t, n, cfg)
	require.Error(t, err)
	require.True(t, connectors.IsPermanent(err))
	var te *textproto.Error
	require.ErrorAs(t, err, &te)
	require.Equal(t, 535, te.Code)
	require.NotContains(t, err.Error(), "guess", "errors never carry the password")
	require.Empty(t, srv.Messages())
}

func TestEmailMissingPasswordEnvIsConfigError(t *testing.T) {
	srv := startSMTP(t, smtptest.Options{Username: "hrsync", Password: "s3cret"})
	n := notify.New(notify.Options{Getenv: env(map[string]string{"OTHER": "x"})})
	cfg := emailConfig(srv, "ops@acme.example")
	cfg.Username, cfg.PasswordEnv = "hrsync", "HRSYNC_SECRET_SMTP_PASSWORD"

	_, err := sendEmail(t, n, cfg)
	require.Error(t, err)
	require.Contains(t, err.Error(), "email.passwordEnv")
	require.Contains(t, err.Error(), "HRSYNC_SECRET_SMTP_PASSWORD")
	require.Contains(t, err.Error(), "not set")
	require.True(t, connectors.IsPermanent(err))
	require.Empty(t, srv.Messages())
}

// A configuration may name only HRSYNC_SECRET_… variables, and a password
// goes only to the SMTP hosts its _HOSTS variable lists: a crafted
// smtpAddr gets neither the worker's keys nor another server's password.
func TestEmailPasswordStaysInScope(t *testing.T) {
	srv := startSMTP(t, smtptest.Options{Username: "hrsync", Password: "s3cret"})
	for _, tc := range []struct{ name, passwordEnv, want string }{
		{"another host's password", "HRSYNC_SECRET_SMTP_PASSWORD", "may be sent to smtp.acme.example, not to"},
		{"the worker's key", "HRSYNC_PAYLOAD_KEY", "only variables named HRSYNC_SECRET_"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := notify.New(notify.Options{Getenv: env(map[string]string{"HRSYNC_SECRET_SMTP_PASSWORD": "s3cret",
				"HRSYNC_SECRET_SMTP_PASSWORD_HOSTS": "smtp.acme.example", "HRSYNC_PAYLOAD_KEY": "k1:c2VjcmV0"})})
			cfg := emailConfig(srv, "ops@acme.example")
			cfg.Username, cfg.PasswordEnv = "hrsync", tc.passwordEnv
			_, err := sendEmail(t, n, cfg)
			require.ErrorContains(t, err, tc.want)
			require.True(t, connectors.IsPermanent(err))
			require.Empty(t, srv.Messages(), "nothing was sent")
		})
	}
}

func TestEmailReplyCodes(t *testing.T) {
	for _, tc := range []struct {
		code      int
		permanent bool
	}{
		{421, false},
		{451, false},
		{452, false},
		{550, true},
		{554, true},
	} {
		t.Run(strconv.Itoa(tc.code), func(t *testing.T) {
			srv := startSMTP(t, smtptest.Options{})
			srv.FailNext(tc.code)
			n := notify.New(notify.Options{})
			cfg := emailConfig(srv, "ops@acme.example")

			res, err := sendEmail(t, n, cfg)
			require.Error(t, err)
			require.Equal(t, tc.permanent, connectors.IsPermanent(err), "%v", err)
			var te *textproto.Error
			require.ErrorAs(t, err, &te)
			require.Equal(t, tc.code, te.Code)
			require.Empty(t, res.Emailed)
			require.Empty(t, srv.Messages())

			// The server has recovered: a retry delivers.
			res, err = sendEmail(t, n, cfg)
			require.NoError(t, err)
			require.Equal(t, []string{"ops@acme.example"}, res.Emailed)
			require.Len(t, srv.Messages(), 1)
		})
	}
}

func TestEmailRefusedRecipientDoesNotStopTheOthers(t *testing.T) {
	srv := startSMTP(t, smtptest.Options{RejectRecipients: []string{"left@acme.example"}})
	res, err := sendEmail(t, notify.New(notify.Options{}), emailConfig(srv, "left@acme.example", "ops@acme.example"))
	require.Error(t, err)
	require.True(t, connectors.IsPermanent(err))
	require.Contains(t, err.Error(), "recipient 1 of 2")
	require.Equal(t, []string{"ops@acme.example"}, res.Emailed)
	msgs := srv.Messages()
	require.Len(t, msgs, 1)
	require.Equal(t, []string{"ops@acme.example"}, msgs[0].To)
}

func TestEmailEveryRecipientRefused(t *testing.T) {
	srv := startSMTP(t, smtptest.Options{Domains: []string{"acme.example"}})
	res, err := sendEmail(t, notify.New(notify.Options{}), emailConfig(srv, "ops@elsewhere.example"))
	require.Error(t, err)
	require.True(t, connectors.IsPermanent(err))
	require.Empty(t, res.Emailed)
	require.Empty(t, srv.Messages())
}

func TestEmailNoRecipients(t *testing.T) {
	srv := startSMTP(t, smtptest.Options{})
	_, err := sendEmail(t, notify.New(notify.Options{}), emailConfig(srv))
	require.Error(t, err)
	require.True(t, connectors.IsPermanent(err))
	require.Contains(t, err.Error(), "no recipients")
}

func TestEmailServerDownIsRetryable(t *testing.T) {
	srv := startSMTP(t, smtptest.Options{})
	cfg := emailConfig(srv, "ops@acme.example")
	require.NoError(t, srv.Close())

	_, err := sendEmail(t, notify.New(notify.Options{}), cfg)
	require.Error(t, err)
	require.False(t, connectors.IsPermanent(err))
}

func TestEmailHonoursContextDeadline(t *testing.T) {
	// A server that accepts the connection and never greets.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer func() { _ = ln.Close() }()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			defer func() { _ = conn.Close() }()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	cfg := notify.EmailConfig{SMTPAddr: ln.Addr().String(), From: "hrsync@acme.example", To: []string{"ops@acme.example"}}

	start := time.Now()
	_, err = notify.New(notify.Options{}).Send(ctx, notify.Config{Email: &cfg}, testNotice())
	require.Error(t, err)
	require.Less(t, time.Since(start), 5*time.Second)
	require.False(t, connectors.IsPermanent(err))
	require.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
}

func TestEmailHonoursCancel(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer func() { _ = ln.Close() }()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			defer func() { _ = conn.Close() }()
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	cfg := notify.EmailConfig{SMTPAddr: ln.Addr().String(), From: "hrsync@acme.example", To: []string{"ops@acme.example"}}

	_, err = notify.New(notify.Options{}).Send(ctx, notify.Config{Email: &cfg}, testNotice())
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, connectors.IsPermanent(err))
}

func TestEmailManyHeldAreCapped(t *testing.T) {
	srv := startSMTP(t, smtptest.Options{})
	notice := testNotice()
	notice.Held = nil
	for i := range 120 {
		notice.Held = append(notice.Held, notify.Held{EmployeeID: "E" + strings.Repeat("9", 3) + string(rune('A'+i%26)), Code: "identity_change"})
	}
	notice.Blocks = notice.Blocks[:1]
	cfg := emailConfig(srv, "ops@acme.example")
	_, err := notify.New(notify.Options{}).Send(context.Background(), notify.Config{Email: &cfg}, notice)
	require.NoError(t, err)
	msg, err := mail.ReadMessage(bytes.NewReader(srv.Messages()[0].Data))
	require.NoError(t, err)
	require.Equal(t, "[hrsync] acme: sync awaits approval (1 reason)", msg.Header.Get("Subject"))
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	require.NoError(t, err)
	require.Contains(t, string(body), "Held for review (120):")
	require.Contains(t, string(body), "  ... and 70 more")
}
