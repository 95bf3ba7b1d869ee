package scimtest

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// patchFixture creates a manager and a user with most kinds of attributes,
// returning their ids.
func patchFixture(e *env) (boss, id string) {
	boss = e.create(newUser("boss", map[string]any{"displayName": "Boss"}))["id"].(string)
	id = e.create(newUser("ann", map[string]any{
		"externalId": "E1", "active": true, "title": "Engineer",
		"name": map[string]any{"givenName": "Ann", "familyName": "Lee"},
		"emails": []any{
			map[string]any{"type": "work", "value": "ann@corp.com", "primary": true},
			map[string]any{"type": "home", "value": "ann@home.net"},
		},
		"phoneNumbers":   work("+1 555 0100"),
		enterpriseSchema: ent("department", "R&D", "manager", map[string]any{"value": boss}),
		CustomSchema:     ent("location", "Berlin", "custom", []any{map[string]any{"key": "shoe", "value": "42"}}),
	}))["id"].(string)
	return boss, id
}

func TestPatchSimpleAndSubAttributes(t *testing.T) {
	e := newEnv(t, Options{})
	_, id := patchFixture(e)
	r := e.patch(id,
		op("replace", "active", false),
		op("replace", "title", "Staff Engineer"),
		op("replace", "name.givenName", "Annie"),
		op("add", "nickName", "A"),
		op("Replace", "NAME.familyName", "Li"), // op and names are case-insensitive
	).requireStatus(t, http.StatusOK)
	require.Equal(t, `W/"2"`, r.header.Get("ETag"), "one PATCH is one version")
	u := r.obj(t)
	require.Equal(t, false, u["active"])
	require.Equal(t, "Staff Engineer", u["title"])
	require.Equal(t, "A", u["nickName"])
	require.Equal(t, map[string]any{"givenName": "Annie", "familyName": "Li"}, u["name"])
	require.Equal(t, u, e.get(id))
	require.False(t, e.srv.Users()[1].Active)

	u = e.patch(id, op("remove", "title", nil), op("remove", "name.familyName", nil), op("remove", "profileUrl", nil)).
		requireStatus(t, http.StatusOK).obj(t)
	require.NotContains(t, u, "title")
	require.Equal(t, map[string]any{"givenName": "Annie"}, u["name"])

	// replace of a complex attribute merges its sub-attributes.
	u = e.patch(id, op("replace", "name", map[string]any{"familyName": "Lee"})).requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, map[string]any{"givenName": "Annie", "familyName": "Lee"}, u["name"])
}

