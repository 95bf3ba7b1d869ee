package notify

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"regexp"
	"strconv"
	"strings"

	"github.com/hrsync/hrsync/internal/netguard"
)

// Config says how an integration's administrators are notified. It holds
// the names of environment variables with secrets, never secrets, so it may
// travel in workflow history. A nil channel is not used.
type Config struct {
	Email   *EmailConfig   `json:"email,omitempty" yaml:"email,omitempty"`
	Webhook *WebhookConfig `json:"webhook,omitempty" yaml:"webhook,omitempty"`
}

// EmailConfig sends notices by SMTP.
type EmailConfig struct {
	// SMTPAddr is the submission server's host:port.
	SMTPAddr string `json:"smtpAddr" yaml:"smtpAddr"`
	// From is the sender, "hrsync@acme.example" or
	// "hrsync <hrsync@acme.example>".
	From string `json:"from" yaml:"from"`
	// To are the recipients; the caller uses the integration's admins when
	// it is empty.
	To []string `json:"to,omitempty" yaml:"to,omitempty"`
	// Username, when set, authenticates with AUTH PLAIN.
	Username string `json:"username,omitempty" yaml:"username,omitempty"`
	// PasswordEnv names the environment variable holding the password.
	PasswordEnv string `json:"passwordEnv,omitempty" yaml:"passwordEnv,omitempty"`
	// StartTLS requires the server to offer STARTTLS and uses it. It must
	// be on to authenticate with a server other than localhost.
	StartTLS bool `json:"startTLS,omitempty" yaml:"startTLS,omitempty"`
}

// WebhookConfig posts notices as JSON.
type WebhookConfig struct {
	// URL is the https endpoint (http only on a loopback host). It may
	// hold a token, so errors and logs show only its scheme and host.
	URL string `json:"url" yaml:"url"`
	// IncludePII sends held employees' old and new values; by default only
	// the names of the changed fields are sent.
	IncludePII bool `json:"includePII,omitempty" yaml:"includePII,omitempty"`
	// SecretEnv optionally names the environment variable holding the HMAC
	// key that signs each body; see Verify.
	SecretEnv string `json:"secretEnv,omitempty" yaml:"secretEnv,omitempty"`
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Check reports every problem with c at once, each naming its path, e.g.
// "email.smtpAddr: ...". It does not look at the environment.
func (c Config) Check() error { return c.check(netguard.CheckURL) }

// CheckStored is Check as a configuration stored before destinations were
// checked must pass: the webhook URL need only be http(s) with a host. The
// webhook is still refused a forbidden destination when it is sent.
func (c Config) CheckStored() error { return c.check(netguard.CheckURLShape) }

func (c Config) check(checkURL func(string) error) error {
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
	}
	if e := c.Email; e != nil {
		host, hostErr := checkHostPort(e.SMTPAddr)
		if hostErr != nil {
			bad("email.smtpAddr", "%v", hostErr)
		}
		if e.From == "" {
			bad("email.from", "is required")
		} else if _, err := parseAddress(e.From); err != nil {
			bad("email.from", "%q is not an email address", e.From)
		}
		for i, to := range e.To {
			if _, err := parseAddress(to); err != nil {
				bad(fmt.Sprintf("email.to[%d]", i), "%q is not an email address", to)
			}
		}
		switch {
		case e.Username != "" && e.PasswordEnv == "":
			bad("email.passwordEnv", "is required when email.username is set")
		case e.Username == "" && e.PasswordEnv != "":
			bad("email.username", "is required when email.passwordEnv is set")
		}
		if e.PasswordEnv != "" && !envName.MatchString(e.PasswordEnv) {
			// It may be the password itself by mistake: never repeat it.
			bad("email.passwordEnv", "must name an environment variable (letters, digits and '_'), not hold the password")
		}
		if strings.ContainsAny(e.Username, "\x00\r\n") {
			bad("email.username", "must not contain control characters")
		}
		if e.Username != "" && !e.StartTLS && hostErr == nil && !isLocalhost(host) {
			bad("email.startTLS", "must be true when email.username is set, so the password never crosses the network in clear")
		}
	}
	if w := c.Webhook; w != nil {
		// The URL may hold a token: CheckURL never repeats it.
		if err := checkURL(w.URL); err != nil {
			bad("webhook.url", "%v", err)
		}
		if w.SecretEnv != "" && !envName.MatchString(w.SecretEnv) {
			bad("webhook.secretEnv", "must name an environment variable (letters, digits and '_'), not hold the secret")
		}
	}
	return errors.Join(errs...)
}

// checkHostPort returns the host of a host:port with a non-empty host and a
// port from 1 to 65535.
func checkHostPort(addr string) (string, error) {
	if addr == "" {
		return "", errors.New("is required")
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return "", fmt.Errorf("%q must be host:port", addr)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return "", fmt.Errorf("%q must be host:port with a port from 1 to 65535", addr)
	}
	return host, nil
}

// parseAddress parses one RFC 5322 address, refusing anything that could
// smuggle a header.
func parseAddress(s string) (*mail.Address, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, errors.New("contains a line break")
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, err
	}
	if strings.ContainsAny(a.Address, "\r\n<>") {
		return nil, errors.New("invalid address")
	}
	return a, nil
}

// isLocalhost mirrors net/smtp, which sends AUTH PLAIN credentials without
// TLS only to these hosts.
func isLocalhost(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}
