package scimlibtest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors/scim/scimlibtest"
)

// TestPatchExtensionPathCoreOnly records what the library answers a PATCH
// that names the custom extension on a server that has only the core
// schema and the enterprise extension: the path form is 400 invalidPath,
// the no-path forms 400 invalidValue; nothing is changed.
func TestPatchExtensionPathCoreOnly(t *testing.T) {
	s := scimlibtest.Start(t, scimlibtest.Options{})
	id := create(t, s, user(map[string]any{"userName": "erin", "externalId": "E5"}))
	before := s.Users()
	urn := scimlibtest.DefaultCustomSchemaURN
	invalidPath := scimError{"400", "invalidPath", detailInvalidPath}
	invalidValue := scimError{"400", "invalidValue", detailInvalidValue}
	for _, tc := range []struct {
		name string
		op   map[string]any
		want scimError
	}{
		{"replace path", op("replace", urn+":location", "Berlin"), invalidPath},
		{"add path", op("add", urn+":location", "Berlin"), invalidPath},
		{"remove path", op("remove", urn+":location", nil), invalidPath},
		{"replace custom list", op("replace", urn+":custom", []any{map[string]any{"key": "k", "value": "v"}}), invalidPath},
		{"path is the URN", op("replace", urn, map[string]any{"location": "Berlin"}), invalidPath},
		{"no path, URN object", op("replace", "", map[string]any{urn: map[string]any{"location": "Berlin"}}), invalidValue},
		{"no path, URN-qualified key", op("replace", "", map[string]any{urn + ":location": "Berlin"}), invalidValue},
		// The same shapes with an unknown core attribute.
		{"unknown core path", op("replace", "nickname2", "x"), invalidPath},
		{"unknown core key", op("replace", "", map[string]any{"nickname2": "x"}), invalidValue},
		// An enterprise attribute without its URN passes the library's path
		// check (it tries every schema) but not its value check, which
		// looks in the core schema only.
		{"enterprise attribute without URN", op("replace", "employeeNumber", "7"), invalidValue},
		// Even the registered enterprise URN is no path by itself.
		{"path is the enterprise URN", op("replace", scimlibtest.EnterpriseSchema, map[string]any{"department": "Ops"}), invalidPath},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := call(t, s, http.MethodPatch, "/Users/"+id, patch(tc.op)).err(t, http.StatusBadRequest)
			require.Equal(t, tc.want, e)
		})
	}
	require.Equal(t, before, s.Users())

	// One bad operation fails the whole request.
	e := call(t, s, http.MethodPatch, "/Users/"+id, patch(
		op("replace", "active", false),
		op("replace", urn+":location", "Berlin"),
	)).err(t, http.StatusBadRequest)
	require.Equal(t, invalidPath, e)
	require.Equal(t, before, s.Users())

	// The same extension path on the server that registers it.
	ext := scimlibtest.Start(t, scimlibtest.Options{CustomSchema: true})
	id = create(t, ext, user(map[string]any{"userName": "erin"}))
	m := call(t, ext, http.MethodPatch, "/Users/"+id, patch(op("replace", urn+":location", "Berlin"))).ok(t, http.StatusOK)
	require.Equal(t, map[string]any{"location": "Berlin"}, m[urn])
}

func TestPatchActiveFalse(t *testing.T) {
	s := scimlibtest.Start(t, scimlibtest.Options{})
	id := create(t, s, user(map[string]any{"userName": "frank", "active": true}))
	m := call(t, s, http.MethodPatch, "/Users/"+id, patch(op("replace", "active", false))).ok(t, http.StatusOK)
	require.Equal(t, false, m["active"])
	u := s.Users()[0]
	require.NotNil(t, u.Active)
	require.False(t, *u.Active)
	require.True(t, u.LastModified.After(u.Created) || u.LastModified.Equal(u.Created))

	// Without a path, and with a capitalised op, as some clients send.
	m = call(t, s, http.MethodPatch, "/Users/"+id, patch(op("Replace", "", map[string]any{"active": true}))).ok(t, http.StatusOK)
	require.Equal(t, true, m["active"])

	// A string is not a boolean (the library's SetAllowStringValues, a
	// global switch, is left off).
	e := call(t, s, http.MethodPatch, "/Users/"+id, patch(op("replace", "active", "False"))).err(t, http.StatusBadRequest)
	require.Equal(t, scimError{"400", "invalidValue", detailInvalidValue}, e)
	require.True(t, *s.Users()[0].Active)
}

