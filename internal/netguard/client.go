package netguard

import (
	"net"
	"net/http"
	"time"
)

// Transport returns an HTTP transport with http.DefaultTransport's settings
// that checks every connection it dials against p, after name resolution.
// It uses no proxy: a proxy would connect on the worker's behalf, to
// addresses the check never sees.
func (p Policy) Transport() *http.Transport {
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: p.Control}
	return &http.Transport{
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: 1 * time.Second,
	}
}

// Client returns an HTTP client that sends through p's Transport and gives
// up on a request after timeout.
func (p Policy) Client(timeout time.Duration) *http.Client {
	return &http.Client{Transport: p.Transport(), Timeout: timeout}
}
