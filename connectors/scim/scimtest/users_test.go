package scimtest

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCreateAndGet(t *testing.T) {
	e := newEnv(t, Options{})
	body := newUser("bjensen@example.com", map[string]any{
		"externalId":     "E100",
		"name":           map[string]any{"givenName": "Barbara", "familyName": "Jensen"},
		"displayName":    "Babs Jensen",
		"active":         true,
		"emails":         work("bjensen@example.com"),
		"title":          "Tour Guide",
		"password":       "secret",
		"id":             "client-chosen",
		"meta":           map[string]any{"version": "W/\"99\""},
		enterpriseSchema: ent("employeeNumber", "701984", "department", "Tour Operations"),
		CustomSchema:     ent("dateOfJoining", "2020-01-15", "custom.shoeSize", "42"),
	})
	r := e.do(http.MethodPost, "/Users", body).requireStatus(t, http.StatusCreated)
	require.Equal(t, contentType, r.header.Get("Content-Type"))
	u := r.obj(t)
	id := u["id"].(string)
	require.Len(t, id, 36)
	require.NotEqual(t, "client-chosen", id, "id is readOnly")
	require.Equal(t, e.base+"/Users/"+id, r.header.Get("Location"))
	require.Equal(t, `W/"1"`, r.header.Get("ETag"))
	require.Equal(t, []any{coreSchema, enterpriseSchema, CustomSchema}, u["schemas"])
	require.Equal(t, "User", dig(u, "meta", "resourceType"))
	require.Equal(t, r.header.Get("Location"), dig(u, "meta", "location"))
	require.Equal(t, `W/"1"`, dig(u, "meta", "version"))
	require.Equal(t, dig(u, "meta", "created"), dig(u, "meta", "lastModified"))
	_, err := time.Parse(time.RFC3339, dig(u, "meta", "created").(string))
	require.NoError(t, err)
	require.NotContains(t, u, "password", "password is never returned")
	require.Equal(t, "Tour Operations", dig(u, enterpriseSchema, "department"))
	require.Equal(t, "42", dig(u, CustomSchema, "custom.shoeSize"))

	got := e.get(id)
	require.Equal(t, u, got)
	stored, ok := e.srv.UserByExternalID("E100")
	require.True(t, ok)
	require.Equal(t, User{ID: id, ExternalID: "E100", UserName: "bjensen@example.com", Active: true,
		Version: `W/"1"`, Resource: u}, stored)
	_, ok = e.srv.UserByExternalID("e100")
	require.False(t, ok, "externalId is caseExact")
}

func TestCreateValidation(t *testing.T) {
	e := newEnv(t, Options{})
	cases := []struct {
		name     string
		body     any
		scimType string
	}{
		{"bad JSON", `{"userName":`, errInvalidSyntax},
		{"not an object", `["x"]`, errInvalidSyntax},
		{"empty", ``, errInvalidSyntax},
		{"trailing data", `{"schemas":["` + coreSchema + `"],"userName":"a"} {}`, errInvalidSyntax},
		{"no userName", map[string]any{"schemas": []any{coreSchema}}, errInvalidSyntax},
		{"empty userName", newUser("", nil), errInvalidSyntax},
		{"no schemas", map[string]any{"userName": "a"}, errInvalidSyntax},
		{"unknown schema", map[string]any{"schemas": []any{coreSchema, "urn:x"}, "userName": "a"}, errInvalidSyntax},
		{"core not listed", map[string]any{"schemas": []any{enterpriseSchema}, "userName": "a"}, errInvalidSyntax},
		{"extension not listed", map[string]any{"schemas": []any{coreSchema}, "userName": "a",
			enterpriseSchema: ent("department", "x")}, errInvalidSyntax},
		{"unknown attribute", newUser("a", map[string]any{"shoeSize": "42"}), errInvalidSyntax},
		{"unknown sub-attribute", newUser("a", map[string]any{"name": map[string]any{"nick": "x"}}), errInvalidSyntax},
		{"unknown enterprise attribute", newUser("a", map[string]any{enterpriseSchema: ent("grade", "x")}), errInvalidSyntax},
		{"duplicate attribute", `{"schemas":["` + coreSchema + `"],"userName":"a","USERNAME":"b"}`, errInvalidSyntax},
		{"active not boolean", newUser("a", map[string]any{"active": "true"}), errInvalidValue},
		{"userName not string", newUser("a", map[string]any{"userName": 7}), errInvalidValue},
		{"emails not array", newUser("a", map[string]any{"emails": "a@b"}), errInvalidValue},
		{"name not object", newUser("a", map[string]any{"name": "Ann"}), errInvalidValue},
		{"two primaries", newUser("a", map[string]any{"emails": []any{
			map[string]any{"value": "a@x", "primary": true}, map[string]any{"value": "b@x", "primary": true}}}), errInvalidValue},
		{"custom not string", newUser("a", map[string]any{CustomSchema: ent("location", 3)}), errInvalidValue},
		{"custom entry without key", newUser("a", map[string]any{CustomSchema: ent("custom", []any{map[string]any{"value": "x"}})}), errInvalidValue},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.do(http.MethodPost, "/Users", c.body).requireError(t, http.StatusBadRequest, c.scimType)
		})
	}
	require.Empty(t, e.srv.Users())
}

