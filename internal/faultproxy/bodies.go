package faultproxy

import (
	"io"
	"net/http"
	"sync/atomic"
)

// Endless returns a reader that yields prefix and then repeats pattern for
// ever without allocating: a hostile body of any size for the price of a
// few bytes. Bound it with io.LimitReader.
func Endless(prefix, pattern string) io.Reader {
	return &endless{prefix: prefix, pattern: pattern}
}

type endless struct {
	prefix, pattern string
	off             int64
}

func (e *endless) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		var c int
		if e.off < int64(len(e.prefix)) {
			c = copy(p[n:], e.prefix[e.off:])
		} else {
			c = copy(p[n:], e.pattern[(e.off-int64(len(e.prefix)))%int64(len(e.pattern)):])
		}
		n += c
		e.off += int64(c)
	}
	return n, nil
}

// CountingTransport counts the response body bytes a client takes from
// Base, so a test can tell how much of a hostile answer was read.
type CountingTransport struct {
	Base http.RoundTripper
	n    atomic.Int64
}

// Read is how many body bytes the client has taken so far.
func (t *CountingTransport) Read() int64 { return t.n.Load() }

// RoundTrip implements http.RoundTripper.
func (t *CountingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.Base.RoundTrip(r)
	if err == nil {
		resp.Body = &countingBody{ReadCloser: resp.Body, n: &t.n}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}