// TestPatchAsHrsyncWrites applies the operations hrsync's SCIM client
// sends (connectors/scim/patch.go) and checks the stored result.
func TestPatchAsHrsyncWrites(t *testing.T) {
	s := scimlibtest.Start(t, scimlibtest.Options{CustomSchema: true})
	urn := scimlibtest.DefaultCustomSchemaURN
	mgr := create(t, s, user(map[string]any{"userName": "boss"}))
	id := create(t, s, user(map[string]any{
		"userName": "gina",
		"emails": []any{
			map[string]any{"type": "work", "value": "gina@work"},
			map[string]any{"type": "home", "value": "gina@home"},
		},
		scimlibtest.EnterpriseSchema: map[string]any{"department": "Eng"},
	}, scimlibtest.EnterpriseSchema))

	call(t, s, http.MethodPatch, "/Users/"+id, patch(
		op("replace", "externalId", "E7"),
		op("replace", `emails[type eq "work"].value`, "gina@new"),
		op("remove", `emails[type eq "home"]`, nil),
		op("add", "phoneNumbers", []any{map[string]any{"type": "work", "value": "+1 555"}}),
		op("replace", "name.givenName", "Gina"),
		op("replace", scimlibtest.EnterpriseSchema+":manager", map[string]any{"value": mgr}),
		op("replace", scimlibtest.EnterpriseSchema+":department", "Ops"),
		op("replace", urn+":location", "Berlin"),
		op("replace", urn+":custom", []any{map[string]any{"key": "Shirt", "value": "M"}, map[string]any{"key": "shirt", "value": "L"}}),
	)).ok(t, http.StatusOK)

	u, _ := s.User(id)
	require.Equal(t, "E7", u.ExternalID)
	require.Equal(t, []any{map[string]any{"type": "work", "value": "gina@new"}}, u.Attributes["emails"])
	require.Equal(t, []any{map[string]any{"type": "work", "value": "+1 555"}}, u.Attributes["phoneNumbers"])
	require.Equal(t, map[string]any{"givenName": "Gina"}, u.Attributes["name"])
	require.Equal(t, map[string]any{"department": "Ops", "manager": map[string]any{"value": mgr}}, u.Attributes[scimlibtest.EnterpriseSchema])
	require.Equal(t, map[string]any{
		"location": "Berlin",
		"custom":   []any{map[string]any{"key": "Shirt", "value": "M"}, map[string]any{"key": "shirt", "value": "L"}},
	}, u.Attributes[urn])

	// add to a multi-valued attribute appends, and skips an equal entry.
	call(t, s, http.MethodPatch, "/Users/"+id, patch(
		op("add", "emails", []any{map[string]any{"type": "home", "value": "gina@home"}}),
		op("add", "emails", []any{map[string]any{"type": "home", "value": "gina@home"}}),
	)).ok(t, http.StatusOK)
	u, _ = s.User(id)
	require.Len(t, u.Attributes["emails"], 2)

	// manager.value alone; then remove the manager, and the extension
	// attributes; an emptied extension disappears.
	call(t, s, http.MethodPatch, "/Users/"+id, patch(op("replace", scimlibtest.EnterpriseSchema+":manager.value", "other"))).ok(t, http.StatusOK)
	u, _ = s.User(id)
	require.Equal(t, map[string]any{"value": "other"}, u.Attributes[scimlibtest.EnterpriseSchema].(map[string]any)["manager"])
	m := call(t, s, http.MethodPatch, "/Users/"+id, patch(
		op("remove", scimlibtest.EnterpriseSchema+":manager", nil),
		op("remove", scimlibtest.EnterpriseSchema+":department", nil),
		op("remove", urn+":location", nil),
	)).ok(t, http.StatusOK)
	require.NotContains(t, m, scimlibtest.EnterpriseSchema)
	require.Contains(t, m, urn)
	u, _ = s.User(id)
	require.NotContains(t, u.Attributes, scimlibtest.EnterpriseSchema)

	// Without a path: an extension's URN holds an object of its attributes.
	call(t, s, http.MethodPatch, "/Users/"+id, patch(op("add", "", map[string]any{
		urn:           map[string]any{"employmentType": "Full-time"},
		"displayName": "Gina G",
	}))).ok(t, http.StatusOK)
	u, _ = s.User(id)
	require.Equal(t, "Full-time", u.Attributes[urn].(map[string]any)["employmentType"])
	require.Equal(t, "Gina G", u.Attributes["displayName"])

	// Removing a sub-attribute: of the matching entries, or of all; an
	// entry left empty goes.
	call(t, s, http.MethodPatch, "/Users/"+id, patch(
		op("add", "ims", []any{map[string]any{"value": "gina.im"}, map[string]any{"value": "g2", "type": "aim"}}),
	)).ok(t, http.StatusOK)
	call(t, s, http.MethodPatch, "/Users/"+id, patch(op("remove", `ims[type eq "aim"].type`, nil))).ok(t, http.StatusOK)
	u, _ = s.User(id)
	require.Equal(t, []any{map[string]any{"value": "gina.im"}, map[string]any{"value": "g2"}}, u.Attributes["ims"])
	call(t, s, http.MethodPatch, "/Users/"+id, patch(op("remove", "ims.value", nil))).ok(t, http.StatusOK)
	u, _ = s.User(id)
	require.NotContains(t, u.Attributes, "ims")

	// Removing an absent attribute is a no-op.
	call(t, s, http.MethodPatch, "/Users/"+id, patch(op("remove", "title", nil))).ok(t, http.StatusOK)
}

