package scimlibtest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors/scim/scimlibtest"
)

func TestListensOnLoopback(t *testing.T) {
	s := scimlibtest.Start(t, scimlibtest.Options{})
	require.True(t, strings.HasPrefix(s.BaseURL(), "http://127.0.0.1:"), s.BaseURL())
	require.True(t, strings.HasSuffix(s.BaseURL(), scimlibtest.BasePath), s.BaseURL())
	require.Equal(t, scimlibtest.DefaultToken, s.Token())
	require.Equal(t, "", s.CustomSchemaURN())
}

func TestBearerToken(t *testing.T) {
	s := scimlibtest.Start(t, scimlibtest.Options{Token: "sesame"})
	r := callToken(t, s, "", http.MethodGet, "/Users", nil)
	e := r.err(t, http.StatusUnauthorized)
	require.Equal(t, "401", e.Status)
	require.Contains(t, r.header.Get("WWW-Authenticate"), "Bearer")
	callToken(t, s, "wrong", http.MethodPost, "/Users", user(map[string]any{"userName": "x"})).err(t, http.StatusUnauthorized)
	require.Empty(t, s.Users(), "a refused POST stores nothing")
	call(t, s, http.MethodGet, "/Users", nil).ok(t, http.StatusOK)

	// Refused requests are counted too, with their status.
	reqs := s.Requests()
	require.Len(t, reqs, 3)
	require.Equal(t, scimlibtest.Request{Method: "POST", Path: scimlibtest.BasePath + "/Users", Route: "/Users", Status: 401}, reqs[1])
	require.Equal(t, 1, s.Writes())
}

func TestServiceProviderConfig(t *testing.T) {
	s := scimlibtest.Start(t, scimlibtest.Options{})
	m := call(t, s, http.MethodGet, "/ServiceProviderConfig", nil).ok(t, http.StatusOK)
	supported := func(feature string) any { return m[feature].(map[string]any)["supported"] }
	require.Equal(t, true, supported("patch"))
	require.Equal(t, false, supported("bulk"), "the library hard-codes bulk.supported=false")
	require.Equal(t, false, supported("etag"), "the library hard-codes etag.supported=false")
	require.Equal(t, false, supported("sort"))
	require.Equal(t, false, supported("changePassword"))
	require.Equal(t, true, supported("filter"))
	require.Equal(t, float64(scimlibtest.DefaultMaxResults), m["filter"].(map[string]any)["maxResults"])
	schemes := m["authenticationSchemes"].([]any)
	require.Len(t, schemes, 1)
	require.Equal(t, "oauthbearertoken", schemes[0].(map[string]any)["type"])

	// There is no /Bulk endpoint at all, and no POST search of Users.
	e := call(t, s, http.MethodPost, "/Bulk", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[]}`).err(t, http.StatusNotFound)
	require.Equal(t, scimError{Status: "404", Detail: "Specified endpoint does not exist."}, e)
	e = call(t, s, http.MethodPost, "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]}`).err(t, http.StatusNotImplemented)
	require.Equal(t, scimError{Status: "501", Detail: "Search is not supported for this resource type."}, e)
}

func TestSchemasAndResourceTypes(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts scimlibtest.Options
		exts []string
	}{
		{"core+enterprise", scimlibtest.Options{}, []string{scimlibtest.EnterpriseSchema}},
		{"with extension", scimlibtest.Options{CustomSchema: true}, []string{scimlibtest.EnterpriseSchema, scimlibtest.DefaultCustomSchemaURN}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := scimlibtest.Start(t, tc.opts)
			m := call(t, s, http.MethodGet, "/Schemas", nil).ok(t, http.StatusOK)
			var ids []string
			for _, r := range m["Resources"].([]any) {
				ids = append(ids, r.(map[string]any)["id"].(string))
			}
			// The library lists its own three discovery schemas first.
			want := append([]string{
				"urn:ietf:params:scim:schemas:core:2.0:Schema",
				"urn:ietf:params:scim:schemas:core:2.0:ResourceType",
				"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig",
				scimlibtest.CoreSchema,
			}, tc.exts...)
			require.Equal(t, want, ids)
			for _, id := range want[3:] {
				one := call(t, s, http.MethodGet, "/Schemas/"+id, nil).ok(t, http.StatusOK)
				require.Equal(t, id, one["id"])
			}
			call(t, s, http.MethodGet, "/Schemas/urn:example:unknown", nil).err(t, http.StatusNotFound)

			rt := call(t, s, http.MethodGet, "/ResourceTypes/User", nil).ok(t, http.StatusOK)
			require.Equal(t, "/Users", rt["endpoint"])
			require.Equal(t, scimlibtest.CoreSchema, rt["schema"])
			var got []string
			for _, e := range rt["schemaExtensions"].([]any) {
				got = append(got, e.(map[string]any)["schema"].(string))
				require.Equal(t, false, e.(map[string]any)["required"])
			}
			require.Equal(t, tc.exts, got)
			all := call(t, s, http.MethodGet, "/ResourceTypes", nil).ok(t, http.StatusOK)
			require.Equal(t, float64(1), all["totalResults"])
		})
	}
}

