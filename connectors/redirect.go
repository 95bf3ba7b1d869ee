package connectors

import (
	"errors"
	"fmt"
	"net"
	"net/http"
)

// ErrRefusedRedirect marks a redirect hrsync would not follow: to another
// origin, where the credentials given for this one must not go, or to a
// link-local address such as a cloud metadata service. No retry changes
// that, so it is permanent.
var ErrRefusedRedirect = errors.New("redirect refused")

// maxRedirects bounds a chain of redirects.
const maxRedirects = 10

// SameOriginRedirects is a CheckRedirect for the clients that carry
// credentials: it follows a redirect only to the same scheme, host and
// port, never to a link-local address, and at most maxRedirects times.
func SameOriginRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return Permanent(fmt.Errorf("%w: more than %d redirects", ErrRefusedRedirect, maxRedirects))
	}
	from := via[0].URL
	to := req.URL
	if to.Scheme != from.Scheme || to.Host != from.Host {
		return Permanent(fmt.Errorf("%w: from %s://%s to %s://%s, another origin", ErrRefusedRedirect,
			from.Scheme, from.Host, to.Scheme, to.Host))
	}
	if ip := net.ParseIP(to.Hostname()); ip != nil && (ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast()) {
		return Permanent(fmt.Errorf("%w: to the link-local address %s", ErrRefusedRedirect, to.Hostname()))
	}
	return nil
}