func TestPatchExtensionPaths(t *testing.T) {
	e := newEnv(t, Options{})
	boss, id := patchFixture(e)
	boss2 := e.create(newUser("boss2", map[string]any{"displayName": "Boss Two"}))["id"].(string)

	u := e.patch(id,
		op("replace", enterpriseSchema+":department", "Research"),
		op("add", enterpriseSchema+":employeeNumber", "701984"),
		op("replace", enterpriseSchema+":manager", map[string]any{"value": boss2}),
	).requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, "Research", dig(u, enterpriseSchema, "department"))
	require.Equal(t, "701984", dig(u, enterpriseSchema, "employeeNumber"))
	require.Equal(t, map[string]any{"value": boss2, "$ref": e.base + "/Users/" + boss2, "displayName": "Boss Two"},
		dig(u, enterpriseSchema, "manager"))

	u = e.patch(id, op("replace", enterpriseSchema+":manager.value", boss)).requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, map[string]any{"value": boss, "$ref": e.base + "/Users/" + boss, "displayName": "Boss"},
		dig(u, enterpriseSchema, "manager"))

	u = e.patch(id, op("remove", enterpriseSchema+":manager", nil)).requireStatus(t, http.StatusOK).obj(t)
	require.NotContains(t, u[enterpriseSchema], "manager")
	// Removing what is not there is fine.
	e.patch(id, op("remove", enterpriseSchema+":manager", nil)).requireStatus(t, http.StatusOK)

	u = e.patch(id, op("replace", enterpriseSchema+":manager.value", boss)).requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, boss, dig(u, enterpriseSchema, "manager", "value"))
	u = e.patch(id, op("remove", enterpriseSchema+":manager.value", nil)).requireStatus(t, http.StatusOK).obj(t)
	require.NotContains(t, u[enterpriseSchema], "manager")

	// Removing the last attribute of an extension drops it from schemas.
	u = e.patch(id, op("remove", enterpriseSchema+":department", nil), op("remove", enterpriseSchema+":employeeNumber", nil)).
		requireStatus(t, http.StatusOK).obj(t)
	require.NotContains(t, u, enterpriseSchema)
	require.Equal(t, []any{coreSchema, CustomSchema}, u["schemas"])

	// Adding to an absent extension creates it and lists it.
	u = e.patch(id, op("add", enterpriseSchema+":costCenter", "4130")).requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, []any{coreSchema, enterpriseSchema, CustomSchema}, u["schemas"])

	// The whole extension as path.
	u = e.patch(id, op("add", enterpriseSchema, map[string]any{"division": "North"})).requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, map[string]any{"costCenter": "4130", "division": "North"}, u[enterpriseSchema])
	u = e.patch(id, op("remove", enterpriseSchema, nil)).requireStatus(t, http.StatusOK).obj(t)
	require.NotContains(t, u, enterpriseSchema)

	// hrsync's extension: any string attribute, and the custom list.
	u = e.patch(id,
		op("replace", CustomSchema+":location", "Paris"),
		op("add", CustomSchema+":custom.band", "B2"),
		op("replace", CustomSchema+":custom", []any{map[string]any{"key": "shoe", "value": "43"}, map[string]any{"key": "Hat", "value": "L"}}),
	).requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, map[string]any{"location": "Paris", "custom.band": "B2", "custom": []any{
		map[string]any{"key": "shoe", "value": "43"}, map[string]any{"key": "Hat", "value": "L"}}}, u[CustomSchema])
	u = e.patch(id, op("replace", CustomSchema+`:custom[key eq "Hat"].value`, "XL")).requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, "XL", dig(u, CustomSchema, "custom", 1, "value"))
	e.patch(id, op("replace", CustomSchema+`:custom[key eq "hat"].value`, "S")).requireError(t, http.StatusBadRequest, errNoTarget)
}

