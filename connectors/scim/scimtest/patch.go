package scimtest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// applyPatch applies ops, in order, to attrs (a User's attributes without
// schemas, id and meta). On error attrs is partly changed: callers patch a
// copy.
func applyPatch(attrs map[string]any, ops []patchOperation) error {
	for i, o := range ops {
		var err error
		switch {
		case o.op == "remove":
			err = remove(attrs, *o.target, o.value)
		case o.target != nil:
			err = set(attrs, o.op, *o.target, o.value)
		default:
			err = setAll(attrs, o.op, o.value)
		}
		if err != nil {
			e := asSCIM(err)
			what := o.op
			if o.path != "" {
				what += " " + o.path
			}
			return &scimError{status: e.status, scimType: e.scimType,
				detail: fmt.Sprintf("Operations[%d] (%s): %s", i, what, e.detail)}
		}
	}
	return nil
}

// setAll applies add or replace without a path: value is an object of
// attributes, each added or replaced as if it were the path. Keys may be
// attribute paths, URN-qualified ones included, or extension URNs.
func setAll(attrs map[string]any, op string, value any) error {
	m, ok := value.(map[string]any)
	if !ok {
		return badRequest(errInvalidValue, "without a path, value must be an object of attributes")
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if strings.EqualFold(k, "schemas") {
			continue
		}
		p, err := parseAttrPath(k)
		if err != nil {
			return badRequest(errInvalidPath, "value attribute %q: %v", k, err)
		}
		if err := set(attrs, op, patchTarget{path: p}, m[k]); err != nil {
			return err
		}
	}
	return nil
}

// writable fails with mutability when the target is readOnly.
func writable(t patchTarget) error {
	for _, d := range []*attrDef{t.path.attr, t.path.sub} {
		if d != nil && d.Mutability == readOnly {
			return badRequest(errMutability, "%s is readOnly", t.path)
		}
	}
	return nil
}

// containerFor returns the object holding the target's attribute,
// creating an extension's object when create is set (nil otherwise when
// absent).
func containerFor(attrs map[string]any, p attrPath, create bool) map[string]any {
	if !p.ext() {
		return attrs
	}
	c := object(attrs, p.schema.ID)
	if c == nil && create {
		c = map[string]any{}
		attrs[p.schema.ID] = c
	}
	return c
}

// tidy drops an extension object left empty.
func tidy(attrs map[string]any, p attrPath) {
	if p.ext() {
		if c := object(attrs, p.schema.ID); c != nil && len(c) == 0 {
			delete(attrs, p.schema.ID)
		}
	}
}

// set applies add or replace at a target.
func set(attrs map[string]any, op string, t patchTarget, value any) error {
	if t.path.attr == nil {
		m, ok := value.(map[string]any)
		if !ok {
			return badRequest(errInvalidValue, "the value of %s must be an object of its attributes", t.path.schema.ID)
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			def := t.path.schema.attr(k)
			if def == nil {
				return badRequest(errInvalidPath, "%q is not an attribute of %s", k, t.path.schema.ID)
			}
			sub := patchTarget{path: attrPath{schema: t.path.schema, attr: def}}
			if err := set(attrs, op, sub, m[k]); err != nil {
				return err
			}
		}
		return nil
	}
	if err := writable(t); err != nil {
		return err
	}
	defer tidy(attrs, t.path)
	c := containerFor(attrs, t.path, true)
	a, sub := t.path.attr, t.path.sub
	key := keyIn(c, a.Name)
	name := t.path.String()
	switch {
	case a.MultiValued && t.filter == nil && sub == nil:
		if m, ok := value.(map[string]any); ok {
			value = []any{m}
		}
		v, _, err := normalizeValue(a, value, name)
		if err != nil {
			return err
		}
		added, _ := v.([]any)
		list := entries(c[key])
		if op == "replace" {
			list = nil
		}
		var fresh []any
		for _, e := range added {
			if !slices.ContainsFunc(list, func(x any) bool { return equalJSON(x, e) }) {
				fresh = append(fresh, e)
			}
		}
		if hasPrimary(fresh) {
			clearPrimary(list)
		}
		putList(c, key, append(list, fresh...))
	case a.MultiValued:
		list, hit := selected(c[key], t.filter)
		if len(hit) == 0 {
			return badRequest(errNoTarget, "%s matches no value", describe(t))
		}
		if sub != nil {
			v, present, err := normalizeSingle(sub, value, name)
			if err != nil {
				return err
			}
			if present && v == true && sub.Name == "primary" {
				clearPrimary(list)
			}
			for _, i := range hit {
				e := list[i].(map[string]any)
				if present {
					e[sub.Name] = v
				} else {
					delete(e, sub.Name)
				}
			}
		} else {
			v, present, err := normalizeSingle(a, value, name)
			if err != nil {
				return err
			}
			m, _ := v.(map[string]any)
			if present && m["primary"] == true {
				clearPrimary(list)
			}
			for _, i := range hit {
				e := list[i].(map[string]any)
				if op == "replace" {
					e = map[string]any{}
					list[i] = e
				}
				maps.Copy(e, copyObject(m))
			}
		}
		putList(c, key, list)
	case sub != nil:
		v, present, err := normalizeSingle(sub, value, name)
		if err != nil {
			return err
		}
		obj := object(c, key)
		if obj == nil {
			obj = map[string]any{}
		}
		if present {
			obj[sub.Name] = v
		} else {
			delete(obj, sub.Name)
		}
		putObject(c, key, obj)
	case a.Type == typeComplex:
		v, _, err := normalizeSingle(a, value, name)
		if err != nil {
			return err
		}
		obj := object(c, key)
		if obj == nil {
			obj = map[string]any{}
		}
		m, _ := v.(map[string]any)
		maps.Copy(obj, m)
		putObject(c, key, obj)
	default:
		v, present, err := normalizeSingle(a, value, name)
		if err != nil {
			return err
		}
		if present {
			c[key] = v
		} else {
			delete(c, key)
		}
	}
	return nil
}

