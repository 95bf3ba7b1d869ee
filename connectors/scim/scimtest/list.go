package scimtest

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
)

// listQuery is a list request: GET /Users parameters or a SearchRequest.
type listQuery struct {
	filter     string
	startIndex int // 1-based; values below 1 count as 1
	count      int // -1 when the client did not ask
	proj       projection
}

// handleList answers GET /Users?filter=&startIndex=&count=.
func (s *Server) handleList(w http.ResponseWriter, r *http.Request, base string) {
	q := r.URL.Query()
	lq := listQuery{filter: q.Get("filter"), startIndex: 1, count: -1, proj: projectionFromQuery(q)}
	var err error
	if v := q.Get("startIndex"); v != "" {
		if lq.startIndex, err = strconv.Atoi(v); err != nil {
			writeError(w, badRequest(errInvalidValue, "startIndex %q is not an integer", v))
			return
		}
	}
	if v := q.Get("count"); v != "" {
		if lq.count, err = strconv.Atoi(v); err != nil {
			writeError(w, badRequest(errInvalidValue, "count %q is not an integer", v))
			return
		}
		lq.count = max(lq.count, 0)
	}
	s.answerList(r.Context(), w, base, lq)
}

// handleSearch answers POST /Users/.search (and /.search) with a
// SearchRequest (RFC 7644 §3.4.3).
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request, base string) {
	body, err := readObject(r)
	if err != nil {
		writeError(w, err)
		return
	}
	if !listsSchema(body, searchRequestSchema) {
		writeError(w, badRequest(errInvalidSyntax, "a search body must be a SearchRequest: schemas must list %s", searchRequestSchema))
		return
	}
	lq := listQuery{startIndex: 1, count: -1}
	var attrs, excluded []string
	for k, v := range body {
		bad := func(what string) {
			err = badRequest(errInvalidValue, "SearchRequest %s must be %s", k, what)
		}
		switch strings.ToLower(k) {
		case "filter":
			if lq.filter, _ = v.(string); v != nil && lq.filter == "" {
				bad("a string")
			}
		case "startindex":
			n, ok := v.(float64)
			if !ok || n != math.Trunc(n) {
				bad("an integer")
			}
			lq.startIndex = int(n)
		case "count":
			n, ok := v.(float64)
			if !ok || n != math.Trunc(n) {
				bad("an integer")
			}
			lq.count = max(int(n), 0)
		case "attributes", "excludedattributes":
			list, ok := stringList(v)
			if !ok {
				bad("an array of attribute names")
			}
			if strings.EqualFold(k, "attributes") {
				attrs = list
			} else {
				excluded = list
			}
		}
	}
	if err != nil {
		writeError(w, err)
		return
	}
	lq.proj = newProjection(attrs, excluded)
	s.answerList(r.Context(), w, base, lq)
}

// stringList converts a JSON array of strings.
func stringList(v any) ([]string, bool) {
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// answerList answers a list request with a ListResponse: the users the
// filter matches, in creation order, paged by startIndex and count (capped
// at MaxResults, which is also the page size when count is not given).
// count=0 answers totalResults alone.
func (s *Server) answerList(ctx context.Context, w http.ResponseWriter, base string, lq listQuery) {
	var (
		f     filterExpr
		where string
		args  []any
	)
	if strings.TrimSpace(lq.filter) != "" {
		var err error
		if f, err = parseFilter(lq.filter); err != nil {
			writeError(w, err)
			return
		}
		where, args = narrowing(f)
	}
	start := max(lq.startIndex, 1)
	count := lq.count
	if count < 0 || count > s.opts.MaxResults {
		count = s.opts.MaxResults
	}
	var (
		total int
		recs  []*record
		err   error
	)
	if f == nil {
		// Without a filter, SQL counts and reads just the page, so paging
		// through the whole directory stays linear.
		total, recs, err = s.st.page(ctx, s.st.db, start-1, count)
	} else {
		total, recs, err = s.filtered(ctx, f, where, args, start, count)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	out := map[string]any{
		"schemas":      []string{listResponseSchema},
		"totalResults": total,
		"startIndex":   start,
	}
	page := []any{}
	for _, rec := range recs {
		page = append(page, lq.proj.apply(s.render(rec, base)))
	}
	out["itemsPerPage"] = len(page)
	if count > 0 {
		out["Resources"] = page
	}
	writeJSON(w, http.StatusOK, out)
}

// filtered evaluates f over the users the SQL narrowing leaves and returns
// how many match and the page of them from start (1-based), count long.
func (s *Server) filtered(ctx context.Context, f filterExpr, where string, args []any, start, count int) (int, []*record, error) {
	recs, err := s.st.list(ctx, s.st.db, where, args...)
	if err != nil {
		return 0, nil, err
	}
	var matched []*record
	for _, rec := range recs {
		if f.match(rec.Resource) {
			matched = append(matched, rec)
		}
	}
	if count <= 0 || start > len(matched) {
		return len(matched), nil, nil
	}
	return len(matched), matched[start-1 : min(start-1+count, len(matched))], nil
}
