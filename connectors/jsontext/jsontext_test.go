package jsontext

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestText(t *testing.T) {
	for _, tc := range []struct {
		name, raw, s, bad string
	}{
		{"string", `"Ada"`, "Ada", ""},
		{"string with escapes", `"a\"b\u00e9"`, `a"bé`, ""},
		{"empty string", `""`, "", ""},
		{"string keeps its inner spaces", `"  Ada "`, "  Ada ", ""},
		{"number as written", `1234567890`, "1234567890", ""},
		{"long number keeps its digits", `12345678901234567890`, "12345678901234567890", ""},
		{"negative decimal as written", `-1.50`, "-1.50", ""},
		{"exponent as written", `1e3`, "1e3", ""},
		{"true", `true`, "true", ""},
		{"false", `false`, "false", ""},
		{"null", `null`, "", ""},
		{"nothing", ``, "", ""},
		{"only whitespace", " \t\n", "", ""},
		{"whitespace around a value", " \n 42 \t", "42", ""},
		{"whitespace around a string", ` "x" `, "x", ""},
		{"object", `{"a":1}`, "", "holds an object, not text"},
		{"empty object", ` {}`, "", "holds an object, not text"},
		{"list", `[1,2]`, "", "holds a list, not text"},
		{"empty list", `[]`, "", "holds a list, not text"},
		{"unterminated string", `"abc`, "", "is not a readable string"},
		{"bad escape", `"a\qb"`, "", "is not a readable string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, bad := Text([]byte(tc.raw))
			require.Equal(t, tc.s, s)
			require.Equal(t, tc.bad, bad)
		})
	}
}

func TestFlag(t *testing.T) {
	for _, tc := range []struct {
		name, raw string
		on, set   bool
		bad       string
	}{
		{"true", `true`, true, true, ""},
		{"false", `false`, false, true, ""},
		{"one", `1`, true, true, ""},
		{"zero", `0`, false, true, ""},
		{"string true in any case", `"TRUE"`, true, true, ""},
		{"string false in any case", `"False"`, false, true, ""},
		{"string one", `"1"`, true, true, ""},
		{"string zero", `"0"`, false, true, ""},
		{"whitespace inside the string", `" true "`, true, true, ""},
		{"whitespace around the value", "\n true \t", true, true, ""},
		{"null", `null`, false, false, ""},
		{"nothing", ``, false, false, ""},
		{"only whitespace", `  `, false, false, ""},
		{"empty string", `""`, false, false, ""},
		{"blank string", `"  "`, false, false, ""},
		{"other number", `2`, false, false, `holds "2", not true or false`},
		{"other word", `"yes"`, false, false, `holds "yes", not true or false`},
		{"long word cut short", `"abcdefghijklmnopqrstuvwxyz"`, false, false,
			`holds "abcdefghijklmnopqrst…", not true or false`},
		{"object", `{"on":true}`, false, false, "holds an object, not text"},
		{"list", `[true]`, false, false, "holds a list, not text"},
		{"bad string", `"tru`, false, false, "is not a readable string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			on, set, bad := Flag([]byte(tc.raw))
			require.Equal(t, tc.on, on, "on")
			require.Equal(t, tc.set, set, "set")
			require.Equal(t, tc.bad, bad)
		})
	}
}

func TestKind(t *testing.T) {
	for _, tc := range []struct {
		name, raw, kind string
	}{
		{"object", `{"a":1}`, "an object"},
		{"list", `[1]`, "a list"},
		{"string", `"x"`, "a string"},
		{"bad string", `"x`, "a string"},
		{"null", `null`, "null"},
		{"true", `true`, "a boolean"},
		{"false", `false`, "a boolean"},
		{"number", `1234567890`, "a number"},
		{"long number", `12345678901234567890`, "a number"},
		{"negative number", `-3.5`, "a number"},
		{"nothing", ``, "nothing"},
		{"only whitespace", " \n\t", "nothing"},
		{"whitespace around an object", "\n {} ", "an object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.kind, Kind([]byte(tc.raw)))
		})
	}
}

func TestQuote(t *testing.T) {
	for _, tc := range []struct {
		name, s, want string
	}{
		{"empty", "", `""`},
		{"short", "yes", `"yes"`},
		{"quotes and controls escaped", "a\"b\n", `"a\"b\n"`},
		{"twenty characters kept whole", "abcdefghijklmnopqrst", `"abcdefghijklmnopqrst"`},
		{"longer cut to twenty", "abcdefghijklmnopqrstu", `"abcdefghijklmnopqrst…"`},
		{"cut counts characters, not bytes", "ééééééééééééééééééééé", `"éééééééééééééééééééé…"`},
		{"whitespace kept", "  a  ", `"  a  "`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, Quote(tc.s))
		})
	}
}
