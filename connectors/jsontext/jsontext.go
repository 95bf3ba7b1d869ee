// Package jsontext reads one JSON value tolerantly as text, for HRIS
// fields whose vendors send whatever type an account happens to hold where
// the documentation promises a string or a boolean. Reading never fails:
// what cannot be read comes back as a short phrase for a problem's
// message, so one odd field never costs a record or a page.
package jsontext

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// Text reads raw as text: a string as it is, a number as written (never
// through a float, so a long id keeps its digits), true or false as words,
// null or nothing as empty. An object, a list or a broken string cannot be
// read as text; bad then says what raw held, as a phrase to follow the
// field's name.
func Text(raw []byte) (s, bad string) {
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

// Flag reads raw as a boolean the way vendors fill one: true and false,
// the same as strings in any case, 1 and 0. set is false when raw says
// nothing (null, nothing, an empty string); bad says why anything else
// cannot be read.
func Flag(raw []byte) (on, set bool, bad string) {
	s, bad := Text(raw)
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
	return false, false, "holds " + Quote(s) + ", not true or false"
}

// Kind names the kind of JSON value raw is ("an object", "a number", …),
// for a problem's message.
func Kind(raw []byte) string {
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

// Quote quotes s for a problem's message, cut to 20 characters so a long
// value cannot swamp it.
func Quote(s string) string {
	if r := []rune(s); len(r) > 20 {
		s = string(r[:20]) + "…"
	}
	return strconv.Quote(s)
}