func TestCreateCanonicalizes(t *testing.T) {
	e := newEnv(t, Options{})
	u := e.create(map[string]any{
		"SCHEMAS":  []any{strings.ToUpper(coreSchema), enterpriseSchema},
		"USERNAME": "Ann",
		"Name":     map[string]any{"GIVENNAME": "Ann", "familyName": nil},
		"title":    "",
		"emails":   []any{},
		"groups":   []any{map[string]any{"value": "g1"}},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:user": map[string]any{"Department": "R&D"},
	})
	require.Equal(t, "Ann", u["userName"])
	require.Equal(t, map[string]any{"givenName": "Ann"}, u["name"])
	require.NotContains(t, u, "title", `"" is unassigned`)
	require.NotContains(t, u, "emails", "[] is unassigned")
	require.NotContains(t, u, "groups", "groups is readOnly")
	require.Equal(t, "R&D", dig(u, enterpriseSchema, "department"))
	require.NotContains(t, u, "active", "active is not defaulted")
	require.False(t, e.srv.Users()[0].Active)

	// A manager with only derived sub-attributes is no manager at all.
	u = e.create(newUser("bob", map[string]any{enterpriseSchema: ent("manager", map[string]any{"displayName": "x", "$ref": "y"})}))
	require.Equal(t, []any{coreSchema}, u["schemas"])
	require.NotContains(t, u, enterpriseSchema)
}

func TestPutReplacesEverything(t *testing.T) {
	e := newEnv(t, Options{})
	u := e.create(newUser("ann", map[string]any{
		"externalId": "E1", "title": "Engineer", "emails": work("ann@x.com"), "active": true,
		"name":           map[string]any{"givenName": "Ann", "familyName": "Lee"},
		enterpriseSchema: ent("department", "R&D", "employeeNumber", "7"),
	}))
	id := u["id"].(string)
	time.Sleep(5 * time.Millisecond)

	r := e.do(http.MethodPut, "/Users/"+id, newUser("ann", map[string]any{
		"externalId": "E1", "active": false, "name": map[string]any{"givenName": "Annie"},
		"id": "ignored", "meta": map[string]any{"created": "2000-01-01T00:00:00Z"},
	})).requireStatus(t, http.StatusOK)
	require.Equal(t, `W/"2"`, r.header.Get("ETag"))
	got := r.obj(t)
	require.Equal(t, id, got["id"])
	require.Equal(t, map[string]any{"givenName": "Annie"}, got["name"])
	require.Equal(t, false, got["active"])
	for _, k := range []string{"title", "emails", enterpriseSchema} {
		require.NotContains(t, got, k, "PUT clears what it does not send")
	}
	require.Equal(t, []any{coreSchema}, got["schemas"])
	require.Equal(t, dig(u, "meta", "created"), dig(got, "meta", "created"))
	require.NotEqual(t, dig(u, "meta", "lastModified"), dig(got, "meta", "lastModified"))
	require.Equal(t, got, e.get(id))
	require.False(t, e.srv.Users()[0].Active)

	// The same body again changes nothing: same version, same lastModified.
	again := e.do(http.MethodPut, "/Users/"+id, newUser("ann", map[string]any{
		"externalId": "E1", "active": false, "name": map[string]any{"givenName": "Annie"},
	})).requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, got, again)

	e.do(http.MethodPut, "/Users/nope", newUser("x", nil)).requireError(t, http.StatusNotFound, "")
	e.do(http.MethodPut, "/Users/"+id, map[string]any{"schemas": []any{coreSchema}}).requireError(t, http.StatusBadRequest, errInvalidSyntax)
}

