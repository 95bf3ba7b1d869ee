package bamboohr

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/httpx"
	"github.com/hrsync/hrsync/connectors/jsontext"
)

// changedCursorPrefix marks a FetchChangedPage cursor: the last id read.
const changedCursorPrefix = "after-id:"

// changedBody is the body of GET /api/v1/employees/changed. Each entry is
// read on its own: one that cannot be read is taken as changed, by its key.
type changedBody struct {
	Employees map[string]json.RawMessage `json:"employees"`
}

// changedEntry is one entry of changedBody.
type changedEntry struct {
	ID     json.RawMessage `json:"id"`
	Action json.RawMessage `json:"action"`
}

// FetchChangedPage returns the page at cursor of the employees changed
// since since: the ids from GET /api/v1/employees/changed (Deleted ones
// left out), in id order, read a page at a time through the list's
// filter[ids][]. since is sent to the second, rounded down, so nothing
// changed within that second is missed.
func (s *Source) FetchChangedPage(ctx context.Context, since time.Time, cursor string) (connectors.Page, error) {
	after, ok := strings.CutPrefix(cursor, changedCursorPrefix)
	if cursor != "" && (!ok || after == "") {
		return connectors.Page{}, connectors.Permanent(errors.New("bamboohr: not a changed-employees cursor"))
	}
	ids, err := s.changedIDs(ctx, since)
	if err != nil {
		return connectors.Page{}, err
	}
	if after != "" {
		ids = slices.DeleteFunc(ids, func(id string) bool { return compareIDs(id, after) <= 0 })
	}
	if len(ids) == 0 {
		return connectors.Page{}, nil
	}
	chunk := ids[:min(len(ids), s.pageSize)]
	var out connectors.Page
	q := url.Values{"page[limit]": {strconv.Itoa(len(chunk))}, "filter[ids][]": chunk}
	for range 10 { // the chunk fits one page; follow a stray cursor, boundedly
		page, err := s.list(ctx, q)
		if err != nil {
			return connectors.Page{}, err
		}
		out.Records = append(out.Records, page.Records...)
		if page.Next == "" {
			break
		}
		q.Set("page[after]", page.Next)
	}
	if len(chunk) < len(ids) {
		out.Next = changedCursorPrefix + chunk[len(chunk)-1]
	}
	return out, nil
}

// changedIDs returns the ids inserted or updated since since, in id order.
func (s *Source) changedIDs(ctx context.Context, since time.Time) ([]string, error) {
	q := url.Values{"since": {since.UTC().Truncate(time.Second).Format(time.RFC3339)}, "type": {"all"}}
	var body changedBody
	if _, err := s.c.Do(ctx, httpx.Request{Method: http.MethodGet, Path: listPath + "/changed", Query: q}, &body); err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(body.Employees))
	for key, raw := range body.Employees {
		var e changedEntry
		_ = json.Unmarshal(raw, &e) // an unreadable entry is read again as changed
		id, _ := jsontext.Text(e.ID)
		if action, _ := jsontext.Text(e.Action); strings.EqualFold(strings.TrimSpace(action), "Deleted") {
			continue
		}
		ids = append(ids, cmp.Or(strings.TrimSpace(id), key))
	}
	slices.SortFunc(ids, compareIDs)
	return slices.Compact(ids), nil
}

// compareIDs orders employee ids numerically when both are numbers (as
// BambooHR's are), else as text.
func compareIDs(a, b string) int {
	ai, aerr := strconv.ParseInt(a, 10, 64)
	bi, berr := strconv.ParseInt(b, 10, 64)
	if aerr == nil && berr == nil {
		return cmp.Compare(ai, bi)
	}
	return strings.Compare(a, b)
}
