package scimtest

import (
	"encoding/base64"
	"maps"
	"slices"
	"strings"
	"time"
)

// normalizeUser validates a User body a client sent (POST, PUT, Bulk) and
// returns its attributes in canonical form: names spelled as the schema
// spells them, extensions keyed by their URN, null, "" and [] dropped,
// readOnly, writeOnly and derived attributes dropped. The result has no
// schemas, id or meta; finish adds them.
func normalizeUser(in map[string]any) (map[string]any, error) {
	declared, err := declaredSchemas(in)
	if err != nil {
		return nil, err
	}
	out, err := normalizeAttrs(in, declared)
	if err != nil {
		return nil, err
	}
	if text(out, "userName") == "" {
		return nil, badRequest(errInvalidSyntax, "userName is required")
	}
	return out, nil
}

// declaredSchemas returns the schema URNs a body lists, canonically
// spelled: they must include the core User schema and be known.
func declaredSchemas(in map[string]any) (map[string]bool, error) {
	var raw any
	found := false
	for k, v := range in {
		if strings.EqualFold(k, "schemas") {
			raw, found = v, true
		}
	}
	if !found {
		return nil, badRequest(errInvalidSyntax, "schemas is required and must list %s", coreSchema)
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, badRequest(errInvalidSyntax, "schemas must be an array of URNs")
	}
	out := map[string]bool{}
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			return nil, badRequest(errInvalidSyntax, "schemas must be an array of URNs")
		}
		switch ext := extension(s); {
		case strings.EqualFold(s, coreSchema):
			out[coreSchema] = true
		case ext != nil:
			out[ext.ID] = true
		default:
			return nil, badRequest(errInvalidSyntax, "schema %q is not a User schema this server knows", s)
		}
	}
	if !out[coreSchema] {
		return nil, badRequest(errInvalidSyntax, "schemas must list %s", coreSchema)
	}
	return out, nil
}

// normalizeAttrs normalizes the attributes of a User body; extensions
// present must be among declared.
func normalizeAttrs(in map[string]any, declared map[string]bool) (map[string]any, error) {
	out := map[string]any{}
	seen := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(in)) {
		v := in[k]
		if prev, dup := seen[fold(k)]; dup {
			return nil, badRequest(errInvalidSyntax, "attributes %q and %q are the same attribute", prev, k)
		}
		seen[fold(k)] = k
		if strings.EqualFold(k, "schemas") {
			continue
		}
		if ext := extension(k); ext != nil {
			obj, present, err := normalizeExtension(ext, v)
			if err != nil {
				return nil, err
			}
			if !present {
				continue
			}
			if !declared[ext.ID] {
				return nil, badRequest(errInvalidSyntax, "the body holds %s attributes but its schemas do not list it", ext.ID)
			}
			out[ext.ID] = obj
			continue
		}
		def := coreAttr(k)
		if def == nil {
			return nil, badRequest(errInvalidSyntax, "attribute %q is not in the User schema or a known extension", k)
		}
		if def.Mutability == readOnly || def.Mutability == writeOnly {
			continue
		}
		val, present, err := normalizeValue(def, v, def.Name)
		if err != nil {
			return nil, err
		}
		if present {
			out[def.Name] = val
		}
	}
	return out, checkUser(out)
}

// normalizeExtension normalizes the object of extension ext.
func normalizeExtension(ext *schemaDef, v any) (map[string]any, bool, error) {
	if v == nil {
		return nil, false, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false, badRequest(errInvalidValue, "%s must be an object", ext.ID)
	}
	out := map[string]any{}
	seen := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if prev, dup := seen[fold(k)]; dup {
			return nil, false, badRequest(errInvalidSyntax, "attributes %q and %q of %s are the same attribute", prev, k, ext.ID)
		}
		seen[fold(k)] = k
		def := ext.attr(k)
		if def == nil {
			return nil, false, badRequest(errInvalidSyntax, "attribute %q is not in %s", k, ext.ID)
		}
		if def.Mutability == readOnly {
			continue
		}
		val, present, err := normalizeValue(def, m[k], ext.ID+":"+def.Name)
		if err != nil {
			return nil, false, err
		}
		if present {
			out[def.Name] = val
		}
	}
	return out, len(out) > 0, nil
}

