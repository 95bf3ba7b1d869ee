package scimtest

import (
	"errors"
	"fmt"
	"strings"
)

// attrPath names an attribute of a User (RFC 7644 §3.10): a top-level
// attribute of the core schema or of an extension, optionally one of its
// sub-attributes; or, with attr nil, a whole extension.
type attrPath struct {
	// schema is the schema the attribute belongs to; userSchema for core
	// and common attributes.
	schema *schemaDef
	attr   *attrDef
	sub    *attrDef
}

// ext reports whether the attribute lives in an extension object.
func (p attrPath) ext() bool { return p.schema != userSchema }

// String is the path's canonical spelling.
func (p attrPath) String() string {
	var b strings.Builder
	if p.ext() {
		b.WriteString(p.schema.ID)
		if p.attr != nil {
			b.WriteString(":")
		}
	}
	if p.attr != nil {
		b.WriteString(p.attr.Name)
	}
	if p.sub != nil {
		b.WriteString("." + p.sub.Name)
	}
	return b.String()
}

// leaf is the definition of what the path names: the sub-attribute, else
// the attribute.
func (p attrPath) leaf() *attrDef {
	if p.sub != nil {
		return p.sub
	}
	return p.attr
}

// parseAttrPath parses an attribute path: [URN ":"] name ["." sub], or a
// bare extension URN. Names match case-insensitively. In hrsync's custom
// extension every name is an attribute, dots included, except the
// sub-attributes of its "custom" list.
func parseAttrPath(s string) (attrPath, error) {
	if s == "" {
		return attrPath{}, errors.New("empty attribute path")
	}
	schema, rest := userSchema, s
	if len(s) > 4 && strings.EqualFold(s[:4], "urn:") {
		found := false
		for _, sc := range allSchemas {
			if strings.EqualFold(s, sc.ID) {
				if sc == userSchema {
					return attrPath{}, fmt.Errorf("%q is a schema, not an attribute", s)
				}
				return attrPath{schema: sc}, nil
			}
			if len(s) > len(sc.ID)+1 && strings.EqualFold(s[:len(sc.ID)+1], sc.ID+":") {
				schema, rest, found = sc, s[len(sc.ID)+1:], true
				break
			}
		}
		if !found {
			return attrPath{}, fmt.Errorf("%q is not in a schema this server knows", s)
		}
	}
	if strings.ContainsAny(rest, " \t\r\n[]()\"") {
		return attrPath{}, fmt.Errorf("%q is not an attribute name", rest)
	}
	name, subName, dotted := strings.Cut(rest, ".")
	var a *attrDef
	if schema == userSchema {
		a = coreAttr(name)
	} else {
		a = schema.attr(name)
	}
	if schema.open {
		if a == nil || !dotted || a.Type != typeComplex || a.sub(subName) == nil {
			return attrPath{schema: schema, attr: schema.attr(rest)}, nil
		}
	}
	if a == nil {
		return attrPath{}, fmt.Errorf("%q is not an attribute of %s", name, schema.Name)
	}
	p := attrPath{schema: schema, attr: a}
	if !dotted {
		return p, nil
	}
	if a.Type != typeComplex {
		return attrPath{}, fmt.Errorf("%q has no sub-attributes", a.Name)
	}
	if p.sub = a.sub(subName); p.sub == nil {
		return attrPath{}, fmt.Errorf("%q has no sub-attribute %q", a.Name, subName)
	}
	return p, nil
}

// container returns the object that holds the path's attribute in res:
// res itself for the core schema, else the extension's object (nil when
// absent).
func (p attrPath) container(res map[string]any) map[string]any {
	if !p.ext() {
		return res
	}
	return object(res, p.schema.ID)
}

// keyIn returns the key under which c holds the attribute def: its name,
// or a key equal to it case-insensitively (attributes of an open schema
// keep the spelling they were written with).
func keyIn(c map[string]any, name string) string {
	if _, ok := c[name]; ok {
		return name
	}
	for k := range c {
		if strings.EqualFold(k, name) {
			return k
		}
	}
	return name
}

// values returns every value the path names in res: the attribute's value,
// or each entry of a multi-valued one; with a sub-attribute, its value in
// each of those that has it.
func (p attrPath) values(res map[string]any) []any {
	c := p.container(res)
	if c == nil || p.attr == nil {
		return nil
	}
	v := c[keyIn(c, p.attr.Name)]
	if v == nil {
		return nil
	}
	elems, ok := v.([]any)
	if !ok {
		elems = []any{v}
	}
	if p.sub == nil {
		return elems
	}
	var out []any
	for _, e := range elems {
		if m, ok := e.(map[string]any); ok && m[p.sub.Name] != nil {
			out = append(out, m[p.sub.Name])
		}
	}
	return out
}
