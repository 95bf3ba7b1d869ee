package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/httpx"
)

// defaultTimeout bounds one request when the caller brings no client.
const defaultTimeout = 30 * time.Second

// maxResponse bounds a 2xx answer's body; a larger one is a permanent
// error.
const maxResponse = httpx.DefaultMaxBody

// maxErrorBody bounds how much of an error answer is read for its
// {"error": ...} message.
const maxErrorBody = 64 << 10

// client is the HTTP plumbing Source and Target share: the base URL, the
// token, and turning answers into values or classified errors.
type client struct {
	base  string
	token string
	http  *http.Client
	// maxBody bounds a 2xx answer's body, maxResponse unless a test
	// lowers it.
	maxBody int64
}

// newClient makes a client, defaulting to one with a 30s timeout.
func newClient(baseURL, token string, hc *http.Client) client {
	if hc == nil {
		hc = &http.Client{Timeout: defaultTimeout}
	}
	return client{base: strings.TrimRight(baseURL, "/"), token: token, http: hc, maxBody: maxResponse}
}

// do sends method path?query with in as the JSON body (when not nil) and
// decodes a 2xx answer into out (when not nil). A non-2xx answer is an
// *HTTPError, permanent for 4xx other than 408 and 429; a transport failure
// is a plain, retryable error. A 2xx answer is decoded as a stream of at
// most maxBody bytes: a larger one, or one that is not the JSON expected,
// is a permanent error (see httpx.DecodeJSON), and at most
// httpx.DrainLimit bytes of an unread rest are read before closing.
func (c client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("demo: %s %s: encode request: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	target := c.base + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return connectors.Permanent(fmt.Errorf("demo: %s %s: %w", method, path, err))
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}

	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("demo: %s %s: %w", method, path, unwrapURLError(err))
	}
	defer httpx.Drain(resp.Body)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		raw, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		if err != nil {
			return fmt.Errorf("demo: %s %s: read response: %w", method, path, err)
		}
		return c.httpError(req, resp, raw).classify()
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	return httpx.DecodeJSON(fmt.Sprintf("demo: %s %s", method, path), resp.Body, c.maxBody,
		resp.Header.Get("Content-Type"), out)
}

// httpError builds the error for a non-2xx answer, keeping only the
// server's JSON error message, never the rest of the body.
func (c client) httpError(req *http.Request, resp *http.Response, raw []byte) *HTTPError {
	var body struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(raw, &body)
	return &HTTPError{
		Method:     req.Method,
		Path:       req.URL.Path,
		Status:     resp.StatusCode,
		Message:    body.Error,
		RetryAfter: connectors.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
	}
}

// unwrapURLError drops *url.Error's copy of the full URL, whose query could
// carry ids the path already names, keeping the underlying cause.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
