package bamboohr

import (
	"bytes"
	"encoding/json"
)

// textOf reads one JSON value the way BambooHR's fields are best read,
// whatever type the company's fields hold: a string as it is, a number as
// written (never through a float, so a long id keeps its digits), true or
// false as words, null or nothing as empty. An object or a list cannot be
// read as text; bad then says so.
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
