package scim

import "slices"

// readCustom returns the custom fields r holds in extension urn, nil when
// none. Keys are compared exactly, so they round-trip whatever their case.
func readCustom(r resource, urn string) map[string]string {
	var out map[string]string
	for _, v := range getList(getObject(r, urn), customAttr) {
		m, ok := v.(map[string]any)
		if !ok {
			continue
		}
		k, val := getString(m, "key"), getString(m, "value")
		if k == "" || val == "" {
			continue
		}
		if _, dup := out[k]; dup {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[k] = val
	}
	return out
}

// writeCustom sets custom field key in r's extension urn to v, removing it
// when v is "", and drops the list when it is left empty.
func writeCustom(r resource, urn, key, v string) {
	ext := getObject(r, urn)
	if ext == nil {
		if v == "" {
			return
		}
		ext = object(r, urn)
	}
	list := getList(ext, customAttr)
	m, i := entry(list, "key", key, true)
	switch {
	case v == "" && m != nil:
		list = slices.Delete(slices.Clone(list), i, i+1)
		if len(list) == 0 {
			unset(ext, customAttr)
			return
		}
		set(ext, customAttr, list)
	case v == "":
	case m != nil:
		set(m, "value", v)
	default:
		set(ext, customAttr, append(list, map[string]any{"key": key, "value": v}))
	}
}
