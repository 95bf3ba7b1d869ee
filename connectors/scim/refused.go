package scim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/roster"
)

// RefusedError says the directory refused to write some attributes of a
// user, while everything else the write asked for was made. It comes
// wrapped by connectors.Permanent (the same attributes would be refused
// again); find it with errors.As to record which fields of the employee
// did not reach the directory.
type RefusedError struct {
	// TargetID is the user's SCIM id.
	TargetID string
	// Paths are the refused attributes, as PATCH paths.
	Paths []string
	// Fields are the catalogue fields the refused attributes hold; an
	// attribute hrsync derives (displayName, name.formatted) adds none.
	Fields []roster.Field
	// Err is the directory's last refusal; nil when nothing was sent
	// because the attributes were refused before or have no home.
	Err *SCIMError
}

// Error names the user, the refused attributes and the last refusal.
func (e *RefusedError) Error() string {
	paths := strings.Join(e.Paths, ", ")
	if e.Err == nil {
		return fmt.Sprintf("scim: user %s: the directory has no home for %s", e.TargetID, paths)
	}
	return fmt.Sprintf("scim: user %s: the directory refused %s: %v", e.TargetID, paths, e.Err)
}

// Unwrap returns the directory's last refusal.
func (e *RefusedError) Unwrap() error {
	if e.Err == nil {
		return nil
	}
	return e.Err
}

// refusedError is the permanent error for ops refused on user id.
func refusedError(id string, ops []patchOp, last *SCIMError) error {
	re := &RefusedError{TargetID: id, Err: last}
	for _, op := range ops {
		if !slices.Contains(re.Paths, op.Path) {
			re.Paths = append(re.Paths, op.Path)
		}
		for _, f := range op.fields {
			if !slices.Contains(re.Fields, f) {
				re.Fields = append(re.Fields, f)
			}
		}
	}
	return connectors.Permanent(re)
}

// refusalTypes are the scimTypes with which a directory refuses an
// operation rather than the request (RFC 7644 §3.12).
var refusalTypes = []string{"invalidPath", "invalidValue", "noTarget", "mutability"}

// refusal returns the 400 in err when it refuses operations of ops rather
// than the request: its scimType says so, or its detail names a path of
// one of them.
func refusal(err error, ops []patchOp) (*SCIMError, bool) {
	var se *SCIMError
	if !errors.As(err, &se) || se.Status != http.StatusBadRequest {
		return nil, false
	}
	if slices.ContainsFunc(refusalTypes, func(t string) bool { return strings.EqualFold(t, se.ScimType) }) {
		return se, true
	}
	return se, len(namedOps(se.rawDetail, ops)) > 0
}

// patchLeniently sends ops to user id as one PatchOp. When the directory
// refuses some of them it sends the others again without them: those its
// error names, or, when it names none, each operation on its own. So one
// attribute the directory will not take never holds back the rest (a
// deactivation, say). The refused operations come back as a
// *RefusedError once the rest is written. There are at most as many
// retries as operations.
func (c *Client) patchLeniently(ctx context.Context, id, version string, etag bool, ops []patchOp) error {
	ops, refused := c.refused.split(ops)
	var last *SCIMError
	for len(ops) > 0 {
		err := c.patch(ctx, id, version, ops)
		if err == nil {
			break
		}
		se, ok := refusal(err, ops)
		if !ok {
			return err
		}
		last = se
		bad := namedOps(se.rawDetail, ops)
		if len(bad) == 0 && len(ops) > 1 {
			more, lastOne, err := c.patchEach(ctx, id, version, etag, ops)
			if lastOne != nil {
				last = lastOne
			}
			refused = append(refused, more...)
			if err != nil {
				return err
			}
			break
		}
		if len(bad) == 0 {
			bad = []int{0}
		}
		var rest []patchOp
		for i, op := range ops {
			if slices.Contains(bad, i) {
				refused = append(refused, op)
				c.refused.learn(se, op)
			} else {
				rest = append(rest, op)
			}
		}
		ops = rest
	}
	if len(refused) == 0 {
		return nil
	}
	return refusedError(id, refused, last)
}

