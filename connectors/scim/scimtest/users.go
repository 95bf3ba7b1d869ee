package scimtest

import (
	"context"
	"database/sql"
	"net/http"
	"time"
)

// now is the time a change is stamped with, to the millisecond that
// created and lastModified show.
func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

// notFound is the error for a user id that does not exist.
func notFound(id string) *scimError {
	return errorf(http.StatusNotFound, "", "Resource %s not found", id)
}

// createUser adds a user from a client's body; base is the absolute URL of
// BasePath, for meta.location and manager.$ref.
func (s *Server) createUser(ctx context.Context, base string, body map[string]any) (*record, error) {
	attrs, err := normalizeUser(s.dropUnserved(body))
	if err != nil {
		return nil, err
	}
	var rec *record
	err = s.st.inTx(ctx, func(tx *sql.Tx) error {
		id := newID()
		if err := s.finish(ctx, tx, attrs, id, base, nil); err != nil {
			return err
		}
		t := now()
		rec = &record{ID: id, Version: 1, Created: t, LastModified: t}
		rec.Resource = assemble(attrs, rec, base)
		return s.st.insert(ctx, tx, rec)
	})
	return rec, err
}

// replaceUser replaces user id's attributes with a client's body (PUT):
// what the body leaves out is cleared; id and meta stay.
func (s *Server) replaceUser(ctx context.Context, base, id, ifMatch string, body map[string]any) (*record, error) {
	attrs, err := normalizeUser(s.dropUnserved(body))
	if err != nil {
		return nil, err
	}
	var rec *record
	err = s.st.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := s.current(ctx, tx, id, ifMatch)
		if err != nil {
			return err
		}
		if err := s.finish(ctx, tx, attrs, id, base, cur.Resource); err != nil {
			return err
		}
		rec, err = s.save(ctx, tx, cur, attrs, base)
		return err
	})
	return rec, err
}

// patchUser applies a PatchOp message to user id, atomically: any failing
// operation leaves the user as it was.
func (s *Server) patchUser(ctx context.Context, base, id, ifMatch string, body map[string]any) (*record, error) {
	if err := s.checkServedPaths(body); err != nil {
		return nil, err
	}
	ops, err := parsePatchOp(body)
	if err != nil {
		return nil, err
	}
	var rec *record
	err = s.st.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := s.current(ctx, tx, id, ifMatch)
		if err != nil {
			return err
		}
		attrs := attributes(cur.Resource)
		if err := applyPatch(attrs, ops); err != nil {
			return err
		}
		if text(attrs, "userName") == "" {
			return badRequest(errMutability, "userName is required: it cannot be removed")
		}
		declared := map[string]bool{}
		for _, u := range schemasOf(attrs) {
			declared[u.(string)] = true
		}
		if attrs, err = normalizeAttrs(attrs, declared); err != nil {
			return err
		}
		if err := s.finish(ctx, tx, attrs, id, base, cur.Resource); err != nil {
			return err
		}
		rec, err = s.save(ctx, tx, cur, attrs, base)
		return err
	})
	return rec, err
}

// deleteUser removes user id.
func (s *Server) deleteUser(ctx context.Context, id, ifMatch string) error {
	return s.st.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.current(ctx, tx, id, ifMatch); err != nil {
			return err
		}
		return s.st.remove(ctx, tx, id)
	})
}

// getUser reads user id.
func (s *Server) getUser(ctx context.Context, id string) (*record, error) {
	rec, err := s.st.get(ctx, s.st.db, id)
	if err == nil && rec == nil {
		err = notFound(id)
	}
	return rec, err
}

