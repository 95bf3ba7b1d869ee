package justlogin

import (
	"bytes"
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
	"github.com/hrsync/hrsync/roster"
)

// usersPath lists the company's users (v3).
const usersPath = "/membership/v3/users"

// Source reads employees from one JustLogin account.
type Source struct {
	c        *httpx.Client
	tokens   *tokens
	pageSize int
	exitDate string
}

var _ connectors.Source = (*Source)(nil)

// New returns a Source for the account cfg describes. It reads the token
// from cfg.Tokens on first use.
func New(cfg Config) (*Source, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Source{
		tokens:   &tokens{conf: OAuthConfig(cfg), store: cfg.Tokens, http: cfg.HTTPClient},
		pageSize: cfg.PageSize,
		exitDate: cfg.ExitDateField,
	}
	s.c = httpx.New(httpx.Options{Name: "justlogin", BaseURL: cfg.APIBaseURL, HTTPClient: cfg.HTTPClient,
		PerMinute: cfg.PerMinute, Auth: s.auth, OnRateWait: cfg.OnRateWait})
	return s, nil
}

// auth sets the bearer token, refreshing it first when it has expired.
func (s *Source) auth(ctx context.Context, r *http.Request) error {
	tok, err := s.tokens.token(ctx)
	if err != nil {
		return err
	}
	r.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	return nil
}

// FetchPage returns the page of users at cursor, the page number as text
// ("" is page 1), leavers included. An access token the API refuses before
// its expiry is refreshed and the page asked for once more.
func (s *Source) FetchPage(ctx context.Context, cursor string) (connectors.Page, error) {
	page := 1
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil || n < 1 {
			return connectors.Page{}, connectors.Permanent(fmt.Errorf("justlogin: bad cursor %q", cursor))
		}
		page = n
	}
	req := httpx.Request{Method: http.MethodGet, Path: usersPath, Query: url.Values{
		"include":      {"manager,department,employment"},
		"activeStatus": {"all"},
		"page":         {strconv.Itoa(page)},
		"limit":        {strconv.Itoa(s.pageSize)},
	}}
	var body json.RawMessage
	resp, err := s.c.Do(ctx, req, &body)
	if rejected := refusedToken(resp, err); rejected != "" {
		s.tokens.reject(rejected)
		body = nil
		resp, err = s.c.Do(ctx, req, &body)
	}
	if err != nil {
		return connectors.Page{}, err
	}
	users, err := decodeUsers(body)
	if err != nil {
		return connectors.Page{}, connectors.Permanent(fmt.Errorf("justlogin: GET %s: %w", usersPath, err))
	}
	out := connectors.Page{Records: make([]roster.Record, 0, len(users))}
	for i, raw := range users {
		out.Records = append(out.Records, recordAt(raw, i, s.exitDate))
	}
	if hasNext(resp.Header.Get("x-pagination"), page, len(users), s.pageSize) {
		out.Next = strconv.Itoa(page + 1)
	}
	return out, nil
}

// refusedToken returns the access token of a request the API answered 401,
// or "" for any other outcome.
func refusedToken(resp *http.Response, err error) string {
	var he *httpx.Error
	if resp == nil || resp.Request == nil || !errors.As(err, &he) || he.Status != http.StatusUnauthorized {
		return ""
	}
	_, tok, _ := strings.Cut(resp.Request.Header.Get("Authorization"), " ")
	return tok
}

// decodeUsers reads the list body. Its shape is not documented: a JSON
// array (paging lives in a header) is expected, and an object wrapping the
// array under data, items, users or results is accepted too.
func decodeUsers(body json.RawMessage) ([]json.RawMessage, error) {
	var users []json.RawMessage
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || bytes.Equal(trimmed, []byte("null")) {
		return nil, nil
	}
	if trimmed[0] == '[' {
		if err := json.Unmarshal(trimmed, &users); err != nil {
			return nil, fmt.Errorf("unreadable user list: %w", err)
		}
		return users, nil
	}
	var wrapped map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &wrapped); err != nil {
		return nil, fmt.Errorf("unreadable user list: %w", err)
	}
	for _, k := range []string{"data", "items", "users", "results"} {
		if raw, ok := wrapped[k]; ok {
			if err := json.Unmarshal(raw, &users); err != nil {
				return nil, fmt.Errorf("unreadable user list under %q: %w", k, err)
			}
			return users, nil
		}
	}
	return nil, errors.New("user list answer holds no list")
}
