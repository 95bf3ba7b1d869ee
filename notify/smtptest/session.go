package smtptest

import (
	"bufio"
	"bytes"
	"crypto/subtle"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

const (
	// maxCommandLine bounds a command line with its CRLF; generous enough
	// for an AUTH PLAIN initial response.
	maxCommandLine = 4096
	// maxTextLine bounds a line of message content with its CRLF (RFC 5321
	// section 4.5.3.1.6).
	maxTextLine = 1000
	// maxRecipients is the most RCPT TO one transaction takes (RFC 5321
	// section 4.5.3.1.8).
	maxRecipients = 100
	// idleTimeout drops a client that says nothing for this long.
	idleTimeout = time.Minute
)

// session is one client connection.
type session struct {
	srv  *Server
	conn net.Conn
	r    *bufio.Reader
	w    *bufio.Writer
	err  error // the first write error; the session ends on it

	tls     bool
	greeted bool   // EHLO or HELO seen since the start or STARTTLS
	user    string // authenticated user
	authed  bool

	inTx  bool // MAIL accepted, transaction open
	from  string
	rcpts []string
}

func newSession(srv *Server, conn net.Conn) *session {
	return &session{srv: srv, conn: conn, r: bufio.NewReader(conn), w: bufio.NewWriter(conn)}
}

// serve greets the client and runs commands until QUIT or an error.
func (s *session) serve() {
	s.reply(220, s.srv.opts.Hostname+" ESMTP smtptest ready")
	for s.err == nil {
		line, err := s.readLine(maxCommandLine)
		if errors.Is(err, errLineTooLong) {
			s.reply(500, "5.5.6 Line too long")
			continue
		}
		if err != nil {
			return
		}
		if !s.command(string(line)) {
			return
		}
	}
}

// command runs one command line and reports whether the session goes on.
func (s *session) command(line string) bool {
	verb, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch strings.ToUpper(verb) {
	case "EHLO":
		s.hello(arg, true)
	case "HELO":
		s.hello(arg, false)
	case "STARTTLS":
		return s.startTLS(arg)
	case "AUTH":
		s.auth(arg)
	case "MAIL":
		return s.mail(arg)
	case "RCPT":
		s.rcpt(arg)
	case "DATA":
		s.data(arg)
	case "RSET":
		if arg != "" {
			s.reply(501, "5.5.4 RSET takes no arguments")
			break
		}
		s.reset()
		s.reply(250, "2.0.0 OK")
	case "NOOP":
		s.reply(250, "2.0.0 OK")
	case "QUIT":
		s.reply(221, "2.0.0 Bye")
		return false
	case "":
		s.reply(500, "5.5.2 Syntax error, command unrecognized")
	default:
		s.reply(502, "5.5.1 Command not implemented")
	}
	return true
}

func (s *session) hello(domain string, extended bool) {
	if domain == "" {
		s.reply(501, "5.5.4 Syntax: EHLO/HELO domain")
		return
	}
	s.reset()
	s.greeted = true
	greeting := s.srv.opts.Hostname + " greets " + domain
	if !extended {
		s.reply(250, greeting)
		return
	}
	lines := []string{greeting, "8BITMIME", "SIZE " + strconv.Itoa(s.srv.opts.MaxSize)}
	if s.srv.tls != nil && !s.tls {
		lines = append(lines, "STARTTLS")
	}
	if s.srv.opts.Username != "" {
		lines = append(lines, "AUTH PLAIN")
	}
	lines = append(lines, "ENHANCEDSTATUSCODES")
	s.reply(250, lines...)
}

// startTLS upgrades the connection (RFC 3207) and reports whether the
// session goes on.
func (s *session) startTLS(arg string) bool {
	switch {
	case s.srv.tls == nil:
		s.reply(502, "5.5.1 STARTTLS not offered")
		return true
	case s.tls:
		s.reply(503, "5.5.1 TLS already active")
		return true
	case arg != "":
		s.reply(501, "5.5.4 STARTTLS takes no arguments")
		return true
	case !s.greeted:
		s.reply(503, "5.5.1 Send EHLO first")
		return true
	case s.r.Buffered() > 0:
		// Commands pipelined after STARTTLS would be read as if they had
		// come over TLS: refuse, as real servers do.
		s.reply(501, "5.5.0 Commands pipelined after STARTTLS")
		return true
	}
	s.reply(220, "2.0.0 Ready to start TLS")
	if s.err != nil {
		return false
	}
	conn := tls.Server(s.conn, s.srv.tls)
	_ = conn.SetDeadline(time.Now().Add(idleTimeout))
	if err := conn.Handshake(); err != nil {
		return false
	}
	_ = conn.SetDeadline(time.Time{})
	s.conn = conn
	s.r.Reset(conn)
	s.w.Reset(conn)
	// RFC 3207 section 4.2: forget everything learnt before TLS.
	s.tls, s.greeted, s.authed, s.user = true, false, false, ""
	s.reset()
	return true
}

// auth runs AUTH PLAIN (RFC 4954, RFC 4616).
func (s *session) auth(arg string) {
	switch {
	case s.srv.opts.Username == "":
		s.reply(502, "5.5.1 AUTH not offered")
		return
	case !s.greeted:
		s.reply(503, "5.5.1 Send EHLO first")
		return
	case s.authed:
		s.reply(503, "5.5.1 Already authenticated")
		return
	case s.inTx:
		s.reply(503, "5.5.1 AUTH not allowed during a mail transaction")
		return
	}
	mech, resp, hasInitial := strings.Cut(arg, " ")
	if !strings.EqualFold(mech, "PLAIN") {
		s.reply(504, "5.5.4 Unrecognized authentication type")
		return
	}
	if !hasInitial {
		s.reply(334, "")
		line, err := s.readLine(maxCommandLine)
		if err != nil {
			s.reply(501, "5.5.2 Cannot read response")
			return
		}
		resp = string(line)
		if resp == "*" {
			s.reply(501, "5.0.0 Authentication cancelled")
			return
		}
	}
	if resp = strings.TrimSpace(resp); resp == "=" {
		resp = ""
	}
	raw, err := base64.StdEncoding.DecodeString(resp)
	if err != nil {
		s.reply(501, "5.5.2 Cannot decode response")
		return
	}
	parts := bytes.Split(raw, []byte{0})
	if len(parts) != 3 {
		s.reply(501, "5.5.2 Invalid PLAIN response")
		return
	}
	authz, user, pass := string(parts[0]), string(parts[1]), parts[2]
	ok := (authz == "" || authz == user) &&
		subtle.ConstantTimeCompare([]byte(user), []byte(s.srv.opts.Username)) == 1 &&
		subtle.ConstantTimeCompare(pass, []byte(s.srv.opts.Password)) == 1
	if !ok {
		s.reply(535, "5.7.8 Authentication credentials invalid")
		return
	}
	s.authed, s.user = true, user
	s.reply(235, "2.7.0 Authentication successful")
}

// mail opens a transaction and reports whether the session goes on.
func (s *session) mail(arg string) bool {
	switch {
	case !s.greeted:
		s.reply(503, "5.5.1 Send EHLO/HELO first")
		return true
	case s.srv.opts.Username != "" && !s.authed:
		s.reply(530, "5.7.0 Authentication required")
		return true
	case s.inTx:
		s.reply(503, "5.5.1 Nested MAIL command")
		return true
	}
	path, params, ok := parsePath(arg, "FROM:")
	if !ok {
		s.reply(501, "5.5.4 Syntax: MAIL FROM:<address>")
		return true
	}
	if path != "" && !validAddress(path) {
		s.reply(501, "5.1.7 Bad sender address syntax")
		return true
	}
	for _, p := range params {
		key, value, _ := strings.Cut(p, "=")
		switch strings.ToUpper(key) {
		case "SIZE":
			n, err := strconv.Atoi(value)
			if err != nil || n < 0 {
				s.reply(501, "5.5.4 Bad SIZE parameter")
				return true
			}
			if n > s.srv.opts.MaxSize {
				s.reply(552, "5.3.4 Message size exceeds fixed maximum message size")
				return true
			}
		case "BODY":
			if v := strings.ToUpper(value); v != "7BIT" && v != "8BITMIME" {
				s.reply(501, "5.5.4 Bad BODY parameter")
				return true
			}
		default:
			s.reply(555, "5.5.4 Unsupported MAIL parameter")
			return true
		}
	}
	if code := s.srv.takeFailure(); code != 0 {
		s.reply(code, failureText(code))
		return code != 421
	}
	s.inTx, s.from, s.rcpts = true, path, nil
	s.reply(250, "2.1.0 Sender OK")
	return true
}

func (s *session) rcpt(arg string) {
	if !s.inTx {
		s.reply(503, "5.5.1 Need MAIL command")
		return
	}
	path, params, ok := parsePath(arg, "TO:")
	switch {
	case !ok:
		s.reply(501, "5.5.4 Syntax: RCPT TO:<address>")
	case len(params) > 0:
		s.reply(555, "5.5.4 Unsupported RCPT parameter")
	case !validAddress(path) && !strings.EqualFold(path, "postmaster"):
		s.reply(501, "5.1.3 Bad recipient address syntax")
	case len(s.rcpts) >= maxRecipients:
		s.reply(452, "4.5.3 Too many recipients")
	case s.srv.refuses(path):
		s.reply(550, "5.1.1 Recipient address rejected")
	default:
		s.rcpts = append(s.rcpts, path)
		s.reply(250, "2.1.5 Recipient OK")
	}
}

func (s *session) data(arg string) {
	switch {
	case arg != "":
		s.reply(501, "5.5.4 DATA takes no arguments")
		return
	case !s.inTx:
		s.reply(503, "5.5.1 Need MAIL command")
		return
	case len(s.rcpts) == 0:
		s.reply(554, "5.5.1 No valid recipients")
		return
	}
	s.reply(354, "Start mail input; end with <CRLF>.<CRLF>")
	if s.err != nil {
		return
	}
	var buf bytes.Buffer
	tooBig, tooLong := false, false
	for {
		line, err := s.readLine(maxTextLine)
		if errors.Is(err, errLineTooLong) {
			tooLong = true
			continue
		}
		if err != nil {
			s.err = err
			return
		}
		if bytes.Equal(line, []byte(".")) {
			break
		}
		line = bytes.TrimPrefix(line, []byte(".")) // dot-unstuffing, RFC 5321 section 4.5.2
		if buf.Len()+len(line)+2 > s.srv.opts.MaxSize {
			tooBig = true
			continue
		}
		buf.Write(line)
		buf.WriteString("\r\n")
	}
	m := Message{From: s.from, To: s.rcpts, Data: buf.Bytes(), TLS: s.tls, User: s.user}
	s.reset()
	switch {
	case tooBig:
		s.reply(552, "5.3.4 Message size exceeds fixed maximum message size")
	case tooLong:
		s.reply(554, "5.6.0 Message has a line longer than 998 characters")
	default:
		s.srv.deliver(m)
		s.reply(250, "2.0.0 OK: queued")
	}
}

// reset ends the mail transaction, if any.
func (s *session) reset() { s.inTx, s.from, s.rcpts = false, "", nil }

// reply writes a reply of one or more lines and flushes it.
func (s *session) reply(code int, lines ...string) {
	if s.err != nil {
		return
	}
	if len(lines) == 0 {
		lines = []string{""}
	}
	_ = s.conn.SetWriteDeadline(time.Now().Add(idleTimeout))
	for i, l := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		_, _ = fmt.Fprintf(s.w, "%d%s%s\r\n", code, sep, l)
	}
	s.err = s.w.Flush()
}