func TestPatchValueFilters(t *testing.T) {
	e := newEnv(t, Options{})
	_, id := patchFixture(e)

	u := e.patch(id, op("replace", `emails[type eq "work"].value`, "ann.lee@corp.com")).requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, []any{
		map[string]any{"type": "work", "value": "ann.lee@corp.com", "primary": true},
		map[string]any{"type": "home", "value": "ann@home.net"},
	}, u["emails"])

	u = e.patch(id, op("replace", `phoneNumbers[type eq "work"]`, map[string]any{"type": "work", "value": "+1 555 0199"})).
		requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, []any{map[string]any{"type": "work", "value": "+1 555 0199"}}, u["phoneNumbers"])

	u = e.patch(id, op("remove", `emails[type eq "home"]`, nil)).requireStatus(t, http.StatusOK).obj(t)
	require.Len(t, u["emails"], 1)

	// A filter that matches nothing is noTarget for replace, remove and add,
	// and changes nothing.
	before := e.get(id)
	e.patch(id, op("replace", `emails[type eq "home"].value`, "x@y")).requireError(t, http.StatusBadRequest, errNoTarget)
	e.patch(id, op("remove", `emails[type eq "home"]`, nil)).requireError(t, http.StatusBadRequest, errNoTarget)
	e.patch(id, op("add", `emails[type eq "home"].value`, "x@y")).requireError(t, http.StatusBadRequest, errNoTarget)
	e.patch(id, op("remove", `ims[type eq "skype"]`, nil)).requireError(t, http.StatusBadRequest, errNoTarget)
	require.Equal(t, before, e.get(id))

	// New entries are added to the whole attribute; a new primary takes over.
	u = e.patch(id, op("add", "emails", []any{map[string]any{"type": "home", "value": "ann@home.net", "primary": true}})).
		requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, []any{
		map[string]any{"type": "work", "value": "ann.lee@corp.com", "primary": false},
		map[string]any{"type": "home", "value": "ann@home.net", "primary": true},
	}, u["emails"])
	// Adding an entry that is there already changes nothing.
	r := e.patch(id, op("add", "emails", []any{map[string]any{"type": "home", "value": "ann@home.net", "primary": true}}))
	require.Equal(t, u, r.requireStatus(t, http.StatusOK).obj(t))

	// Filters with and, and filtered removal of a sub-attribute.
	u = e.patch(id, op("remove", `emails[type eq "work" and value ew "@corp.com"].primary`, nil)).requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, map[string]any{"type": "work", "value": "ann.lee@corp.com"}, dig(u, "emails", 0))
	// remove with a value removes just those entries.
	u = e.patch(id, op("remove", "emails", []any{map[string]any{"value": "ann@home.net"}})).requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, []any{map[string]any{"type": "work", "value": "ann.lee@corp.com"}}, u["emails"])
	// replace of the whole multi-valued attribute.
	u = e.patch(id, op("replace", "emails", work("new@corp.com"))).requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, work("new@corp.com"), u["emails"])
	u = e.patch(id, op("remove", "emails", nil)).requireStatus(t, http.StatusOK).obj(t)
	require.NotContains(t, u, "emails")
}

func TestPatchWithoutPath(t *testing.T) {
	e := newEnv(t, Options{})
	_, id := patchFixture(e)
	u := e.patch(id, op("replace", "", map[string]any{
		"schemas":           []any{coreSchema},
		"active":            false,
		"name.givenName":    "Annie",
		"displayName":       "Annie Lee",
		enterpriseSchema:    map[string]any{"department": "Ops"},
		CustomSchema + ":x": "y",
	})).requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, false, u["active"])
	require.Equal(t, "Annie", dig(u, "name", "givenName"))
	require.Equal(t, "Lee", dig(u, "name", "familyName"))
	require.Equal(t, "Ops", dig(u, enterpriseSchema, "department"))
	require.NotNil(t, dig(u, enterpriseSchema, "manager"), "merging an extension keeps its other attributes")
	require.Equal(t, "y", dig(u, CustomSchema, "x"))

	u = e.patch(id, op("add", "", map[string]any{"emails": []any{map[string]any{"type": "other", "value": "o@x"}}})).
		requireStatus(t, http.StatusOK).obj(t)
	require.Len(t, u["emails"], 3)
	e.patch(id, op("add", "", "not an object")).requireError(t, http.StatusBadRequest, errInvalidValue)
	e.patch(id, op("add", "", map[string]any{"shoeSize": 1})).requireError(t, http.StatusBadRequest, errInvalidPath)
	e.patch(id, op("replace", "", map[string]any{"id": "x"})).requireError(t, http.StatusBadRequest, errMutability)
}

func TestPatchIsAtomic(t *testing.T) {
	e := newEnv(t, Options{})
	_, id := patchFixture(e)
	before := e.get(id)
	e.patch(id,
		op("replace", "title", "Changed"),
		op("replace", "active", false),
		op("remove", `emails[type eq "fax"]`, nil),
	).requireError(t, http.StatusBadRequest, errNoTarget)
	e.patch(id,
		op("replace", "title", "Changed"),
		op("replace", "userName", "boss"),
	).requireError(t, http.StatusConflict, errUniqueness)
	e.patch(id,
		op("replace", "title", "Changed"),
		op("replace", enterpriseSchema+":manager.value", "ghost"),
	).requireError(t, http.StatusBadRequest, errInvalidValue)
	require.Equal(t, before, e.get(id))
	require.Equal(t, `W/"1"`, e.srv.Users()[1].Version)
}

