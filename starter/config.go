package main

import (
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hrsync/hrsync/connectors/registry"
	"github.com/hrsync/hrsync/integration"
)

// decodeConfig decodes an integration config written in YAML (or JSON,
// which YAML reads too). Every key the config does not know and every value
// of the wrong type is reported at once, each by its path in the config,
// as schedule.crn or filters[0].values, never by Go type names. The config
// is decoded as far as it can be, so Validate can report the rest.
func decodeConfig(data []byte) (integration.Config, []configProblem) {
	var cfg integration.Config
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return cfg, []configProblem{{msg: strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	if len(doc.Content) == 0 {
		return cfg, []configProblem{{msg: "the file is empty"}}
	}
	var problems []configProblem
	walkConfig(doc.Content[0], reflect.TypeFor[integration.Config](), "", &problems)
	if err := doc.Content[0].Decode(&cfg); err != nil && len(problems) == 0 {
		// Every type error is one walkConfig reports; this is a safety net.
		problems = append(problems, configProblem{msg: strings.TrimPrefix(err.Error(), "yaml: ")})
	}
	return cfg, problems
}

// configProblem is one problem of a config file, at a config path ("" for
// the file as a whole).
type configProblem struct {
	path, msg string
}

// Error is the problem as "path: message".
func (p configProblem) Error() string {
	if p.path == "" {
		return p.msg
	}
	return p.path + ": " + p.msg
}

// Interfaces by which a type decodes itself, making it a leaf of the walk.
var (
	yamlUnmarshaler     = reflect.TypeFor[yaml.Unmarshaler]()
	obsoleteUnmarshaler = reflect.TypeFor[interface{ UnmarshalYAML(func(any) error) error }]()
	textUnmarshaler     = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// decodesItself reports whether t (or *t) has its own YAML decoding.
func decodesItself(t reflect.Type) bool {
	for _, i := range []reflect.Type{yamlUnmarshaler, obsoleteUnmarshaler, textUnmarshaler} {
		if t.Implements(i) || reflect.PointerTo(t).Implements(i) {
			return true
		}
	}
	return false
}

// walkConfig checks node against type t at path, as yaml.v3 would decode it.
func walkConfig(n *yaml.Node, t reflect.Type, path string, problems *[]configProblem) {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	switch {
	case decodesItself(t):
		checkLeaf(n, t, path, problems)
	case t.Kind() == reflect.Struct:
		if n.Kind != yaml.MappingNode {
			*problems = append(*problems, configProblem{path, "must be a mapping of keys to values, not " + nodeKind(n)})
			return
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, value := n.Content[i].Value, n.Content[i+1]
			ft, ok := fields[key]
			if !ok {
				*problems = append(*problems, configProblem{join(path, key), unknownKey(key, fields)})
				continue
			}
			walkConfig(value, ft, join(path, key), problems)
		}
	case t.Kind() == reflect.Map:
		if n.Kind != yaml.MappingNode {
			*problems = append(*problems, configProblem{path, "must be a mapping of keys to values, not " + nodeKind(n)})
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			walkConfig(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value), problems)
		}
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		if n.Kind != yaml.SequenceNode {
			*problems = append(*problems, configProblem{path, "must be a list, not " + nodeKind(n)})
			return
		}
		for i, item := range n.Content {
			walkConfig(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), problems)
		}
	case t.Kind() == reflect.Interface:
	default:
		checkLeaf(n, t, path, problems)
	}
}

// checkLeaf decodes n into a new t, reporting in the config's terms why it
// cannot be.
func checkLeaf(n *yaml.Node, t reflect.Type, path string, problems *[]configProblem) {
	err := n.Decode(reflect.New(t).Interface())
	if err == nil {
		return
	}
	var msg string
	switch {
	case n.Kind != yaml.ScalarNode:
		msg = "must be a single value, not " + nodeKind(n)
	case !decodesItself(t) && expected(t) != "":
		msg = fmt.Sprintf("%q is not %s", n.Value, expected(t))
	default:
		msg = yamlLinePrefix.ReplaceAllString(strings.TrimPrefix(err.Error(), "yaml: unmarshal errors:\n"), "")
	}
	*problems = append(*problems, configProblem{path, msg})
}

// yamlLinePrefix is how yaml.v3 starts each of its decoding errors.
var yamlLinePrefix = regexp.MustCompile(`(?m)^\s*line \d+: `)

// expected says what a value of kind t is, in a config's terms.
func expected(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number, 0 or more"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "text"
	}
	return ""
}

// nodeKind names what a YAML node holds.
func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return fmt.Sprintf("%q", n.Value)
}

// yamlFields maps the keys a struct type decodes to their types, with the
// keys of inlined structs.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if slices.Contains(strings.Split(opts, ","), "inline") {
			for k, v := range yamlFields(f.Type) {
				fields[k] = v
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fields[name] = f.Type
	}
	return fields
}

// unknownKey says key is not one of known's, suggesting the closest.
func unknownKey(key string, known map[string]reflect.Type) string {
	best, bestDist := "", 3
	for k := range known {
		d := editDistance(strings.ToLower(key), strings.ToLower(k))
		if d < bestDist || (d == bestDist && k < best) {
			best, bestDist = k, d
		}
	}
	if best == "" {
		return "unknown key"
	}
	return "unknown key (did you mean " + best + "?)"
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// join appends key to a config path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// validationProblems are Validate's errors for cfg, one per problem,
// leaving out those at paths decoding already found wrong: a value that
// could not be read is zero, and "is required" would only repeat it.
func validationProblems(cfg integration.Config, decoded []configProblem) []error {
	var out []error
	for _, err := range flatten(errors.Join(cfg.WithDefaults().Validate(), registry.CheckMappingSources(cfg))) {
		if !slices.ContainsFunc(decoded, func(p configProblem) bool {
			return p.path != "" && under(err.Error(), p.path)
		}) {
			out = append(out, err)
		}
	}
	return out
}

// under reports whether msg is about path or something in it.
func under(msg, path string) bool {
	rest, ok := strings.CutPrefix(msg, path)
	return ok && (strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, ".") || strings.HasPrefix(rest, "["))
}

// flatten lists the errors joined in err, however deep.
func flatten(err error) []error {
	if err == nil {
		return nil
	}
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []error{err}
	}
	var out []error
	for _, e := range joined.Unwrap() {
		out = append(out, flatten(e)...)
	}
	return out
}

// configErrors joins a config file's problems under its name.
func configErrors(file string, decoded []configProblem, invalid []error) error {
	if len(decoded) == 0 && len(invalid) == 0 {
		return nil
	}
	errs := make([]error, 0, len(decoded)+len(invalid))
	for _, p := range decoded {
		errs = append(errs, p)
	}
	errs = append(errs, invalid...)
	return fmt.Errorf("invalid config %s:\n%w", file, errors.Join(errs...))
}
