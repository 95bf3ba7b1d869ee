package scim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/roster"
)

var _ connectors.Describer = (*Client)(nil)

// detailVersion is the version of the Detail a Description carries;
// Assume refuses any other.
const detailVersion = 1

// detail is everything Describe learnt, as a Description's Detail carries
// it to Assume: the features, the custom extension in use, and what
// /ResourceTypes and /Schemas said of the User resource.
type detail struct {
	Version  int          `json:"version"`
	Features featuresJSON `json:"features"`
	// CustomSchema is the URN of the custom extension the client uses.
	CustomSchema string `json:"customSchema"`
	// ResourceTypes and Schemas say which discovery endpoints answered.
	// With neither, the directory is taken to have every attribute.
	ResourceTypes bool `json:"resourceTypes,omitempty"`
	Schemas       bool `json:"schemas,omitempty"`
	// Extensions are the User schema extensions the directory has.
	Extensions []string `json:"extensions,omitempty"`
	// Described are the schemas among core, enterprise and custom whose
	// attributes /Schemas listed; a schema not described is taken to have
	// every attribute.
	Described []schemaJSON `json:"described,omitempty"`
}

// featuresJSON is features as Detail carries them.
type featuresJSON struct {
	Patch          bool `json:"patch,omitempty"`
	ETag           bool `json:"etag,omitempty"`
	Bulk           bool `json:"bulk,omitempty"`
	BulkMaxOps     int  `json:"bulkMaxOps,omitempty"`
	BulkMaxPayload int  `json:"bulkMaxPayload,omitempty"`
	MaxResults     int  `json:"maxResults,omitempty"`
}

// schemaJSON is a schema reduced to what hrsync needs: its attributes'
// names, sub-attributes and whether they can be written.
type schemaJSON struct {
	ID         string     `json:"id"`
	Attributes []attrJSON `json:"attributes"`
}

// attrJSON is one attribute of a schemaJSON.
type attrJSON struct {
	Name          string     `json:"name"`
	ReadOnly      bool       `json:"readOnly,omitempty"`
	SubAttributes []attrJSON `json:"subAttributes,omitempty"`
}

// describeCache keeps what Describe learnt (or Assume was given), so a
// Client asks each discovery endpoint at most once, and the fields a plan
// said not to write.
type describeCache struct {
	mu       sync.Mutex
	got      *detail
	unstored []roster.Field
	noCustom bool
}

// Describe says which catalogue fields the directory has a home for, from
// its /ServiceProviderConfig, /ResourceTypes and /Schemas (RFC 7644 §4),
// and from then on the client writes only those. Either of the last two
// may be missing or refused: what the other says is used, and with neither
// the directory is taken to have the core User schema, the enterprise
// extension and the custom extension whole, as before discovery. A
// throttled, failing or unreachable endpoint is a retryable error. The
// answer is kept: a second call makes no request, and its Detail lets
// Assume give another Client the same knowledge without any.
func (c *Client) Describe(ctx context.Context) (connectors.Description, error) {
	c.desc.mu.Lock()
	defer c.desc.mu.Unlock()
	if c.desc.got == nil {
		d, err := c.discover(ctx)
		if err != nil {
			return connectors.Description{}, err
		}
		c.desc.got = d
		c.view.Store(c.newView(d, c.desc.unstored, c.desc.noCustom))
	}
	return c.description(c.desc.got)
}

// Assume makes the client write what d, which Describe returned earlier in
// the run (perhaps to another Client), says the directory has, and take
// the features it records, so the client reads no discovery endpoint. The
// fields d lists as unstored are never sent either. A d without Detail
// changes only that. An unreadable Detail, or one learnt for another
// custom extension than the configured one, is a permanent error.
func (c *Client) Assume(d connectors.Description) error {
	var det *detail
	if len(d.Detail) > 0 {
		det = new(detail)
		if err := json.Unmarshal(d.Detail, det); err != nil {
			return connectors.Permanent(fmt.Errorf("scim: assume description: %w", err))
		}
		if det.Version != detailVersion {
			return connectors.Permanent(fmt.Errorf("scim: assume description: detail version %d, want %d", det.Version, detailVersion))
		}
		if !c.customDefaulted && !strings.EqualFold(det.CustomSchema, c.cfg.CustomSchema) {
			return connectors.Permanent(fmt.Errorf("scim: assume description: learnt for custom extension %q, configured %q",
				det.CustomSchema, c.cfg.CustomSchema))
		}
		if c.customDefaulted && !strings.EqualFold(det.CustomSchema, DefaultCustomSchema) &&
			!strings.EqualFold(det.CustomSchema, LegacyCustomSchema) {
			return connectors.Permanent(fmt.Errorf("scim: assume description: custom extension %q is not a default one", det.CustomSchema))
		}
	}
	c.desc.mu.Lock()
	defer c.desc.mu.Unlock()
	if det != nil {
		c.desc.got = det
		c.feat.set(det.Features.features())
	}
	c.desc.unstored, c.desc.noCustom = slices.Clone(d.Unstored), d.NoCustomFields
	c.view.Store(c.newView(c.desc.got, c.desc.unstored, c.desc.noCustom))
	return nil
}