func TestDelete(t *testing.T) {
	e := newEnv(t, Options{})
	id := e.create(newUser("gone", nil))["id"].(string)
	r := e.do(http.MethodDelete, "/Users/"+id, nil).requireStatus(t, http.StatusNoContent)
	require.Empty(t, r.body)
	detail := e.do(http.MethodGet, "/Users/"+id, nil).requireError(t, http.StatusNotFound, "")
	require.Contains(t, detail, id)
	e.do(http.MethodDelete, "/Users/"+id, nil).requireError(t, http.StatusNotFound, "")
	require.Empty(t, e.srv.Users())
	// The userName is free again.
	e.create(newUser("GONE", nil))
}

func TestUniqueness(t *testing.T) {
	e := newEnv(t, Options{})
	a := e.create(newUser("Ann@Example.com", map[string]any{"externalId": "E1"}))["id"].(string)
	b := e.create(newUser("bob@example.com", map[string]any{"externalId": "E2"}))["id"].(string)

	e.do(http.MethodPost, "/Users", newUser("ann@example.COM", nil)).requireError(t, http.StatusConflict, errUniqueness)
	e.do(http.MethodPost, "/Users", newUser("carl", map[string]any{"externalId": "E1"})).requireError(t, http.StatusConflict, errUniqueness)
	e.create(newUser("carl", map[string]any{"externalId": "e1"})) // externalId is caseExact
	e.do(http.MethodPut, "/Users/"+b, newUser("ANN@example.com", nil)).requireError(t, http.StatusConflict, errUniqueness)
	e.do(http.MethodPut, "/Users/"+b, newUser("bob", map[string]any{"externalId": "E1"})).requireError(t, http.StatusConflict, errUniqueness)
	e.patch(b, op("replace", "userName", "ann@example.com")).requireError(t, http.StatusConflict, errUniqueness)
	e.patch(b, op("replace", "externalId", "E1")).requireError(t, http.StatusConflict, errUniqueness)

	// A user may keep (or re-case) its own userName.
	e.do(http.MethodPut, "/Users/"+a, newUser("ANN@example.com", map[string]any{"externalId": "E1"})).requireStatus(t, http.StatusOK)
	require.Equal(t, "ANN@example.com", e.get(a)["userName"])
	require.Len(t, e.srv.Users(), 3)
}

func TestConcurrentCreates(t *testing.T) {
	e := newEnv(t, Options{})
	var wg sync.WaitGroup
	statuses := make([]int, 20)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := "same"
			if i%2 == 1 {
				name = "user" + itoa(i)
			}
			statuses[i] = e.do(http.MethodPost, "/Users", newUser(name, nil)).status
		}()
	}
	wg.Wait()
	created := 0
	for _, s := range statuses {
		if s == http.StatusCreated {
			created++
		} else {
			require.Equal(t, http.StatusConflict, s)
		}
	}
	require.Equal(t, 11, created)
	require.Len(t, e.srv.Users(), 11)
}

