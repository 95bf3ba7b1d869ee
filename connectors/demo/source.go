package demo

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/roster"
)

// SourceConfig says where the demo HRIS is and how to reach it.
type SourceConfig struct {
	// BaseURL is the HRIS's address, such as http://127.0.0.1:8081.
	BaseURL string
	// Token is the bearer token, if the HRIS requires one.
	Token string
	// PageSize is how many employees to ask for per page; 0 leaves it to the
	// server.
	PageSize int
	// HTTPClient makes the requests; nil means one with a 30s timeout.
	HTTPClient *http.Client
}

// Source reads employees from the demo HRIS.
type Source struct {
	c        client
	pageSize int
}

var _ connectors.ChangedSource = (*Source)(nil)

// NewSource returns a Source for the HRIS cfg describes.
func NewSource(cfg SourceConfig) *Source {
	return &Source{c: newClient(cfg.BaseURL, cfg.Token, cfg.HTTPClient), pageSize: cfg.PageSize}
}

// FetchPage returns the page of employees at cursor, terminated ones
// included, via GET /api/employees.
func (s *Source) FetchPage(ctx context.Context, cursor string) (connectors.Page, error) {
	return s.list(ctx, url.Values{}, cursor)
}

// FetchChangedPage returns the page at cursor of the employees the HRIS
// modified at or after since, via GET /api/employees?modified_after=.
// since is sent in RFC 3339 UTC to the nanosecond, as precise as the HRIS
// keeps its times, so a pull that passes the time the previous one began
// reads exactly what changed after it. An employee removed from the HRIS
// is not listed: only a full pull notices it is gone. A zero since lists
// everyone.
func (s *Source) FetchChangedPage(ctx context.Context, since time.Time, cursor string) (connectors.Page, error) {
	q := url.Values{}
	if !since.IsZero() {
		q.Set("modified_after", since.UTC().Format(time.RFC3339Nano))
	}
	return s.list(ctx, q, cursor)
}

// list fetches one page of GET /api/employees with the query q.
func (s *Source) list(ctx context.Context, q url.Values, cursor string) (connectors.Page, error) {
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if s.pageSize > 0 {
		q.Set("limit", strconv.Itoa(s.pageSize))
	}
	var body struct {
		Employees []map[string]any `json:"employees"`
		Next      string           `json:"next"`
	}
	if err := s.c.do(ctx, http.MethodGet, "/api/employees", q, nil, &body); err != nil {
		return connectors.Page{}, err
	}
	page := connectors.Page{Records: make([]roster.Record, 0, len(body.Employees)), Next: body.Next}
	for _, raw := range body.Employees {
		page.Records = append(page.Records, recordOf(raw))
	}
	return page, nil
}

// modifiedAtKey is the employee object's last-modified time: bookkeeping
// of the HRIS, not a field of the person.
const modifiedAtKey = "modifiedAt"

// deletedKey marks an employee the HRIS removed, listed among the changes
// with their last record and an inactive status; the status says it all.
const deletedKey = "deleted"

// recordOf flattens one employee object of the demo API into a Record: its
// fields keep their names (the catalogue's), custom fields become
// custom.<key>, and every value stays the text the HRIS sent. modifiedAt is
// left out, so an employee whose fields are as they were makes the same
// record however often it was saved.
func recordOf(raw map[string]any) roster.Record {
	rec := roster.Record{Values: make(map[string]string, len(raw))}
	for k, v := range raw {
		if k == modifiedAtKey || k == deletedKey {
			continue
		}
		switch v := v.(type) {
		case string:
			if k == "id" {
				rec.ID = v
			} else if v != "" {
				rec.Values[k] = v
			}
		case map[string]any:
			if k != "custom" {
				continue
			}
			for ck, cv := range v {
				if s, ok := cv.(string); ok && s != "" {
					rec.Values["custom."+ck] = s
				}
			}
		case float64, bool:
			rec.Values[k] = fmt.Sprint(v)
		}
	}
	return rec
}
