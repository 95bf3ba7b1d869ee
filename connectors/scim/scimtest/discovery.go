package scimtest

import (
	"net/http"
	"strings"
)

// handleServiceProviderConfig answers GET /ServiceProviderConfig (RFC 7643
// §5), reflecting the switches as they are now.
func (s *Server) handleServiceProviderConfig(w http.ResponseWriter, base string) {
	writeJSON(w, http.StatusOK, map[string]any{
		"schemas":          []string{spcSchema},
		"documentationUri": "https://datatracker.ietf.org/doc/html/rfc7644",
		"patch":            map[string]any{"supported": s.patchOn.Load()},
		"bulk": map[string]any{"supported": s.bulkOn.Load(),
			"maxOperations": s.opts.BulkMaxOperations, "maxPayloadSize": s.opts.BulkMaxPayloadSize},
		"filter":         map[string]any{"supported": true, "maxResults": s.opts.MaxResults},
		"changePassword": map[string]any{"supported": false},
		"sort":           map[string]any{"supported": false},
		"etag":           map[string]any{"supported": s.etagsOn.Load()},
		"authenticationSchemes": []any{map[string]any{
			"type":        "oauthbearertoken",
			"name":        "OAuth Bearer Token",
			"description": "Authentication with a bearer token (RFC 6750) in the Authorization header",
			"specUri":     "https://www.rfc-editor.org/info/rfc6750",
			"primary":     true,
		}},
		"meta": map[string]any{"resourceType": "ServiceProviderConfig", "location": base + "/ServiceProviderConfig"},
	})
}

// schemaResource is the representation of a schema (RFC 7643 §7).
func schemaResource(sc *schemaDef, base string) map[string]any {
	return map[string]any{
		"schemas":     []string{schemaSchema},
		"id":          sc.ID,
		"name":        sc.Name,
		"description": sc.Description,
		"attributes":  sc.Attributes,
		"meta":        map[string]any{"resourceType": "Schema", "location": base + "/Schemas/" + sc.ID},
	}
}

// userResourceType is the representation of the User resource type (RFC
// 7643 §6), listing the extensions the server offers.
func (s *Server) userResourceType(base string) map[string]any {
	exts := make([]any, 0, len(extensions))
	for _, e := range extensions {
		if s.served(e) {
			exts = append(exts, map[string]any{"schema": e.ID, "required": false})
		}
	}
	return map[string]any{
		"schemas":          []string{resourceTypeSchema},
		"id":               "User",
		"name":             "User",
		"endpoint":         "/Users",
		"description":      "User Account",
		"schema":           coreSchema,
		"schemaExtensions": exts,
		"meta":             map[string]any{"resourceType": "ResourceType", "location": base + "/ResourceTypes/User"},
	}
}

// discoveryList answers a discovery endpoint's list, or the one resource
// rest names. Filters are refused with 403 (RFC 7644 §4).
func discoveryList(w http.ResponseWriter, r *http.Request, rest []string, all []map[string]any) {
	if r.URL.Query().Get("filter") != "" {
		writeError(w, errorf(http.StatusForbidden, "", "discovery endpoints do not take a filter"))
		return
	}
	if len(rest) == 1 {
		for _, res := range all {
			if strings.EqualFold(res["id"].(string), rest[0]) {
				writeJSON(w, http.StatusOK, res)
				return
			}
		}
		writeError(w, errorf(http.StatusNotFound, "", "Resource %s not found", rest[0]))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"schemas":      []string{listResponseSchema},
		"totalResults": len(all),
		"itemsPerPage": len(all),
		"startIndex":   1,
		"Resources":    all,
	})
}

// handleSchemas answers GET /Schemas and /Schemas/{urn}.
func (s *Server) handleSchemas(w http.ResponseWriter, r *http.Request, base string, rest []string) {
	all := make([]map[string]any, 0, len(allSchemas))
	for _, sc := range allSchemas {
		if s.served(sc) {
			all = append(all, schemaResource(sc, base))
		}
	}
	discoveryList(w, r, rest, all)
}

// handleResourceTypes answers GET /ResourceTypes and /ResourceTypes/User.
func (s *Server) handleResourceTypes(w http.ResponseWriter, r *http.Request, base string, rest []string) {
	discoveryList(w, r, rest, []map[string]any{s.userResourceType(base)})
}
