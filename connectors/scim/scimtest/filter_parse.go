package scimtest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// compareOps are the attribute operators of RFC 7644 §3.4.2.2.
var compareOps = map[string]bool{"eq": true, "ne": true, "co": true, "sw": true, "ew": true,
	"pr": true, "gt": true, "ge": true, "lt": true, "le": true}

// parseFilter parses a filter (RFC 7644 §3.4.2.2) over User resources:
// attribute expressions, and, or, not, grouping and value paths
// (emails[type eq "work"], also emails[type eq "work"].value eq "…").
// Precedence from loosest: or, and, not, attribute expressions, grouping.
// Any error is a 400 invalidFilter.
func parseFilter(s string) (filterExpr, error) {
	toks, err := lexFilter(s)
	if err != nil {
		return nil, badRequest(errInvalidFilter, "filter: %v", err)
	}
	p := &filterParser{toks: toks}
	f, err := p.parseOr()
	if err == nil && p.peek().kind != tokEOF {
		err = p.errorf("unexpected %s", p.peek())
	}
	if err != nil {
		return nil, err
	}
	return f, nil
}

// parseValueFilter parses the filter inside a PATCH path's brackets, over
// the sub-attributes of the multi-valued attribute parent.
func parseValueFilter(s string, parent *attrDef) (filterExpr, error) {
	toks, err := lexFilter(s)
	if err != nil {
		return nil, err
	}
	p := &filterParser{toks: toks, scope: parent}
	f, err := p.parseOr()
	if err == nil && p.peek().kind != tokEOF {
		err = p.errorf("unexpected %s", p.peek())
	}
	return f, err
}

// filterParser is a recursive-descent parser over tokens.
type filterParser struct {
	toks []token
	i    int
	// scope is the complex attribute whose sub-attributes the filter is
	// over, inside a value path's brackets; nil at the top.
	scope *attrDef
}

// peek returns the next token without consuming it.
func (p *filterParser) peek() token { return p.toks[p.i] }

