package scimtest

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCoreAndEnterpriseOnlyDiscovery(t *testing.T) {
	e := newEnv(t, Options{CoreAndEnterpriseOnly: true})
	list := e.do(http.MethodGet, "/Schemas", nil).requireStatus(t, http.StatusOK).obj(t)
	var ids []any
	for _, r := range list["Resources"].([]any) {
		ids = append(ids, r.(map[string]any)["id"])
	}
	require.Equal(t, []any{coreSchema, enterpriseSchema}, ids)
	e.do(http.MethodGet, "/Schemas/"+CustomSchema, nil).requireError(t, http.StatusNotFound, "")
	rt := e.do(http.MethodGet, "/ResourceTypes/User", nil).requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, []any{map[string]any{"schema": enterpriseSchema, "required": false}}, rt["schemaExtensions"])
}

func TestCoreAndEnterpriseOnlyDropsOtherExtensions(t *testing.T) {
	e := newEnv(t, Options{CoreAndEnterpriseOnly: true})
	body := newUser("ann@example.com", map[string]any{
		"title":            "Engineer",
		enterpriseSchema:   ent("department", "R&D"),
		CustomSchema:       ent("location", "Berlin"),
		"urn:acme:ext:2.0": ent("anything", 1),
	})
	body["schemas"] = append(body["schemas"].([]any), "urn:acme:ext:2.0")
	u := e.create(body)
	id := u["id"].(string)
	require.Equal(t, []any{coreSchema, enterpriseSchema}, u["schemas"])
	require.NotContains(t, u, CustomSchema)
	require.Equal(t, "R&D", dig(u, enterpriseSchema, "department"))

	put := newUser("ann@example.com", map[string]any{"title": "Lead", LegacyCustomSchema: ent("location", "Paris")})
	u = e.do(http.MethodPut, "/Users/"+id, put).requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, []any{coreSchema}, u["schemas"])
	require.Equal(t, "Lead", u["title"])

	// A path into an unknown extension is refused as a whole, atomically.
	path := CustomSchema + ":dateOfBirth"
	detail := e.patch(id, op("replace", "title", "CTO"), op("replace", path, "1990-01-02")).
		requireError(t, http.StatusBadRequest, errInvalidPath)
	require.Equal(t, "Invalid path '"+path+"' for 'replace' op", detail)
	e.patch(id, op("remove", CustomSchema+`:custom[key eq "a"]`, nil)).requireError(t, http.StatusBadRequest, errInvalidPath)
	require.Equal(t, "Lead", e.get(id)["title"])

	// Without a path, attributes of an unknown extension are dropped.
	u = e.patch(id, op("replace", "", map[string]any{"title": "CTO", CustomSchema: ent("location", "Rome"),
		CustomSchema + ":exitDate": "2030-01-01"})).requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, "CTO", u["title"])
	require.Equal(t, []any{coreSchema}, u["schemas"])
	u = e.patch(id, op("replace", enterpriseSchema+":department", "Ops")).requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, "Ops", dig(u, enterpriseSchema, "department"))

	// Bulk goes the same way.
	res := e.bulk(bulkBody(0,
		bulkOpBody(http.MethodPost, "/Users", "b1", "", newUser("bo@example.com", map[string]any{CustomSchema: ent("location", "Oslo")})),
		bulkOpBody(http.MethodPatch, "/Users/"+id, "", "", patchBody(op("replace", path, "1990-01-02"))),
	))
	require.Equal(t, "201", res[0]["status"])
	require.Equal(t, "400", res[1]["status"])
	require.Equal(t, errInvalidPath, dig(res[1], "response", "scimType"))
}

func TestAllExtensionsServedByDefault(t *testing.T) {
	e := newEnv(t, Options{})
	u := e.create(newUser("ann@example.com", map[string]any{CustomSchema: ent("location", "Berlin")}))
	require.Equal(t, "Berlin", dig(u, CustomSchema, "location"))
	e.patch(u["id"].(string), op("replace", CustomSchema+":dateOfBirth", "1990-01-02")).requireStatus(t, http.StatusOK)
	e.do(http.MethodPost, "/Users", newUser("bo@example.com", map[string]any{"urn:acme:ext:2.0": ent("x", "y")})).
		requireError(t, http.StatusBadRequest, errInvalidSyntax)
}
