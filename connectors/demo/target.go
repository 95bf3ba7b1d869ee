package demo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/roster"
)

// TargetConfig says where the demo directory is and how to reach it.
type TargetConfig struct {
	// BaseURL is the directory's address, such as http://127.0.0.1:8082.
	BaseURL string
	// Token is the bearer token, if the directory requires one.
	Token string
	// PageSize is how many users to ask for per page; 0 leaves it to the
	// server.
	PageSize int
	// HTTPClient makes the requests; nil means one with a 30s timeout.
	HTTPClient *http.Client
}

// Target keeps the demo directory's users in step with the HRIS.
type Target struct {
	c        client
	pageSize int
}

var _ connectors.Target = (*Target)(nil)

// NewTarget returns a Target for the directory cfg describes.
func NewTarget(cfg TargetConfig) *Target {
	return &Target{c: newClient(cfg.BaseURL, cfg.Token, cfg.HTTPClient), pageSize: cfg.PageSize}
}

// userList is the body of GET /api/users.
type userList struct {
	Users []roster.User `json:"users"`
	Next  string        `json:"next"`
}

// ListUsers returns the page of users at cursor via GET /api/users.
func (t *Target) ListUsers(ctx context.Context, cursor string) (connectors.UserPage, error) {
	q := url.Values{}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if t.pageSize > 0 {
		q.Set("limit", strconv.Itoa(t.pageSize))
	}
	var body userList
	if err := t.c.do(ctx, http.MethodGet, "/api/users", q, nil, &body); err != nil {
		return connectors.UserPage{}, err
	}
	return connectors.UserPage{Users: body.Users, Next: body.Next}, nil
}

// FindByExternalID returns the user linked to the HRIS id via
// GET /api/users?externalId=.
func (t *Target) FindByExternalID(ctx context.Context, externalID string) (roster.User, bool, error) {
	var body userList
	q := url.Values{"externalId": {externalID}}
	if err := t.c.do(ctx, http.MethodGet, "/api/users", q, nil, &body); err != nil {
		return roster.User{}, false, err
	}
	for _, u := range body.Users {
		if u.Employee.ID == externalID {
			return u, true, nil
		}
	}
	return roster.User{}, false, nil
}

// CreateUser adds e as an active user via POST /api/users. When the
// directory answers 409 because a user is already linked to e.ID (an earlier
// attempt succeeded after all), it returns that user's id instead.
func (t *Target) CreateUser(ctx context.Context, e roster.Employee) (string, error) {
	in := struct {
		Active   bool            `json:"active"`
		Employee roster.Employee `json:"employee"`
	}{true, e}
	var created roster.User
	err := t.c.do(ctx, http.MethodPost, "/api/users", nil, in, &created)
	var he *HTTPError
	if errors.As(err, &he) && he.Status == http.StatusConflict && e.ID != "" {
		existing, found, ferr := t.FindByExternalID(ctx, e.ID)
		if ferr != nil {
			return "", ferr
		}
		if found {
			return existing.TargetID, nil
		}
	}
	if err != nil {
		return "", err
	}
	if created.TargetID == "" {
		return "", fmt.Errorf("demo: POST /api/users: employee %s: no targetId in the answer", e.ID)
	}
	return created.TargetID, nil
}

// UpdateUser sets the listed fields of user targetID to e's values and links
// it to e.ID via PATCH /api/users/{id}.
func (t *Target) UpdateUser(ctx context.Context, targetID string, e roster.Employee, fields []roster.Field) error {
	in := struct {
		Employee roster.Employee `json:"employee"`
		Fields   []roster.Field  `json:"fields"`
	}{e, fields}
	if in.Fields == nil {
		in.Fields = []roster.Field{}
	}
	return t.c.do(ctx, http.MethodPatch, "/api/users/"+url.PathEscape(targetID), nil, in, nil)
}

// SetActive activates or deactivates user targetID via
// PUT /api/users/{id}/active.
func (t *Target) SetActive(ctx context.Context, targetID string, active bool) error {
	in := struct {
		Active bool `json:"active"`
	}{active}
	return t.c.do(ctx, http.MethodPut, "/api/users/"+url.PathEscape(targetID)+"/active", nil, in, nil)
}

// SetManager sets user targetID's manager by HRIS id, as the demo directory
// references managers, via PATCH /api/users/{id}.
func (t *Target) SetManager(ctx context.Context, targetID string, manager connectors.ManagerRef) error {
	return t.UpdateUser(ctx, targetID, roster.Employee{ManagerID: manager.ExternalID}, []roster.Field{roster.FieldManagerID})
}