// normalizeValue normalizes the value of attribute def, reporting whether
// it is assigned at all; path names it in errors.
func normalizeValue(def *attrDef, v any, path string) (any, bool, error) {
	if v == nil {
		return nil, false, nil
	}
	if !def.MultiValued {
		return normalizeSingle(def, v, path)
	}
	list, ok := v.([]any)
	if !ok {
		return nil, false, badRequest(errInvalidValue, "%s is multi-valued: its value must be an array", path)
	}
	out := make([]any, 0, len(list))
	primaries := 0
	for _, x := range list {
		y, present, err := normalizeSingle(def, x, path)
		if err != nil {
			return nil, false, err
		}
		if !present {
			continue
		}
		if m, ok := y.(map[string]any); ok && m["primary"] == true {
			primaries++
		}
		out = append(out, y)
	}
	if primaries > 1 {
		return nil, false, badRequest(errInvalidValue, "%s has more than one primary value", path)
	}
	return out, len(out) > 0, nil
}

// normalizeSingle normalizes one value (one entry of a multi-valued
// attribute) of def.
func normalizeSingle(def *attrDef, v any, path string) (any, bool, error) {
	if v == nil {
		return nil, false, nil
	}
	switch def.Type {
	case typeComplex:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false, badRequest(errInvalidValue, "%s must be an object", path)
		}
		out := map[string]any{}
		seen := map[string]string{}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if prev, dup := seen[fold(k)]; dup {
				return nil, false, badRequest(errInvalidSyntax, "%s: %q and %q are the same sub-attribute", path, prev, k)
			}
			seen[fold(k)] = k
			sub := def.sub(k)
			if sub == nil {
				return nil, false, badRequest(errInvalidSyntax, "%s has no sub-attribute %q", path, k)
			}
			if sub.Mutability == readOnly || sub.derived {
				continue
			}
			y, present, err := normalizeSingle(sub, m[k], path+"."+sub.Name)
			if err != nil {
				return nil, false, err
			}
			if present {
				out[sub.Name] = y
			}
		}
		return out, len(out) > 0, nil
	case typeBoolean:
		b, ok := v.(bool)
		if !ok {
			return nil, false, badRequest(errInvalidValue, "%s must be a boolean", path)
		}
		return b, true, nil
	}
	s, ok := v.(string)
	if !ok {
		return nil, false, badRequest(errInvalidValue, "%s must be a string", path)
	}
	if s == "" {
		return nil, false, nil
	}
	switch def.Type {
	case typeDateTime:
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			return nil, false, badRequest(errInvalidValue, "%s must be an xsd:dateTime such as 2008-01-23T04:56:22Z", path)
		}
	case typeBinary:
		if _, err := base64.StdEncoding.DecodeString(s); err != nil {
			return nil, false, badRequest(errInvalidValue, "%s must be base64", path)
		}
	}
	return s, true, nil
}

// checkUser checks what the schema types alone do not: a manager names its
// user by value, and a custom field has a key.
func checkUser(attrs map[string]any) error {
	if m := object(object(attrs, enterpriseSchema), "manager"); m != nil && text(m, "value") == "" {
		return badRequest(errInvalidValue, "%s:manager.value is required when manager is set", enterpriseSchema)
	}
	for _, urn := range employeeSchemas {
		list, _ := object(attrs, urn)[customAttrName].([]any)
		keys := map[string]bool{}
		for _, x := range list {
			k := text(x.(map[string]any), "key")
			if k == "" {
				return badRequest(errInvalidValue, "every %s:%s entry needs a key", urn, customAttrName)
			}
			if keys[k] {
				return badRequest(errInvalidValue, "%s:%s has key %q twice", urn, customAttrName, k)
			}
			keys[k] = true
		}
	}
	return nil
}

// schemasOf lists the core schema and each extension attrs holds.
func schemasOf(attrs map[string]any) []any {
	out := []any{coreSchema}
	for _, e := range extensions {
		if _, ok := attrs[e.ID]; ok {
			out = append(out, e.ID)
		}
	}
	return out
}
