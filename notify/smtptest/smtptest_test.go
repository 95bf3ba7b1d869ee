package smtptest_test

import (
	"crypto/tls"
	"encoding/base64"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/notify/smtptest"
)

func start(t *testing.T, opts smtptest.Options) *smtptest.Server {
	t.Helper()
	srv, err := smtptest.Start(opts)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, srv.Close()) })
	return srv
}

// conn is a raw SMTP conversation.
type conn struct {
	t   *testing.T
	raw net.Conn
	*textproto.Conn
}

func dial(t *testing.T, srv *smtptest.Server) *conn {
	t.Helper()
	raw, err := net.Dial("tcp", srv.Addr())
	require.NoError(t, err)
	t.Cleanup(func() { _ = raw.Close() })
	cc := &conn{t: t, raw: raw, Conn: textproto.NewConn(raw)}
	cc.expect(220, "", "greeting")
	return cc
}

// expect reads a reply and checks its code and that its text contains
// want.
func (c *conn) expect(code int, want, what string) string {
	c.t.Helper()
	got, msg, err := c.ReadResponse(0)
	require.NoError(c.t, err, what)
	require.Equal(c.t, code, got, "%s: %s", what, msg)
	require.Contains(c.t, msg, want, what)
	return msg
}

// cmd sends a command and checks the reply.
func (c *conn) cmd(line string, code int, want string) string {
	c.t.Helper()
	require.NoError(c.t, c.PrintfLine("%s", line))
	return c.expect(code, want, line)
}

func TestSendMailRecordsMessage(t *testing.T) {
	srv := start(t, smtptest.Options{})
	msg := "Subject: hi\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nlast line\r\n"
	require.NoError(t, smtp.SendMail(srv.Addr(), nil, "from@a.example", []string{"x@b.example", "y@c.example"}, []byte(msg)))

	msgs := srv.Messages()
	require.Len(t, msgs, 1)
	require.Equal(t, smtptest.Message{From: "from@a.example", To: []string{"x@b.example", "y@c.example"}, Data: []byte(msg)}, msgs[0])

	// Messages returns copies.
	msgs[0].To[0] = "changed"
	require.Equal(t, "x@b.example", srv.Messages()[0].To[0])
}

func TestSTARTTLSAndAuth(t *testing.T) {
	srv := start(t, smtptest.Options{TLS: true, Username: "user", Password: "pass"})
	require.NotNil(t, srv.RootCAs())
	c, err := smtp.Dial(srv.Addr())
	require.NoError(t, err)
	defer func() { _ = c.Close() }()
	require.NoError(t, c.Hello("client.example"))
	ok, _ := c.Extension("STARTTLS")
	require.True(t, ok)
	ok, mechs := c.Extension("AUTH")
	require.True(t, ok)
	require.Equal(t, "PLAIN", mechs)
	ok, size := c.Extension("SIZE")
	require.True(t, ok)
	require.Equal(t, "10485760", size)

	require.NoError(t, c.StartTLS(&tls.Config{RootCAs: srv.RootCAs(), ServerName: "127.0.0.1"}))
	ok, _ = c.Extension("STARTTLS")
	require.False(t, ok, "not offered twice")
	require.NoError(t, c.Auth(smtp.PlainAuth("", "user", "pass", "127.0.0.1")))
	require.NoError(t, c.Mail("from@a.example"))
	require.NoError(t, c.Rcpt("to@b.example"))
	w, err := c.Data()
	require.NoError(t, err)
	_, err = w.Write([]byte("Subject: tls\r\n\r\nbody\r\n"))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	require.NoError(t, c.Quit())

	msgs := srv.Messages()
	require.Len(t, msgs, 1)
	require.True(t, msgs[0].TLS)
	require.Equal(t, "user", msgs[0].User)
}

func TestCertificateIsForLoopback(t *testing.T) {
	srv := start(t, smtptest.Options{TLS: true})
	for _, name := range []string{"127.0.0.1", "localhost"} {
		c, err := smtp.Dial(srv.Addr())
		require.NoError(t, err)
		require.NoError(t, c.StartTLS(&tls.Config{RootCAs: srv.RootCAs(), ServerName: name}), name)
		require.NoError(t, c.Quit())
	}
	c, err := smtp.Dial(srv.Addr())
	require.NoError(t, err)
	defer func() { _ = c.Close() }()
	require.Error(t, c.StartTLS(&tls.Config{ServerName: "127.0.0.1"}), "not trusted without RootCAs")
}

