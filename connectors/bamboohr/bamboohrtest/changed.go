package bamboohrtest

import (
	"net/http"
	"strings"
	"time"
)

// changedEntry is one employee in the changed endpoint's answer.
type changedEntry struct {
	ID          string `json:"id"`
	Action      string `json:"action"`
	LastChanged string `json:"lastChanged"`
}

// sinceLayouts are the ISO 8601 forms accepted for since.
var sinceLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05-0700"}

// handleChanged serves GET /api/v1/employees/changed?since=…&type=…: every
// employee whose LastChanged is at or after since, as Inserted (created
// since), Updated or Deleted.
func (s *Server) handleChanged(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	since, ok := parseSince(q.Get("since"))
	if !ok {
		writeError(w, http.StatusBadRequest, "BadRequest", "since is missing or not an ISO 8601 date-time")
		return
	}
	kind := strings.ToLower(q.Get("type"))
	switch kind {
	case "":
		kind = "all"
	case "all", "inserted", "updated", "deleted":
	default:
		writeError(w, http.StatusBadRequest, "BadRequest", "type must be inserted, updated, deleted or all")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	latest := since
	out := map[string]changedEntry{}
	for _, e := range s.emps {
		if e.emp.LastChanged.Before(since) {
			continue
		}
		action := "Updated"
		switch {
		case e.deleted:
			action = "Deleted"
		case !e.created.Before(since):
			action = "Inserted"
		}
		if kind != "all" && !strings.EqualFold(kind, action) {
			continue
		}
		if e.emp.LastChanged.After(latest) {
			latest = e.emp.LastChanged
		}
		out[e.emp.ID] = changedEntry{ID: e.emp.ID, Action: action, LastChanged: e.emp.LastChanged.Format(time.RFC3339)}
	}
	writeJSON(w, map[string]any{"latest": latest.Format(time.RFC3339), "employees": out})
}

// parseSince reads an ISO 8601 date-time.
func parseSince(v string) (time.Time, bool) {
	for _, layout := range sinceLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
