package merge

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/httpx"
	"github.com/hrsync/hrsync/roster"
)

// employeesPath lists the linked account's employees.
const employeesPath = "/api/hris/v1/employees"

// employeePage is Merge's paginated list of employees.
type employeePage struct {
	Next    *string    `json:"next"`
	Results []employee `json:"results"`
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
	page := connectors.Page{Records: make([]roster.Record, 0, len(body.Results))}
	if body.Next != nil {
		page.Next = *body.Next
	}
	now := time.Now()
	for _, e := range body.Results {
		page.Records = append(page.Records, s.recordOf(e, now))
	}
	return page, nil
}