func TestWrongPassword(t *testing.T) {
	srv := start(t, smtptest.Options{Username: "user", Password: "pass"})
	c, err := smtp.Dial(srv.Addr())
	require.NoError(t, err)
	defer func() { _ = c.Close() }()
	err = c.Auth(smtp.PlainAuth("", "user", "wrong", "127.0.0.1"))
	var te *textproto.Error
	require.ErrorAs(t, err, &te)
	require.Equal(t, 535, te.Code)
}

func TestAuthProtocol(t *testing.T) {
	srv := start(t, smtptest.Options{Username: "user", Password: "pass"})
	c := dial(t, srv)
	plain := base64.StdEncoding.EncodeToString([]byte("\x00user\x00pass"))
	c.cmd("AUTH PLAIN "+plain, 503, "EHLO first")
	c.cmd("EHLO client.example", 250, "AUTH PLAIN")
	c.cmd("MAIL FROM:<a@b.example>", 530, "Authentication required")
	c.cmd("AUTH LOGIN", 504, "Unrecognized")
	c.cmd("AUTH PLAIN", 334, "")
	c.cmd("*", 501, "cancelled")
	c.cmd("AUTH PLAIN", 334, "")
	c.cmd("not base64!", 501, "decode")
	c.cmd("AUTH PLAIN "+base64.StdEncoding.EncodeToString([]byte("other\x00user\x00pass")), 535, "invalid")
	c.cmd("AUTH PLAIN", 334, "")
	c.cmd(plain, 235, "successful")
	c.cmd("AUTH PLAIN "+plain, 503, "Already")
	c.cmd("MAIL FROM:<a@b.example>", 250, "")
}

func TestAuthNotOffered(t *testing.T) {
	srv := start(t, smtptest.Options{})
	c := dial(t, srv)
	msg := c.cmd("EHLO client.example", 250, "8BITMIME")
	require.NotContains(t, msg, "AUTH")
	require.NotContains(t, msg, "STARTTLS")
	c.cmd("AUTH PLAIN AHVAcA==", 502, "")
	c.cmd("STARTTLS", 502, "")
}

func TestProtocolSequence(t *testing.T) {
	srv := start(t, smtptest.Options{})
	c := dial(t, srv)
	c.cmd("FROB", 502, "not implemented")
	c.cmd("", 500, "")
	c.cmd("MAIL FROM:<a@b.example>", 503, "EHLO")
	c.cmd("EHLO", 501, "")
	c.cmd("HELO client.example", 250, "greets client.example")
	c.cmd("RCPT TO:<x@y.example>", 503, "MAIL")
	c.cmd("DATA", 503, "MAIL")
	c.cmd("MAIL FROM:a@b.example", 501, "Syntax")
	c.cmd("MAIL FROM:<not an address>", 501, "")
	c.cmd("MAIL FROM:<a@b.example> FOO=BAR", 555, "")
	c.cmd("mail from:<>", 250, "")
	c.cmd("MAIL FROM:<a@b.example>", 503, "Nested")
	c.cmd("DATA", 554, "No valid recipients")
	c.cmd("RCPT TO:<@relay.example:x@y.example>", 250, "")
	c.cmd("RCPT TO:<bad>", 501, "")
	c.cmd("RSET extra", 501, "")
	c.cmd("RSET", 250, "")
	c.cmd("DATA", 503, "MAIL")
	c.cmd("NOOP", 250, "")
	c.cmd("MAIL FROM:<a@b.example> BODY=8BITMIME SIZE=100", 250, "")
	c.cmd("RCPT TO:<Postmaster>", 250, "")
	c.cmd("DATA", 354, "")
	require.NoError(t, c.PrintfLine("line one\r\n..stuffed\r\n."))
	c.expect(250, "queued", "end of data")
	c.cmd("QUIT", 221, "")

	msgs := srv.Messages()
	require.Len(t, msgs, 1)
	require.Equal(t, smtptest.Message{From: "a@b.example", To: []string{"Postmaster"}, Data: []byte("line one\r\n.stuffed\r\n")}, msgs[0])
	require.Len(t, srv.Messages(), 1, "the transaction after QUIT is gone")
}

func TestRejectRecipients(t *testing.T) {
	srv := start(t, smtptest.Options{RejectRecipients: []string{"Gone@A.example", "@b.example", "c.example"}})
	c := dial(t, srv)
	c.cmd("EHLO client.example", 250, "")
	c.cmd("MAIL FROM:<a@a.example>", 250, "")
	c.cmd("RCPT TO:<gone@a.example>", 550, "rejected")
	c.cmd("RCPT TO:<here@a.example>", 250, "")
	c.cmd("RCPT TO:<x@b.example>", 550, "")
	c.cmd("RCPT TO:<x@C.example>", 550, "")
	c.cmd("RCPT TO:<x@sub.c.example>", 250, "")
}

