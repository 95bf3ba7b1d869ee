package scim

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
	"sync/atomic"

	"github.com/hrsync/hrsync/connectors"
)

// mediaType is the SCIM media type of every request and answer.
const mediaType = "application/scim+json"

// maxResponse bounds a response body.
const maxResponse = 32 << 20

// drainLimit bounds what is read of a body left unread before closing it.
const drainLimit = 64 << 10

// Client keeps a SCIM 2.0 service provider's Users in step with the HRIS.
// It is safe for concurrent use.
type Client struct {
	cfg Config
	// customDefaulted is true when Config left CustomSchema empty, so
	// Describe may pick LegacyCustomSchema.
	customDefaulted bool
	feat            featureCache
	desc            describeCache
	// view is where attributes can be written: everywhere until Describe
	// or Assume says otherwise.
	view     atomic.Pointer[view]
	versions versionCache
	// refused are the paths the directory refused as invalid.
	refused refusedPaths
	// drift is what writes found changed behind hrsync's back.
	drift driftNotes
}

var _ connectors.Target = (*Client)(nil)

// New returns a Client for the service provider cfg describes, or an error
// (permanent) when cfg cannot work. It makes no request: the service
// provider's features are fetched on first need, and until Describe or
// Assume the client takes every attribute to have a home.
func New(cfg Config) (*Client, error) {
	defaulted := cfg.CustomSchema == ""
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, connectors.Permanent(err)
	}
	c := &Client{cfg: cfg, customDefaulted: defaulted}
	c.view.Store(c.newView(nil, nil, false))
	return c, nil
}

// do sends method path?query with in as the JSON body (when not nil) and
// ifMatch as If-Match (when not empty), decodes a 2xx answer with a body
// into out (when not nil) and returns the answer's headers. A non-2xx
// answer is a classified *SCIMError; a transport failure is a plain,
// retryable error.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, ifMatch string, in, out any) (http.Header, error) {
	var body io.Reader
	if in != nil {
		b, ok := in.([]byte)
		if !ok {
			var err error
			if b, err = json.Marshal(in); err != nil {
				return nil, connectors.Permanent(fmt.Errorf("scim: %s %s: encode request: %w", method, path, err))
			}
		}
		body = bytes.NewReader(b)
	}
	target := c.cfg.BaseURL + path
	if len(query) > 0 {
		// %20 rather than +: some servers read + in a filter literally.
		target += "?" + strings.ReplaceAll(query.Encode(), "+", "%20")
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("scim: %s %s: %w", method, path, unwrapURLError(err)))
	}
	req.Header.Set("Accept", mediaType)
	if in != nil {
		req.Header.Set("Content-Type", mediaType)
	}
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	if c.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	} else {
		req.SetBasicAuth(c.cfg.Username, c.cfg.Password)
	}

	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("scim: %s %s: %w", method, path, unwrapURLError(err))
	}
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, drainLimit))
		_ = resp.Body.Close()
	}()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return nil, fmt.Errorf("scim: %s %s: read response: %w", method, path, err)
	}
	if len(raw) > maxResponse {
		return resp.Header, connectors.Permanent(fmt.Errorf("scim: %s %s: the answer is larger than %d MiB",
			method, path, maxResponse>>20))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.Header, newSCIMError(method, path, resp.StatusCode, resp.Header, raw).classify()
	}
	if out != nil && len(bytes.TrimSpace(raw)) > 0 {
		if err := decodeJSON(raw, out); err != nil {
			// A 2xx answer that is not the JSON asked for will not become it.
			return resp.Header, connectors.Permanent(fmt.Errorf("scim: %s %s: the answer is not valid JSON (%s)",
				method, path, resp.Header.Get("Content-Type")))
		}
	}
	return resp.Header, nil
}

// decodeJSON decodes raw into out, keeping numbers as json.Number so that
// a resource written back is written unchanged.
func decodeJSON(raw []byte, out any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(out)
}

// userPath is the path of user id.
func userPath(id string) string { return "/Users/" + url.PathEscape(id) }

// unwrapURLError drops *url.Error's copy of the full URL, whose query can
// carry a filter with a userName, keeping the underlying cause.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// trimVersion returns an ETag header value, or "" when there is none.
func trimVersion(h http.Header) string {
	if h == nil {
		return ""
	}
	return strings.TrimSpace(h.Get("ETag"))
}
