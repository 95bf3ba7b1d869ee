package scimtest

import (
	"strings"
	"time"
)

// filterExpr is a parsed filter, matched against a User resource (or,
// inside a value path, against one entry of a multi-valued attribute).
type filterExpr interface {
	match(obj map[string]any) bool
}

// andExpr matches when both sides do.
type andExpr struct{ l, r filterExpr }

// orExpr matches when either side does.
type orExpr struct{ l, r filterExpr }

// notExpr matches when its operand does not.
type notExpr struct{ x filterExpr }

// compareExpr is an attribute expression: attribute op value, or
// attribute pr.
type compareExpr struct {
	// path is the attribute at the top level of a filter (its zero value
	// inside a value path).
	path attrPath
	// def is the compared attribute's definition.
	def *attrDef
	// get returns the attribute's values in an object.
	get func(map[string]any) []any
	op  string
	// val is the value compared with: a string, bool, float64 or nil.
	val any
	// when is val parsed, for a dateTime attribute.
	when time.Time
}

// valuePathExpr is attr[filter]: it matches when an entry of attr matches
// filter and, when then is set, that entry also matches then.
type valuePathExpr struct {
	path   attrPath
	filter filterExpr
	then   *compareExpr
}

// match reports whether both sides match.
func (e *andExpr) match(obj map[string]any) bool { return e.l.match(obj) && e.r.match(obj) }

// match reports whether either side matches.
func (e *orExpr) match(obj map[string]any) bool { return e.l.match(obj) || e.r.match(obj) }

// match reports whether the operand does not match.
func (e *notExpr) match(obj map[string]any) bool { return !e.x.match(obj) }

// match reports whether an entry of the attribute matches.
func (e *valuePathExpr) match(obj map[string]any) bool {
	for _, v := range e.path.values(obj) {
		entry, ok := v.(map[string]any)
		if ok && e.filter.match(entry) && (e.then == nil || e.then.match(entry)) {
			return true
		}
	}
	return false
}

// match applies the operator to the attribute's values: a multi-valued
// attribute matches when any value does. ne is the negation of eq, so it
// matches a resource without the attribute; eq null matches exactly those.
func (e *compareExpr) match(obj map[string]any) bool {
	vals := e.get(obj)
	switch {
	case e.op == "pr":
		for _, v := range vals {
			if present(v) {
				return true
			}
		}
		return false
	case e.val == nil:
		return (len(vals) == 0) == (e.op == "eq")
	case e.op == "ne":
		return !e.any(vals, "eq")
	}
	return e.any(vals, e.op)
}

// any reports whether one of vals satisfies op.
func (e *compareExpr) any(vals []any, op string) bool {
	for _, v := range vals {
		if e.compare(v, op) {
			return true
		}
	}
	return false
}

// compare applies op to one value of the attribute.
func (e *compareExpr) compare(v any, op string) bool {
	if b, ok := e.val.(bool); ok {
		got, ok := v.(bool)
		return ok && got == b
	}
	got, ok := v.(string)
	want, _ := e.val.(string)
	if !ok {
		return false
	}
	if e.def.Type == typeDateTime && !e.when.IsZero() {
		t, err := time.Parse(time.RFC3339Nano, got)
		if err != nil {
			return false
		}
		return ordered(t.Compare(e.when), op)
	}
	if !e.def.CaseExact {
		got, want = fold(got), fold(want)
	}
	switch op {
	case "co":
		return strings.Contains(got, want)
	case "sw":
		return strings.HasPrefix(got, want)
	case "ew":
		return strings.HasSuffix(got, want)
	}
	return ordered(strings.Compare(got, want), op)
}

// ordered applies eq, gt, ge, lt or le to the result of a comparison.
func ordered(c int, op string) bool {
	switch op {
	case "eq":
		return c == 0
	case "gt":
		return c > 0
	case "ge":
		return c >= 0
	case "lt":
		return c < 0
	case "le":
		return c <= 0
	}
	return false
}

// present reports whether v is a value, not an empty string or object.
func present(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case string:
		return t != ""
	case map[string]any:
		for _, x := range t {
			if present(x) {
				return true
			}
		}
		return false
	case []any:
		for _, x := range t {
			if present(x) {
				return true
			}
		}
		return false
	}
	return true
}

// narrowing returns an SQL condition on the users table's indexed columns
// that every User f matches satisfies (an eq on id, userName or
// externalId, anywhere in a chain of ands), "" when f has none.
func narrowing(f filterExpr) (string, []any) {
	switch e := f.(type) {
	case *andExpr:
		if w, args := narrowing(e.l); w != "" {
			return w, args
		}
		return narrowing(e.r)
	case *compareExpr:
		s, ok := e.val.(string)
		if e.op != "eq" || !ok || e.path.attr == nil || e.path.ext() || e.path.sub != nil {
			return "", nil
		}
		switch e.path.attr.Name {
		case "id":
			return "id = ?", []any{s}
		case "userName":
			return "user_name_lower = ?", []any{fold(s)}
		case "externalId":
			return "external_id = ?", []any{s}
		}
	}
	return "", nil
}
