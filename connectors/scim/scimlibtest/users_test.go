package scimlibtest_test

import (
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors/scim/scimlibtest"
)

func TestCreate(t *testing.T) {
	s := scimlibtest.Start(t, scimlibtest.Options{})
	r := call(t, s, http.MethodPost, "/Users", user(map[string]any{
		"userName":   "alice@example.com",
		"externalId": "E1",
		"active":     true,
		"name":       map[string]any{"givenName": "Alice", "familyName": "Liddell"},
		"emails":     []any{map[string]any{"type": "work", "value": "alice@example.com", "primary": true}},
		"password":   "s3cret",
		scimlibtest.EnterpriseSchema: map[string]any{
			"employeeNumber": "42", "department": "Eng",
		},
	}, scimlibtest.EnterpriseSchema))
	m := r.ok(t, http.StatusCreated)
	id := m["id"].(string)
	_, err := uuid.Parse(id)
	require.NoError(t, err, "the id is a generated UUID")
	require.Equal(t, s.BaseURL()+"/Users/"+id, r.header.Get("Location"))
	require.Equal(t, "application/scim+json", r.header.Get("Content-Type"))
	require.Equal(t, "E1", m["externalId"])
	require.NotContains(t, m, "password", "writeOnly, never returned")
	meta := m["meta"].(map[string]any)
	require.Equal(t, "User", meta["resourceType"])
	require.Equal(t, s.BaseURL()+"/Users/"+id, meta["location"])
	require.NotEmpty(t, meta["created"])
	require.NotContains(t, meta, "version", "no versions: the library's etag.supported is false")
	require.Empty(t, r.header.Get("ETag"))
	// The library lists every registered extension in schemas, whether
	// the resource has attributes of it or not.
	require.Equal(t, []any{scimlibtest.CoreSchema, scimlibtest.EnterpriseSchema}, m["schemas"])

	users := s.Users()
	require.Len(t, users, 1)
	u := users[0]
	require.Equal(t, id, u.ID)
	require.Equal(t, "E1", u.ExternalID)
	require.Equal(t, "alice@example.com", u.UserName)
	require.True(t, *u.Active)
	require.Equal(t, map[string]any{"employeeNumber": "42", "department": "Eng"}, u.Attributes[scimlibtest.EnterpriseSchema])
	require.NotContains(t, u.Attributes, "password", "never stored")

	got := call(t, s, http.MethodGet, "/Users/"+id, nil).ok(t, http.StatusOK)
	require.Equal(t, m, got)
}

// TestCreateDropsUnknown records what the library does with attributes
// that no registered schema has: it drops them without a word, and so it
// does with the attributes of an extension that is not registered, even
// when the body's schemas list that extension.
func TestCreateDropsUnknown(t *testing.T) {
	s := scimlibtest.Start(t, scimlibtest.Options{}) // core+enterprise only
	m := call(t, s, http.MethodPost, "/Users", user(map[string]any{
		"userName":                         "bob",
		"nickname2":                        "unknown core attribute",
		scimlibtest.EnterpriseSchema:       map[string]any{"department": "Ops", "bogus": "unknown enterprise attribute"},
		scimlibtest.DefaultCustomSchemaURN: map[string]any{"location": "Berlin"},
	}, scimlibtest.EnterpriseSchema, scimlibtest.DefaultCustomSchemaURN)).ok(t, http.StatusCreated)
	require.NotContains(t, m, "nickname2")
	require.NotContains(t, m, scimlibtest.DefaultCustomSchemaURN)
	require.Equal(t, map[string]any{"department": "Ops"}, m[scimlibtest.EnterpriseSchema])
	require.Equal(t, []any{scimlibtest.CoreSchema, scimlibtest.EnterpriseSchema}, m["schemas"])
	u := s.Users()[0]
	require.NotContains(t, u.Attributes, scimlibtest.DefaultCustomSchemaURN)
	require.NotContains(t, u.Attributes, "nickname2")
}