// patchEach sends ops to user id one PatchOp each, returning those the
// directory refused and its last refusal; any other error stops it.
func (c *Client) patchEach(ctx context.Context, id, version string, etag bool, ops []patchOp) (refused []patchOp, last *SCIMError, err error) {
	for _, op := range ops {
		err := c.patch(ctx, id, version, []patchOp{op})
		if se, ok := refusal(err, []patchOp{op}); ok {
			refused, last = append(refused, op), se
			c.refused.learn(se, op)
			continue
		}
		if err != nil {
			return refused, last, err
		}
		if etag {
			if version = c.versions.get(id); version == "" {
				if _, version, err = c.getUser(ctx, id); err != nil {
					return refused, last, err
				}
			}
		}
	}
	return refused, last, nil
}

// namedOps returns the indexes of the operations whose path detail names:
// in full, else (for an extension attribute) by its name in quotes.
func namedOps(detail string, ops []patchOp) []int {
	if detail == "" {
		return nil
	}
	d := strings.ToLower(detail)
	var out []int
	for i, op := range ops {
		if op.Path != "" && mentions(d, strings.ToLower(op.Path), false) {
			out = append(out, i)
		}
	}
	if len(out) > 0 {
		return out
	}
	for i, op := range ops {
		if name := extensionAttr(op.Path); name != "" && mentions(d, strings.ToLower(name), true) {
			out = append(out, i)
		}
	}
	return out
}

// extensionAttr returns the attribute name of an extension attribute's
// path (what follows the URN, up to a filter or sub-attribute), "" for a
// core attribute.
func extensionAttr(path string) string {
	if !strings.HasPrefix(strings.ToLower(path), "urn:") {
		return ""
	}
	if i := strings.IndexByte(path, '['); i >= 0 {
		path = path[:i]
	}
	name := path[strings.LastIndexByte(path, ':')+1:]
	name, _, _ = strings.Cut(name, ".")
	return name
}

// mentions reports whether text names the attribute path p as a whole:
// not as part of a longer name or path, and with quoted, only between
// quotes.
func mentions(text, p string, quoted bool) bool {
	for from := 0; ; {
		i := strings.Index(text[from:], p)
		if i < 0 {
			return false
		}
		start, end := from+i, from+i+len(p)
		from = start + 1
		var before, after byte
		if start > 0 {
			before = text[start-1]
		}
		if end < len(text) {
			after = text[end]
		}
		if quoted {
			if isQuote(before) && isQuote(after) {
				return true
			}
			continue
		}
		if isNameByte(before) || before == '.' || before == ':' {
			continue
		}
		if isNameByte(after) || after == ':' || after == '[' ||
			(after == '.' && end+1 < len(text) && isNameByte(text[end+1])) {
			continue
		}
		return true
	}
}

// isNameByte reports whether b can be part of an attribute name.
func isNameByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b == '-' || b == '$'
}

// isQuote reports whether b quotes a name in an error's detail.
func isQuote(b byte) bool { return b == '\'' || b == '"' || b == '`' }

// maxRefusedPaths bounds how many paths a client remembers as refused.
const maxRefusedPaths = 256

// refusedPaths remembers the paths a directory refused as invalid
// (invalidPath), which it refuses whatever the user or value, so later
// updates by the same client do not send them at all.
type refusedPaths struct {
	mu sync.Mutex
	m  map[string]bool
}

// learn remembers op's path when se refused it as invalid.
func (r *refusedPaths) learn(se *SCIMError, op patchOp) {
	if se == nil || !strings.EqualFold(se.ScimType, "invalidPath") || op.Path == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[string]bool{}
	}
	if len(r.m) < maxRefusedPaths {
		r.m[strings.ToLower(op.Path)] = true
	}
}

// split separates ops into those to send and those refused before.
func (r *refusedPaths) split(ops []patchOp) (send, refused []patchOp) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.m) == 0 {
		return ops, nil
	}
	for _, op := range ops {
		if r.m[strings.ToLower(op.Path)] {
			refused = append(refused, op)
		} else {
			send = append(send, op)
		}
	}
	return send, refused
}
