package demotest

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"

	"github.com/hrsync/hrsync/roster"
)

// userPage is the body of GET /api/users.
type userPage struct {
	Users []roster.User `json:"users"`
	Next  string        `json:"next"`
}

// ServeHTTP serves the directory's JSON API under /api/ and a read-only
// page at /.
func (d *Directory) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.handler.ServeHTTP(w, r)
}

// routes builds the directory's router behind the token check and fault
// injection.
func (d *Directory) routes() {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/users", methods(map[string]http.HandlerFunc{
		http.MethodGet:  d.handleList,
		http.MethodPost: d.handleCreate,
	}))
	mux.HandleFunc("/api/users/{id}", methods(map[string]http.HandlerFunc{
		http.MethodGet:   d.handleGet,
		http.MethodPatch: d.handlePatch,
	}))
	mux.HandleFunc("/api/users/{id}/active", methods(map[string]http.HandlerFunc{
		http.MethodPut: d.handleActive,
	}))
	mux.HandleFunc("/{$}", methods(map[string]http.HandlerFunc{http.MethodGet: d.handlePage}))
	mux.HandleFunc("/", notFound)
	d.handler = guard(d.opts.Token, &d.faults, mux)
}

// handleList serves GET /api/users?cursor=&limit= and
// GET /api/users?externalId=.
func (d *Directory) handleList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Has("externalId") {
		users := []roster.User{}
		if u, ok := d.UserByExternalID(q.Get("externalId")); ok {
			users = append(users, u)
		}
		writeJSON(w, http.StatusOK, userPage{Users: users})
		return
	}
	limit, err := parseLimit(r, d.opts.PageSize)
	if err != nil {
		writeError(w, err)
		return
	}
	page, next, err := pageOf(d.Users(), func(u roster.User) string { return u.TargetID }, q.Get("cursor"), limit)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, userPage{Users: page, Next: next})
}

// handleGet serves GET /api/users/{id}.
func (d *Directory) handleGet(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	u, ok := d.Get(id)
	if !ok {
		writeError(w, errorf(http.StatusNotFound, "no user %s", id))
		return
	}
	writeJSON(w, http.StatusOK, u)
}

// handleCreate serves POST /api/users with {"active":true,"employee":{...}};
// active defaults to true.
func (d *Directory) handleCreate(w http.ResponseWriter, r *http.Request) {
	body, err := decodeObject(r, false)
	if err != nil {
		writeError(w, err)
		return
	}
	if err := onlyKeys(body, "active", "employee"); err != nil {
		writeError(w, err)
		return
	}
	u := roster.User{Active: true}
	if raw, ok := body["active"]; ok {
		if err := decodeBool(raw, &u.Active); err != nil {
			writeError(w, err)
			return
		}
	}
	if u.Employee, err = decodeEmployee(body["employee"]); err != nil {
		writeError(w, err)
		return
	}
	stored, err := d.Add(u)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, stored)
}

// handlePatch serves PATCH /api/users/{id} with
// {"employee":{...},"fields":[...]}: only the listed fields change, plus
// the externalId when employee.id is given.
func (d *Directory) handlePatch(w http.ResponseWriter, r *http.Request) {
	body, err := decodeObject(r, false)
	if err != nil {
		writeError(w, err)
		return
	}
	if err := onlyKeys(body, "employee", "fields"); err != nil {
		writeError(w, err)
		return
	}
	src, err := decodeEmployee(body["employee"])
	if err != nil {
		writeError(w, err)
		return
	}
	var fields []roster.Field
	if raw, ok := body["fields"]; ok && json.Unmarshal(raw, &fields) != nil {
		writeError(w, errorf(http.StatusBadRequest, "fields: must be a list of field names"))
		return
	}
	stored, err := d.update(r.PathValue("id"), func(u *roster.User) error {
		for _, f := range fields {
			if err := copyField(&u.Employee, src, f); err != nil {
				return err
			}
		}
		if src.ID != "" {
			u.Employee.ID = src.ID
		}
		return nil
	})
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, stored)
}

// handleActive serves PUT /api/users/{id}/active with {"active":bool}.
func (d *Directory) handleActive(w http.ResponseWriter, r *http.Request) {
	body, err := decodeObject(r, false)
	if err != nil {
		writeError(w, err)
		return
	}
	if err := onlyKeys(body, "active"); err != nil {
		writeError(w, err)
		return
	}
	raw, ok := body["active"]
	if !ok {
		writeError(w, errorf(http.StatusBadRequest, "active: required"))
		return
	}
	var active bool
	if err := decodeBool(raw, &active); err != nil {
		writeError(w, err)
		return
	}
	stored, err := d.update(r.PathValue("id"), func(u *roster.User) error {
		u.Active = active
		return nil
	})
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, stored)
}

// decodeEmployee reads a raw employee object; absent or null is the zero
// employee.
func decodeEmployee(raw json.RawMessage) (roster.Employee, error) {
	var e roster.Employee
	if len(raw) == 0 || string(raw) == "null" {
		return e, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return e, errorf(http.StatusBadRequest, "employee: must be an object")
	}
	if err := mergeEmployee(&e, obj); err != nil {
		return e, errorf(http.StatusBadRequest, "employee.%v", err)
	}
	return e, nil
}

// decodeBool reads the "active" flag.
func decodeBool(raw json.RawMessage, b *bool) error {
	var v *bool
	if json.Unmarshal(raw, &v) != nil || v == nil {
		return errorf(http.StatusBadRequest, "active: must be true or false")
	}
	*b = *v
	return nil
}

// onlyKeys refuses a body with keys other than allowed.
func onlyKeys(body map[string]json.RawMessage, allowed ...string) error {
	for _, k := range slices.Sorted(maps.Keys(body)) {
		if !slices.Contains(allowed, k) {
			return errorf(http.StatusBadRequest, "%s: unknown field", k)
		}
	}
	return nil
}