// remove applies remove at a target. Removing an absent single-valued
// attribute does nothing; a value filter that matches nothing is noTarget.
func remove(attrs map[string]any, t patchTarget, value any) error {
	if t.path.attr == nil {
		delete(attrs, t.path.schema.ID)
		return nil
	}
	if err := writable(t); err != nil {
		return err
	}
	a, sub := t.path.attr, t.path.sub
	if a.Required && sub == nil {
		return badRequest(errMutability, "%s is required: it cannot be removed", t.path)
	}
	defer tidy(attrs, t.path)
	c := containerFor(attrs, t.path, false)
	if c == nil {
		if t.filter != nil {
			return badRequest(errNoTarget, "%s matches no value", describe(t))
		}
		return nil
	}
	key := keyIn(c, a.Name)
	switch {
	case a.MultiValued && t.filter == nil && sub == nil:
		if value == nil {
			delete(c, key)
			return nil
		}
		return removeValues(c, key, a, value, t.path.String())
	case a.MultiValued:
		list, hit := selected(c[key], t.filter)
		if t.filter != nil && len(hit) == 0 {
			return badRequest(errNoTarget, "%s matches no value", describe(t))
		}
		for _, i := range slices.Backward(hit) {
			if sub != nil {
				delete(list[i].(map[string]any), sub.Name)
				continue
			}
			list = slices.Delete(list, i, i+1)
		}
		putList(c, key, list)
	case sub != nil:
		if obj := object(c, key); obj != nil {
			delete(obj, sub.Name)
			putObject(c, key, obj)
		}
	default:
		delete(c, key)
	}
	return nil
}

// removeValues removes from a multi-valued attribute the entries value
// lists (remove with a value, as some clients send): an entry goes when it
// equals one, or has the same "value" sub-attribute.
func removeValues(c map[string]any, key string, a *attrDef, value any, name string) error {
	if m, ok := value.(map[string]any); ok {
		value = []any{m}
	}
	v, _, err := normalizeValue(a, value, name)
	if err != nil {
		return err
	}
	gone, _ := v.([]any)
	list := entries(c[key])
	kept := list[:0:0]
	for _, e := range list {
		if !slices.ContainsFunc(gone, func(g any) bool { return sameEntry(e, g) }) {
			kept = append(kept, e)
		}
	}
	if len(kept) == len(list) {
		return badRequest(errNoTarget, "%s holds none of the values to remove", name)
	}
	putList(c, key, kept)
	return nil
}

// sameEntry reports whether entry e is what g names: equal, or with the
// same "value".
func sameEntry(e, g any) bool {
	if equalJSON(e, g) {
		return true
	}
	em, _ := e.(map[string]any)
	gm, _ := g.(map[string]any)
	return gm != nil && gm["value"] != nil && equalJSON(em["value"], gm["value"])
}

// describe names a target in errors.
func describe(t patchTarget) string {
	if t.filter != nil {
		return "the value filter of " + t.path.attr.Name
	}
	return t.path.String()
}