// discover reads the three discovery endpoints; the features come from
// (and go to) the feature cache, so /ServiceProviderConfig is read once.
func (c *Client) discover(ctx context.Context) (*detail, error) {
	f, err := c.features(ctx)
	if err != nil {
		return nil, err
	}
	d := &detail{Version: detailVersion, Features: f.json(), CustomSchema: c.cfg.CustomSchema}

	rtExts, rtAnswered, rtListsExts, err := c.readResourceTypes(ctx)
	if err != nil {
		return nil, err
	}
	schemas, schemasAnswered, err := c.readSchemas(ctx)
	if err != nil {
		return nil, err
	}
	d.ResourceTypes, d.Schemas = rtAnswered, schemasAnswered
	switch {
	case rtAnswered && (rtListsExts || !schemasAnswered):
		d.Extensions = rtExts
	case schemasAnswered:
		for _, s := range schemas {
			if !strings.EqualFold(s.ID, CoreSchema) {
				d.Extensions = append(d.Extensions, s.ID)
			}
		}
	}
	has := func(urn string) bool {
		return slices.ContainsFunc(d.Extensions, func(x string) bool { return strings.EqualFold(x, urn) })
	}
	if c.customDefaulted && (rtAnswered || schemasAnswered) && !has(DefaultCustomSchema) && has(LegacyCustomSchema) {
		d.CustomSchema = LegacyCustomSchema
	}
	for _, s := range schemas {
		for _, urn := range []string{CoreSchema, EnterpriseSchema, d.CustomSchema} {
			if strings.EqualFold(s.ID, urn) && len(s.Attributes) > 0 {
				d.Described = append(d.Described, s)
			}
		}
	}
	return d, nil
}

// optional turns the refusal of an optional discovery endpoint (404, 501,
// any other permanent answer, or one that is not JSON) into "not
// answered", reporting whether it was one; throttling, server errors and transport failures stay
// errors to retry.
func optional(err error) (refused bool, _ error) {
	var se *SCIMError
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &se) && (se.Status == http.StatusNotImplemented || connectors.IsPermanent(err)):
		return true, nil
	case errors.As(err, &syntax):
		return true, nil // a 2xx that is not JSON: some page, not an answer
	}
	return false, err
}

// discoveryList decodes a discovery endpoint's answer: a ListResponse, or
// the bare array some servers send. ok is false for anything else.
func discoveryList(raw json.RawMessage) (items []json.RawMessage, ok bool) {
	var list struct {
		Resources []json.RawMessage `json:"Resources"`
	}
	if json.Unmarshal(raw, &list) == nil && list.Resources != nil {
		return list.Resources, true
	}
	if json.Unmarshal(raw, &items) == nil && items != nil {
		return items, true
	}
	return nil, false
}

