package scimtest

import (
	"context"
	"net/http"
	"strconv"
	"strings"
)

// bulkRun is the state of one Bulk request being processed.
type bulkRun struct {
	// created maps the bulkId of each successful POST to the user's id.
	created map[string]string
	// definedBy maps a bulkId to the index of the first POST declaring it.
	definedBy map[string]int
	done      []bool
}

// runBulk processes the operations and returns the response of each one
// processed, in request order. Operations run in request order, except
// that one referring to the bulkId of a POST not yet run waits for it;
// references left unresolved (circular, unknown, or to a failed POST) fail
// with 409. After failOnErrors errors (when > 0) the rest are skipped.
func (s *Server) runBulk(ctx context.Context, base string, ops []bulkOp, failOnErrors int) []any {
	run := &bulkRun{created: map[string]string{}, definedBy: map[string]int{}, done: make([]bool, len(ops))}
	for i, op := range ops {
		if _, seen := run.definedBy[op.bulkID]; op.method == http.MethodPost && op.bulkID != "" && !seen {
			run.definedBy[op.bulkID] = i
		}
	}
	results := make([]map[string]any, len(ops))
	errs := 0
	stopped := func() bool { return failOnErrors > 0 && errs >= failOnErrors }
	finish := func(i int, res map[string]any) {
		results[i], run.done[i] = res, true
		if n, _ := strconv.Atoi(res["status"].(string)); n >= 400 {
			errs++
		}
	}
	pending := make([]int, len(ops))
	for i := range pending {
		pending[i] = i
	}
	for len(pending) > 0 && !stopped() {
		var waiting []int
		for _, i := range pending {
			if stopped() {
				break
			}
			if run.waits(ops, i) {
				waiting = append(waiting, i)
				continue
			}
			finish(i, s.runBulkOp(ctx, base, run, ops[i], i))
		}
		if len(waiting) == len(pending) {
			// Nothing could run: the references are circular.
			for _, i := range waiting {
				if stopped() {
					break
				}
				finish(i, s.runBulkOp(ctx, base, run, ops[i], i))
			}
			break
		}
		pending = waiting
	}
	out := []any{}
	for i, res := range results {
		if run.done[i] {
			out = append(out, res)
		}
	}
	return out
}

// waits reports whether operation i refers to a bulkId whose POST has not
// run yet (and is not i itself).
func (run *bulkRun) waits(ops []bulkOp, i int) bool {
	for _, ref := range ops[i].refs {
		j, ok := run.definedBy[ref]
		if ok && j != i && !run.done[j] {
			return true
		}
	}
	return false
}

// resolve replaces bulkId references in v with the ids of the users they
// name.
func (run *bulkRun) resolve(v any) (any, error) {
	switch t := v.(type) {
	case string:
		ref, ok := strings.CutPrefix(t, bulkRefPrefix)
		if !ok {
			return t, nil
		}
		id, ok := run.created[ref]
		if !ok {
			return nil, errorf(http.StatusConflict, "",
				"bulkId %q does not name a resource created in this request (unknown, failed or circular reference)", ref)
		}
		return id, nil
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			y, err := run.resolve(x)
			if err != nil {
				return nil, err
			}
			out[i] = y
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			y, err := run.resolve(x)
			if err != nil {
				return nil, err
			}
			out[k] = y
		}
		return out, nil
	}
	return v, nil
}

// runBulkOp runs one operation and returns its response.
func (s *Server) runBulkOp(ctx context.Context, base string, run *bulkRun, op bulkOp, i int) map[string]any {
	res := map[string]any{"method": op.method}
	if op.bulkID != "" {
		res["bulkId"] = op.bulkID
	}
	status, id, rec, err := s.performBulkOp(ctx, base, run, op, i)
	if id != "" {
		res["location"] = base + "/Users/" + id
	}
	if err != nil {
		e := asSCIM(err)
		res["status"] = strconv.Itoa(e.status)
		res["response"] = e.body()
		return res
	}
	res["status"] = strconv.Itoa(status)
	if rec != nil && s.etagsOn.Load() {
		res["version"] = rec.etag()
	}
	if op.method == http.MethodPost {
		run.created[op.bulkID] = id
	}
	return res
}

// performBulkOp performs one operation, returning its status, the id of the user
// it concerns and the user as written.
func (s *Server) performBulkOp(ctx context.Context, base string, run *bulkRun, op bulkOp, index int) (int, string, *record, error) {
	segs := strings.Split(strings.Trim(op.path, "/"), "/")
	for i, seg := range segs {
		v, err := run.resolve(seg)
		if err != nil {
			return 0, "", nil, err
		}
		segs[i] = v.(string)
	}
	typ, id, hasID := strings.Cut(strings.Join(segs, "/"), "/")
	if !strings.EqualFold(typ, "Users") || strings.Contains(id, "/") {
		return 0, "", nil, errorf(http.StatusNotFound, "", "path %q is not /Users or /Users/{id}", op.path)
	}
	data, err := run.resolve(op.data)
	if err != nil {
		return 0, id, nil, err
	}
	ifMatch := ""
	if s.etagsOn.Load() {
		ifMatch = op.version
	}
	switch op.method {
	case http.MethodPost:
		switch {
		case hasID:
			return 0, "", nil, badRequest(errInvalidPath, "POST takes the path /Users")
		case op.bulkID == "":
			return 0, "", nil, badRequest(errInvalidSyntax, "a POST operation needs a bulkId")
		case run.definedBy[op.bulkID] != index:
			return 0, "", nil, badRequest(errInvalidValue, "bulkId %q is used by an earlier POST of this request", op.bulkID)
		}
		body, ok := data.(map[string]any)
		if !ok {
			return 0, "", nil, badRequest(errInvalidSyntax, "a POST operation needs data: the User to create")
		}
		rec, err := s.createUser(ctx, base, body)
		if err != nil {
			return 0, "", nil, err
		}
		return http.StatusCreated, rec.ID, rec, nil
	case http.MethodPut, http.MethodPatch, http.MethodDelete:
		if !hasID || id == "" {
			return 0, "", nil, badRequest(errInvalidPath, "%s takes the path /Users/{id}", op.method)
		}
	default:
		return 0, "", nil, badRequest(errInvalidSyntax, "method %q is not POST, PUT, PATCH or DELETE", op.method)
	}
	var rec *record
	switch op.method {
	case http.MethodPut:
		body, ok := data.(map[string]any)
		if !ok {
			return 0, id, nil, badRequest(errInvalidSyntax, "a PUT operation needs data: the User")
		}
		rec, err = s.replaceUser(ctx, base, id, ifMatch, body)
	case http.MethodPatch:
		if !s.patchOn.Load() {
			return 0, id, nil, errorf(http.StatusNotImplemented, "", "PATCH is not supported")
		}
		body, ok := data.(map[string]any)
		if list, isList := data.([]any); isList {
			body, ok = map[string]any{"schemas": []any{patchOpSchema}, "Operations": list}, true
		}
		if !ok {
			return 0, id, nil, badRequest(errInvalidSyntax, "a PATCH operation needs data: a PatchOp message")
		}
		rec, err = s.patchUser(ctx, base, id, ifMatch, body)
	case http.MethodDelete:
		if err := s.deleteUser(ctx, id, ifMatch); err != nil {
			return 0, id, nil, err
		}
		return http.StatusNoContent, id, nil, nil
	}
	if err != nil {
		return 0, id, nil, err
	}
	return http.StatusOK, id, rec, nil
}
