package scim

import (
	"maps"
	"reflect"
	"slices"

	"github.com/hrsync/hrsync/roster"
)

// patchOp is one operation of a PatchOp message (RFC 7644 §3.5.2).
type patchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path,omitempty"`
	Value any    `json:"value,omitempty"`

	// fields are the catalogue fields the operation writes, to say which
	// were refused; not sent.
	fields []roster.Field
}

// tag marks ops as writing fields.
func tag(ops []patchOp, fields ...roster.Field) []patchOp {
	for i := range ops {
		ops[i].fields = fields
	}
	return ops
}

// patchRequest is the PatchOp message.
type patchRequest struct {
	Schemas    []string  `json:"schemas"`
	Operations []patchOp `json:"Operations"`
}

// newPatch wraps ops in a PatchOp message.
func newPatch(ops ...patchOp) patchRequest {
	return patchRequest{Schemas: []string{patchOpSchema}, Operations: ops}
}

// ManagerData returns the PatchOp message that sets the user's manager to
// the SCIM id managerID (or "bulkId:<id>" inside a Bulk request), or that
// removes the manager when managerID is "". Bulk callers use it as the data
// of a PATCH operation.
func ManagerData(managerID string) any {
	if managerID == "" {
		return newPatch(patchOp{Op: "remove", Path: managerPath})
	}
	return newPatch(patchOp{Op: "replace", Path: managerPath, Value: map[string]any{"value": managerID}})
}

// managerPath is the PATCH path of the enterprise manager.
const managerPath = EnterpriseSchema + ":manager"

// ops returns the operations that take the attribute from its value in cur
// to v: none when it already holds v; replace or remove of a simple
// attribute; for a typed entry, replace of its value, remove of the entry,
// or add of a new entry when cur has none of that type (a filtered replace
// that matches nothing is a noTarget error by RFC 7644 §3.5.2.3).
func (s attrSpec) ops(cur resource, v string) []patchOp {
	if s.read(cur) == v {
		return nil
	}
	if s.typ != "" {
		list := getList(s.container(cur), s.name)
		m, _ := entry(list, "type", s.typ, false)
		switch {
		case m != nil && v != "":
			return []patchOp{{Op: "replace", Path: s.path() + ".value", Value: v}}
		case m != nil:
			return []patchOp{{Op: "remove", Path: s.path()}}
		case v != "":
			whole := attrSpec{urn: s.urn, name: s.name}
			return []patchOp{{Op: "add", Path: whole.path(), Value: []any{s.newEntry(v, list)}}}
		}
		return nil
	}
	if v == "" {
		return []patchOp{{Op: "remove", Path: s.path()}}
	}
	return []patchOp{{Op: "replace", Path: s.path(), Value: v}}
}

// patchOps returns the operations that write fields of e over cur: only
// the attributes whose value changes and the directory has a home for,
// with the externalId always replaced
// so that a user matched by email stays linked. Custom fields are written
// as one replace of the whole custom list, whose keys are case-exact.
func (c *Client) patchOps(cur resource, e roster.Employee, fields []roster.Field) []patchOp {
	v := c.currentView()
	ops := []patchOp{{Op: "replace", Path: "externalId", Value: e.ID, fields: []roster.Field{roster.FieldID}}}
	names, custom := false, resource{}
	var customFields []roster.Field
	done := map[roster.Field]bool{}
	for _, f := range fields {
		if done[f] {
			continue
		}
		done[f] = true
		val := e.Get(f)
		if f == roster.FieldStatus && readActive(cur) != activeOf(e) {
			ops = append(ops, patchOp{Op: "replace", Path: "active", Value: activeOf(e), fields: []roster.Field{f}})
		}
		if f == c.cfg.UserNameFrom && val != "" && val != getString(cur, "userName") {
			ops = append(ops, patchOp{Op: "replace", Path: "userName", Value: val, fields: []roster.Field{f}})
		}
		if key, ok := customKey(f); ok {
			if !v.customHome() {
				continue
			}
			if len(custom) == 0 {
				custom = resource{v.custom: map[string]any{customAttr: cloneList(getList(getObject(cur, v.custom), customAttr))}}
			}
			writeCustom(custom, v.custom, key, val)
			customFields = append(customFields, f)
			continue
		}
		if s, ok := v.home(f); ok {
			ops = append(ops, tag(s.ops(cur, val), f)...)
		}
		names = names || isNameField(f)
	}
	if c.cfg.UserNameFrom == roster.FieldID && e.ID != getString(cur, "userName") {
		ops = append(ops, patchOp{Op: "replace", Path: "userName", Value: e.ID, fields: []roster.Field{roster.FieldID}})
	}
	if names && v.holds(displayNameSpec) {
		ops = append(ops, displayNameSpec.ops(cur, e.DisplayName())...)
	}
	if names && v.holds(formattedSpec) {
		ops = append(ops, formattedSpec.ops(cur, formattedName(e))...)
	}
	if len(custom) > 0 {
		ops = append(ops, tag(customOps(v.custom, cur, custom), customFields...)...)
	}
	return ops
}

// customOps returns the operation that takes cur's custom list in
// extension urn to the one in want: a replace of the whole list, a remove
// when it became empty, or none when it is unchanged.
func customOps(urn string, cur, want resource) []patchOp {
	before := getList(getObject(cur, urn), customAttr)
	after := getList(getObject(want, urn), customAttr)
	path := urn + ":" + customAttr
	switch {
	case reflect.DeepEqual(before, after):
		return nil
	case len(after) == 0:
		return []patchOp{{Op: "remove", Path: path}}
	}
	return []patchOp{{Op: "replace", Path: path, Value: after}}
}

// cloneList copies a multi-valued attribute deeply enough to change its
// entries' values without touching the original.
func cloneList(list []any) []any {
	out := slices.Clone(list)
	for i, v := range out {
		if m, ok := v.(map[string]any); ok {
			out[i] = maps.Clone(m)
		}
	}
	return out
}
