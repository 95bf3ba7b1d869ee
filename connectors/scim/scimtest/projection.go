package scimtest

import (
	"net/url"
	"strings"
)

// projection is what the attributes and excludedAttributes parameters
// (RFC 7644 §3.9) ask for. Names the schemas do not know are ignored; id
// and schemas are always returned.
type projection struct {
	include, exclude []attrPath
}

// projectionFromQuery reads attributes and excludedAttributes from a query
// string, each a comma-separated list.
func projectionFromQuery(q url.Values) projection {
	split := func(key string) []string {
		var out []string
		for _, v := range q[key] {
			out = append(out, strings.Split(v, ",")...)
		}
		return out
	}
	return newProjection(split("attributes"), split("excludedAttributes"))
}

// newProjection parses attribute names.
func newProjection(include, exclude []string) projection {
	parse := func(names []string) []attrPath {
		var out []attrPath
		for _, n := range names {
			p, err := parseAttrPath(strings.TrimSpace(n))
			if err == nil {
				out = append(out, p)
			}
		}
		return out
	}
	return projection{include: parse(include), exclude: parse(exclude)}
}

// apply returns res cut down to the projection (res itself when there is
// nothing to cut).
func (p projection) apply(res map[string]any) map[string]any {
	if len(p.include) > 0 {
		out := map[string]any{"schemas": res["schemas"], "id": res["id"]}
		for _, path := range p.include {
			include(out, res, path)
		}
		compact(out)
		res = out
	}
	if len(p.exclude) > 0 {
		res = copyObject(res)
		for _, path := range p.exclude {
			exclude(res, path)
		}
	}
	return res
}

// include copies what path names from res into out.
func include(out, res map[string]any, path attrPath) {
	src := path.container(res)
	if src == nil {
		return
	}
	if path.attr == nil {
		out[path.schema.ID] = deepCopy(src)
		return
	}
	key := keyIn(src, path.attr.Name)
	v, ok := src[key]
	if !ok {
		return
	}
	dst := containerFor(out, path, true)
	if path.sub == nil {
		dst[key] = deepCopy(v)
		return
	}
	sub := path.sub.Name
	switch t := v.(type) {
	case map[string]any:
		if x, ok := t[sub]; ok {
			d, _ := dst[key].(map[string]any)
			if d == nil {
				d = map[string]any{}
			}
			d[sub] = deepCopy(x)
			dst[key] = d
		}
	case []any:
		d, _ := dst[key].([]any)
		if len(d) != len(t) {
			d = make([]any, len(t))
			for i := range d {
				d[i] = map[string]any{}
			}
		}
		for i, e := range t {
			em, _ := e.(map[string]any)
			dm, _ := d[i].(map[string]any)
			if x, ok := em[sub]; ok && dm != nil {
				dm[sub] = deepCopy(x)
			}
		}
		dst[key] = d
	}
}

// exclude removes what path names from res; id and schemas stay.
func exclude(res map[string]any, path attrPath) {
	if path.attr != nil && !path.ext() && path.attr.Name == "id" {
		return
	}
	c := path.container(res)
	if c == nil {
		return
	}
	if path.attr == nil {
		delete(res, path.schema.ID)
		return
	}
	key := keyIn(c, path.attr.Name)
	if path.sub == nil {
		delete(c, key)
	} else {
		switch t := c[key].(type) {
		case map[string]any:
			delete(t, path.sub.Name)
			putObject(c, key, t)
		case []any:
			for _, e := range t {
				if m, ok := e.(map[string]any); ok {
					delete(m, path.sub.Name)
				}
			}
			putList(c, key, t)
		}
	}
	tidy(res, path)
}

// compact drops the empty entries include leaves in multi-valued
// attributes (entries without the requested sub-attribute), and attributes
// left with none.
func compact(out map[string]any) {
	for k, v := range out {
		switch t := v.(type) {
		case []any:
			if k != "schemas" {
				putList(out, k, t)
			}
		case map[string]any:
			if extension(k) != nil {
				compact(t)
				putObject(out, k, t)
			}
		}
	}
}
