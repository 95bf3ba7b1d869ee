package credentials

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Scope is where a secret may go: the hosts it may be sent to and,
// optionally, the integrations that may use it. A secret with no hosts may
// be sent nowhere.
type Scope struct {
	// Hosts are host names, or host:port, the secret may be sent to.
	Hosts []string `json:"hosts,omitempty"`
	// Integrations, when set, are the only integrations that may use it.
	Integrations []string `json:"integrations,omitempty"`
}

// Use is one intended use of a secret: which integration sends it, and to
// which hosts.
type Use struct {
	Integration string
	// Hosts are the hosts (host or host:port, as in a URL) it will reach.
	Hosts []string
}

// UseFor returns the use of a secret sent by integration to the hosts of
// urls; an empty or unparseable URL contributes no host and is left to the
// connector to refuse.
func UseFor(integration string, urls ...string) Use {
	u := Use{Integration: integration}
	for _, raw := range urls {
		if p, err := url.Parse(raw); err == nil && p.Host != "" {
			u.Hosts = append(u.Hosts, p.Host)
		}
	}
	return u
}

// NewScope checks and normalises hosts (lowercase, no scheme or path) and
// integration ids; at least one host is required.
func NewScope(hosts, integrations []string) (Scope, error) {
	var s Scope
	var errs []error
	for _, h := range hosts {
		n, err := normalizeBoundHost(h)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !slices.Contains(s.Hosts, n) {
			s.Hosts = append(s.Hosts, n)
		}
	}
	if len(hosts) == 0 {
		errs = append(errs, errors.New("a credential needs at least one host it may be sent to"))
	}
	for _, id := range integrations {
		if strings.TrimSpace(id) == "" || strings.ContainsAny(id, ", \t\r\n") {
			errs = append(errs, fmt.Errorf("%q is not an integration id", id))
			continue
		}
		if !slices.Contains(s.Integrations, id) {
			s.Integrations = append(s.Integrations, id)
		}
	}
	slices.Sort(s.Hosts)
	slices.Sort(s.Integrations)
	return s, errors.Join(errs...)
}

// ParseHosts reads a comma-separated list of hosts into a Scope for any
// integration.
func ParseHosts(list string) (Scope, error) {
	var hosts []string
	for _, h := range strings.Split(list, ",") {
		if h = strings.TrimSpace(h); h != "" {
			hosts = append(hosts, h)
		}
	}
	return NewScope(hosts, nil)
}

// Allows says whether use stays within s; the error names the host or the
// integration that does not.
func (s Scope) Allows(use Use) error {
	if len(s.Integrations) > 0 && !slices.Contains(s.Integrations, use.Integration) {
		return fmt.Errorf("it is limited to integrations %s, not %q", strings.Join(s.Integrations, ", "), use.Integration)
	}
	if len(s.Hosts) == 0 {
		return errors.New("it is bound to no host")
	}
	for _, h := range use.Hosts {
		if !s.allowsHost(h) {
			return fmt.Errorf("it may be sent to %s, not to %s", strings.Join(s.Hosts, ", "), h)
		}
	}
	return nil
}

// allowsHost matches host (as in a URL: name or name:port) against the
// bound hosts: a bound name without a port allows any port.
func (s Scope) allowsHost(host string) bool {
	name, port := splitHost(host)
	for _, b := range s.Hosts {
		bname, bport := splitHost(b)
		if bname == name && (bport == "" || bport == port) {
			return true
		}
	}
	return false
}

// label is s as sealed values bind it: empty for a scope-less credential
// from before scopes, so those still open.
func (s Scope) label() string {
	if len(s.Hosts) == 0 && len(s.Integrations) == 0 {
		return ""
	}
	return "hosts=" + strings.Join(s.Hosts, ",") + ";integrations=" + strings.Join(s.Integrations, ",")
}

// normalizeBoundHost reads a host a credential is bound to: a name or IP,
// optionally with a port, never a URL.
func normalizeBoundHost(h string) (string, error) {
	h = strings.ToLower(strings.TrimSpace(h))
	if h == "" || strings.ContainsAny(h, "/?#@ \t") || strings.Contains(h, "://") {
		return "", fmt.Errorf("host %q: give a host name, optionally with :port, not a URL", h)
	}
	name, port := splitHost(h)
	if name == "" || strings.Contains(name, "*") {
		return "", fmt.Errorf("host %q: give one host name, not a pattern", h)
	}
	if port != "" {
		if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
			return "", fmt.Errorf("host %q: the port must be from 1 to 65535", h)
		}
		return net.JoinHostPort(name, port), nil
	}
	if strings.Contains(name, ":") { // a bare IPv6 address
		return "[" + name + "]", nil
	}
	return name, nil
}

// splitHost splits "name:port", "[v6]:port", "[v6]" or "name" into a
// lowercase name (IPv6 without brackets) and a port, "" when none.
func splitHost(h string) (name, port string) {
	h = strings.ToLower(h)
	if n, p, err := net.SplitHostPort(h); err == nil {
		return n, p
	}
	return strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"), ""
}
