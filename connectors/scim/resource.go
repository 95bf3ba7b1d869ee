package scim

import (
	"encoding/json"
	"slices"
	"strings"
)

// resource is a SCIM resource as JSON decoded it. It is kept whole so that
// a PUT writes back every attribute hrsync does not manage.
type resource map[string]any

// key returns the key of m that names attribute name, compared
// case-insensitively as RFC 7643 §2.1 asks, or name itself when m has none.
func key(m map[string]any, name string) string {
	if _, ok := m[name]; ok {
		return name
	}
	for k := range m {
		if strings.EqualFold(k, name) {
			return k
		}
	}
	return name
}

// get returns attribute name of m, case-insensitively.
func get(m map[string]any, name string) any {
	if m == nil {
		return nil
	}
	return m[key(m, name)]
}

// getString returns attribute name of m as text; anything but a string or a
// number is "".
func getString(m map[string]any, name string) string {
	switch v := get(m, name).(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	return ""
}

// getObject returns complex attribute name of m, or nil.
func getObject(m map[string]any, name string) map[string]any {
	switch v := get(m, name).(type) {
	case map[string]any:
		return v
	case resource:
		return v
	}
	return nil
}

// getList returns multi-valued attribute name of m, or nil.
func getList(m map[string]any, name string) []any {
	v, _ := get(m, name).([]any)
	return v
}

// set sets attribute name of m, replacing it whatever its case.
func set(m map[string]any, name string, v any) {
	delete(m, key(m, name))
	m[name] = v
}

// unset removes attribute name of m, whatever its case.
func unset(m map[string]any, name string) { delete(m, key(m, name)) }

// object returns complex attribute name of m, adding an empty one when m has
// none.
func object(m map[string]any, name string) map[string]any {
	if o := getObject(m, name); o != nil {
		return o
	}
	o := map[string]any{}
	set(m, name, o)
	return o
}

// id returns the resource's id.
func (r resource) id() string { return getString(r, "id") }

// version returns the resource's meta.version, its ETag.
func (r resource) version() string { return getString(getObject(r, "meta"), "version") }

// schemas lists the resource's schema URNs.
func (r resource) schemas() []string {
	var out []string
	for _, s := range getList(r, "schemas") {
		if str, ok := s.(string); ok {
			out = append(out, str)
		}
	}
	return out
}

// addSchema lists urn in the resource's schemas unless it is there.
func (r resource) addSchema(urn string) {
	s := r.schemas()
	if slices.ContainsFunc(s, func(x string) bool { return strings.EqualFold(x, urn) }) {
		return
	}
	list := make([]any, 0, len(s)+1)
	for _, x := range s {
		list = append(list, x)
	}
	set(r, "schemas", append(list, urn))
}

// tidySchemas lists every extension the resource holds in its schemas and
// drops empty extension objects, as RFC 7643 §3.3 asks of a request.
func (r resource) tidySchemas(extensions ...string) {
	for _, urn := range extensions {
		o := getObject(r, urn)
		if o == nil {
			continue
		}
		if len(o) == 0 {
			unset(r, urn)
			r.dropSchema(urn)
			continue
		}
		r.addSchema(urn)
	}
}

// dropSchema removes urn from the resource's schemas.
func (r resource) dropSchema(urn string) {
	var list []any
	for _, x := range r.schemas() {
		if !strings.EqualFold(x, urn) {
			list = append(list, x)
		}
	}
	set(r, "schemas", list)
}

// entry finds the first value of multi-valued attribute list whose
// sub-attribute keyName equals keyValue: exactly, or case-insensitively (as
// for type) when exact is false.
func entry(list []any, keyName, keyValue string, exact bool) (map[string]any, int) {
	for i, v := range list {
		m, ok := v.(map[string]any)
		if !ok {
			continue
		}
		if k := getString(m, keyName); k == keyValue || (!exact && strings.EqualFold(k, keyValue)) {
			return m, i
		}
	}
	return nil, -1
}

// hasPrimary reports whether any value of list is marked primary.
func hasPrimary(list []any) bool {
	for _, v := range list {
		if m, ok := v.(map[string]any); ok && get(m, "primary") == true {
			return true
		}
	}
	return false
}
