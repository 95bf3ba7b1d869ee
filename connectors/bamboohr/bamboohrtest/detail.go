package bamboohrtest

import (
	"net/http"
	"slices"
	"strings"
)

// handleGet serves GET /api/v1/employees/{id}?fields=a,b: the id and the
// asked fields. Unset dates read "0000-00-00" as BambooHR writes them,
// other unset or restricted fields null, unknown field names are left out.
// Id 0 is the API key's owner, here the first employee.
func (s *Server) handleGet(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	var e *entry
	if id == "0" && len(s.emps) > 0 {
		e = s.emps[0]
	} else {
		e = s.find(id)
	}
	if e == nil || e.deleted {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "NotFound", "employee not found")
		return
	}
	emp := clone(e.emp)
	s.mu.Unlock()

	out := map[string]any{"id": emp.ID}
	for f := range strings.SplitSeq(r.URL.Query().Get("fields"), ",") {
		f = strings.TrimSpace(f)
		v, known := emp.field(f)
		switch {
		case !known || f == "id":
		case isRestricted(emp, f):
			out[f] = nil
		case v == "" && strings.HasSuffix(f, "Date"):
			out[f] = "0000-00-00"
		case v == "":
			out[f] = nil
		default:
			out[f] = v
		}
		if raw, ok := emp.Raw[f]; ok && known {
			out[f] = raw
		}
	}
	writeJSON(w, out)
}

// isRestricted reports whether the key may not read field f of e.
func isRestricted(e Employee, f string) bool {
	return slices.Contains(e.Restricted, f)
}
