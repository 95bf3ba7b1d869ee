package scimlibtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	scimerrors "github.com/elimity-com/scim/errors"
)

// User is a stored User as a test sees it.
type User struct {
	// ID is the id the server gave the User.
	ID string
	// ExternalID is the externalId, "" when it has none.
	ExternalID string
	// UserName is the userName.
	UserName string
	// Active is the active attribute, nil when the User has none.
	Active *bool
	// Attributes are all the stored attributes but id and externalId:
	// core ones by their schema names (userName, active, name, emails, …)
	// and each extension's as a map[string]any under its URN. Values are
	// JSON values: string, bool, map[string]any, []any.
	Attributes map[string]any
	// Created and LastModified are the times of meta.created and
	// meta.lastModified.
	Created, LastModified time.Time
}

// user returns the User of rec.
func (rec *record) user() User {
	u := User{ID: rec.id, Attributes: deepCopyMap(rec.attrs), Created: rec.created, LastModified: rec.modified}
	u.ExternalID, _ = u.Attributes["externalId"].(string)
	delete(u.Attributes, "externalId")
	u.UserName, _ = u.Attributes["userName"].(string)
	if a, ok := u.Attributes["active"].(bool); ok {
		u.Active = &a
	}
	return u
}

// Users returns a snapshot of the stored Users, oldest first.
func (s *Server) Users() []User {
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]User, 0, len(st.order))
	for _, id := range st.order {
		out = append(out, st.byID[id].user())
	}
	return out
}

// User returns the stored User with the id.
func (s *Server) User(id string) (User, bool) {
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	rec, ok := st.byID[id]
	if !ok {
		return User{}, false
	}
	return rec.user(), true
}

// CreateOutside stores a User as if another system had provisioned it:
// u's Attributes, with its UserName, ExternalID and Active when set, go
// through the library's POST /Users (validation included) without passing
// the bearer check or being counted among Requests. ID, Created and
// LastModified of u are ignored. The Attributes may hold extension maps
// under their URNs; the body's schemas list the core URN and those.
func (s *Server) CreateOutside(u User) (User, error) {
	body := deepCopyMap(u.Attributes)
	if body == nil {
		body = map[string]any{}
	}
	if u.UserName != "" {
		body["userName"] = u.UserName
	}
	if u.ExternalID != "" {
		body["externalId"] = u.ExternalID
	}
	if u.Active != nil {
		body["active"] = *u.Active
	}
	schemas := []any{CoreSchema}
	for _, e := range s.st.exts {
		if _, ok := body[e.ID]; ok {
			schemas = append(schemas, e.ID)
		}
	}
	body["schemas"] = schemas
	raw, err := json.Marshal(body)
	if err != nil {
		return User{}, fmt.Errorf("scimlibtest: CreateOutside: %w", err)
	}
	req := httptest.NewRequest(http.MethodPost, BasePath+"/Users", bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/scim+json")
	rec := httptest.NewRecorder()
	s.lib.ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated {
		var e scimerrors.ScimError
		if json.Unmarshal(rec.Body.Bytes(), &e) == nil && e.Status != 0 {
			return User{}, fmt.Errorf("scimlibtest: CreateOutside: %w", e)
		}
		return User{}, fmt.Errorf("scimlibtest: CreateOutside: status %d: %s", rec.Code, rec.Body.String())
	}
	var created struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &created); err != nil || created.ID == "" {
		return User{}, fmt.Errorf("scimlibtest: CreateOutside: no id in %s", rec.Body.String())
	}
	got, ok := s.User(created.ID)
	if !ok {
		return User{}, fmt.Errorf("scimlibtest: CreateOutside: user %s vanished", created.ID)
	}
	return got, nil
}
