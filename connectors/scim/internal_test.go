package scim

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		``:              `""`,
		`plain`:         `"plain"`,
		`a"b`:           `"a\"b"`,
		`a\b`:           `"a\\b"`,
		"tab\tnl\n":     `"tab\tnl\n"`,
		"bell\x07":      `"bell\u0007"`,
		`élan <&>`:      `"élan <&>"`,
		`x" or id pr (`: `"x\" or id pr ("`,
	} {
		got := quote(in)
		require.Equal(t, want, got, in)
		var back string
		require.NoError(t, json.Unmarshal([]byte(got), &back), "a filter literal is a JSON string")
		require.Equal(t, in, back)
	}
}

func TestSanitise(t *testing.T) {
	require.Equal(t, "userName <email> exists", sanitise(" userName jane.doe+x@example.co.uk exists ", 200))
	require.Equal(t, "'<email>', <email>", sanitise("'a@b', c@d.e", 200))
	require.Equal(t, "no at sign here", sanitise("no at sign here", 200))
	require.Equal(t, "ab…", sanitise("abcdef", 3))
	require.Equal(t, "abc", sanitise("abc", 3))
	require.Equal(t, "éé…", sanitise("éééé", 3))
}

func TestBulkStatus(t *testing.T) {
	for raw, want := range map[string]int{`"201"`: 201, `409`: 409, `{"code":"412"}`: 412, `{"code":400}`: 400, `null`: 0, `"x"`: 0, ``: 0} {
		require.Equal(t, want, bulkStatus(json.RawMessage(raw)), raw)
	}
}

func TestResolveBulkReferences(t *testing.T) {
	created := map[string]string{"a": "id-a", "b b": "id-b"}
	require.Equal(t, "/Users/id-a", resolvePath("/Users/bulkId:a", created))
	require.Equal(t, "/Users/bulkId:c", resolvePath("/Users/bulkId:c", created))
	b, err := encodeBulkOp(BulkOp{Method: "PATCH", Path: "/Users/bulkId:a", Data: map[string]any{
		"Operations": []any{map[string]any{"value": map[string]any{"value": "bulkId:b b"}}},
		"other":      `x "bulkId:a"`,
		"n":          json.Number("12345678901234567890"),
	}}, created)
	require.NoError(t, err)
	require.JSONEq(t, `{"method":"PATCH","path":"/Users/id-a","data":{"Operations":[{"value":{"value":"id-b"}}],
		"other":"x \"bulkId:a\"","n":12345678901234567890}}`, string(b))
	_, err = encodeBulkOp(BulkOp{Method: "GET", Path: "/Users"}, nil)
	require.Error(t, err)
}

func TestIDFromLocation(t *testing.T) {
	require.Equal(t, "abc", idFromLocation("https://example.com/scim/v2/Users/abc"))
	require.Equal(t, "a b", idFromLocation("https://example.com/scim/v2/Users/a%20b"))
	require.Empty(t, idFromLocation(""))
}

func TestNamedOps(t *testing.T) {
	ext := "urn:ietf:params:scim:schemas:extension:hrsync:2.0:User"
	ops := []patchOp{
		{Path: "externalId"},
		{Path: "name.givenName"},
		{Path: "name"},
		{Path: "nickName"},
		{Path: ext + ":dateOfBirth"},
		{Path: `emails[type eq "work"].value`},
		{Path: ext + ":custom"},
	}
	for _, tt := range []struct {
		detail string
		want   []int
	}{
		{"Invalid path '" + ext + ":dateOfBirth' for 'replace' op", []int{4}},
		{"INVALID PATH " + strings.ToUpper(ext+":DATEOFBIRTH"), []int{4}},
		{"Attribute 'dateOfBirth' is not defined", []int{4}},
		{"no such attribute dateOfBirth", nil},
		{"nickName is readOnly", []int{3}},
		{"name.givenName is readOnly.", []int{1}},
		{"Operations[2] (replace name): bad", []int{2}},
		{"name.familyName is required", nil},
		{`Path emails[type eq "work"].value matched nothing`, []int{5}},
		{"custom attributes are not supported", nil},
		{"Unknown attribute '" + ext + ":custom[key eq \"a\"]'", nil},
		{"'custom' is unknown", []int{6}},
		{"", nil},
	} {
		require.Equal(t, tt.want, namedOps(tt.detail, ops), tt.detail)
	}
}

func TestExtensionAttr(t *testing.T) {
	require.Equal(t, "dateOfBirth", extensionAttr("urn:a:b:2.0:User:dateOfBirth"))
	require.Equal(t, "custom", extensionAttr(`urn:a:b:2.0:User:custom[key eq "x:y"].value`))
	require.Equal(t, "manager", extensionAttr("urn:a:b:2.0:User:manager.value"))
	require.Empty(t, extensionAttr("name.givenName"))
}
