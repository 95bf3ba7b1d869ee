package scimlibtest_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors/scim/scimlibtest"
)

// TestOldCustomURN registers the custom extension under hrsync's old URN,
// urn:hrsync:params:scim:schemas:extension:employee:2.0:User, which is not
// under the IANA urn:ietf:params:scim namespace (nor is "hrsync" a
// registered URN namespace). The library takes it as it takes any other:
// no check of the URN when the server is made, and POST, filters, PATCH
// paths and /Schemas all work with it.
func TestOldCustomURN(t *testing.T) {
	old := scimlibtest.OldCustomSchemaURN
	s := scimlibtest.Start(t, scimlibtest.Options{CustomSchema: true, CustomSchemaURN: old})
	require.Equal(t, old, s.CustomSchemaURN())

	id := create(t, s, user(map[string]any{
		"userName": "ivy",
		old:        map[string]any{"location": "Rome", "custom": []any{map[string]any{"key": "k", "value": "v"}}},
	}, old))
	require.Equal(t, []string{"ivy"}, userNames(t, list(t, s, old+`:location eq "Rome"`, "")))
	require.Equal(t, []string{"ivy"}, userNames(t, list(t, s, old+`:custom[key eq "k"]`, "")))

	m := call(t, s, http.MethodPatch, "/Users/"+id, patch(
		op("replace", old+":location", "Milan"),
		op("replace", old+`:custom[key eq "k"].value`, "w"),
	)).ok(t, http.StatusOK)
	require.Equal(t, map[string]any{"location": "Milan", "custom": []any{map[string]any{"key": "k", "value": "w"}}}, m[old])
	require.Equal(t, []any{scimlibtest.CoreSchema, scimlibtest.EnterpriseSchema, old}, m["schemas"])

	sc := call(t, s, http.MethodGet, "/Schemas/"+old, nil).ok(t, http.StatusOK)
	require.Equal(t, old, sc["id"])

	// The new URN is then unknown to this server, like any other.
	e := call(t, s, http.MethodPatch, "/Users/"+id, patch(op("replace", scimlibtest.DefaultCustomSchemaURN+":location", "x"))).err(t, http.StatusBadRequest)
	require.Equal(t, scimError{"400", "invalidPath", detailInvalidPath}, e)
}

// TestCustomURNOption registers the extension under a URN of the test's
// choosing.
func TestCustomURNOption(t *testing.T) {
	urn := "urn:ietf:params:scim:schemas:extension:acme:2.0:User"
	s := scimlibtest.Start(t, scimlibtest.Options{CustomSchema: true, CustomSchemaURN: urn})
	id := create(t, s, user(map[string]any{"userName": "jo"}))
	m := call(t, s, http.MethodPatch, "/Users/"+id, patch(op("add", urn+":exitDate", "2026-01-31"))).ok(t, http.StatusOK)
	require.Equal(t, map[string]any{"exitDate": "2026-01-31"}, m[urn])
	// Without CustomSchema the URN option is ignored.
	plain := scimlibtest.Start(t, scimlibtest.Options{CustomSchemaURN: urn})
	require.Equal(t, "", plain.CustomSchemaURN())
}

// TestURNMatching records how the library matches extension URNs: an
// extension's attributes are taken whether or not the body's schemas list
// it, but only under the URN spelled exactly as registered; another case
// is dropped on POST and is 400 invalidPath in a PATCH path.
func TestURNMatching(t *testing.T) {
	s := scimlibtest.Start(t, scimlibtest.Options{CustomSchema: true})
	urn := scimlibtest.DefaultCustomSchemaURN
	upper := "urn:ietf:params:scim:schemas:extension:hrsync:2.0:USER"

	m := call(t, s, http.MethodPost, "/Users", user(map[string]any{
		"userName": "kim",
		urn:        map[string]any{"location": "Oslo"},
	})).ok(t, http.StatusCreated) // schemas lists the core URN only
	require.Equal(t, map[string]any{"location": "Oslo"}, m[urn])

	m = call(t, s, http.MethodPost, "/Users", user(map[string]any{
		"userName": "lee",
		upper:      map[string]any{"location": "Oslo"},
	}, upper)).ok(t, http.StatusCreated)
	require.NotContains(t, m, urn)
	require.NotContains(t, m, upper)

	id := m["id"].(string)
	e := call(t, s, http.MethodPatch, "/Users/"+id, patch(op("replace", upper+":location", "Oslo"))).err(t, http.StatusBadRequest)
	require.Equal(t, scimError{"400", "invalidPath", detailInvalidPath}, e)
	r := call(t, s, http.MethodGet, "/Users?filter="+url.QueryEscape(upper+`:location eq "Oslo"`), nil)
	require.Equal(t, scimError{"400", "invalidFilter", detailInvalidFilter}, r.err(t, http.StatusBadRequest))
	// Attribute names, unlike URNs, match in any case.
	m = call(t, s, http.MethodPatch, "/Users/"+id, patch(op("replace", urn+":LOCATION", "Oslo"))).ok(t, http.StatusOK)
	require.Equal(t, map[string]any{"location": "Oslo"}, m[urn])
}
