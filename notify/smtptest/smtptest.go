// Package smtptest runs a real SMTP server on 127.0.0.1 for tests. It speaks
// enough of RFC 5321, with STARTTLS (RFC 3207) and AUTH PLAIN (RFC 4954), for
// net/smtp and any other honest client, and records every message it accepts.
package smtptest

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"

	"github.com/hrsync/hrsync/internal/selfsigned"
)

// DefaultMaxSize is the largest message a server accepts when
// Options.MaxSize is zero.
const DefaultMaxSize = 10 << 20

// Options configure a Server. The zero value is an open relay on 127.0.0.1
// without TLS or authentication.
type Options struct {
	// Username and Password, when Username is set, make the server offer
	// AUTH PLAIN and refuse MAIL (530) until a client has authenticated
	// with exactly these credentials.
	Username string
	Password string
	// TLS makes the server offer STARTTLS with a self-signed ECDSA
	// certificate for 127.0.0.1, ::1 and localhost; RootCAs trusts it.
	TLS bool
	// RejectRecipients lists recipients RCPT TO refuses with 550: a full
	// address, or a domain (with or without a leading "@") whose every
	// address is refused. Matching ignores case.
	RejectRecipients []string
	// Domains, when not empty, lists the only recipient domains the server
	// accepts; RCPT TO for any other domain is refused with 550.
	Domains []string
	// MaxSize is the largest message accepted, in bytes, advertised with
	// SIZE; DefaultMaxSize when zero.
	MaxSize int
	// Hostname is the name the server greets with; "localhost" when empty.
	Hostname string
}

// Message is one message the server accepted.
type Message struct {
	// From is the MAIL FROM reverse path, "" for the null sender.
	From string
	// To are the accepted RCPT TO forward paths, in order.
	To []string
	// Data is the message content as sent after DATA, dot-unstuffed, with
	// CRLF line endings and without the terminating ".".
	Data []byte
	// TLS reports whether the message came over a STARTTLS session.
	TLS bool
	// User is the authenticated user, "" when the client did not AUTH.
	User string
}

// Server is a running fake SMTP server. Its methods are safe for concurrent
// use.
type Server struct {
	opts  Options
	ln    net.Listener
	tls   *tls.Config
	roots *x509.CertPool

	mu       sync.Mutex
	messages []Message
	failures []int
	conns    map[net.Conn]struct{}
	closed   bool

	wg sync.WaitGroup
}

// Start listens on a free port of 127.0.0.1 and serves SMTP until Close.
func Start(opts Options) (*Server, error) {
	if opts.MaxSize <= 0 {
		opts.MaxSize = DefaultMaxSize
	}
	if opts.Hostname == "" {
		opts.Hostname = "localhost"
	}
	s := &Server{opts: opts, conns: map[net.Conn]struct{}{}}
	if opts.TLS {
		cert, err := selfsigned.New("smtptest")
		if err != nil {
			return nil, fmt.Errorf("smtptest: certificate: %w", err)
		}
		s.tls = &tls.Config{Certificates: []tls.Certificate{cert.TLS}, MinVersion: tls.VersionTLS12}
		s.roots = cert.Pool
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("smtptest: listen: %w", err)
	}
	s.ln = ln
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Addr is the server's host:port, e.g. "127.0.0.1:41234".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// RootCAs is a pool trusting the server's STARTTLS certificate, nil when
// the server was started without TLS.
func (s *Server) RootCAs() *x509.CertPool { return s.roots }

// Messages returns a copy of every message accepted so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.messages))
	for i, m := range s.messages {
		m.To = slices.Clone(m.To)
		m.Data = slices.Clone(m.Data)
		out[i] = m
	}
	return out
}

// FailNext makes the server answer the next MAIL FROM, on any connection,
// with code (400 to 599) instead of accepting it. Calls queue up: two calls
// fail the next two transactions. A 421 also closes the connection.
func (s *Server) FailNext(code int) {
	if code < 400 || code > 599 {
		panic(fmt.Sprintf("smtptest: FailNext(%d): code must be 4xx or 5xx", code))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, code)
}

// Close stops listening, drops open connections and waits for their
// goroutines to end. It may be called more than once.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	err := s.ln.Close()
	for c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			_ = conn.Close()
			return
		}
		s.conns[conn] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.conns, conn)
				s.mu.Unlock()
				_ = conn.Close()
			}()
			newSession(s, conn).serve()
		}()
	}
}

// takeFailure pops the next queued FailNext code, 0 when none.
func (s *Server) takeFailure() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failures) == 0 {
		return 0
	}
	code := s.failures[0]
	s.failures = s.failures[1:]
	return code
}

func (s *Server) deliver(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, m)
}

// refuses reports whether RCPT TO addr must be refused.
func (s *Server) refuses(addr string) bool {
	addr = strings.ToLower(addr)
	_, domain, _ := strings.Cut(addr, "@")
	for _, r := range s.opts.RejectRecipients {
		r = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(r)), "@")
		if strings.Contains(r, "@") {
			if r == addr {
				return true
			}
		} else if r == domain {
			return true
		}
	}
	if len(s.opts.Domains) > 0 {
		return !slices.ContainsFunc(s.opts.Domains, func(d string) bool {
			return strings.EqualFold(strings.TrimPrefix(strings.TrimSpace(d), "@"), domain)
		})
	}
	return false
}

// errLineTooLong is returned by readLine for a line over its limit; the rest
// of the line has been consumed.
var errLineTooLong = errors.New("line too long")