func TestCreateChecks(t *testing.T) {
	s := scimlibtest.Start(t, scimlibtest.Options{})
	// No schemas: 400 invalidSyntax.
	e := call(t, s, http.MethodPost, "/Users", map[string]any{"userName": "x"}).err(t, http.StatusBadRequest)
	require.Equal(t, scimError{"400", "invalidSyntax", detailInvalidSyntax}, e)
	// No userName: 400 invalidValue.
	e = call(t, s, http.MethodPost, "/Users", user(map[string]any{"externalId": "x"})).err(t, http.StatusBadRequest)
	require.Equal(t, scimError{"400", "invalidValue", detailInvalidValue}, e)
	// A value of the wrong type: 400 invalidValue.
	e = call(t, s, http.MethodPost, "/Users", user(map[string]any{"userName": "x", "active": "true"})).err(t, http.StatusBadRequest)
	require.Equal(t, scimError{"400", "invalidValue", detailInvalidValue}, e)
	require.Empty(t, s.Users())
}

func TestUserNameUnique(t *testing.T) {
	s := scimlibtest.Start(t, scimlibtest.Options{})
	create(t, s, user(map[string]any{"userName": "Alice@Example.com"}))
	bob := create(t, s, user(map[string]any{"userName": "bob"}))
	want := scimError{"409", "uniqueness", detailUniqueness}

	// userName is caseExact false: uniqueness ignores case (RFC 7643 §4.1.1).
	e := call(t, s, http.MethodPost, "/Users", user(map[string]any{"userName": "alice@example.COM"})).err(t, http.StatusConflict)
	require.Equal(t, want, e)
	e = call(t, s, http.MethodPut, "/Users/"+bob, user(map[string]any{"userName": "ALICE@example.com"})).err(t, http.StatusConflict)
	require.Equal(t, want, e)
	e = call(t, s, http.MethodPatch, "/Users/"+bob, patch(op("replace", "userName", "alice@EXAMPLE.com"))).err(t, http.StatusConflict)
	require.Equal(t, want, e)
	// A User may change the case of its own userName.
	call(t, s, http.MethodPatch, "/Users/"+bob, patch(op("replace", "userName", "BOB"))).ok(t, http.StatusOK)
	require.Len(t, s.Users(), 2)
	require.Equal(t, "BOB", s.Users()[1].UserName)
}

func TestReplaceAndDelete(t *testing.T) {
	s := scimlibtest.Start(t, scimlibtest.Options{})
	id := create(t, s, user(map[string]any{"userName": "carol", "externalId": "E3", "title": "Boss"}))
	m := call(t, s, http.MethodPut, "/Users/"+id, user(map[string]any{"userName": "carol", "displayName": "Carol"})).ok(t, http.StatusOK)
	require.Equal(t, "Carol", m["displayName"])
	require.NotContains(t, m, "title", "PUT replaces all attributes")
	require.NotContains(t, m, "externalId", "externalId too, when the body has none")

	require.Equal(t, http.StatusNoContent, call(t, s, http.MethodDelete, "/Users/"+id, nil).status)
	e := call(t, s, http.MethodGet, "/Users/"+id, nil).err(t, http.StatusNotFound)
	require.Equal(t, scimError{Status: "404", Detail: "Resource " + id + " not found."}, e)
	call(t, s, http.MethodDelete, "/Users/"+id, nil).err(t, http.StatusNotFound)
	call(t, s, http.MethodPut, "/Users/"+id, user(map[string]any{"userName": "x"})).err(t, http.StatusNotFound)
	call(t, s, http.MethodPatch, "/Users/"+id, patch(op("replace", "active", false))).err(t, http.StatusNotFound)
	require.Empty(t, s.Users())
}

// TestNoETags records that the library neither sends ETags nor checks
// If-Match: a PATCH with a stale version succeeds.
func TestNoETags(t *testing.T) {
	s := scimlibtest.Start(t, scimlibtest.Options{})
	id := create(t, s, user(map[string]any{"userName": "dan"}))
	req, err := http.NewRequest(http.MethodGet, s.BaseURL()+"/Users/"+id, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+s.Token())
	req.Header.Set("If-None-Match", `W/"whatever"`)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Empty(t, resp.Header.Get("ETag"))

	body := `{"schemas":["` + patchOpSchema + `"],"Operations":[{"op":"replace","path":"active","value":false}]}`
	req, err = http.NewRequest(http.MethodPatch, s.BaseURL()+"/Users/"+id, stringsReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+s.Token())
	req.Header.Set("If-Match", `W/"stale"`)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "If-Match is ignored")
	require.False(t, *s.Users()[0].Active)
}