// readResourceTypes reads /ResourceTypes and returns the extensions of the
// User resource type. answered is false when the endpoint is refused or
// says nothing usable of Users; listsExts is whether the User resource
// type has schemaExtensions at all (a server that leaves it out may still
// have extensions, which /Schemas then tells).
func (c *Client) readResourceTypes(ctx context.Context) (exts []string, answered, listsExts bool, err error) {
	var raw json.RawMessage
	_, err = c.do(ctx, http.MethodGet, "/ResourceTypes", nil, "", nil, &raw)
	if refused, err := optional(err); refused || err != nil {
		return nil, false, false, err
	}
	items, ok := discoveryList(raw)
	if !ok {
		return nil, false, false, nil
	}
	for _, item := range items {
		var rt struct {
			ID         string `json:"id"`
			Name       string `json:"name"`
			Endpoint   string `json:"endpoint"`
			Schema     string `json:"schema"`
			Extensions *[]struct {
				Schema string `json:"schema"`
			} `json:"schemaExtensions"`
		}
		if json.Unmarshal(item, &rt) != nil {
			continue
		}
		if !strings.EqualFold(rt.Schema, CoreSchema) && !strings.EqualFold(strings.Trim(rt.Endpoint, "/"), "Users") &&
			!strings.EqualFold(rt.Name, "User") && !strings.EqualFold(rt.ID, "User") {
			continue
		}
		if rt.Extensions != nil {
			listsExts = true
			for _, e := range *rt.Extensions {
				if e.Schema != "" {
					exts = append(exts, e.Schema)
				}
			}
		}
		return exts, true, listsExts, nil
	}
	return nil, false, false, nil
}

// readSchemas reads /Schemas. answered is false when the endpoint is
// refused or its answer is not a list of schemas.
func (c *Client) readSchemas(ctx context.Context) (schemas []schemaJSON, answered bool, err error) {
	var raw json.RawMessage
	_, err = c.do(ctx, http.MethodGet, "/Schemas", nil, "", nil, &raw)
	if refused, err := optional(err); refused || err != nil {
		return nil, false, err
	}
	items, ok := discoveryList(raw)
	if !ok {
		return nil, false, nil
	}
	for _, item := range items {
		var s struct {
			ID         string          `json:"id"`
			Attributes []schemaAttrDoc `json:"attributes"`
		}
		if json.Unmarshal(item, &s) != nil || s.ID == "" {
			continue
		}
		schemas = append(schemas, schemaJSON{ID: s.ID, Attributes: reduceAttrs(s.Attributes)})
	}
	return schemas, true, nil
}

// schemaAttrDoc is an attribute definition as /Schemas gives it (RFC 7643
// §7), the parts hrsync reads.
type schemaAttrDoc struct {
	Name          string          `json:"name"`
	Mutability    string          `json:"mutability"`
	SubAttributes []schemaAttrDoc `json:"subAttributes"`
}

// reduceAttrs keeps what hrsync needs of attribute definitions.
func reduceAttrs(in []schemaAttrDoc) []attrJSON {
	var out []attrJSON
	for _, a := range in {
		if a.Name == "" {
			continue
		}
		out = append(out, attrJSON{Name: a.Name, ReadOnly: strings.EqualFold(a.Mutability, "readOnly"),
			SubAttributes: reduceAttrs(a.SubAttributes)})
	}
	return out
}

// description is the Description of what d says, for the client's
// configuration.
func (c *Client) description(d *detail) (connectors.Description, error) {
	v := c.currentView()
	desc := connectors.Description{NoCustomFields: !v.customHome()}
	for _, f := range roster.Catalogue {
		if !c.stores(v, f) {
			desc.Unstored = append(desc.Unstored, f)
		}
	}
	raw, err := json.Marshal(d)
	if err != nil {
		return connectors.Description{}, fmt.Errorf("scim: describe: encode detail: %w", err)
	}
	desc.Detail = raw
	return desc, nil
}

// view is what the client knows of where a User's attributes can be
// written. It is never changed once made: a new one replaces it.
type view struct {
	// custom is the URN of the custom extension in use.
	custom string
	// known is false when nothing was learnt: every attribute is taken to
	// have a home.
	known bool
	// exts are the extensions the directory has, by lower-cased URN.
	exts map[string]bool
	// schemas are the described schemas' attributes, by lower-cased URN
	// and name.
	schemas map[string]map[string]attrView
	// unstored are fields the plan said not to write.
	unstored map[roster.Field]bool
	// noCustom is true when the plan said not to write custom fields.
	noCustom bool
}

// attrView is one described attribute.
type attrView struct {
	readOnly bool
	// subs maps each listed sub-attribute's lower-cased name to whether
	// it can be written; nil when none are listed.
	subs map[string]bool
}

