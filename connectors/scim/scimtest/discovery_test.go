package scimtest

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestServiceProviderConfigReflectsSwitches(t *testing.T) {
	e := newEnv(t, Options{MaxResults: 50, BulkMaxOperations: 10, BulkMaxPayloadSize: 4096})
	spc := e.do(http.MethodGet, "/ServiceProviderConfig", nil).requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, []any{spcSchema}, spc["schemas"])
	require.Equal(t, true, dig(spc, "patch", "supported"))
	require.Equal(t, map[string]any{"supported": true, "maxOperations": 10.0, "maxPayloadSize": 4096.0}, spc["bulk"])
	require.Equal(t, map[string]any{"supported": true, "maxResults": 50.0}, spc["filter"])
	require.Equal(t, false, dig(spc, "changePassword", "supported"))
	require.Equal(t, false, dig(spc, "sort", "supported"))
	require.Equal(t, true, dig(spc, "etag", "supported"))
	require.Equal(t, "oauthbearertoken", dig(spc, "authenticationSchemes", 0, "type"))
	require.Equal(t, "ServiceProviderConfig", dig(spc, "meta", "resourceType"))
	require.Equal(t, e.base+"/ServiceProviderConfig", dig(spc, "meta", "location"))

	e.srv.SetPatch(false)
	e.srv.SetBulk(false)
	e.srv.SetETags(false)
	spc = e.do(http.MethodGet, "/ServiceProviderConfig", nil).requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, false, dig(spc, "patch", "supported"))
	require.Equal(t, false, dig(spc, "bulk", "supported"))
	require.Equal(t, false, dig(spc, "etag", "supported"))

	e.srv.SetPatch(true)
	spc = e.do(http.MethodGet, "/ServiceProviderConfig", nil).requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, true, dig(spc, "patch", "supported"))
}

func TestDefaults(t *testing.T) {
	e := newEnv(t, Options{})
	require.Equal(t, "/scim/v2", e.srv.opts.BasePath)
	spc := e.do(http.MethodGet, "/ServiceProviderConfig", nil).requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, 200.0, dig(spc, "filter", "maxResults"))
	require.Equal(t, 1000.0, dig(spc, "bulk", "maxOperations"))
	require.Equal(t, 1048576.0, dig(spc, "bulk", "maxPayloadSize"))

	custom := newEnv(t, Options{BasePath: "scim/"})
	require.Equal(t, "/scim", custom.srv.opts.BasePath)
	custom.do(http.MethodGet, "/ServiceProviderConfig", nil).requireStatus(t, http.StatusOK)
}

func TestSchemas(t *testing.T) {
	e := newEnv(t, Options{})
	list := e.do(http.MethodGet, "/Schemas", nil).requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, []any{listResponseSchema}, list["schemas"])
	require.Equal(t, 4.0, list["totalResults"])
	ids := map[string]map[string]any{}
	for _, r := range list["Resources"].([]any) {
		m := r.(map[string]any)
		require.Equal(t, []any{schemaSchema}, m["schemas"])
		require.NotEmpty(t, m["attributes"])
		ids[m["id"].(string)] = m
	}
	require.Contains(t, ids, coreSchema)
	require.Contains(t, ids, enterpriseSchema)
	require.Contains(t, ids, CustomSchema)
	require.Contains(t, ids, LegacyCustomSchema)

	attr := func(schema map[string]any, name string) map[string]any {
		for _, a := range schema["attributes"].([]any) {
			if m := a.(map[string]any); m["name"] == name {
				return m
			}
		}
		t.Fatalf("no attribute %s", name)
		return nil
	}
	userName := attr(ids[coreSchema], "userName")
	require.Equal(t, "string", userName["type"])
	require.Equal(t, false, userName["multiValued"])
	require.Equal(t, true, userName["required"])
	require.Equal(t, false, userName["caseExact"])
	require.Equal(t, "readWrite", userName["mutability"])
	require.Equal(t, "server", userName["uniqueness"])
	emails := attr(ids[coreSchema], "emails")
	require.Equal(t, "complex", emails["type"])
	require.Equal(t, true, emails["multiValued"])
	require.Len(t, emails["subAttributes"], 4)
	require.Equal(t, "readOnly", attr(ids[coreSchema], "groups")["mutability"])
	manager := attr(ids[enterpriseSchema], "manager")
	require.Equal(t, "complex", manager["type"])
	require.Equal(t, "dateOfJoining", attr(ids[CustomSchema], "dateOfJoining")["name"])

	one := e.do(http.MethodGet, "/Schemas/"+enterpriseSchema, nil).requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, enterpriseSchema, one["id"])
	require.Equal(t, e.base+"/Schemas/"+enterpriseSchema, dig(one, "meta", "location"))
	e.do(http.MethodGet, "/Schemas/urn:nope", nil).requireError(t, http.StatusNotFound, "")
	e.do(http.MethodGet, `/Schemas?filter=id+eq+"x"`, nil).requireError(t, http.StatusForbidden, "")
}

func TestResourceTypes(t *testing.T) {
	e := newEnv(t, Options{})
	list := e.do(http.MethodGet, "/ResourceTypes", nil).requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, 1.0, list["totalResults"])
	user := dig(list, "Resources", 0).(map[string]any)
	require.Equal(t, []any{resourceTypeSchema}, user["schemas"])
	require.Equal(t, "User", user["name"])
	require.Equal(t, "/Users", user["endpoint"])
	require.Equal(t, coreSchema, user["schema"])
	require.Equal(t, []any{
		map[string]any{"schema": enterpriseSchema, "required": false},
		map[string]any{"schema": CustomSchema, "required": false},
		map[string]any{"schema": LegacyCustomSchema, "required": false},
	}, user["schemaExtensions"])
	one := e.do(http.MethodGet, "/ResourceTypes/User", nil).requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, "User", one["id"])
}

func TestRouting(t *testing.T) {
	e := newEnv(t, Options{})
	e.do(http.MethodGet, "/Groups", nil).requireError(t, http.StatusNotFound, "")
	e.do(http.MethodGet, "/Me", nil).requireError(t, http.StatusNotImplemented, "")
	r := e.do(http.MethodDelete, "/Users", nil)
	r.requireError(t, http.StatusMethodNotAllowed, "")
	require.Equal(t, "GET, POST", r.header.Get("Allow"))
	e.do(http.MethodPost, "/ServiceProviderConfig", "{}").requireError(t, http.StatusMethodNotAllowed, "")
	e.do(http.MethodPost, "/Users", "{}", "Content-Type", "text/plain").requireError(t, http.StatusUnsupportedMediaType, "")
	e.do(http.MethodPost, "/Users", `{"schemas":["`+coreSchema+`"],"userName":"json"}`, "Content-Type", "application/json").
		requireStatus(t, http.StatusCreated)
	// Outside BasePath and "/" there is nothing.
	require.Equal(t, http.StatusNotFound, e.send(http.MethodGet, e.url+"/elsewhere", "", nil).status)
}
