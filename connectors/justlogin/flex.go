package justlogin

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// textOf reads one JSON value the way JustLogin's fields are best read,
// whatever type an account's API sends: a string as it is, a number as
// written, true or false as words, null or nothing as empty. An object or
// a list cannot be read as text; bad then says so.
func textOf(raw json.RawMessage) (s, bad string) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", ""
	}
	switch raw[0] {
	case '"':
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", "is not a readable string"
		}
		return s, ""
	case 'n':
		return "", ""
	case '{':
		return "", "holds an object, not text"
	case '[':
		return "", "holds a list, not text"
	}
	return string(raw), ""
}

// flagOf reads a JSON value documented as a boolean: true and false, the
// same as strings in any case, 1 and 0. set is false for null or nothing;
// bad says why anything else cannot be read.
func flagOf(raw json.RawMessage) (on, set bool, bad string) {
	s, bad := textOf(raw)
	switch v := strings.ToLower(strings.TrimSpace(s)); {
	case bad != "":
		return false, false, bad
	case v == "":
		return false, false, ""
	case v == "true" || v == "1":
		return true, true, ""
	case v == "false" || v == "0":
		return false, true, ""
	}
	if r := []rune(s); len(r) > 20 {
		s = string(r[:20]) + "…"
	}
	return false, false, "holds " + strconv.Quote(s) + ", not true or false"
}

// kindOf names the kind of JSON value raw is, for a problem's message.
func kindOf(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return "a string"
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	}
	return "a number"
}
