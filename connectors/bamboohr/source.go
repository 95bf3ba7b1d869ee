package bamboohr

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/httpx"
	"github.com/hrsync/hrsync/roster"
)

// listPath is the cursor-paged employee list.
const listPath = "/api/v1/employees"

// listPage is the body of GET /api/v1/employees.
type listPage struct {
	Data []map[string]any `json:"data"`
	Meta struct {
		Total int `json:"total"`
		Page  struct {
			Limit      int     `json:"limit"`
			NextCursor *string `json:"nextCursor"`
		} `json:"page"`
	} `json:"meta"`
}

// FetchPage returns the page of employees at cursor, every status
// included. The cursor is BambooHR's nextCursor; a 400 BadPage for it is a
// permanent error (see the package doc).
func (s *Source) FetchPage(ctx context.Context, cursor string) (connectors.Page, error) {
	q := url.Values{"page[limit]": {strconv.Itoa(s.pageSize)}}
	if cursor != "" {
		q.Set("page[after]", cursor)
	}
	return s.list(ctx, q)
}

// list reads one page of the list with query q and fills the exit dates
// of its leavers.
func (s *Source) list(ctx context.Context, q url.Values) (connectors.Page, error) {
	q.Set("fields", listExtras)
	var body listPage
	if _, err := s.c.Do(ctx, httpx.Request{Method: http.MethodGet, Path: listPath, Query: q}, &body); err != nil {
		return connectors.Page{}, err
	}
	names := catalogueOf()
	page := connectors.Page{Records: make([]roster.Record, 0, len(body.Data))}
	for _, raw := range body.Data {
		rec := recordOf(raw, names)
		if rec.ID == "" {
			return connectors.Page{}, connectors.Permanent(errors.New("bamboohr: an employee without employeeId"))
		}
		page.Records = append(page.Records, rec)
	}
	if err := s.fillExitDates(ctx, page.Records); err != nil {
		return connectors.Page{}, err
	}
	if next := body.Meta.Page.NextCursor; next != nil {
		page.Next = *next
	}
	return page, nil
}

// fillExitDates sets exitDate on each inactive record from
// GET /api/v1/employees/{id}?fields=terminationDate, the only place
// BambooHR gives it. A 404 (deleted since the list) leaves it unset.
func (s *Source) fillExitDates(ctx context.Context, recs []roster.Record) error {
	for i, rec := range recs {
		if rec.Values[string(roster.FieldStatus)] != string(roster.StatusInactive) {
			continue
		}
		var body map[string]any
		_, err := s.c.Do(ctx, httpx.Request{
			Method: http.MethodGet,
			Path:   listPath + "/" + url.PathEscape(rec.ID),
			Query:  url.Values{"fields": {fieldTerminationDate}},
		}, &body)
		var he *httpx.Error
		switch {
		case errors.As(err, &he) && he.Status == http.StatusNotFound:
			continue
		case err != nil:
			return fmt.Errorf("bamboohr: exit date of employee %s: %w", rec.ID, err)
		}
		if d := text(body[fieldTerminationDate]); d != "" && d != unsetDate {
			recs[i].Values[string(roster.FieldExitDate)] = d
		}
	}
	return nil
}