// newView makes the view of what d says (nil: nothing learnt) less the
// fields a plan said not to write.
func (c *Client) newView(d *detail, unstored []roster.Field, noCustom bool) *view {
	v := &view{custom: c.cfg.CustomSchema, noCustom: noCustom}
	if len(unstored) > 0 {
		v.unstored = make(map[roster.Field]bool, len(unstored))
		for _, f := range unstored {
			v.unstored[f] = true
		}
	}
	if d == nil {
		return v
	}
	v.custom = d.CustomSchema
	if !d.ResourceTypes && !d.Schemas {
		return v
	}
	v.known = true
	v.exts = map[string]bool{}
	for _, e := range d.Extensions {
		v.exts[strings.ToLower(e)] = true
	}
	v.schemas = map[string]map[string]attrView{}
	for _, s := range d.Described {
		attrs := map[string]attrView{}
		for _, a := range s.Attributes {
			av := attrView{readOnly: a.ReadOnly}
			if len(a.SubAttributes) > 0 {
				av.subs = map[string]bool{}
				for _, sub := range a.SubAttributes {
					av.subs[strings.ToLower(sub.Name)] = !sub.ReadOnly
				}
			}
			attrs[strings.ToLower(a.Name)] = av
		}
		v.schemas[strings.ToLower(s.ID)] = attrs
	}
	return v
}

// currentView is the view the client writes by: what Describe or Assume
// made, else one where every attribute has a home.
func (c *Client) currentView() *view { return c.view.Load() }

// has reports whether the directory has a writable home for attribute name
// (sub-attribute sub, when not "") of schema urn ("" for the core schema).
func (v *view) has(urn, name, sub string) bool {
	if !v.known {
		return true
	}
	schema := CoreSchema
	if urn != "" {
		if !v.exts[strings.ToLower(urn)] {
			return false
		}
		schema = urn
	}
	attrs, described := v.schemas[strings.ToLower(schema)]
	if !described {
		return true
	}
	a, ok := attrs[strings.ToLower(name)]
	if !ok || a.readOnly {
		return false
	}
	if sub == "" || a.subs == nil {
		return true
	}
	return a.subs[strings.ToLower(sub)]
}

// holds reports whether the directory has a home for the attribute s
// names: for a typed entry, its value and type sub-attributes.
func (v *view) holds(s attrSpec) bool {
	switch {
	case s.sub != "":
		return v.has(s.urn, s.name, s.sub)
	case s.typ != "":
		return v.has(s.urn, s.name, "value") && v.has(s.urn, s.name, "type")
	}
	return v.has(s.urn, s.name, "")
}

// customHome reports whether custom fields can be written: the custom
// extension's multi-valued attribute custom, with key and value.
func (v *view) customHome() bool {
	return !v.noCustom && v.has(v.custom, customAttr, "key") && v.has(v.custom, customAttr, "value")
}

// managerHome reports whether the enterprise manager can be written.
func (v *view) managerHome() bool {
	return !v.unstored[roster.FieldManagerID] && v.has(EnterpriseSchema, "manager", "value")
}

// stores reports whether field f can be written by v. The HRIS id, the
// status and the field userName comes from have attributes of their own
// (externalId, active, userName) that every directory has.
func (c *Client) stores(v *view, f roster.Field) bool {
	switch {
	case f == roster.FieldID || f == roster.FieldStatus || f == c.cfg.UserNameFrom:
		return true
	case roster.IsCustom(f):
		return v.customHome()
	case f == roster.FieldManagerID:
		return v.managerHome()
	}
	_, ok := v.home(f)
	return ok
}

// home returns the attribute field f (custom fields, the id, status and
// manager aside) is written to, and false when it is written nowhere: the
// plan said not to, or the directory has no home for it.
func (v *view) home(f roster.Field) (attrSpec, bool) {
	if v.unstored[f] {
		return attrSpec{}, false
	}
	s, ok := specFor(f, v.custom)
	if !ok || !v.holds(s) {
		return attrSpec{}, false
	}
	return s, true
}

// features converts what Detail carries back.
func (f featuresJSON) features() features {
	return features{patch: f.Patch, etag: f.ETag, bulk: f.Bulk, bulkMaxOps: max(f.BulkMaxOps, 0),
		bulkMaxPayload: max(f.BulkMaxPayload, 0), maxResults: max(f.MaxResults, 0)}
}

// json converts the features for Detail.
func (f features) json() featuresJSON {
	return featuresJSON{Patch: f.patch, ETag: f.etag, Bulk: f.bulk, BulkMaxOps: f.bulkMaxOps,
		BulkMaxPayload: f.bulkMaxPayload, MaxResults: f.maxResults}
}