func TestPatchErrors(t *testing.T) {
	e := newEnv(t, Options{})
	_, id := patchFixture(e)
	before := e.get(id)
	cases := []struct {
		name     string
		body     any
		status   int
		scimType string
	}{
		{"no PatchOp schema", map[string]any{"Operations": []any{op("replace", "title", "x")}}, 400, errInvalidSyntax},
		{"no operations", patchBody(), 400, errInvalidSyntax},
		{"bad JSON", "{", 400, errInvalidSyntax},
		{"unknown op", patchBody(op("move", "title", "x")), 400, errInvalidSyntax},
		{"replace without value", patchBody(op("replace", "title", nil)), 400, errInvalidValue},
		{"remove without path", patchBody(op("remove", "", nil)), 400, errNoTarget},
		{"unknown attribute", patchBody(op("replace", "shoeSize", "42")), 400, errInvalidPath},
		{"unknown sub-attribute", patchBody(op("replace", "name.nick", "x")), 400, errInvalidPath},
		{"unknown schema", patchBody(op("replace", "urn:x:y:department", "x")), 400, errInvalidPath},
		{"bad filter", patchBody(op("replace", `emails[type eq].value`, "x")), 400, errInvalidPath},
		{"unclosed filter", patchBody(op("replace", `emails[type eq "work"`, "x")), 400, errInvalidPath},
		{"filter on simple attribute", patchBody(op("replace", `title[value eq "x"]`, "x")), 400, errInvalidPath},
		{"id", patchBody(op("replace", "id", "x")), 400, errMutability},
		{"meta", patchBody(op("replace", "meta.created", "2020-01-01T00:00:00Z")), 400, errMutability},
		{"remove meta", patchBody(op("remove", "meta", nil)), 400, errMutability},
		{"groups", patchBody(op("add", "groups", []any{map[string]any{"value": "g"}})), 400, errMutability},
		{"manager displayName", patchBody(op("replace", enterpriseSchema+":manager.displayName", "x")), 400, errMutability},
		{"remove userName", patchBody(op("remove", "userName", nil)), 400, errMutability},
		{"empty userName", patchBody(op("replace", "userName", "")), 400, errMutability},
		{"active not boolean", patchBody(op("replace", "active", "false")), 400, errInvalidValue},
		{"title not string", patchBody(op("replace", "title", 3)), 400, errInvalidValue},
		{"bad sub-attribute in value", patchBody(op("add", "emails", []any{map[string]any{"mail": "x"}})), 400, errInvalidSyntax},
		{"two primaries", patchBody(op("replace", "emails", []any{map[string]any{"value": "a", "primary": true},
			map[string]any{"value": "b", "primary": true}})), 400, errInvalidValue},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.do(http.MethodPatch, "/Users/"+id, c.body).requireError(t, c.status, c.scimType)
		})
	}
	require.Equal(t, before, e.get(id))
	e.patch("nope", op("replace", "title", "x")).requireError(t, http.StatusNotFound, "")
}

func TestPatchWithoutChangeKeepsVersion(t *testing.T) {
	e := newEnv(t, Options{})
	_, id := patchFixture(e)
	before := e.get(id)
	r := e.patch(id, op("replace", "title", "Engineer"), op("remove", "nickName", nil)).requireStatus(t, http.StatusOK)
	require.Equal(t, `W/"1"`, r.header.Get("ETag"))
	require.Equal(t, before, r.obj(t))
}

func TestPatchDisabled(t *testing.T) {
	e := newEnv(t, Options{})
	_, id := patchFixture(e)
	e.srv.SetPatch(false)
	e.patch(id, op("replace", "title", "x")).requireError(t, http.StatusNotImplemented, "")
	e.patch("nope", op("replace", "title", "x")).requireError(t, http.StatusNotImplemented, "")
	e.srv.SetPatch(true)
	e.patch(id, op("replace", "title", "x")).requireStatus(t, http.StatusOK)
}
