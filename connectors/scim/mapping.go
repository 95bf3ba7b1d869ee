package scim

import (
	"strings"

	"github.com/hrsync/hrsync/roster"
)

// attrSpec says where one employee attribute lives in a SCIM User: a
// simple attribute, a sub-attribute of a singular complex attribute, or the
// "value" of the entry of a multi-valued attribute with a given type.
type attrSpec struct {
	// urn is the extension the attribute belongs to, "" for the core schema.
	urn string
	// name is the attribute's name.
	name string
	// sub is the sub-attribute of a singular complex attribute.
	sub string
	// typ is, for a multi-valued attribute, the type of the entry hrsync
	// owns.
	typ string
	// primary marks the entry primary when hrsync adds it and no other
	// entry is.
	primary bool
}

// customAttr is the multi-valued attribute of the custom extension that
// holds the custom fields, as {"key": "<key>", "value": "<value>"} entries.
const customAttr = "custom"

// fixedSpecs maps every catalogue field with a SCIM home to it, custom
// extension aside (its URN is configurable: see customSpec).
var fixedSpecs = map[roster.Field]attrSpec{
	roster.FieldEmployeeNumber: {urn: EnterpriseSchema, name: "employeeNumber"},
	roster.FieldFirstName:      {name: "name", sub: "givenName"},
	roster.FieldLastName:       {name: "name", sub: "familyName"},
	roster.FieldPreferredName:  {name: "nickName"},
	roster.FieldWorkEmail:      {name: "emails", typ: "work", primary: true},
	roster.FieldPersonalEmail:  {name: "emails", typ: "home"},
	roster.FieldWorkPhone:      {name: "phoneNumbers", typ: "work"},
	roster.FieldDepartment:     {urn: EnterpriseSchema, name: "department"},
	roster.FieldJobTitle:       {name: "title"},
}

// customExtensionFields are the catalogue fields kept in the custom
// extension under their own names.
var customExtensionFields = []roster.Field{
	roster.FieldDateOfJoining, roster.FieldDateOfBirth, roster.FieldExitDate,
	roster.FieldLocation, roster.FieldEmploymentType,
}

// The derived attributes hrsync writes but never reads back.
var (
	displayNameSpec = attrSpec{name: "displayName"}
	formattedSpec   = attrSpec{name: "name", sub: "formatted"}
)

// customKey returns the key of custom field f.
func customKey(f roster.Field) (string, bool) {
	k, ok := strings.CutPrefix(string(f), "custom.")
	return k, ok && k != ""
}

// hasSpec reports whether field f has a home in a SCIM User.
func hasSpec(f roster.Field) bool {
	_, ok := specFor(f, DefaultCustomSchema)
	_, custom := customKey(f)
	return ok || custom
}

// specFor returns where field f lives, custom fields and the id, status and
// manager (handled on their own) aside.
func specFor(f roster.Field, customURN string) (attrSpec, bool) {
	if s, ok := fixedSpecs[f]; ok {
		return s, true
	}
	for _, cf := range customExtensionFields {
		if f == cf {
			return attrSpec{urn: customURN, name: string(f)}, true
		}
	}
	return attrSpec{}, false
}

// container returns the object the attribute lives in: the resource, or its
// extension object (nil when absent).
func (s attrSpec) container(r resource) map[string]any {
	if s.urn == "" {
		return r
	}
	return getObject(r, s.urn)
}

// read returns the attribute's value in r as text, "" when unset. A work
// email falls back to the primary email that has no other type, so users
// another system wrote can be matched by email.
func (s attrSpec) read(r resource) string {
	c := s.container(r)
	switch {
	case s.sub != "":
		return getString(getObject(c, s.name), s.sub)
	case s.typ != "":
		list := getList(c, s.name)
		if m, _ := entry(list, "type", s.typ, false); m != nil {
			return getString(m, "value")
		}
		if s.primary {
			for _, v := range list {
				m, ok := v.(map[string]any)
				if ok && get(m, "primary") == true && getString(m, "type") == "" {
					return getString(m, "value")
				}
			}
		}
		return ""
	}
	return getString(c, s.name)
}

// write sets the attribute in r to v, removing it when v is "" and dropping
// a complex or multi-valued attribute left empty.
func (s attrSpec) write(r resource, v string) {
	c := s.container(r)
	if c == nil {
		if v == "" {
			return
		}
		c = object(r, s.urn)
	}
	switch {
	case s.sub != "":
		o := getObject(c, s.name)
		if v == "" {
			if o != nil {
				unset(o, s.sub)
				if len(o) == 0 {
					unset(c, s.name)
				}
			}
			return
		}
		set(object(c, s.name), s.sub, v)
	case s.typ != "":
		list := getList(c, s.name)
		m, i := entry(list, "type", s.typ, false)
		switch {
		case v == "" && m != nil:
			list = append(list[:i:i], list[i+1:]...)
			if len(list) == 0 {
				unset(c, s.name)
				return
			}
			set(c, s.name, list)
		case v == "":
		case m != nil:
			set(m, "value", v)
		default:
			set(c, s.name, append(list, s.newEntry(v, list)))
		}
	default:
		if v == "" {
			unset(c, s.name)
			return
		}
		set(c, s.name, v)
	}
}

// newEntry is the multi-valued entry for v, primary when s asks and no
// value of list is primary already.
func (s attrSpec) newEntry(v string, list []any) map[string]any {
	m := map[string]any{"value": v, "type": s.typ}
	if s.primary && !hasPrimary(list) {
		m["primary"] = true
	}
	return m
}

// path is the attribute's PATCH path (RFC 7644 §3.5.2): URN-qualified for
// an extension, with a value filter for a typed entry.
func (s attrSpec) path() string {
	p := s.name
	if s.urn != "" {
		p = s.urn + ":" + s.name
	}
	switch {
	case s.sub != "":
		p += "." + s.sub
	case s.typ != "":
		p += "[type eq " + quote(s.typ) + "]"
	}
	return p
}
