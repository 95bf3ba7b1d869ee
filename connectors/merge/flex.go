package merge

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// text is a JSON value Merge documents as a string, read the way vendors
// actually fill it: a string as it is, a number as written (Merge's own
// examples send a phone number as 1234567890), true or false as words, and
// null as nothing. An object or a list cannot be read as text; bad then
// says what the value held. Decoding never fails, so one odd field never
// costs a page.
type text struct {
	s   string
	bad string
}

// UnmarshalJSON reads any JSON value; see text.
func (t *text) UnmarshalJSON(b []byte) error {
	t.s, t.bad = textOf(b)
	return nil
}

// textOf reads one JSON value as text, or says why it cannot be.
func textOf(b []byte) (s, bad string) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "", ""
	}
	switch b[0] {
	case '"':
		if err := json.Unmarshal(b, &s); err != nil {
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
	return string(b), "" // a number as written, or true or false
}

// flag is a JSON value Merge documents as a boolean, read tolerantly: true
// and false, the same as strings in any case, 1 and 0, and null as false.
// Anything else cannot be read; bad then says what it held.
type flag struct {
	on  bool
	bad string
}

// UnmarshalJSON reads any JSON value; see flag.
func (f *flag) UnmarshalJSON(b []byte) error {
	s, bad := textOf(b)
	switch v := strings.ToLower(strings.TrimSpace(s)); {
	case bad != "":
		f.bad = bad
	case v == "true" || v == "1":
		f.on = true
	case v == "false" || v == "0" || v == "":
	default:
		f.bad = "holds " + shorten(s) + ", not true or false"
	}
	return nil
}

// shorten quotes s, cut to a length fit for a problem's message.
func shorten(s string) string {
	if r := []rune(s); len(r) > 20 {
		s = string(r[:20]) + "…"
	}
	return strconv.Quote(s)
}