func TestPatchErrors(t *testing.T) {
	s := scimlibtest.Start(t, scimlibtest.Options{CustomSchema: true})
	id := create(t, s, user(map[string]any{
		"userName": "hank",
		"emails":   []any{map[string]any{"type": "work", "value": "hank@work"}},
	}))
	before := s.Users()
	noTarget := scimError{"400", "noTarget", detailNoTarget}
	mutability := scimError{"400", "mutability", detailMutability}
	invalidValue := scimError{"400", "invalidValue", detailInvalidValue}
	invalidPath := scimError{"400", "invalidPath", detailInvalidPath}
	for _, tc := range []struct {
		name string
		body any
		want scimError
	}{
		// The value filter matches no entry (§3.5.2.3), for add and remove too.
		{"replace no match", patch(op("replace", `emails[type eq "home"].value`, "x")), noTarget},
		{"add no match", patch(op("add", `emails[type eq "home"].value`, "x")), noTarget},
		{"remove no match", patch(op("remove", `emails[type eq "home"]`, nil)), noTarget},
		// The library: remove without a path.
		{"remove without path", patch(op("remove", "", nil)), noTarget},
		// userName is required; groups is readOnly.
		{"remove userName", patch(op("remove", "userName", nil)), mutability},
		{"replace groups", patch(op("replace", "groups", []any{map[string]any{"value": "g"}})), mutability},
		// The library: id is no attribute of the User schema.
		{"replace id", patch(op("replace", "id", "x")), invalidPath},
		// The library: an unknown sub-attribute or filter attribute.
		{"unknown sub-attribute", patch(op("replace", `emails[type eq "work"].foo`, "x")), invalidPath},
		{"unknown filter attribute", patch(op("replace", `emails[foo eq "x"].value`, "x")), invalidPath},
		{"unknown attribute of the extension", patch(op("replace", scimlibtest.DefaultCustomSchemaURN+":bogus", "x")), invalidPath},
		// The library: values of the wrong type, an unknown op, a bad message.
		{"manager as a string", patch(op("replace", scimlibtest.EnterpriseSchema+":manager", "someone")), invalidValue},
		{"title as a number", patch(op("replace", "title", 5)), invalidValue},
		{"unknown op", patch(op("merge", "title", "x")), invalidValue},
		{"no schemas", map[string]any{"Operations": []any{op("replace", "title", "x")}}, invalidValue},
		{"no operations", patch(), invalidValue},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, call(t, s, http.MethodPatch, "/Users/"+id, tc.body).err(t, http.StatusBadRequest))
		})
	}
	require.Equal(t, before, s.Users())
}

// TestManagerAsSent records that the library drops the readOnly
// manager.displayName from a value and checks nothing else: the store keeps
// manager.value as sent, whether a User has that id or not, and derives no
// $ref.
func TestManagerAsSent(t *testing.T) {
	s := scimlibtest.Start(t, scimlibtest.Options{})
	ent := scimlibtest.EnterpriseSchema
	id := create(t, s, user(map[string]any{
		"userName": "kurt",
		ent:        map[string]any{"manager": map[string]any{"value": "no-such-id", "displayName": "ignored"}},
	}))
	u, _ := s.User(id)
	require.Equal(t, map[string]any{"manager": map[string]any{"value": "no-such-id"}}, u.Attributes[ent])

	m := call(t, s, http.MethodPatch, "/Users/"+id, patch(op("replace", ent+":manager", map[string]any{"value": "other", "displayName": "ignored"}))).ok(t, http.StatusOK)
	require.Equal(t, map[string]any{"manager": map[string]any{"value": "other"}}, m[ent])
	// The readOnly sub-attribute as the path is refused by the store.
	e := call(t, s, http.MethodPatch, "/Users/"+id, patch(op("replace", ent+":manager.displayName", "x"))).err(t, http.StatusBadRequest)
	require.Equal(t, scimError{"400", "mutability", detailMutability}, e)
}