// next consumes and returns the next token.
func (p *filterParser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

// errorf is an invalidFilter error at the current token.
func (p *filterParser) errorf(format string, args ...any) error {
	return badRequest(errInvalidFilter, "filter: %s (at offset %d)", fmt.Sprintf(format, args...), p.peek().pos)
}

// keyword reports whether the next token is the word kw, in any case.
func (p *filterParser) keyword(kw string) bool {
	t := p.peek()
	return t.kind == tokWord && strings.EqualFold(t.text, kw)
}

// expect consumes a token of the given kind.
func (p *filterParser) expect(kind tokenKind, what string) error {
	if p.peek().kind != kind {
		return p.errorf("expected %s, found %s", what, p.peek())
	}
	p.next()
	return nil
}

// parseOr parses FILTER *("or" FILTER): the loosest level.
func (p *filterParser) parseOr() (filterExpr, error) {
	l, err := p.parseAnd()
	for err == nil && p.keyword("or") {
		p.next()
		var r filterExpr
		if r, err = p.parseAnd(); err == nil {
			l = &orExpr{l, r}
		}
	}
	return l, err
}

// parseAnd parses operands joined by "and".
func (p *filterParser) parseAnd() (filterExpr, error) {
	l, err := p.parseNot()
	for err == nil && p.keyword("and") {
		p.next()
		var r filterExpr
		if r, err = p.parseNot(); err == nil {
			l = &andExpr{l, r}
		}
	}
	return l, err
}

// parseNot parses "not" "(" FILTER ")" or a primary.
func (p *filterParser) parseNot() (filterExpr, error) {
	if !p.keyword("not") {
		return p.parsePrimary()
	}
	p.next()
	if err := p.expect(tokLParen, `"(" after not`); err != nil {
		return nil, err
	}
	x, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if err := p.expect(tokRParen, `")"`); err != nil {
		return nil, err
	}
	return &notExpr{x}, nil
}

// parsePrimary parses a group, a value path or an attribute expression.
func (p *filterParser) parsePrimary() (filterExpr, error) {
	if p.peek().kind == tokLParen {
		p.next()
		x, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if err := p.expect(tokRParen, `")"`); err != nil {
			return nil, err
		}
		return x, nil
	}
	t := p.peek()
	if t.kind != tokWord {
		return nil, p.errorf("expected an attribute, found %s", t)
	}
	p.next()
	if p.scope != nil {
		sub := p.scope.sub(t.text)
		if sub == nil {
			return nil, badRequest(errInvalidFilter, "filter: %q has no sub-attribute %q", p.scope.Name, t.text)
		}
		return p.parseComparison(sub, func(e map[string]any) []any { return single(e[sub.Name]) })
	}
	path, err := parseAttrPath(t.text)
	if err != nil {
		return nil, badRequest(errInvalidFilter, "filter: %v", err)
	}
	if path.attr == nil {
		return nil, badRequest(errInvalidFilter, "filter: %s is a schema, not an attribute", path.schema.ID)
	}
	if p.peek().kind == tokLBracket {
		return p.parseValuePath(path)
	}
	if path.sub == nil && path.attr.Type == typeComplex && !p.keyword("pr") {
		if path.sub = path.attr.sub("value"); path.sub == nil {
			return nil, badRequest(errInvalidFilter, "filter: %s is complex: name one of its sub-attributes", path)
		}
	}
	c, err := p.parseComparison(path.leaf(), path.values)
	if err != nil {
		return nil, err
	}
	c.path = path
	return c, nil
}

// parseValuePath parses attr[filter] and an optional .sub op value after it.
func (p *filterParser) parseValuePath(path attrPath) (filterExpr, error) {
	if path.sub != nil || path.attr.Type != typeComplex {
		return nil, p.errorf("%s is not a complex attribute, so it takes no value filter", path)
	}
	p.next()
	inner := &filterParser{toks: p.toks, i: p.i, scope: path.attr}
	f, err := inner.parseOr()
	if err != nil {
		return nil, err
	}
	p.i = inner.i
	if err := p.expect(tokRBracket, `"]"`); err != nil {
		return nil, err
	}
	vp := &valuePathExpr{path: path, filter: f}
	if t := p.peek(); t.kind == tokWord && strings.HasPrefix(t.text, ".") {
		p.next()
		sub := path.attr.sub(t.text[1:])
		if sub == nil {
			return nil, badRequest(errInvalidFilter, "filter: %q has no sub-attribute %q", path.attr.Name, t.text[1:])
		}
		if vp.then, err = p.parseComparison(sub, func(e map[string]any) []any { return single(e[sub.Name]) }); err != nil {
			return nil, err
		}
	}
	return vp, nil
}

// single is v as a list of values: none when nil.
func single(v any) []any {
	if v == nil {
		return nil
	}
	return []any{v}
}

// parseComparison parses "op value" or "pr" for the attribute def, whose
// values in an object get returns.
func (p *filterParser) parseComparison(def *attrDef, get func(map[string]any) []any) (*compareExpr, error) {
	t := p.next()
	op := strings.ToLower(t.text)
	if t.kind != tokWord || !compareOps[op] {
		p.i--
		return nil, p.errorf("expected an operator after %s, found %s", def.Name, t)
	}
	c := &compareExpr{def: def, get: get, op: op}
	if op == "pr" {
		return c, nil
	}
	v := p.next()
	switch {
	case v.kind == tokString:
		c.val = v.text
	case v.kind == tokWord && v.text == "true":
		c.val = true
	case v.kind == tokWord && v.text == "false":
		c.val = false
	case v.kind == tokWord && v.text == "null":
		c.val = nil
	case v.kind == tokWord:
		n, err := strconv.ParseFloat(v.text, 64)
		if err != nil {
			p.i--
			return nil, p.errorf("expected a value after %s %s, found %s", def.Name, op, v)
		}
		c.val = n
	default:
		p.i--
		return nil, p.errorf("expected a value after %s %s, found %s", def.Name, op, v)
	}
	return c, c.check()
}

// check rejects a comparison the attribute's type does not allow, and
// parses a dateTime value.
func (c *compareExpr) check() error {
	bad := func(format string, args ...any) error {
		return badRequest(errInvalidFilter, "filter: %s %s: %s", c.def.Name, c.op, fmt.Sprintf(format, args...))
	}
	ordering := c.op == "gt" || c.op == "ge" || c.op == "lt" || c.op == "le"
	switch {
	case c.val == nil:
		if c.op != "eq" && c.op != "ne" {
			return bad("null compares with eq and ne only")
		}
	case c.def.Type == typeBoolean:
		if _, ok := c.val.(bool); !ok || (c.op != "eq" && c.op != "ne") {
			return bad("a boolean compares with eq or ne to true or false")
		}
	case c.def.Type == typeComplex:
		return bad("a complex attribute takes pr only")
	default:
		s, ok := c.val.(string)
		if !ok {
			return bad("the value must be a string")
		}
		if c.def.Type == typeBinary && ordering {
			return bad("binary attributes cannot be ordered")
		}
		if c.def.Type == typeDateTime && (ordering || c.op == "eq" || c.op == "ne") {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return bad("%q is not an xsd:dateTime", s)
			}
			c.when = t
		}
	}
	return nil
}
