package scimtest

import (
	"context"
	"database/sql"
	"fmt"
)

// User is a stored user, for tests to inspect.
type User struct {
	// ID is the SCIM id; ExternalID the client's id ("" when unset).
	ID, ExternalID, UserName string
	// Active is true only when the active attribute is true.
	Active bool
	// Version is the current version as an entity tag (W/"3"), kept even
	// while ETags are switched off.
	Version string
	// Resource is the full SCIM representation as served (with the
	// location of the request that last wrote it).
	Resource map[string]any
}

// RequestLog is one request the Server saw.
type RequestLog struct {
	// Method and Path (without the query) of the request.
	Method, Path string
	// Status is the HTTP status answered.
	Status int
}

// userOf is rec as a User.
func (s *Server) userOf(rec *record) User {
	return User{ID: rec.ID, ExternalID: rec.ExternalID, UserName: rec.UserName, Active: rec.Active,
		Version: rec.etag(), Resource: s.render(rec, "")}
}

// Users returns every stored user, in creation order; nil if the store
// cannot be read.
func (s *Server) Users() []User {
	recs, err := s.st.list(context.Background(), s.st.db, "")
	if err != nil {
		return nil
	}
	out := make([]User, 0, len(recs))
	for _, rec := range recs {
		out = append(out, s.userOf(rec))
	}
	return out
}

// UserByExternalID returns the user whose externalId is id (compared
// exactly).
func (s *Server) UserByExternalID(id string) (User, bool) {
	recs, err := s.st.list(context.Background(), s.st.db, "external_id = ?", id)
	if err != nil || len(recs) == 0 {
		return User{}, false
	}
	return s.userOf(recs[0]), true
}

// Requests returns the requests seen so far, oldest first (the latest
// 100000 at least).
func (s *Server) Requests() []RequestLog {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RequestLog(nil), s.log...)
}

// BumpVersion changes user id's version (and lastModified) without
// changing its attributes, as another writer would: a client's next
// If-Match with the old version gets 412.
func (s *Server) BumpVersion(id string) error {
	ctx := context.Background()
	return s.st.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := s.st.get(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur == nil {
			return fmt.Errorf("scimtest: no user %s", id)
		}
		rec := *cur
		rec.Version++
		rec.LastModified = now()
		rec.Resource = assemble(attributes(cur.Resource), &rec, "")
		return s.st.update(ctx, tx, &rec)
	})
}
