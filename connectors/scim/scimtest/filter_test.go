package scimtest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// filterFixture creates four users with varied attributes, a few
// milliseconds apart, and returns their resources by short name.
func filterFixture(e *env) map[string]map[string]any {
	users := map[string]map[string]any{}
	users["boss"] = e.create(newUser("boss@example.com", map[string]any{
		"externalId": "E3", "active": true, "title": "CTO", "displayName": "Cara Boss",
		"name":           map[string]any{"givenName": "Cara", "familyName": "Boss"},
		"emails":         []any{map[string]any{"type": "home", "value": "boss@home.net"}},
		enterpriseSchema: ent("employeeNumber", "1000", "department", "R&D"),
	}))
	time.Sleep(3 * time.Millisecond)
	users["ann"] = e.create(newUser("Ann@Example.com", map[string]any{
		"externalId": "E1", "active": true, "title": "Engineer", "displayName": "Ann Lee",
		"name": map[string]any{"givenName": "Ann", "familyName": "Lee"},
		"emails": []any{map[string]any{"type": "work", "value": "ann@corp.com"},
			map[string]any{"type": "home", "value": "ann@home.net"}},
		enterpriseSchema: ent("employeeNumber", "1001", "department", "R&D",
			"manager", map[string]any{"value": users["boss"]["id"]}),
		CustomSchema: ent("location", "Berlin"),
	}))
	time.Sleep(3 * time.Millisecond)
	users["bob"] = e.create(newUser("bob@example.com", map[string]any{
		"externalId": "e2", "active": false, "title": "Designer",
		"name":           map[string]any{"givenName": "Bob", "familyName": "Stone"},
		"emails":         work("bob@corp.com"),
		enterpriseSchema: ent("employeeNumber", "1002", "department", "Design"),
	}))
	time.Sleep(3 * time.Millisecond)
	users["dan"] = e.create(newUser("dan", nil))
	return users
}

// list GETs /Users with query q and returns the ListResponse.
func (e *env) list(q url.Values) map[string]any {
	e.t.Helper()
	return e.do(http.MethodGet, "/Users?"+q.Encode(), nil).requireStatus(e.t, http.StatusOK).obj(e.t)
}

// names are the userNames of a ListResponse's resources, short: the part
// before @.
func names(list map[string]any) []string {
	out := []string{}
	for _, r := range list["Resources"].([]any) {
		n, _, _ := strings.Cut(r.(map[string]any)["userName"].(string), "@")
		out = append(out, strings.ToLower(n))
	}
	return out
}