func TestDomains(t *testing.T) {
	srv := start(t, smtptest.Options{Domains: []string{"acme.example"}})
	c := dial(t, srv)
	c.cmd("EHLO client.example", 250, "")
	c.cmd("MAIL FROM:<a@elsewhere.example>", 250, "")
	c.cmd("RCPT TO:<ops@ACME.example>", 250, "")
	c.cmd("RCPT TO:<ops@elsewhere.example>", 550, "")
}

func TestFailNext(t *testing.T) {
	srv := start(t, smtptest.Options{})
	srv.FailNext(451)
	srv.FailNext(550)
	c := dial(t, srv)
	c.cmd("EHLO client.example", 250, "")
	c.cmd("MAIL FROM:<a@a.example>", 451, "4.3.0")
	c.cmd("MAIL FROM:<a@a.example>", 550, "5.7.1")
	c.cmd("MAIL FROM:<a@a.example>", 250, "")

	srv.FailNext(421)
	c2 := dial(t, srv)
	c2.cmd("EHLO client.example", 250, "")
	c2.cmd("MAIL FROM:<a@a.example>", 421, "closing")
	_, _, err := c2.ReadResponse(0)
	require.Error(t, err, "421 closes the connection")

	require.Panics(t, func() { srv.FailNext(250) })
}

func TestSizeLimit(t *testing.T) {
	srv := start(t, smtptest.Options{MaxSize: 64})
	c := dial(t, srv)
	c.cmd("EHLO client.example", 250, "SIZE 64")
	c.cmd("MAIL FROM:<a@a.example> SIZE=65", 552, "")
	c.cmd("MAIL FROM:<a@a.example>", 250, "")
	c.cmd("RCPT TO:<b@b.example>", 250, "")
	c.cmd("DATA", 354, "")
	require.NoError(t, c.PrintfLine("%s\r\n.", strings.Repeat("x", 100)))
	c.expect(552, "", "oversized data")
	require.Empty(t, srv.Messages())
}

func TestLongLines(t *testing.T) {
	srv := start(t, smtptest.Options{})
	c := dial(t, srv)
	c.cmd(strings.Repeat("N", 5000), 500, "too long")
	c.cmd("EHLO client.example", 250, "")
	c.cmd("MAIL FROM:<a@a.example>", 250, "")
	c.cmd("RCPT TO:<b@b.example>", 250, "")
	c.cmd("DATA", 354, "")
	require.NoError(t, c.PrintfLine("%s\r\n.", strings.Repeat("x", 1200)))
	c.expect(554, "998", "long data line")
	require.Empty(t, srv.Messages())
}

func TestSTARTTLSResetsSession(t *testing.T) {
	srv := start(t, smtptest.Options{TLS: true, Username: "user", Password: "pass"})
	c := dial(t, srv)
	c.cmd("STARTTLS", 503, "EHLO")
	c.cmd("EHLO client.example", 250, "STARTTLS")
	c.cmd("STARTTLS now", 501, "")
	c.cmd("STARTTLS", 220, "Ready")
	tc := tls.Client(c.raw, &tls.Config{RootCAs: srv.RootCAs(), ServerName: "localhost"})
	require.NoError(t, tc.Handshake())
	c2 := &conn{t: t, Conn: textproto.NewConn(tc)}
	c2.cmd("MAIL FROM:<a@a.example>", 503, "EHLO")
	msg := c2.cmd("EHLO client.example", 250, "AUTH PLAIN")
	require.NotContains(t, msg, "STARTTLS")
	c2.cmd("STARTTLS", 503, "already")
	c2.cmd("QUIT", 221, "")
}

func TestCloseDropsConnections(t *testing.T) {
	srv, err := smtptest.Start(smtptest.Options{})
	require.NoError(t, err)
	c, err := textproto.Dial("tcp", srv.Addr())
	require.NoError(t, err)
	defer func() { _ = c.Close() }()
	_, _, err = c.ReadResponse(220)
	require.NoError(t, err)

	require.NoError(t, srv.Close())
	require.NoError(t, srv.Close(), "Close may be called again")
	_, _, err = c.ReadResponse(0)
	require.Error(t, err)
	_, err = net.Dial("tcp", srv.Addr())
	require.Error(t, err)
}

func TestNoTLSNoRoots(t *testing.T) {
	srv := start(t, smtptest.Options{})
	require.Nil(t, srv.RootCAs())
}
