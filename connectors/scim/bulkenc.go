package scim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// bulkOpJSON is one operation as a Bulk request carries it.
type bulkOpJSON struct {
	Method  string `json:"method"`
	Path    string `json:"path"`
	BulkID  string `json:"bulkId,omitempty"`
	Version string `json:"version,omitempty"`
	Data    any    `json:"data,omitempty"`
}

// bulkRef starts a reference to an operation by bulkId.
const bulkRef = "bulkId:"

// encodeBulkOp encodes op with every reference to a bulkId in created
// replaced by the id its operation created.
func encodeBulkOp(op BulkOp, created map[string]string) ([]byte, error) {
	switch op.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		return nil, fmt.Errorf("method %q is not POST, PUT, PATCH or DELETE", op.Method)
	}
	if !strings.HasPrefix(op.Path, "/") {
		return nil, fmt.Errorf("path %q does not start with /", op.Path)
	}
	out := bulkOpJSON{Method: op.Method, Path: resolvePath(op.Path, created), BulkID: op.BulkID,
		Version: op.Version, Data: op.Data}
	if len(created) > 0 && op.Data != nil {
		raw, err := json.Marshal(op.Data)
		if err != nil {
			return nil, fmt.Errorf("encode data: %w", err)
		}
		var tree any
		if err := decodeJSON(raw, &tree); err != nil {
			return nil, fmt.Errorf("encode data: %w", err)
		}
		out.Data = resolveRefs(tree, created)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return b, nil
}

// resolvePath replaces path segments "bulkId:<id>" known to created.
func resolvePath(p string, created map[string]string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if id, ok := created[strings.TrimPrefix(s, bulkRef)]; ok && strings.HasPrefix(s, bulkRef) {
			segs[i] = id
		}
	}
	return strings.Join(segs, "/")
}

// resolveRefs replaces, in a decoded JSON tree, every string
// "bulkId:<id>" known to created.
func resolveRefs(v any, created map[string]string) any {
	switch t := v.(type) {
	case string:
		if ref, ok := strings.CutPrefix(t, bulkRef); ok {
			if id, known := created[ref]; known {
				return id
			}
		}
	case map[string]any:
		for k, x := range t {
			t[k] = resolveRefs(x, created)
		}
	case []any:
		for i, x := range t {
			t[i] = resolveRefs(x, created)
		}
	}
	return v
}