func TestFilters(t *testing.T) {
	e := newEnv(t, Options{})
	u := filterFixture(e)
	annID, bossID := u["ann"]["id"].(string), u["boss"]["id"].(string)
	annMod := dig(u["ann"], "meta", "lastModified").(string)
	bobMod := dig(u["bob"], "meta", "lastModified").(string)
	ext := enterpriseSchema + ":"
	cases := []struct {
		filter string
		want   []string
	}{
		// eq and case rules: userName is not caseExact, externalId is.
		{`userName eq "ann@example.com"`, []string{"ann"}},
		{`USERNAME EQ "ANN@EXAMPLE.COM"`, []string{"ann"}},
		{`externalId eq "E1"`, []string{"ann"}},
		{`externalId eq "e1"`, []string{}},
		{`externalId eq "e2"`, []string{"bob"}},
		{`id eq "` + annID + `"`, []string{"ann"}},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "dan"`, []string{"dan"}},
		// ne matches users without the attribute.
		{`userName ne "dan"`, []string{"boss", "ann", "bob"}},
		{`title ne "CTO"`, []string{"ann", "bob", "dan"}},
		// co, sw, ew.
		{`userName co "EXAMPLE"`, []string{"boss", "ann", "bob"}},
		{`userName sw "b"`, []string{"boss", "bob"}},
		{`userName ew ".COM"`, []string{"boss", "ann", "bob"}},
		{`externalId sw "E"`, []string{"boss", "ann"}},
		{`externalId co "e"`, []string{"bob"}},
		// pr.
		{`title pr`, []string{"boss", "ann", "bob"}},
		{`emails pr`, []string{"boss", "ann", "bob"}},
		{`externalId pr`, []string{"boss", "ann", "bob"}},
		{`name pr`, []string{"boss", "ann", "bob"}},
		// gt, ge, lt, le on strings (case-folded for userName).
		{`userName gt "bob"`, []string{"boss", "bob", "dan"}},
		{`userName ge "BOB@example.com"`, []string{"boss", "bob", "dan"}},
		{`userName lt "bob"`, []string{"ann"}},
		{`userName le "ann@example.com"`, []string{"ann"}},
		{`userName lt "ann@example.com"`, []string{}},
		// booleans.
		{`active eq true`, []string{"boss", "ann"}},
		{`active eq false`, []string{"bob"}},
		{`active ne true`, []string{"bob", "dan"}},
		// null.
		{`title eq null`, []string{"dan"}},
		{`title ne null`, []string{"boss", "ann", "bob"}},
		// sub-attributes and multi-valued attributes.
		{`name.givenName eq "ann"`, []string{"ann"}},
		{`name.familyName sw "St"`, []string{"bob"}},
		{`displayName eq "ann lee"`, []string{"ann"}},
		{`title eq "Engineer"`, []string{"ann"}},
		{`emails.value co "@CORP"`, []string{"ann", "bob"}},
		{`emails co "home"`, []string{"boss", "ann"}},
		{`emails.type eq "home"`, []string{"boss", "ann"}},
		// value paths.
		{`emails[type eq "work"].value ew "corp.com"`, []string{"ann", "bob"}},
		{`emails[type eq "work"].value eq "ann@corp.com"`, []string{"ann"}},
		{`emails[type eq "home"].value eq "ann@corp.com"`, []string{}},
		{`emails[type eq "home"]`, []string{"boss", "ann"}},
		{`emails[type eq "work" and value sw "bob"]`, []string{"bob"}},
		{`emails[not (type eq "work")]`, []string{"boss", "ann"}},
		{`emails[type eq "work"] and active eq true`, []string{"ann"}},
		// extension attributes, URN-qualified.
		{ext + `employeeNumber eq "1002"`, []string{"bob"}},
		{ext + `department eq "r&d"`, []string{"boss", "ann"}},
		{ext + `manager.value eq "` + bossID + `"`, []string{"ann"}},
		{ext + `manager pr`, []string{"ann"}},
		{CustomSchema + `:location eq "berlin"`, []string{"ann"}},
		// meta.
		{`meta.lastModified gt "` + annMod + `"`, []string{"bob", "dan"}},
		{`meta.lastModified ge "` + annMod + `"`, []string{"ann", "bob", "dan"}},
		{`meta.lastModified lt "` + bobMod + `"`, []string{"boss", "ann"}},
		{`meta.lastModified le "` + bobMod + `"`, []string{"boss", "ann", "bob"}},
		{`meta.lastModified gt "2000-01-01T00:00:00Z"`, []string{"boss", "ann", "bob", "dan"}},
		{`meta.resourceType eq "User"`, []string{"boss", "ann", "bob", "dan"}},
		// and binds tighter than or; not tighter than and; parentheses first.
		{`title eq "CTO" or title eq "Designer" and active eq false`, []string{"boss", "bob"}},
		{`(title eq "CTO" or title eq "Designer") and active eq false`, []string{"bob"}},
		{`title eq "Designer" and active eq false or title eq "CTO"`, []string{"boss", "bob"}},
		{`not (active eq true)`, []string{"bob", "dan"}},
		{`not (active eq true) and title pr`, []string{"bob"}},
		{`NOT(active eq true) AND title pr`, []string{"bob"}},
		{`userName eq "dan" or not (title pr)`, []string{"dan"}},
		{`not (userName eq "dan" or title eq "CTO")`, []string{"ann", "bob"}},
		{`((userName sw "a"))`, []string{"ann"}},
		// eq on an indexed attribute combined with more conditions.
		{`userName eq "ann@example.com" and title eq "Engineer"`, []string{"ann"}},
		{`title eq "Engineer" and userName eq "ANN@example.com"`, []string{"ann"}},
		{`userName eq "ann@example.com" and title eq "CTO"`, []string{}},
		{`externalId eq "E1" or userName eq "dan"`, []string{"ann", "dan"}},
		{`userName eq "a\"b"`, []string{}},
	}
	for _, c := range cases {
		t.Run(c.filter, func(t *testing.T) {
			list := e.list(url.Values{"filter": {c.filter}})
			require.Equal(t, c.want, names(list))
			require.Equal(t, float64(len(c.want)), list["totalResults"])
		})
	}
}

func TestInvalidFilters(t *testing.T) {
	e := newEnv(t, Options{})
	filterFixture(e)
	for _, f := range []string{
		`shoeSize eq "42"`,
		`department eq "R&D"`, // extension attributes need their URN
		enterpriseSchema + `:grade eq "x"`,
		`urn:x:y eq "x"`,
		`userName eq`,
		`userName xx "a"`,
		`userName "a"`,
		`userName eq "a`,
		`(userName eq "a"`,
		`userName eq "a")`,
		`userName eq "a" title eq "b"`,
		`not userName eq "a"`,
		`userName pr and`,
		`active gt true`,
		`active co true`,
		`active eq "true"`,
		`userName eq 42`,
		`userName eq bob`,
		`userName co null`,
		`meta.lastModified gt "yesterday"`,
		`name eq "x"`,
		`emails[type eq "work"`,
		`emails[shoe eq "x"]`,
		`emails[type eq "work"].shoe eq "x"`,
		`title[value eq "x"]`,
		`emails[type eq "work"] eq "x"`,
		`and`,
		`()`,
	} {
		t.Run(f, func(t *testing.T) {
			e.do(http.MethodGet, "/Users?"+url.Values{"filter": {f}}.Encode(), nil).requireError(t, http.StatusBadRequest, errInvalidFilter)
		})
	}
}

func TestFilterPrecedence(t *testing.T) {
	f, err := parseFilter(`title pr or nickName pr and locale pr`)
	require.NoError(t, err)
	or, ok := f.(*orExpr)
	require.True(t, ok)
	require.IsType(t, &compareExpr{}, or.l)
	require.IsType(t, &andExpr{}, or.r)

	f, err = parseFilter(`not (title pr) and nickName pr or locale pr`)
	require.NoError(t, err)
	or = f.(*orExpr)
	and := or.l.(*andExpr)
	require.IsType(t, &notExpr{}, and.l)

	f, err = parseFilter(`title pr and (nickName pr or locale pr)`)
	require.NoError(t, err)
	require.IsType(t, &orExpr{}, f.(*andExpr).r)
}
