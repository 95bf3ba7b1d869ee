package mergetest

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// listPage is a Merge paginated list.
type listPage struct {
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	Results  []any   `json:"results"`
}

// handleEmployees serves GET /employees?page_size=&cursor=&modified_after=
// &expand=&include_deleted_data=. Pages follow the id order; the cursor
// names the last id served, so changes between pages shift nothing.
func (s *Server) handleEmployees(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	size := s.opts.PageSize
	if v, err := strconv.Atoi(q.Get("page_size")); err == nil && v > 0 {
		size = min(v, s.opts.PageSize)
	}
	var after time.Time
	if v := q.Get("modified_after"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			writeDetail(w, http.StatusBadRequest, "modified_after: Enter a valid date/time.")
			return
		}
		after = t
	}
	from := ""
	if c := q.Get("cursor"); c != "" {
		raw, err := base64.RawURLEncoding.DecodeString(c)
		id, ok := strings.CutPrefix(string(raw), "p=")
		if err != nil || !ok {
			writeDetail(w, http.StatusNotFound, "Invalid cursor")
			return
		}
		from = id
	}
	deleted := q.Get("include_deleted_data") == "true"
	all := s.Employees()
	byID := make(map[string]Employee, len(all))
	for _, e := range all {
		byID[e.ID] = e
	}
	matched := make([]Employee, 0, size+1)
	for _, e := range all {
		if e.ID <= from || (e.RemoteWasDeleted && !deleted) || (!after.IsZero() && !e.ModifiedAt.After(after)) {
			continue
		}
		matched = append(matched, e)
		if len(matched) > size {
			break
		}
	}
	page := listPage{Results: []any{}}
	if len(matched) > size {
		matched = matched[:size]
		next := base64.RawURLEncoding.EncodeToString([]byte("p=" + matched[size-1].ID))
		page.Next = &next
	}
	if from != "" && len(matched) > 0 {
		prev := base64.RawURLEncoding.EncodeToString([]byte("r=" + matched[0].ID))
		page.Previous = &prev
	}
	ex := expands(r)
	for _, e := range matched {
		page.Results = append(page.Results, served(e, ex, byID))
	}
	writeJSON(w, http.StatusOK, page)
}
