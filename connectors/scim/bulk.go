package scim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path"

	"github.com/hrsync/hrsync/connectors"
)

// BulkOp is one operation of a Bulk request (RFC 7644 §3.7).
type BulkOp struct {
	// Method is POST, PUT, PATCH or DELETE.
	Method string
	// Path is relative to the base URL: /Users for a POST, /Users/<id>
	// otherwise, where <id> may be "bulkId:<bulkId>" of an earlier POST.
	Path string
	// BulkID names a POST so later operations can reference the user it
	// creates as "bulkId:<BulkID>" (in Path or anywhere in Data).
	BulkID string
	// Data is the body: a user for POST and PUT (see UserData), a PatchOp
	// message for PATCH (see ManagerData), nil for DELETE.
	Data any
	// Version is the user's ETag for If-Match semantics, "" for none.
	Version string
}

// BulkResult is the outcome of one BulkOp.
type BulkResult struct {
	// BulkID is the operation's.
	BulkID string
	// Location is the URI of the user the operation wrote.
	Location string
	// Status is the operation's HTTP status code.
	Status int
	// ID is the SCIM id of the user the operation wrote.
	ID string
	// Err is nil when the operation succeeded; otherwise a *SCIMError,
	// wrapped by connectors.Permanent when retrying cannot help, or an
	// error saying why the operation was never sent.
	Err error
}

// BulkSupported reports whether the service provider takes Bulk requests,
// with its limits on operations and bytes per request (0: none stated).
func (c *Client) BulkSupported(ctx context.Context) (maxOps, maxBytes int, ok bool, err error) {
	f, err := c.features(ctx)
	if err != nil {
		return 0, 0, false, err
	}
	return f.bulkMaxOps, f.bulkMaxPayload, f.bulk, nil
}

// bulkPrefix and bulkSuffix enclose a Bulk request's operations.
const (
	bulkPrefix = `{"schemas":["` + bulkRequestSchema + `"],"Operations":[`
	bulkSuffix = `]}`
)

// Bulk runs ops through POST /Bulk, as many requests as the service
// provider's maxOperations and maxPayloadSize (measured on the encoded
// JSON) require, in order, without failOnErrors, so every operation is
// tried. A reference to the bulkId of an operation sent in an earlier
// request is replaced by the id it created; references must point
// backwards. The results are in the order of ops. An operation too big for
// one request fails alone; a request that fails as a whole stops Bulk,
// which returns the results so far and the error, with each operation left
// unanswered (sent in that request, or not sent) carrying an
// *unansweredError: it may or may not have been made.
func (c *Client) Bulk(ctx context.Context, ops []BulkOp) ([]BulkResult, error) {
	f, err := c.features(ctx)
	if err != nil {
		return nil, err
	}
	if !f.bulk {
		return nil, connectors.Permanent(fmt.Errorf("scim: the service provider does not support bulk"))
	}
	results := make([]BulkResult, len(ops))
	for i, op := range ops {
		results[i].BulkID = op.BulkID
	}
	created := map[string]string{}
	for next := 0; next < len(ops); {
		var batch [][]byte
		var idx []int
		size := len(bulkPrefix) + len(bulkSuffix)
		for next < len(ops) && (f.bulkMaxOps == 0 || len(batch) < f.bulkMaxOps) {
			enc, err := encodeBulkOp(ops[next], created)
			if err != nil {
				results[next].Err = connectors.Permanent(fmt.Errorf("scim: bulk operation %d: %w", next, err))
				next++
				continue
			}
			add := len(enc)
			if len(batch) > 0 {
				add++
			}
			if f.bulkMaxPayload > 0 && size+add > f.bulkMaxPayload {
				if len(batch) > 0 {
					break
				}
				results[next].Err = connectors.Permanent(fmt.Errorf(
					"scim: bulk operation %d (%s %s) is %d bytes, over the maxPayloadSize of %d",
					next, ops[next].Method, ops[next].Path, add, f.bulkMaxPayload))
				next++
				continue
			}
			batch, idx, size = append(batch, enc), append(idx, next), size+add
			next++
		}
		if len(batch) == 0 {
			continue
		}
		resp, err := c.sendBulk(ctx, batch)
		if err != nil {
			for _, i := range idx {
				results[i].Err = unanswered(i, ops[i], err)
			}
			for i := next; i < len(ops); i++ {
				results[i].Err = unanswered(i, ops[i], err)
			}
			return results, err
		}
		c.fillBulk(results, ops, idx, resp, created)
	}
	return results, nil
}

