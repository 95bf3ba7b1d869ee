package scimlibtest

import (
	"fmt"
	"net/http"
	"reflect"

	"github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"
	libfilter "github.com/elimity-com/scim/filter"
	"github.com/elimity-com/scim/schema"
	"github.com/scim2/filter-parser/v2"
)

// patcher applies PATCH operations (RFC 7644 §3.5.2) to a copy of a
// User's attributes. The library has parsed each operation's path and
// checked it and the value against the schemas; the value arrives
// sanitised: sub-attributes by their schema names, a multi-valued
// attribute's value as a list unless the path has a value filter.
type patcher struct {
	st    *store
	attrs map[string]any
}

// apply applies one operation.
func (p *patcher) apply(op scim.PatchOperation) error {
	if op.Path != nil {
		return p.applyPath(op.Op, *op.Path, "", op.Value)
	}
	// No path: the value is an object of attribute paths (or of
	// extension URNs, each holding an object of that extension's
	// attribute paths) and their values.
	values, ok := op.Value.(map[string]any)
	if !ok {
		return invalidValue("an operation without a path needs an object value")
	}
	for key, v := range values {
		if sc, ok := p.st.schemaByID(key); ok {
			inner, ok := v.(map[string]any)
			if !ok {
				return invalidValue(fmt.Sprintf("the value of %s must be an object", key))
			}
			for k, iv := range inner {
				if err := p.applyKey(op.Op, k, sc.ID, iv); err != nil {
					return err
				}
			}
			continue
		}
		if err := p.applyKey(op.Op, key, "", v); err != nil {
			return err
		}
	}
	return nil
}

// applyKey applies an operation to the attribute path key of a value
// object, relative to the schema with the URN in (core when "").
func (p *patcher) applyKey(op, key, in string, value any) error {
	path, err := filter.ParsePath([]byte(key))
	if err != nil {
		return scimerrors.ScimErrorInvalidPath
	}
	return p.applyPath(op, path, in, value)
}

// target is what a PATCH path designates.
type target struct {
	// container holds the attribute: the User's attributes, or an
	// extension's map; nil when the extension map is absent.
	container map[string]any
	schemaID  string
	attr      schema.CoreAttribute
	// sub is the sub-attribute of name.sub or attr[filter].sub.
	sub    *schema.CoreAttribute
	filter filter.Expression
}

// resolve finds the target of path relative to the schema with the URN in
// (core when ""); create makes a missing extension map.
func (p *patcher) resolve(path filter.Path, in string, create bool) (target, error) {
	id := path.AttributePath.URI()
	if id == "" {
		id = in
	}
	if id == "" {
		id = p.st.core.ID
	}
	sc, ok := p.st.schemaByID(id)
	if !ok {
		return target{}, scimerrors.ScimErrorInvalidPath
	}
	attr, ok := sc.Attributes.ContainsAttribute(path.AttributePath.AttributeName)
	if !ok {
		return target{}, scimerrors.ScimErrorInvalidPath
	}
	t := target{schemaID: sc.ID, attr: attr, filter: path.ValueExpression}
	subName := path.AttributePath.SubAttributeName()
	if subName == "" {
		subName = path.SubAttributeName()
	}
	if subName != "" {
		sub, ok := attr.SubAttributes().ContainsAttribute(subName)
		if !ok {
			return target{}, scimerrors.ScimErrorInvalidPath
		}
		t.sub = &sub
	}
	if t.filter != nil && !attr.MultiValued() {
		return target{}, scimerrors.ScimError{
			ScimType: scimerrors.ScimTypeInvalidPath,
			Detail:   fmt.Sprintf("a value filter needs a multi-valued attribute; %s is not", attr.Name()),
			Status:   http.StatusBadRequest,
		}
	}
	if sc.ID == p.st.core.ID {
		t.container = p.attrs
		return t, nil
	}
	m, ok := p.attrs[sc.ID].(map[string]any)
	if !ok && create {
		m = map[string]any{}
		p.attrs[sc.ID] = m
	}
	t.container = m
	return t, nil
}

// applyPath applies an operation to the target of path.
func (p *patcher) applyPath(op string, path filter.Path, in string, value any) error {
	t, err := p.resolve(path, in, op != scim.PatchOperationRemove)
	if err != nil {
		return err
	}
	if t.attr.Mutability() == "readOnly" || (t.sub != nil && t.sub.Mutability() == "readOnly") {
		return scimerrors.ScimErrorMutability
	}
	if t.attr.Mutability() == "writeOnly" {
		return nil // password: accepted, never stored
	}
	if t.container == nil {
		return nil // remove from an absent extension
	}
	name := t.attr.Name()
	switch {
	case t.filter != nil:
		return p.applyFiltered(op, t, value)
	case t.sub != nil:
		return applySub(op, t, value)
	}
	switch op {
	case scim.PatchOperationRemove:
		if t.attr.Required() {
			return scimerrors.ScimErrorMutability
		}
		if value != nil && t.attr.MultiValued() {
			// remove with a value: the entries equal to one of the values.
			t.container[name] = without(asList(t.container[name]), asList(value))
			return nil
		}
		delete(t.container, name)
	case scim.PatchOperationAdd, scim.PatchOperationReplace:
		switch {
		case t.attr.MultiValued() && op == scim.PatchOperationAdd:
			list := asList(t.container[name])
			for _, v := range asList(value) {
				if !contains(list, v) {
					list = append(list, v)
				}
			}
			t.container[name] = list
		case t.attr.MultiValued():
			t.container[name] = asList(value)
		case t.attr.AttributeType() == "complex":
			// A complex value sets the sub-attributes it names and
			// leaves the others (§3.5.2.1, §3.5.2.3).
			obj, ok := value.(map[string]any)
			if !ok {
				return invalidValue(name + " takes an object")
			}
			cur, _ := t.container[name].(map[string]any)
			if cur == nil {
				cur = map[string]any{}
			}
			for k, v := range obj {
				cur[k] = v
			}
			t.container[name] = cur
		default:
			t.container[name] = value
		}
	default:
		return invalidValue("unknown op " + op)
	}
	return nil
}