func TestCustomSchemaDefinition(t *testing.T) {
	s := scimlibtest.Start(t, scimlibtest.Options{CustomSchema: true})
	require.Equal(t, scimlibtest.DefaultCustomSchemaURN, s.CustomSchemaURN())
	m := call(t, s, http.MethodGet, "/Schemas/"+scimlibtest.DefaultCustomSchemaURN, nil).ok(t, http.StatusOK)
	attrs := map[string]map[string]any{}
	for _, a := range m["attributes"].([]any) {
		attrs[a.(map[string]any)["name"].(string)] = a.(map[string]any)
	}
	for _, name := range []string{"dateOfJoining", "dateOfBirth", "exitDate", "location", "employmentType"} {
		require.Equal(t, "string", attrs[name]["type"], name)
		require.Equal(t, false, attrs[name]["multiValued"], name)
	}
	custom := attrs["custom"]
	require.Equal(t, "complex", custom["type"])
	require.Equal(t, true, custom["multiValued"])
	var subs []string
	for _, sa := range custom["subAttributes"].([]any) {
		subs = append(subs, sa.(map[string]any)["name"].(string))
	}
	require.Equal(t, []string{"key", "value"}, subs)
	require.Len(t, attrs, 6)
}

func TestRequestCounters(t *testing.T) {
	s := scimlibtest.Start(t, scimlibtest.Options{})
	id := create(t, s, user(map[string]any{"userName": "ann"}))
	call(t, s, http.MethodGet, "/Users/"+id, nil).ok(t, http.StatusOK)
	list(t, s, `userName eq "ann"`, "")
	call(t, s, http.MethodPatch, "/Users/"+id, patch(op("replace", "active", false))).ok(t, http.StatusOK)
	call(t, s, http.MethodPut, "/Users/"+id, user(map[string]any{"userName": "ann"})).ok(t, http.StatusOK)
	require.Equal(t, http.StatusNoContent, call(t, s, http.MethodDelete, "/Users/"+id, nil).status)
	call(t, s, http.MethodGet, "/ServiceProviderConfig", nil).ok(t, http.StatusOK)

	require.Equal(t, 1, s.Count("POST", "/Users"))
	require.Equal(t, 1, s.Count("GET", "/Users"))
	require.Equal(t, 1, s.Count("GET", "/Users/{id}"))
	require.Equal(t, 1, s.Count("PATCH", "/Users/{id}"))
	require.Equal(t, 1, s.Count("PUT", ""))
	require.Equal(t, 1, s.Count("DELETE", "/Users/{id}"))
	require.Equal(t, 1, s.Count("", "/ServiceProviderConfig"))
	require.Equal(t, 7, s.Count("", ""))
	require.Equal(t, 4, s.Writes())

	s.ResetRequests()
	require.Empty(t, s.Requests())
	require.Equal(t, 0, s.Writes())
}

func TestCreateOutside(t *testing.T) {
	s := scimlibtest.Start(t, scimlibtest.Options{CustomSchema: true})
	active := false
	u, err := s.CreateOutside(scimlibtest.User{
		UserName:   "Outsider@Example.com",
		ExternalID: "X-1",
		Active:     &active,
		Attributes: map[string]any{
			"displayName":                      "Out Sider",
			scimlibtest.EnterpriseSchema:       map[string]any{"department": "Elsewhere"},
			scimlibtest.DefaultCustomSchemaURN: map[string]any{"location": "Lisbon"},
		},
	})
	require.NoError(t, err)
	require.NotEmpty(t, u.ID)
	require.Equal(t, "Outsider@Example.com", u.UserName)
	require.Equal(t, "X-1", u.ExternalID)
	require.NotNil(t, u.Active)
	require.False(t, *u.Active)
	require.Equal(t, "Out Sider", u.Attributes["displayName"])
	require.Equal(t, map[string]any{"department": "Elsewhere"}, u.Attributes[scimlibtest.EnterpriseSchema])
	require.Equal(t, map[string]any{"location": "Lisbon"}, u.Attributes[scimlibtest.DefaultCustomSchemaURN])

	// Not a request: a test can still assert that hrsync wrote nothing.
	require.Empty(t, s.Requests())
	require.Equal(t, 0, s.Writes())

	// It is visible over HTTP like any other User.
	got := call(t, s, http.MethodGet, "/Users/"+u.ID, nil).ok(t, http.StatusOK)
	require.Equal(t, "X-1", got["externalId"])

	// It goes through the same checks as a POST.
	_, err = s.CreateOutside(scimlibtest.User{UserName: "OUTSIDER@example.com"})
	require.ErrorContains(t, err, "409 (uniqueness)")
	_, err = s.CreateOutside(scimlibtest.User{ExternalID: "no-user-name"})
	require.ErrorContains(t, err, "400 (invalidValue)")
	require.Len(t, s.Users(), 1)
}

func TestUsersIsASnapshot(t *testing.T) {
	s := scimlibtest.Start(t, scimlibtest.Options{})
	create(t, s, user(map[string]any{"userName": "a", "name": map[string]any{"givenName": "A"}}))
	create(t, s, user(map[string]any{"userName": "b"}))
	users := s.Users()
	require.Len(t, users, 2)
	require.Equal(t, "a", users[0].UserName, "oldest first")
	require.Nil(t, users[0].Active, "no active attribute was sent")
	users[0].Attributes["name"].(map[string]any)["givenName"] = "changed"
	again, ok := s.User(users[0].ID)
	require.True(t, ok)
	require.Equal(t, "A", again.Attributes["name"].(map[string]any)["givenName"])
	_, ok = s.User("nope")
	require.False(t, ok)
}