// unansweredError is an operation of a Bulk request that failed as a whole,
// or one never sent after that: it may or may not have been made. It is
// never permanent, since what was refused was the request, not the
// operation: it unwraps to the request's error only when that error is
// transient, so the wait a 429 asked for is still found.
type unansweredError struct {
	op           int
	method, path string
	err          error
}

// unanswered is the error of operation i, op, left unanswered by err.
func unanswered(i int, op BulkOp, err error) error {
	return &unansweredError{op: i, method: op.Method, path: op.Path, err: err}
}

func (e *unansweredError) Error() string {
	return fmt.Sprintf("scim: bulk operation %d (%s %s): no answer: %v", e.op, e.method, e.path, e.err)
}

func (e *unansweredError) Unwrap() error {
	if connectors.IsPermanent(e.err) {
		return nil
	}
	return e.err
}

// sendBulk POSTs one Bulk request of the encoded operations.
func (c *Client) sendBulk(ctx context.Context, batch [][]byte) ([]bulkOpResult, error) {
	var body bytes.Buffer
	body.WriteString(bulkPrefix)
	body.Write(bytes.Join(batch, []byte(",")))
	body.WriteString(bulkSuffix)
	var resp struct {
		Operations []bulkOpResult `json:"Operations"`
	}
	if _, err := c.do(ctx, http.MethodPost, "/Bulk", nil, "", body.Bytes(), &resp); err != nil {
		return nil, err
	}
	return resp.Operations, nil
}

// bulkOpResult is one operation of a BulkResponse.
type bulkOpResult struct {
	Method   string          `json:"method"`
	BulkID   string          `json:"bulkId"`
	Version  string          `json:"version"`
	Location string          `json:"location"`
	Status   json.RawMessage `json:"status"`
	Response json.RawMessage `json:"response"`
}

// fillBulk records the answers to the operations ops[idx...]: matched by
// position when the server answered each, else by bulkId. Ids created
// under a bulkId are added to created for later requests.
func (c *Client) fillBulk(results []BulkResult, ops []BulkOp, idx []int, resp []bulkOpResult, created map[string]string) {
	byBulkID := map[string]bulkOpResult{}
	for _, r := range resp {
		if r.BulkID != "" {
			byBulkID[r.BulkID] = r
		}
	}
	for n, i := range idx {
		op := ops[i]
		r, ok := bulkOpResult{}, false
		switch {
		case len(resp) == len(idx):
			r, ok = resp[n], true
		case op.BulkID != "":
			r, ok = byBulkID[op.BulkID]
		}
		if !ok {
			results[i].Err = fmt.Errorf("scim: bulk operation %d (%s %s): no result in the answer", i, op.Method, op.Path)
			continue
		}
		results[i] = c.bulkResult(op, r)
		if results[i].Err == nil && op.BulkID != "" && results[i].ID != "" {
			created[op.BulkID] = results[i].ID
		}
	}
}

// bulkResult turns one answered operation into its BulkResult and
// remembers the version of the user it wrote.
func (c *Client) bulkResult(op BulkOp, r bulkOpResult) BulkResult {
	res := BulkResult{BulkID: op.BulkID, Location: r.Location, Status: bulkStatus(r.Status)}
	var body resource
	_ = decodeJSON(r.Response, &body)
	res.ID = idFromLocation(r.Location)
	if id := body.id(); id != "" {
		res.ID = id
	}
	if res.Status == 0 {
		// Like a lost answer, a status that cannot be read says nothing of
		// what was done: the operation may be sent again.
		res.Err = fmt.Errorf("scim: bulk %s %s: no readable status in the answer", op.Method, op.Path)
		return res
	}
	if res.Status < 200 || res.Status > 299 {
		res.Err = newSCIMError(op.Method, op.Path, res.Status, nil, r.Response).classify()
		return res
	}
	if res.ID != "" {
		version := r.Version
		if version == "" {
			version = body.version()
		}
		if op.Method == http.MethodDelete {
			version = ""
		}
		c.versions.put(res.ID, version)
	}
	return res
}

// bulkStatus reads an operation's status: a string by RFC 7644, a number
// from some servers, {"code": …} from SCIM 1.1 ones; 0 when unreadable.
func bulkStatus(raw json.RawMessage) int {
	var obj struct {
		Code json.RawMessage `json:"code"`
	}
	if json.Unmarshal(raw, &obj) == nil && obj.Code != nil {
		return bodyStatus(obj.Code)
	}
	return bodyStatus(raw)
}

// idFromLocation returns the last path segment of a resource URI.
func idFromLocation(loc string) string {
	u, err := url.Parse(loc)
	if err != nil || u.Path == "" {
		return ""
	}
	return path.Base(u.Path)
}
