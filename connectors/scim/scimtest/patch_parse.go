package scimtest

import (
	"fmt"
	"strings"
)

// patchOperation is one operation of a PatchOp message (RFC 7644 §3.5.2).
type patchOperation struct {
	op       string // add, remove or replace
	path     string
	target   *patchTarget // nil when there is no path
	value    any
	hasValue bool
}

// patchTarget is a parsed PATCH path: an attribute path, with a value
// filter selecting entries of a multi-valued attribute, and a
// sub-attribute (given as attr.sub, or after the filter).
type patchTarget struct {
	path   attrPath
	filter filterExpr
}

// parsePatchOp validates a PatchOp message and parses its operations.
func parsePatchOp(body map[string]any) ([]patchOperation, error) {
	if !listsSchema(body, patchOpSchema) {
		return nil, badRequest(errInvalidSyntax, "a PATCH body must be a PatchOp message: schemas must list %s", patchOpSchema)
	}
	var raw any
	for k, v := range body {
		if strings.EqualFold(k, "Operations") {
			raw = v
		}
	}
	list, ok := raw.([]any)
	if !ok || len(list) == 0 {
		return nil, badRequest(errInvalidSyntax, "a PatchOp message needs Operations: an array of one or more operations")
	}
	ops := make([]patchOperation, 0, len(list))
	for i, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, badRequest(errInvalidSyntax, "Operations[%d] is not an object", i)
		}
		var o patchOperation
		for k, v := range m {
			switch strings.ToLower(k) {
			case "op":
				s, _ := v.(string)
				o.op = strings.ToLower(s)
			case "path":
				s, ok := v.(string)
				if !ok && v != nil {
					return nil, badRequest(errInvalidPath, "Operations[%d].path must be a string", i)
				}
				o.path = strings.TrimSpace(s)
			case "value":
				o.value, o.hasValue = v, true
			default:
				return nil, badRequest(errInvalidSyntax, "Operations[%d] has an unknown member %q", i, k)
			}
		}
		switch o.op {
		case "add", "replace":
			if !o.hasValue || o.value == nil {
				return nil, badRequest(errInvalidValue, "Operations[%d] (%s) needs a value", i, o.op)
			}
		case "remove":
			if o.path == "" {
				return nil, badRequest(errNoTarget, "Operations[%d] (remove) needs a path", i)
			}
		default:
			return nil, badRequest(errInvalidSyntax, "Operations[%d].op must be add, remove or replace", i)
		}
		if o.path != "" {
			t, err := parsePatchPath(o.path)
			if err != nil {
				return nil, badRequest(errInvalidPath, "Operations[%d].path %q: %v", i, o.path, err)
			}
			o.target = &t
		}
		ops = append(ops, o)
	}
	return ops, nil
}

// listsSchema reports whether a message's schemas list urn.
func listsSchema(body map[string]any, urn string) bool {
	for k, v := range body {
		if !strings.EqualFold(k, "schemas") {
			continue
		}
		list, _ := v.([]any)
		for _, x := range list {
			if s, ok := x.(string); ok && strings.EqualFold(s, urn) {
				return true
			}
		}
	}
	return false
}

// parsePatchPath parses a PATCH path (RFC 7644 §3.5.2): attrPath, or
// attrPath "[" valFilter "]" ["." subAttr].
func parsePatchPath(s string) (patchTarget, error) {
	open := strings.IndexByte(s, '[')
	if open < 0 {
		p, err := parseAttrPath(s)
		return patchTarget{path: p}, err
	}
	end, quoted := -1, false
	for i := open + 1; i < len(s) && end < 0; i++ {
		switch {
		case quoted && s[i] == '\\':
			i++
		case s[i] == '"':
			quoted = !quoted
		case !quoted && s[i] == ']':
			end = i
		}
	}
	if end < 0 {
		return patchTarget{}, fmt.Errorf("unclosed [")
	}
	p, err := parseAttrPath(s[:open])
	if err != nil {
		return patchTarget{}, err
	}
	if p.attr == nil || p.sub != nil || p.attr.Type != typeComplex || !p.attr.MultiValued {
		return patchTarget{}, fmt.Errorf("a value filter needs a multi-valued complex attribute")
	}
	f, err := parseValueFilter(s[open+1:end], p.attr)
	if err != nil {
		return patchTarget{}, err
	}
	switch rest := s[end+1:]; {
	case rest == "":
	case strings.HasPrefix(rest, "."):
		if p.sub = p.attr.sub(rest[1:]); p.sub == nil {
			return patchTarget{}, fmt.Errorf("%q has no sub-attribute %q", p.attr.Name, rest[1:])
		}
	default:
		return patchTarget{}, fmt.Errorf("unexpected %q after ]", rest)
	}
	return patchTarget{path: p, filter: f}, nil
}