// readLine reads one line without its line ending. A line longer than
// limit, line ending included, is consumed and reported as errLineTooLong.
func (s *session) readLine(limit int) ([]byte, error) {
	_ = s.conn.SetReadDeadline(time.Now().Add(idleTimeout))
	var line []byte
	tooLong := false
	for {
		chunk, err := s.r.ReadSlice('\n')
		if !tooLong {
			line = append(line, chunk...)
			if len(line) > limit {
				tooLong, line = true, nil
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil {
			return nil, err
		}
		break
	}
	if tooLong {
		return nil, errLineTooLong
	}
	line = bytes.TrimSuffix(line, []byte("\n"))
	return bytes.TrimSuffix(line, []byte("\r")), nil
}

// parsePath splits "FROM:<path> params" (prefix "FROM:") into the path,
// without a source route, and the parameters.
func parsePath(arg, prefix string) (path string, params []string, ok bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", nil, false
	}
	rest := strings.TrimLeft(arg[len(prefix):], " ")
	if !strings.HasPrefix(rest, "<") {
		return "", nil, false
	}
	end := strings.IndexByte(rest, '>')
	if end < 0 {
		return "", nil, false
	}
	path = rest[1:end]
	if strings.HasPrefix(path, "@") { // obsolete source route "@a,@b:user@host"
		_, path, ok = strings.Cut(path, ":")
		if !ok {
			return "", nil, false
		}
	}
	return path, strings.Fields(rest[end+1:]), true
}

// validAddress reports whether a is local@domain with no spaces or control
// characters.
func validAddress(a string) bool {
	at := strings.LastIndexByte(a, '@')
	if at <= 0 || at == len(a)-1 || strings.Contains(a[at+1:], "@") {
		return false
	}
	for _, r := range a {
		if r <= ' ' || r == 0x7f {
			return false
		}
	}
	return true
}

// failureText is the reply text FailNext sends with code.
func failureText(code int) string {
	switch code {
	case 421:
		return "4.3.0 Service not available, closing transmission channel"
	case 450, 451:
		return "4.3.0 Requested action aborted: local error in processing"
	case 452:
		return "4.3.1 Insufficient system storage"
	case 550:
		return "5.7.1 Requested action not taken: mailbox unavailable"
	case 552:
		return "5.3.4 Requested mail action aborted: exceeded storage allocation"
	case 553:
		return "5.1.7 Requested action not taken: mailbox name not allowed"
	}
	if code < 500 {
		return "4.0.0 Temporary failure"
	}
	return "5.0.0 Permanent failure"
}
