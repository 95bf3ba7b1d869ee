// Package httpx is the HTTP client every API connector shares: a
// client-side rate limiter set from the API's published limit, one place
// that sends credentials, and one place that turns an error answer into a
// classified error (permanent, throttled with Retry-After, or transient).
// Retrying is left to the activity that called, which resumes from its
// heartbeat and honours the wait the server asked for.
package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/hrsync/hrsync/connectors"
)

// Options configure a Client.
type Options struct {
	// Name prefixes errors, e.g. "merge".
	Name string
	// BaseURL is prepended to every request path.
	BaseURL string
	// HTTPClient sends the requests; nil means one with a 30-second timeout.
	HTTPClient *http.Client
	// PerMinute is the API's published request limit; 0 means no limit.
	PerMinute int
	// Burst is how many requests may go at once within the limit; 0 means 1.
	Burst int
	// OnRateWait, when set, is told how long each request waited for the
	// limit, often nothing; it must be quick and safe for concurrent use.
	OnRateWait func(waited time.Duration)
	// Auth sets the credentials on each request; it may refresh a token.
	Auth func(ctx context.Context, r *http.Request) error
	// MaxBody bounds a 2xx answer's body in bytes; a larger one is a
	// permanent error. 0 means DefaultMaxBody (32 MiB).
	MaxBody int64
}

// Client sends requests to one API on behalf of one connection.
type Client struct {
	name    string
	base    string
	http    *http.Client
	limiter *rate.Limiter
	// onWait hears how long each request waited for limiter.
	onWait  func(waited time.Duration)
	auth    func(ctx context.Context, r *http.Request) error
	maxBody int64
}

// New returns a Client for o.
func New(o Options) *Client {
	c := &Client{name: o.Name, base: strings.TrimRight(o.BaseURL, "/"), http: o.HTTPClient, auth: o.Auth, maxBody: o.MaxBody,
		onWait: o.OnRateWait}
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxBody
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: 30 * time.Second}
	}
	if o.PerMinute > 0 {
		c.limiter = rate.NewLimiter(rate.Limit(float64(o.PerMinute)/60), max(o.Burst, 1))
	}
	return c
}

// Request is one call: a method, a path below the base URL, a query, an
// optional JSON body and extra headers.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Body   any
	Header http.Header
}

// Do sends r after waiting for the limiter, decodes a 2xx JSON answer into
// out (unless out is nil) and returns the response, whose body is closed.
// Any other answer is an *Error, classified by its status. The answer is
// decoded as a stream of at most MaxBody bytes; a larger one, or one that
// is not the JSON expected, is a permanent *BodyError (see DecodeJSON).
// At most DrainLimit bytes of an unread rest are read before closing.
func (c *Client) Do(ctx context.Context, r Request, out any) (*http.Response, error) {
	if c.limiter != nil {
		start := time.Now()
		err := c.limiter.Wait(ctx)
		if c.onWait != nil {
			c.onWait(time.Since(start))
		}
		if err != nil {
			return nil, err
		}
	}
	req, err := c.build(ctx, r)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %s %s: %w", c.name, r.Method, r.Path, redactURL(err))
	}
	defer Drain(resp.Body)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp, c.errorOf(r, resp)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return resp, nil
	}
	prefix := fmt.Sprintf("%s: %s %s", c.name, r.Method, r.Path)
	return resp, DecodeJSON(prefix, resp.Body, c.maxBody, resp.Header.Get("Content-Type"), out)
}

func (c *Client) build(ctx context.Context, r Request) (*http.Request, error) {
	target := c.base + r.Path
	if len(r.Query) > 0 {
		target += "?" + r.Query.Encode()
	}
	var body io.Reader
	if r.Body != nil {
		data, err := json.Marshal(r.Body)
		if err != nil {
			return nil, connectors.Permanent(fmt.Errorf("%s: unable to encode request: %w", c.name, err))
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, target, body)
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("%s: bad request %s %s: %w", c.name, r.Method, r.Path, err))
	}
	req.Header.Set("Accept", "application/json")
	if r.Body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if c.auth != nil {
		if err := c.auth(ctx, req); err != nil {
			return nil, err
		}
	}
	return req, nil
}

// Error is an API's non-2xx answer.
type Error struct {
	Name       string
	Method     string
	Path       string
	Status     int
	Message    string
	RetryAfter time.Duration
}

// Error describes the answer without any personal data: the server's
// message is cut short and scrubbed of email addresses.
func (e *Error) Error() string {
	msg := fmt.Sprintf("%s: %s %s: %d %s", e.Name, e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return msg
}

// RetryDelay is the wait the server asked for.
func (e *Error) RetryDelay() time.Duration { return e.RetryAfter }

// HTTPStatus is the answer's status (see connectors.StatusOf).
func (e *Error) HTTPStatus() int { return e.Status }

var emailLike = regexp.MustCompile(`[^\s"'<>@]+@[^\s"'<>@]+\.[A-Za-z]{2,}`)

// errorOf reads an error answer. 401 and 403 mean the credential was
// refused; other statuses are classified by connectors.ByStatus. A 503
// is throttling at some APIs (BambooHR) and retried like a 429.
func (c *Client) errorOf(r Request, resp *http.Response) error {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, ErrorBodyLimit))
	msg := strings.Join(strings.Fields(string(raw)), " ")
	msg = emailLike.ReplaceAllString(msg, "<email>")
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	e := &Error{Name: c.name, Method: r.Method, Path: r.Path, Status: resp.StatusCode, Message: msg,
		RetryAfter: connectors.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	if e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden {
		return connectors.Permanent(fmt.Errorf("%w: %w", connectors.ErrBadCredential, e))
	}
	return connectors.ByStatus(e.Status, e)
}

// redactURL drops the query string from a transport error's URL, where a
// key or a filter could sit.
func redactURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			u.RawQuery = ""
			return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
		}
	}
	return err
}

// Waiter holds a request until its budget allows it, or returns the
// context's error. A *rate.Limiter is one.
type Waiter interface {
	Wait(ctx context.Context) error
}

var _ Waiter = (*rate.Limiter)(nil)

// Limited returns a client that sends through hc after waiting for l, so
// every client made with it shares one request budget: the parallel
// applies of one directory stay within its published limit together.
func Limited(hc *http.Client, l Waiter) *http.Client {
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	limited := *hc
	limited.Transport = limitedTransport{base: base, limiter: l}
	return &limited
}

// limitedTransport waits for its limiter before each request.
type limitedTransport struct {
	base    http.RoundTripper
	limiter Waiter
}

func (t limitedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := t.limiter.Wait(r.Context()); err != nil {
		return nil, fmt.Errorf("waiting for the rate limit: %w", err)
	}
	return t.base.RoundTrip(r)
}
