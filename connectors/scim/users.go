package scim

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/roster"
)

// listResponse is the ListResponse message (RFC 7644 §3.4.2).
type listResponse struct {
	TotalResults int        `json:"totalResults"`
	ItemsPerPage int        `json:"itemsPerPage"`
	StartIndex   int        `json:"startIndex"`
	Resources    []resource `json:"Resources"`
}

// ListUsers returns the page of users at cursor via
// GET /Users?startIndex=&count=. The cursor is the next page's 1-based
// startIndex in decimal, "" for the first page: the startIndex asked plus
// the users received, whatever startIndex the server echoes. Next is ""
// after the last page (an empty page, or one that reaches totalResults).
func (c *Client) ListUsers(ctx context.Context, cursor string) (connectors.UserPage, error) {
	start := 1
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil || n < 1 {
			return connectors.UserPage{}, connectors.Permanent(fmt.Errorf("scim: cursor %q is not a startIndex", cursor))
		}
		start = n
	}
	q := url.Values{"startIndex": {strconv.Itoa(start)}, "count": {strconv.Itoa(c.pageSize(ctx))}}
	var body listResponse
	if _, err := c.do(ctx, http.MethodGet, "/Users", q, "", nil, &body); err != nil {
		return connectors.UserPage{}, err
	}
	page := connectors.UserPage{Users: make([]roster.User, 0, len(body.Resources))}
	for _, r := range body.Resources {
		page.Users = append(page.Users, c.userOf(r))
	}
	// The next page starts after what was asked for and received, never
	// where the server says this one started: a server that always
	// answers startIndex 1 must not send the list round for ever. Each
	// page moves the cursor on by at least one, and it stops at
	// totalResults, so the list ends.
	if next := start + len(body.Resources); len(body.Resources) > 0 && next <= body.TotalResults {
		page.Next = strconv.Itoa(next)
	}
	return page, nil
}

// pageSize is the count a list asks for: the configured one, else as many
// as the service provider says it returns at once, up to maxPageSize. A
// provider that cannot be asked gets the default, and the list goes on.
func (c *Client) pageSize(ctx context.Context) int {
	if c.cfg.PageSize > 0 {
		return c.cfg.PageSize
	}
	if f, err := c.features(ctx); err == nil && f.maxResults > 0 {
		return min(f.maxResults, maxPageSize)
	}
	return defaultPageSize
}

// FindByExternalID returns the user linked to the HRIS id via
// GET /Users?filter=externalId eq "…", and false when there is none. Two
// users linked to one id are a permanent error.
func (c *Client) FindByExternalID(ctx context.Context, externalID string) (roster.User, bool, error) {
	if externalID == "" {
		return roster.User{}, false, nil
	}
	found, err := c.search(ctx, eqFilter("externalId", externalID))
	if err != nil {
		return roster.User{}, false, err
	}
	var match []roster.User
	for _, r := range found {
		if u := c.userOf(r); u.Employee.ID == externalID {
			match = append(match, u)
		}
	}
	switch len(match) {
	case 0:
		return roster.User{}, false, nil
	case 1:
		return match[0], true, nil
	}
	return roster.User{}, false, connectors.Permanent(fmt.Errorf("scim: %d users are linked to HRIS id %s", len(match), externalID))
}

// FindByUserName returns the user whose userName is userName, compared
// case-insensitively as RFC 7643 says userName is, and false when there is
// none. Some servers compare case-sensitively in filters, so it asks for
// userName eq the value as given, then lower-cased, and, for an email
// address, as a last resort for emails.value eq either (or
// emails[value eq …] where that form is refused), keeping only users
// whose userName matches. An exact match is preferred over one that
// differs in case.
func (c *Client) FindByUserName(ctx context.Context, userName string) (roster.User, bool, error) {
	if userName == "" {
		return roster.User{}, false, nil
	}
	values := []string{userName}
	if lower := strings.ToLower(userName); lower != userName {
		values = append(values, lower)
	}
	for _, v := range values {
		found, err := c.search(ctx, eqFilter("userName", v))
		if err != nil {
			return roster.User{}, false, err
		}
		if r := byUserName(found, userName); r != nil {
			return c.userOf(r), true, nil
		}
	}
	if !strings.Contains(userName, "@") {
		return roster.User{}, false, nil
	}
	for _, v := range values {
		found, err := c.searchEmail(ctx, v)
		if err != nil {
			return roster.User{}, false, err
		}
		if r := byUserName(found, userName); r != nil {
			return c.userOf(r), true, nil
		}
	}
	return roster.User{}, false, nil
}

// byUserName picks the resource whose userName is userName: exactly, else
// case-insensitively; nil when none is.
func byUserName(found []resource, userName string) resource {
	var best resource
	for _, r := range found {
		switch name := getString(r, "userName"); {
		case name == userName:
			return r
		case best == nil && strings.EqualFold(name, userName):
			best = r
		}
	}
	return best
}

// searchEmail returns the users with an email address of value, by
// emails.value eq, or emails[value eq] where the server refuses that. A
// server that refuses both finds none.
func (c *Client) searchEmail(ctx context.Context, value string) ([]resource, error) {
	for _, filter := range []string{eqFilter("emails.value", value), "emails[" + eqFilter("value", value) + "]"} {
		found, err := c.search(ctx, filter)
		if err == nil {
			return found, nil
		}
		if !connectors.IsPermanent(err) {
			return nil, err
		}
	}
	return nil, nil
}

// searchCount is how many matches a lookup asks for: the attributes it
// filters on are unique, so more than a few means something is wrong.
const searchCount = 10

// search returns the users filter matches.
func (c *Client) search(ctx context.Context, filter string) ([]resource, error) {
	q := url.Values{"filter": {filter}, "count": {strconv.Itoa(searchCount)}}
	var body listResponse
	if _, err := c.do(ctx, http.MethodGet, "/Users", q, "", nil, &body); err != nil {
		return nil, err
	}
	return body.Resources, nil
}

// getUser reads user id and remembers its version.
func (c *Client) getUser(ctx context.Context, id string) (resource, string, error) {
	var r resource
	h, err := c.do(ctx, http.MethodGet, userPath(id), nil, "", nil, &r)
	if err != nil {
		return nil, "", err
	}
	if r == nil {
		return nil, "", fmt.Errorf("scim: GET %s: empty answer", userPath(id))
	}
	version := trimVersion(h)
	if version == "" {
		version = r.version()
	}
	c.versions.put(id, version)
	return r, version, nil
}
