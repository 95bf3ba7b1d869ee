package netguard

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// metadataHosts are names that reach a cloud metadata service.
var metadataHosts = map[string]bool{
	"metadata":                 true, // GCP, inside the instance
	"metadata.google.internal": true,
	"instance-data":            true, // AWS EC2
}

// CheckURL reports whether raw may be configured as a destination: an
// https URL, or an http one on a loopback host (localhost or a loopback
// address); never a literal address no Policy allows, nor a cloud metadata
// host name. Loopback and private addresses pass here: the worker's Policy
// decides on them when it dials. Errors name the scheme and host only,
// never the path or query, which may hold a token.
func CheckURL(raw string) error {
	if raw == "" {
		return errors.New("is required")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("is not a URL") // the parse error repeats it
	}
	host := u.Hostname()
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return fmt.Errorf("the scheme must be https (or http to a loopback host), not %q", u.Scheme)
	case host == "":
		return errors.New("has no host")
	}
	name := strings.TrimSuffix(strings.ToLower(host), ".")
	if metadataHosts[name] {
		return fmt.Errorf("%s is a cloud metadata host, which hrsync never sends to", host)
	}
	addr, err := netip.ParseAddr(host)
	literal := err == nil
	if literal {
		if what, flag := rangeOf(addr); what != "" && flag == "" {
			return &RefusedError{Address: host, What: what}
		}
	}
	if u.Scheme == "http" && name != "localhost" && !(literal && addr.Unmap().IsLoopback()) {
		return fmt.Errorf("http://%s would send in the clear: use https (http is for loopback hosts only)", u.Host)
	}
	return nil
}

// CheckURLShape is the rule before destinations were checked: an http or
// https URL with a host. Configurations stored under it are still read
// with it (see integration.Config.ValidateStored); CheckURL is for new ones.
func CheckURLShape(raw string) error {
	if raw == "" {
		return errors.New("is required")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return errors.New("must be an http(s) URL with a host") // never repeat it: it may hold a token
	}
	return nil
}
