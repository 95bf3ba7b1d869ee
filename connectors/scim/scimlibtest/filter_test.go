package scimlibtest_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors/scim/scimlibtest"
)

// filterServer is a server with the custom extension and three Users.
func filterServer(t *testing.T) *scimlibtest.Server {
	t.Helper()
	s := scimlibtest.Start(t, scimlibtest.Options{CustomSchema: true})
	urn := scimlibtest.DefaultCustomSchemaURN
	create(t, s, user(map[string]any{
		"userName": "Alice@Example.com", "externalId": "E1", "active": true, "title": "Engineer",
		"emails":                     []any{map[string]any{"type": "work", "value": "alice@example.com"}},
		scimlibtest.EnterpriseSchema: map[string]any{"department": "Eng"},
		urn:                          map[string]any{"location": "Berlin", "custom": []any{map[string]any{"key": "Shirt", "value": "M"}}},
	}, scimlibtest.EnterpriseSchema, urn))
	create(t, s, user(map[string]any{"userName": "bob", "externalId": "e1", "active": false}))
	create(t, s, user(map[string]any{"userName": "carol"}))
	return s
}

func TestFilterExternalID(t *testing.T) {
	s := filterServer(t)
	// externalId is caseExact (RFC 7643 §3.1): "E1" and "e1" are two ids.
	require.Equal(t, []string{"Alice@Example.com"}, userNames(t, list(t, s, `externalId eq "E1"`, "")))
	require.Equal(t, []string{"bob"}, userNames(t, list(t, s, `externalId eq "e1"`, "")))
	lr := list(t, s, `externalId eq "nobody"`, "")
	require.Equal(t, float64(0), lr["totalResults"])
	require.Equal(t, []any{}, lr["Resources"], "an empty page is [], not null")
}

func TestFilterUserName(t *testing.T) {
	s := filterServer(t)
	// userName is caseExact false: eq ignores case, and so do attribute
	// names and operators.
	require.Equal(t, []string{"Alice@Example.com"}, userNames(t, list(t, s, `userName eq "alice@example.com"`, "")))
	require.Equal(t, []string{"Alice@Example.com"}, userNames(t, list(t, s, `USERNAME EQ "ALICE@EXAMPLE.COM"`, "")))
	require.Equal(t, []string{"carol"}, userNames(t, list(t, s, `userName sw "CA"`, "")))
	require.Equal(t, []string{"bob", "carol"}, userNames(t, list(t, s, `userName eq "bob" or userName ew "ROL"`, "")))
}

func TestFilterOperators(t *testing.T) {
	s := filterServer(t)
	urn := scimlibtest.DefaultCustomSchemaURN
	for _, tc := range []struct {
		filter string
		want   []string
	}{
		{`active eq true`, []string{"Alice@Example.com"}},
		{`active eq false`, []string{"bob"}},
		{`title pr`, []string{"Alice@Example.com"}},
		{`title co "gin"`, []string{"Alice@Example.com"}},
		{`userName gt "b"`, []string{"bob", "carol"}},
		{`userName ge "BOB"`, []string{"bob", "carol"}},
		{`userName lt "bob"`, []string{"Alice@Example.com"}},
		{`userName le "BOB"`, []string{"Alice@Example.com", "bob"}},
		{`active eq true and title pr`, []string{"Alice@Example.com"}},
		{`(active eq false or title pr) and not (userName eq "bob")`, []string{"Alice@Example.com"}},
		{`emails[type eq "work"]`, []string{"Alice@Example.com"}},
		{`emails[value eq "ALICE@example.com"]`, []string{"Alice@Example.com"}},
		{scimlibtest.EnterpriseSchema + `:department eq "Eng"`, []string{"Alice@Example.com"}},
		{`department eq "Eng"`, []string{"Alice@Example.com"}}, // an extension attribute without its URN
		{urn + `:location eq "Berlin"`, []string{"Alice@Example.com"}},
		{urn + `:custom[key eq "Shirt"]`, []string{"Alice@Example.com"}},
		{urn + `:custom[key eq "shirt"]`, []string{}}, // key is caseExact in the custom schema
		{`meta.created gt "2000-01-01T00:00:00Z"`, []string{"Alice@Example.com", "bob", "carol"}},
		// Quirks of the library's evaluation:
		// an attribute the User lacks fails every comparison, ne and not
		// included...
		{`title ne "Engineer"`, []string{}},
		{`not (title eq "Engineer")`, []string{"bob", "carol"}},
		// ...and a sub-attribute of a multi-valued attribute never
		// matches outside brackets.
		{`emails.value eq "alice@example.com"`, []string{}},
		// null compares with nothing, present or not.
		{`title eq null`, []string{}},
		{`title ne null`, []string{}},
	} {
		t.Run(tc.filter, func(t *testing.T) {
			require.Equal(t, tc.want, userNames(t, list(t, s, tc.filter, "")))
		})
	}
}

func TestFilterInvalid(t *testing.T) {
	s := filterServer(t)
	core := scimlibtest.Start(t, scimlibtest.Options{})
	want := scimError{"400", "invalidFilter", detailInvalidFilter}
	for _, tc := range []struct {
		s      *scimlibtest.Server
		filter string
	}{
		{s, `nickname2 eq "x"`}, // no such attribute
		{s, `userName eq`},      // syntax
		{s, `userName xx "a"`},  // no such operator
		{s, `active gt true`},   // gt on a boolean
		{core, scimlibtest.DefaultCustomSchemaURN + `:location eq "Berlin"`}, // extension not registered
	} {
		t.Run(tc.filter, func(t *testing.T) {
			r := call(t, tc.s, http.MethodGet, "/Users?filter="+url.QueryEscape(tc.filter), nil)
			require.Equal(t, want, r.err(t, http.StatusBadRequest))
		})
	}
}
