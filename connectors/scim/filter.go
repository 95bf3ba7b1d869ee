package scim

import (
	"fmt"
	"strings"
)

// quote returns s as a filter's string literal: a JSON string (RFC 7644
// §3.4.2.2 compValue), with quotes, backslashes and control characters
// escaped.
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if r < 0x20 {
				fmt.Fprintf(&b, `\u%04x`, r)
				continue
			}
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// eqFilter is the filter `attr eq "value"`.
func eqFilter(attr, value string) string { return attr + " eq " + quote(value) }