func TestManager(t *testing.T) {
	e := newEnv(t, Options{})
	boss := e.create(newUser("boss", map[string]any{"displayName": "The Boss"}))["id"].(string)

	detail := e.do(http.MethodPost, "/Users", newUser("rep", map[string]any{
		enterpriseSchema: ent("manager", map[string]any{"value": "no-such-id"}),
	})).requireError(t, http.StatusBadRequest, errInvalidValue)
	require.Contains(t, detail, "no-such-id")

	u := e.create(newUser("rep", map[string]any{
		enterpriseSchema: ent("manager", map[string]any{"value": boss, "displayName": "ignored", "$ref": "ignored"}),
	}))
	require.Equal(t, map[string]any{"value": boss, "$ref": e.base + "/Users/" + boss, "displayName": "The Boss"},
		dig(u, enterpriseSchema, "manager"))
	id := u["id"].(string)

	e.patch(id, op("replace", enterpriseSchema+":manager.value", "nobody")).requireError(t, http.StatusBadRequest, errInvalidValue)
	e.do(http.MethodPut, "/Users/"+id, newUser("rep", map[string]any{
		enterpriseSchema: ent("manager", map[string]any{"value": "nobody"}),
	})).requireError(t, http.StatusBadRequest, errInvalidValue)
	require.Equal(t, boss, dig(e.get(id), enterpriseSchema, "manager", "value"))
}

func TestDeletedManagerDoesNotBlockReports(t *testing.T) {
	e := newEnv(t, Options{})
	boss := e.create(newUser("boss", map[string]any{"displayName": "Boss"}))["id"].(string)
	rep := e.create(newUser("rep", map[string]any{enterpriseSchema: ent("manager", map[string]any{"value": boss})}))
	id := rep["id"].(string)
	e.do(http.MethodDelete, "/Users/"+boss, nil).requireStatus(t, http.StatusNoContent)

	// Writes that keep the dangling manager go through.
	u := e.patch(id, op("replace", "title", "Rep")).requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, dig(rep, enterpriseSchema, "manager"), dig(u, enterpriseSchema, "manager"))
	e.do(http.MethodPut, "/Users/"+id, newUser("rep", map[string]any{
		enterpriseSchema: ent("manager", map[string]any{"value": boss}),
	})).requireStatus(t, http.StatusOK)
	// Setting a manager that does not exist still fails, and so does
	// putting the deleted one back once it was gone.
	e.patch(id, op("replace", enterpriseSchema+":manager.value", "ghost")).requireError(t, http.StatusBadRequest, errInvalidValue)
	e.patch(id, op("remove", enterpriseSchema+":manager", nil)).requireStatus(t, http.StatusOK)
	e.patch(id, op("add", enterpriseSchema+":manager", map[string]any{"value": boss})).requireError(t, http.StatusBadRequest, errInvalidValue)
}

func TestLegacyCustomSchema(t *testing.T) {
	e := newEnv(t, Options{})
	u := e.create(newUser("legacy@example.com", map[string]any{
		LegacyCustomSchema: ent("location", "Oslo", "custom", []any{map[string]any{"key": "k", "value": "v"}}),
	}))
	require.Equal(t, []any{coreSchema, LegacyCustomSchema}, u["schemas"])
	require.Equal(t, "Oslo", dig(u, LegacyCustomSchema, "location"))
	u = e.patch(u["id"].(string), op("replace", LegacyCustomSchema+":location", "Bergen"),
		op("add", CustomSchema+":location", "Bergen")).requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, []any{coreSchema, CustomSchema, LegacyCustomSchema}, u["schemas"])
	require.Equal(t, "Bergen", dig(u, LegacyCustomSchema, "location"))
	require.Equal(t, "Bergen", dig(u, CustomSchema, "location"))
	e.do(http.MethodPost, "/Users", newUser("dup@example.com", map[string]any{
		LegacyCustomSchema: ent("custom", []any{map[string]any{"key": "k", "value": "1"}, map[string]any{"key": "k", "value": "2"}}),
	})).requireError(t, http.StatusBadRequest, errInvalidValue)
}
