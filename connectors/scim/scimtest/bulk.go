package scimtest

import (
	"fmt"
	"math"
	"net/http"
	"strings"
)

// bulkRefPrefix starts a reference to the resource another operation of
// the same Bulk request creates (RFC 7644 §3.7.2).
const bulkRefPrefix = "bulkId:"

// bulkOp is one operation of a BulkRequest.
type bulkOp struct {
	method  string
	bulkID  string
	version string
	path    string
	data    any
	// refs are the bulkIds the operation's path and data refer to.
	refs []string
}

// handleBulk answers POST /Bulk (RFC 7644 §3.7).
func (s *Server) handleBulk(w http.ResponseWriter, r *http.Request, base string) {
	if !s.bulkOn.Load() {
		writeError(w, errorf(http.StatusNotImplemented, "", "Bulk is not supported (see ServiceProviderConfig bulk.supported)"))
		return
	}
	maxSize := s.opts.BulkMaxPayloadSize
	b, err := readBody(r, int64(maxSize), fmt.Sprintf("The size of the bulk operation exceeds the maxPayloadSize (%d).", maxSize))
	if err != nil {
		writeError(w, err)
		return
	}
	body, err := decodeObject(b)
	if err != nil {
		writeError(w, err)
		return
	}
	ops, failOnErrors, err := s.parseBulk(body)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"schemas":    []string{bulkResponseSchema},
		"Operations": s.runBulk(r.Context(), base, ops, failOnErrors),
	})
}

// parseBulk validates a BulkRequest and returns its operations and
// failOnErrors (0 when absent: process every operation).
func (s *Server) parseBulk(body map[string]any) ([]bulkOp, int, error) {
	if !listsSchema(body, bulkRequestSchema) {
		return nil, 0, badRequest(errInvalidSyntax, "a Bulk body must be a BulkRequest: schemas must list %s", bulkRequestSchema)
	}
	var (
		raw          any
		failOnErrors int
	)
	for k, v := range body {
		switch strings.ToLower(k) {
		case "operations":
			raw = v
		case "failonerrors":
			n, ok := v.(float64)
			if !ok || n < 1 || n != math.Trunc(n) {
				return nil, 0, badRequest(errInvalidValue, "failOnErrors must be an integer of at least 1")
			}
			failOnErrors = int(n)
		}
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, 0, badRequest(errInvalidSyntax, "a BulkRequest needs Operations: an array of operations")
	}
	if len(list) > s.opts.BulkMaxOperations {
		return nil, 0, errorf(http.StatusRequestEntityTooLarge, "",
			"The number of operations (%d) exceeds maxOperations (%d).", len(list), s.opts.BulkMaxOperations)
	}
	ops := make([]bulkOp, 0, len(list))
	for i, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, 0, badRequest(errInvalidSyntax, "Operations[%d] is not an object", i)
		}
		var op bulkOp
		for k, v := range m {
			str, isString := v.(string)
			switch strings.ToLower(k) {
			case "method":
				op.method = strings.ToUpper(str)
			case "bulkid":
				op.bulkID = str
			case "version":
				op.version = str
			case "path":
				op.path = str
			case "data":
				op.data = v
				continue
			default:
				return nil, 0, badRequest(errInvalidSyntax, "Operations[%d] has an unknown member %q", i, k)
			}
			if !isString && v != nil {
				return nil, 0, badRequest(errInvalidSyntax, "Operations[%d].%s must be a string", i, k)
			}
		}
		op.refs = bulkRefs(op.path, op.data)
		ops = append(ops, op)
	}
	return ops, failOnErrors, nil
}

// bulkRefs lists the bulkIds referred to in a path and data.
func bulkRefs(path string, data any) []string {
	var refs []string
	for seg := range strings.SplitSeq(path, "/") {
		if id, ok := strings.CutPrefix(seg, bulkRefPrefix); ok {
			refs = append(refs, id)
		}
	}
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case string:
			if id, ok := strings.CutPrefix(t, bulkRefPrefix); ok {
				refs = append(refs, id)
			}
		case []any:
			for _, x := range t {
				walk(x)
			}
		case map[string]any:
			for _, x := range t {
				walk(x)
			}
		}
	}
	walk(data)
	return refs
}
