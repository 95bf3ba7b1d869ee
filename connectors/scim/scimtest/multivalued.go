package scimtest

import (
	"slices"
)

// entries is a multi-valued attribute's value as a list.
func entries(v any) []any {
	list, _ := v.([]any)
	return list
}

// selected returns the entries of a multi-valued attribute and the indices
// of those filter matches (all of them when filter is nil).
func selected(v any, filter filterExpr) ([]any, []int) {
	list := entries(v)
	var hit []int
	for i, e := range list {
		m, ok := e.(map[string]any)
		if ok && (filter == nil || filter.match(m)) {
			hit = append(hit, i)
		}
	}
	return list, hit
}

// hasPrimary reports whether one of list is marked primary.
func hasPrimary(list []any) bool {
	return slices.ContainsFunc(list, func(e any) bool {
		m, _ := e.(map[string]any)
		return m["primary"] == true
	})
}

// clearPrimary sets primary to false on every entry that has it true: a
// new primary value takes over (RFC 7644 §3.5.2).
func clearPrimary(list []any) {
	for _, e := range list {
		if m, ok := e.(map[string]any); ok && m["primary"] == true {
			m["primary"] = false
		}
	}
}

// putList stores a multi-valued attribute, dropping empty entries, and the
// attribute when none is left.
func putList(c map[string]any, key string, list []any) {
	list = slices.DeleteFunc(list, func(e any) bool {
		m, ok := e.(map[string]any)
		return ok && len(m) == 0
	})
	if len(list) == 0 {
		delete(c, key)
		return
	}
	c[key] = list
}

// putObject stores a complex attribute, dropping it when empty.
func putObject(c map[string]any, key string, obj map[string]any) {
	if len(obj) == 0 {
		delete(c, key)
		return
	}
	c[key] = obj
}
