package bamboohr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/httpx"
	"github.com/hrsync/hrsync/connectors/jsontext"
	"github.com/hrsync/hrsync/roster"
)

// listPath is the cursor-paged employee list.
const listPath = "/api/v1/employees"

// listPage is the body of GET /api/v1/employees. Each employee is read on
// its own, so that one that cannot be read costs that employee, not the
// page.
type listPage struct {
	Data json.RawMessage `json:"data"`
	Meta struct {
		Page struct {
			NextCursor json.RawMessage `json:"nextCursor"`
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
	var data []json.RawMessage
	if err := json.Unmarshal(body.Data, &data); len(body.Data) > 0 && err != nil {
		return connectors.Page{}, fmt.Errorf("bamboohr: GET %s: data is %s, not a list", listPath, jsontext.Kind(body.Data))
	}
	next, bad := jsontext.Text(body.Meta.Page.NextCursor)
	if bad != "" {
		return connectors.Page{}, fmt.Errorf("bamboohr: GET %s: meta.page.nextCursor %s", listPath, bad)
	}
	names := catalogueOf()
	page := connectors.Page{Records: make([]roster.Record, 0, len(data)), Next: next}
	for i, raw := range data {
		page.Records = append(page.Records, recordAt(raw, i, names))
	}
	if err := s.fillExitDates(ctx, page.Records); err != nil {
		return connectors.Page{}, err
	}
	return page, nil
}

// fillExitDates sets exitDate on each record not active — inactive, or
// of a status word left to the status map — from GET /api/v1/employees/
// {id}?fields=terminationDate, the only place BambooHR gives it. A 404
// (deleted since the list) leaves it unset.
func (s *Source) fillExitDates(ctx context.Context, recs []roster.Record) error {
	for i, rec := range recs {
		st := rec.Values[string(roster.FieldStatus)]
		if rec.ID == "" || st == string(roster.StatusActive) || (st == "" && rec.Values[roster.ValueStatusRaw] == "") {
			continue
		}
		var body map[string]json.RawMessage
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
		switch d, bad := jsontext.Text(body[fieldTerminationDate]); {
		case bad != "":
			if recs[i].Unreadable == nil {
				recs[i].Unreadable = map[string]string{}
			}
			recs[i].Unreadable[string(roster.FieldExitDate)] = fieldTerminationDate + " " + bad
		case strings.TrimSpace(d) != "" && d != unsetDate:
			recs[i].Values[string(roster.FieldExitDate)] = strings.TrimSpace(d)
		}
	}
	return nil
}
