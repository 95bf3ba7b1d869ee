package scimtest

import (
	"strings"
)

// served reports whether the server offers schema sc: every schema, or
// with CoreAndEnterpriseOnly only the core User schema and the enterprise
// extension.
func (s *Server) served(sc *schemaDef) bool {
	return !s.opts.CoreAndEnterpriseOnly || sc == userSchema || sc == enterpriseUserSchema
}

// unserved reports whether name (an attribute key, a path or a schemas
// entry) belongs to an extension the server does not offer: with
// CoreAndEnterpriseOnly, any URN but the core and enterprise ones and
// paths under them.
func (s *Server) unserved(name string) bool {
	if !s.opts.CoreAndEnterpriseOnly || len(name) < 4 || !strings.EqualFold(name[:4], "urn:") {
		return false
	}
	for _, urn := range []string{coreSchema, enterpriseSchema} {
		if strings.EqualFold(name, urn) ||
			(len(name) > len(urn) && strings.EqualFold(name[:len(urn)+1], urn+":")) {
			return false
		}
	}
	return true
}

// dropUnserved returns a User body without the attributes and schemas of
// extensions the server does not offer, which it ignores as most SCIM
// libraries ignore what their schemas lack.
func (s *Server) dropUnserved(body map[string]any) map[string]any {
	if !s.opts.CoreAndEnterpriseOnly {
		return body
	}
	out := make(map[string]any, len(body))
	for k, v := range body {
		switch {
		case s.unserved(k):
		case strings.EqualFold(k, "schemas"):
			list, ok := v.([]any)
			if !ok {
				out[k] = v
				continue
			}
			kept := make([]any, 0, len(list))
			for _, x := range list {
				if str, ok := x.(string); !ok || !s.unserved(str) {
					kept = append(kept, x)
				}
			}
			out[k] = kept
		default:
			out[k] = v
		}
	}
	return out
}

// checkServedPaths refuses, as SCIM libraries do, a PatchOp message whose
// operation has a path into an extension the server does not offer (400
// invalidPath), and drops such attributes from the values of operations
// without a path. It changes nothing unless CoreAndEnterpriseOnly.
func (s *Server) checkServedPaths(body map[string]any) error {
	if !s.opts.CoreAndEnterpriseOnly {
		return nil
	}
	for k, v := range body {
		if !strings.EqualFold(k, "Operations") {
			continue
		}
		list, _ := v.([]any)
		for _, x := range list {
			m, ok := x.(map[string]any)
			if !ok {
				continue
			}
			var op, path, valueKey string
			hasPath := false
			for mk, mv := range m {
				switch strings.ToLower(mk) {
				case "op":
					op, _ = mv.(string)
				case "path":
					path, _ = mv.(string)
					hasPath = true
				case "value":
					valueKey = mk
				}
			}
			path = strings.TrimSpace(path)
			if s.unserved(path) {
				return badRequest(errInvalidPath, "Invalid path '%s' for '%s' op", path, op)
			}
			if obj, isObj := m[valueKey].(map[string]any); isObj && (!hasPath || path == "") {
				m[valueKey] = s.dropUnserved(obj)
			}
		}
	}
	return nil
}
