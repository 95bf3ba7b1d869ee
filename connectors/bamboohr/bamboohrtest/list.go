package bamboohrtest

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// alwaysFields are returned for every employee of the list.
var alwaysFields = []string{"employeeId", "firstName", "lastName", "preferredName", "photoUrl", "jobTitleName", "status"}

// extraFields is the list's fields= enum, as the spec documents it. Note
// that terminationDate is not in it.
var extraFields = []string{
	"workEmail", "hireDate", "departmentName", "departmentId", "divisionName", "divisionId",
	"locationName", "locationId", "employmentStatusName", "employmentStatusId", "reportsToName", "reportsToId",
}

// listQuery is a parsed GET /api/v1/employees.
type listQuery struct {
	limit  int
	after  string
	status string
	ids    map[string]bool
	fields []string
}

// parseList reads the list's query, or returns the 400 message.
func (s *Server) parseList(q url.Values) (listQuery, string) {
	lq := listQuery{limit: min(50, s.opts.PageLimit), after: q.Get("page[after]"), fields: alwaysFields}
	if q.Has("page[before]") {
		return lq, "page[before] is not supported by this fake"
	}
	if v := q.Get("page[limit]"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > s.opts.PageLimit {
			return lq, fmt.Sprintf("page[limit] must be 1 to %d", s.opts.PageLimit)
		}
		lq.limit = n
	}
	switch st := strings.ToLower(q.Get("filter[status]")); st {
	case "", "active", "inactive":
		lq.status = st
	default:
		return lq, "filter[status] must be active or inactive"
	}
	if ids := q["filter[ids][]"]; len(ids) > 0 {
		lq.ids = map[string]bool{}
		for _, id := range ids {
			lq.ids[id] = true
		}
	}
	if v := q.Get("fields"); v != "" {
		lq.fields = slices.Clone(alwaysFields)
		for f := range strings.SplitSeq(v, ",") {
			if f = strings.TrimSpace(f); !slices.Contains(extraFields, f) {
				return lq, fmt.Sprintf("fields: %q is not an allowed value", f)
			}
			lq.fields = append(lq.fields, f)
		}
	}
	return lq, ""
}

// handleList serves GET /api/v1/employees.
func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	lq, bad := s.parseList(r.URL.Query())
	if bad != "" {
		writeError(w, http.StatusBadRequest, "BadRequest", bad)
		return
	}
	s.mu.Lock()
	var match []*entry
	for _, e := range s.emps {
		if !e.deleted && (lq.status == "" || strings.EqualFold(e.emp.Status, lq.status)) && (lq.ids == nil || lq.ids[e.emp.ID]) {
			match = append(match, e)
		}
	}
	start := 0
	if lq.after != "" {
		b := s.boundary(lq.after)
		if b == nil {
			s.mu.Unlock()
			writeError(w, http.StatusBadRequest, "BadPage", "the cursor is malformed or its boundary employee changed")
			return
		}
		start = len(match)
		for i, e := range match {
			if e.num > b.num {
				start = i
				break
			}
		}
	}
	end := min(start+lq.limit, len(match))
	data := make([]map[string]any, 0, end-start)
	for _, e := range match[start:end] {
		data = append(data, served(e.emp, lq.fields))
	}
	var next, prev any
	if end < len(match) {
		next = cursorOf(match[end-1])
	}
	if start > 0 && start < len(match) {
		prev = cursorOf(match[start])
	}
	s.mu.Unlock()

	links := map[string]any{"self": map[string]string{"href": r.URL.RequestURI()}}
	if next != nil {
		q := r.URL.Query()
		q.Set("page[after]", next.(string))
		links["next"] = map[string]string{"href": r.URL.Path + "?" + q.Encode()}
	}
	writeJSON(w, map[string]any{
		"data":   data,
		"meta":   map[string]any{"total": len(match), "page": map[string]any{"limit": lq.limit, "nextCursor": next, "prevCursor": prev}},
		"_links": links,
	})
}

// served is one employee as the API shows it: the asked fields, null when
// unset or restricted, and the restricted ones named in _restrictedFields;
// then the asked fields e.Raw holds, as they are.
func served(e Employee, fields []string) map[string]any {
	out := make(map[string]any, len(fields)+1)
	restricted := []string{}
	for _, f := range fields {
		v, _ := e.field(f)
		switch {
		case slices.Contains(e.Restricted, f):
			out[f] = nil
			restricted = append(restricted, f)
		case v == "":
			out[f] = nil
		default:
			out[f] = v
		}
	}
	out["_restrictedFields"] = restricted
	for k, v := range e.Raw {
		if slices.Contains(fields, k) || k == "_restrictedFields" {
			out[k] = v
		}
	}
	return out
}

// cursorOf is the opaque cursor after e: its id and version, so a cursor
// whose boundary employee changed since is refused, as BambooHR does.
func cursorOf(e *entry) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%s:%d", e.emp.ID, e.version))
}

// boundary returns the entry a cursor points after, or nil when the cursor
// is malformed or its employee was deleted or changed. s.mu is held.
func (s *Server) boundary(cursor string) *entry {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil
	}
	id, ver, ok := strings.Cut(string(raw), ":")
	e := s.find(id)
	if !ok || e == nil || e.deleted || strconv.Itoa(e.version) != ver {
		return nil
	}
	return e
}
