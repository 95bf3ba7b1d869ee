package merge

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/httpx"
	"github.com/hrsync/hrsync/connectors/jsontext"
	"github.com/hrsync/hrsync/roster"
)

// employeesPath lists the linked account's employees.
const employeesPath = "/api/hris/v1/employees"

// employeePage is Merge's paginated list of employees. Each result is read
// on its own, so that one that cannot be read costs that employee, not the
// page.
type employeePage struct {
	Next    text            `json:"next"`
	Results json.RawMessage `json:"results"`
}

// FetchPage returns the page of employees at cursor, leavers and deleted
// employees included.
func (s *Source) FetchPage(ctx context.Context, cursor string) (connectors.Page, error) {
	return s.list(ctx, url.Values{}, cursor)
}

// FetchChangedPage returns the page at cursor of the employees Merge
// modified after since, sent as modified_after in RFC 3339 UTC (to the
// second, rounded down, so nothing is missed). modified_at is when Merge
// last changed its record, not when the HRIS did, and does not move when
// only an expanded object such as an Employment changes: a job title
// change alone waits for the next full pull. Pass the time the previous
// pull started, as Merge recommends. A zero since lists everyone.
func (s *Source) FetchChangedPage(ctx context.Context, since time.Time, cursor string) (connectors.Page, error) {
	q := url.Values{}
	if !since.IsZero() {
		q.Set("modified_after", since.UTC().Format(time.RFC3339))
	}
	return s.list(ctx, q, cursor)
}

// list fetches one page of GET /employees with the query q.
func (s *Source) list(ctx context.Context, q url.Values, cursor string) (connectors.Page, error) {
	q.Set("page_size", strconv.Itoa(s.pageSize))
	q.Set("expand", s.expand)
	q.Set("include_deleted_data", "true")
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	var body employeePage
	if _, err := s.c.Do(ctx, httpx.Request{Method: http.MethodGet, Path: employeesPath, Query: q}, &body); err != nil {
		return connectors.Page{}, err
	}
	var results []json.RawMessage
	if !isNull(body.Results) && len(body.Results) > 0 {
		if err := json.Unmarshal(body.Results, &results); err != nil {
			return connectors.Page{}, fmt.Errorf("merge: GET %s: results %s, not a list", employeesPath, jsontext.Kind(body.Results))
		}
	}
	if body.Next.bad != "" {
		return connectors.Page{}, fmt.Errorf("merge: GET %s: next %s", employeesPath, body.Next.bad)
	}
	page := connectors.Page{Records: make([]roster.Record, 0, len(results)), Next: body.Next.s}
	now := time.Now()
	for i, raw := range results {
		page.Records = append(page.Records, recordAt(raw, i, now))
	}
	return page, nil
}