// applySub applies an operation to attr.sub without a value filter: of the
// single complex value, or of every entry of a multi-valued one (add and
// replace make one entry when there is none).
func applySub(op string, t target, value any) error {
	name, sub := t.attr.Name(), t.sub.Name()
	if !t.attr.MultiValued() {
		cur, _ := t.container[name].(map[string]any)
		if op == scim.PatchOperationRemove {
			if cur != nil {
				delete(cur, sub)
			}
			return nil
		}
		if cur == nil {
			cur = map[string]any{}
			t.container[name] = cur
		}
		cur[sub] = value
		return nil
	}
	list := asList(t.container[name])
	if op == scim.PatchOperationRemove {
		var kept []any
		for _, e := range list {
			if m, ok := e.(map[string]any); ok {
				delete(m, sub)
				if len(m) == 0 {
					continue // an entry left empty goes
				}
			}
			kept = append(kept, e)
		}
		t.container[name] = kept
		return nil
	}
	if len(list) == 0 {
		list = []any{map[string]any{}}
	}
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			m[sub] = value
		}
	}
	t.container[name] = list
	return nil
}

// applyFiltered applies an operation to the entries of a multi-valued
// attribute that pass the path's value filter, evaluated by the library.
// No entry passing is 400 noTarget, for add and remove as for replace
// (§3.5.2.3).
func (p *patcher) applyFiltered(op string, t target, value any) error {
	name := t.attr.Name()
	list := asList(t.container[name])
	ev := libfilter.NewFilterValidator(t.filter, schema.Schema{
		ID:         t.schemaID,
		Attributes: libfilter.MultiValuedFilterAttributes(t.attr),
	})
	var hits []int
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			m = map[string]any{"value": e}
		}
		if passes(ev, m) {
			hits = append(hits, i)
		}
	}
	if len(hits) == 0 {
		return scimerrors.ScimErrorNoTarget
	}
	if t.sub == nil {
		if l, ok := value.([]any); ok && len(l) == 1 {
			value = l[0]
		}
	}
	drop := map[int]bool{}
	for _, i := range hits {
		m, _ := list[i].(map[string]any)
		if m == nil && (t.sub != nil || op == scim.PatchOperationAdd) {
			return invalidValue(name + " entries are not objects")
		}
		switch {
		case op == scim.PatchOperationRemove && t.sub == nil:
			drop[i] = true
		case op == scim.PatchOperationRemove:
			delete(m, t.sub.Name())
			if len(m) == 0 {
				drop[i] = true // an entry left empty goes
			}
		case t.sub != nil:
			m[t.sub.Name()] = value
		case op == scim.PatchOperationReplace:
			list[i] = deepCopy(value)
		default: // add: merge the value's sub-attributes into the entry
			obj, ok := value.(map[string]any)
			if !ok {
				return invalidValue(name + " entries take an object")
			}
			for k, v := range obj {
				m[k] = deepCopy(v)
			}
		}
	}
	kept := list[:0]
	for i, e := range list {
		if !drop[i] {
			kept = append(kept, e)
		}
	}
	t.container[name] = kept
	return nil
}

// passes reports whether the entry m passes the value filter; a panic in
// the library's evaluation counts as not passing.
func passes(ev libfilter.Validator, m map[string]any) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return ev.PassesFilter(m) == nil
}

// asList is v as a list: v itself, a list of v alone, or empty for nil.
func asList(v any) []any {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		return v
	default:
		return []any{v}
	}
}

// contains reports whether list holds an entry equal to v.
func contains(list []any, v any) bool {
	for _, e := range list {
		if equalJSON(e, v) {
			return true
		}
	}
	return false
}

// without is list less the entries that match one of values: equal to it,
// or, for an object value, an object with all its sub-attributes equal.
func without(list, values []any) []any {
	var out []any
	for _, e := range list {
		hit := false
		for _, v := range values {
			if matches(e, v) {
				hit = true
				break
			}
		}
		if !hit {
			out = append(out, e)
		}
	}
	return out
}

// matches reports whether entry e matches v (see without).
func matches(e, v any) bool {
	em, eok := e.(map[string]any)
	vm, vok := v.(map[string]any)
	if !eok || !vok {
		return equalJSON(e, v)
	}
	for k, x := range vm {
		if !equalJSON(em[k], x) {
			return false
		}
	}
	return true
}

// equalJSON reports whether two JSON values are equal.
func equalJSON(a, b any) bool { return reflect.DeepEqual(a, b) }

// invalidValue is a 400 invalidValue error with detail.
func invalidValue(detail string) error {
	return scimerrors.ScimError{ScimType: scimerrors.ScimTypeInvalidValue, Detail: detail, Status: http.StatusBadRequest}
}
