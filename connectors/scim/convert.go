package scim

import (
	"fmt"
	"strings"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/roster"
)

// activeOf is the SCIM active flag for e: false only when e is inactive.
func activeOf(e roster.Employee) bool { return e.Status != roster.StatusInactive }

// formattedName is name.formatted: first and last name.
func formattedName(e roster.Employee) string {
	return strings.TrimSpace(e.FirstName + " " + e.LastName)
}

// isNameField reports whether f feeds displayName or name.formatted.
func isNameField(f roster.Field) bool {
	return f == roster.FieldFirstName || f == roster.FieldLastName || f == roster.FieldPreferredName
}

// UserData returns the SCIM User that CreateUser posts for e: every
// attribute e has a value for and the directory has a home for, active
// from e's status, no manager; schemas lists only the extensions it
// carries. Bulk callers use it as the data of a POST operation. The error
// (permanent) says e has no HRIS id or no value for userName.
func (c *Client) UserData(e roster.Employee) (map[string]any, error) {
	r, err := c.userData(e)
	return r, err
}

// userData is UserData as a resource.
func (c *Client) userData(e roster.Employee) (resource, error) {
	if e.ID == "" {
		return nil, connectors.Permanent(fmt.Errorf("scim: employee has no HRIS id"))
	}
	userName := e.Get(c.cfg.UserNameFrom)
	if userName == "" {
		return nil, connectors.Permanent(fmt.Errorf("scim: employee %s has no %s for userName", e.ID, c.cfg.UserNameFrom))
	}
	r := resource{
		"schemas":    []any{CoreSchema},
		"externalId": e.ID,
		"userName":   userName,
		"active":     activeOf(e),
	}
	v := c.currentView()
	for _, f := range e.Fields() {
		writeField(v, r, f, e.Get(f))
	}
	writeDerived(v, r, e)
	r.tidySchemas(EnterpriseSchema, v.custom)
	return r, nil
}

// writeField sets the attribute field f maps to in r to val ("" removes
// it), unless v has no home for it; the id, status and manager, which
// have attributes of their own, are left.
func writeField(v *view, r resource, f roster.Field, val string) {
	if key, ok := customKey(f); ok {
		if v.customHome() {
			writeCustom(r, v.custom, key, val)
		}
		return
	}
	if s, ok := v.home(f); ok {
		s.write(r, val)
	}
}

// writeDerived sets displayName and name.formatted from e's names, where
// v has a home for them.
func writeDerived(v *view, r resource, e roster.Employee) {
	if v.holds(displayNameSpec) {
		displayNameSpec.write(r, e.DisplayName())
	}
	if v.holds(formattedSpec) {
		formattedSpec.write(r, formattedName(e))
	}
}

// applyFields writes fields of e, the externalId and what derives from them
// into r, the representation a PUT sends back, leaving out those the
// directory has no home for. Attributes hrsync does not manage stay as
// they are; readOnly meta and groups are dropped.
func (c *Client) applyFields(r resource, e roster.Employee, fields []roster.Field) {
	v := c.currentView()
	set(r, "externalId", e.ID)
	names := false
	for _, f := range fields {
		val := e.Get(f)
		switch {
		case f == roster.FieldStatus:
			set(r, "active", activeOf(e))
		case f == c.cfg.UserNameFrom && val != "":
			set(r, "userName", val)
		}
		writeField(v, r, f, val)
		names = names || isNameField(f)
	}
	if c.cfg.UserNameFrom == roster.FieldID {
		set(r, "userName", e.ID)
	}
	if names {
		writeDerived(v, r, e)
	}
	r.tidySchemas(EnterpriseSchema, v.custom)
	unset(r, "meta")
	unset(r, "groups")
}

// createFields lists what a create writes over a user that already
// exists: the status and every field e has a value for, manager aside.
func createFields(e roster.Employee) []roster.Field {
	fields := []roster.Field{roster.FieldStatus}
	for _, f := range e.Fields() {
		if f != roster.FieldID && f != roster.FieldStatus && f != roster.FieldManagerID && e.Get(f) != "" {
			fields = append(fields, f)
		}
	}
	return fields
}

// userOf reads a SCIM User back into hrsync's terms. The manager is left
// as ManagerTargetID for the caller to resolve; a date that is not
// YYYY-MM-DD reads as unset. Fields the directory has no home for read as
// unset, except the one userName comes from, which reads as userName.
func (c *Client) userOf(r resource) roster.User {
	v := c.currentView()
	e := roster.Employee{ID: getString(r, "externalId")}
	for _, f := range readFields {
		if s, ok := v.home(f); ok {
			setRead(&e, f, s.read(r))
		} else if f == c.cfg.UserNameFrom {
			setRead(&e, f, getString(r, "userName"))
		}
	}
	if v.customHome() {
		e.Custom = readCustom(r, v.custom)
	}
	active := readActive(r)
	e.Status = roster.StatusInactive
	if active {
		e.Status = roster.StatusActive
	}
	u := roster.User{TargetID: r.id(), Active: active, Employee: e}
	if v.managerHome() {
		u.ManagerTargetID = getString(getObject(getObject(r, EnterpriseSchema), "manager"), "value")
	}
	return u
}

// readFields are the fields userOf reads from an attrSpec.
var readFields = func() []roster.Field {
	var out []roster.Field
	for _, f := range roster.Catalogue {
		if _, ok := specFor(f, DefaultCustomSchema); ok {
			out = append(out, f)
		}
	}
	return out
}()

// setRead sets field f of e to v as read from a User: a date that is not
// YYYY-MM-DD is unset.
func setRead(e *roster.Employee, f roster.Field, v string) {
	switch f {
	case roster.FieldDateOfBirth:
		e.DateOfBirth, _ = roster.ParseISODate(v)
	case roster.FieldDateOfJoining:
		e.DateOfJoining, _ = roster.ParseISODate(v)
	case roster.FieldExitDate:
		e.ExitDate, _ = roster.ParseISODate(v)
	default:
		_ = e.Set(f, v)
	}
}

// readActive reads the active flag; a user without one is active, and a
// server that sends it as text is understood.
func readActive(r resource) bool {
	switch v := get(r, "active").(type) {
	case bool:
		return v
	case string:
		return !strings.EqualFold(v, "false")
	}
	return true
}