// current reads user id for a write, checking ifMatch against its version.
func (s *Server) current(ctx context.Context, q querier, id, ifMatch string) (*record, error) {
	cur, err := s.st.get(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if cur == nil {
		return nil, notFound(id)
	}
	if err := checkIfMatch(ifMatch, cur); err != nil {
		return nil, err
	}
	return cur, nil
}

// finish checks what needs the store — userName and externalId unique, a
// new manager an existing user — and fills in the manager's derived $ref
// and displayName. self is the id of the user being written, prev its
// stored resource (nil on create). A manager.value the user already had
// may name a user deleted since: reports keep such a reference, as with
// most providers, so the manager's deletion does not block their updates.
func (s *Server) finish(ctx context.Context, q querier, attrs map[string]any, self, base string, prev map[string]any) error {
	name := text(attrs, "userName")
	other, err := s.st.idWhere(ctx, q, "user_name_lower = ?", self, fold(name))
	if err != nil {
		return err
	}
	if other != "" {
		return errorf(http.StatusConflict, errUniqueness, "userName %q is already taken (case-insensitively) by user %s", name, other)
	}
	if ext := text(attrs, "externalId"); ext != "" {
		other, err := s.st.idWhere(ctx, q, "external_id = ?", self, ext)
		if err != nil {
			return err
		}
		if other != "" {
			return errorf(http.StatusConflict, errUniqueness, "externalId %q is already taken by user %s", ext, other)
		}
	}
	mgr := object(object(attrs, enterpriseSchema), "manager")
	if mgr == nil {
		return nil
	}
	id := text(mgr, "value")
	m, err := s.st.get(ctx, q, id)
	if err != nil {
		return err
	}
	prevMgr := object(object(prev, enterpriseSchema), "manager")
	kept := prevMgr != nil && text(prevMgr, "value") == id
	if m == nil && !kept {
		return badRequest(errInvalidValue, "%s:manager.value %q is not the id of a User", enterpriseSchema, id)
	}
	mgr["$ref"] = base + "/Users/" + id
	delete(mgr, "displayName")
	switch {
	case m != nil && text(m.Resource, "displayName") != "":
		mgr["displayName"] = text(m.Resource, "displayName")
	case m == nil && prevMgr["displayName"] != nil:
		mgr["displayName"] = prevMgr["displayName"]
	}
	return nil
}

// save writes attrs as cur's new attributes, with a new version and
// lastModified, unless they are what cur holds already.
func (s *Server) save(ctx context.Context, q querier, cur *record, attrs map[string]any, base string) (*record, error) {
	if equalJSON(attributes(cur.Resource), attrs) {
		return cur, nil
	}
	rec := *cur
	rec.Version++
	rec.LastModified = now()
	rec.Resource = assemble(attrs, &rec, base)
	return &rec, s.st.update(ctx, q, &rec)
}

// attributes is a copy of a stored resource without schemas, id and meta.
func attributes(res map[string]any) map[string]any {
	out := copyObject(res)
	delete(out, "schemas")
	delete(out, "id")
	delete(out, "meta")
	return out
}

// assemble is the stored resource of rec with attributes attrs: schemas,
// id and meta added.
func assemble(attrs map[string]any, rec *record, base string) map[string]any {
	res := copyObject(attrs)
	res["schemas"] = schemasOf(attrs)
	res["id"] = rec.ID
	location := base + "/Users/" + rec.ID
	if base == "" {
		location = text(object(rec.Resource, "meta"), "location")
	}
	res["meta"] = map[string]any{
		"resourceType": "User",
		"created":      rec.Created.UTC().Format(timeFormat),
		"lastModified": rec.LastModified.UTC().Format(timeFormat),
		"location":     location,
		"version":      rec.etag(),
	}
	return res
}

// render is rec as served: its location and manager $ref from base (when
// set), and without meta.version while ETags are off.
func (s *Server) render(rec *record, base string) map[string]any {
	res := copyObject(rec.Resource)
	meta := object(res, "meta")
	if base != "" {
		if meta != nil {
			meta["location"] = base + "/Users/" + rec.ID
		}
		if mgr := object(object(res, enterpriseSchema), "manager"); mgr != nil && text(mgr, "value") != "" {
			mgr["$ref"] = base + "/Users/" + text(mgr, "value")
		}
	}
	if meta != nil && !s.etagsOn.Load() {
		delete(meta, "version")
	}
	return res
}
