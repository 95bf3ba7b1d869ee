package scimlibtest

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/optional"
	"github.com/elimity-com/scim/schema"
	"github.com/google/uuid"
)

// record is one stored User.
type record struct {
	id string
	// attrs are the User's attributes as the library validated them: core
	// ones (and externalId) by their schema names, each extension's under
	// its URN as a map of its own.
	attrs    map[string]any
	created  time.Time
	modified time.Time
}

// store is the in-memory /Users handler (scim.ResourceHandler).
type store struct {
	// core is the core User schema with externalId, as the library
	// validates User bodies and PATCH paths against it.
	core schema.Schema
	exts []schema.Schema

	mu    sync.Mutex
	byID  map[string]*record
	order []string // ids, oldest first
}

var _ scim.ResourceHandler = (*store)(nil)

// newStore returns an empty store of Users with the core schema and the
// extensions exts.
func newStore(core schema.Schema, exts []schema.Schema) *store {
	withCommon := core
	withCommon.Attributes = append(append(schema.Attributes(nil), core.Attributes...),
		schema.SimpleCoreAttribute(schema.SimpleStringParams(schema.StringParams{
			CaseExact: true,
			Name:      schema.CommonAttributeExternalID,
		})))
	return &store{core: withCommon, exts: exts, byID: map[string]*record{}}
}

// schemaByID returns the core schema or the extension with the URN id.
func (st *store) schemaByID(id string) (schema.Schema, bool) {
	if id == st.core.ID {
		return st.core, true
	}
	for _, e := range st.exts {
		if e.ID == id {
			return e, true
		}
	}
	return schema.Schema{}, false
}

// Create stores a new User.
func (st *store) Create(_ *http.Request, attributes scim.ResourceAttributes) (scim.Resource, error) {
	attrs := st.clean(attributes)
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.check(attrs, ""); err != nil {
		return scim.Resource{}, err
	}
	now := time.Now().UTC()
	rec := &record{id: uuid.NewString(), attrs: attrs, created: now, modified: now}
	st.byID[rec.id] = rec
	st.order = append(st.order, rec.id)
	return rec.resource(), nil
}

// Get returns the User with the id.
func (st *store) Get(_ *http.Request, id string) (scim.Resource, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	rec, ok := st.byID[id]
	if !ok {
		return scim.Resource{}, scimerrors.ScimErrorResourceNotFound(id)
	}
	return rec.resource(), nil
}

// GetAll returns a page of the Users that pass the filter, oldest first,
// using the library's own filter evaluation.
func (st *store) GetAll(_ *http.Request, params scim.ListRequestParams) (page scim.Page, err error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	defer func() {
		// The library's filter code panics on values of types it does not
		// expect; say so instead of dropping the connection.
		if p := recover(); p != nil {
			page, err = scim.Page{}, scimerrors.ScimError{
				Status: http.StatusInternalServerError,
				Detail: fmt.Sprintf("the library's filter evaluation panicked: %v", p),
			}
		}
	}()
	var matched []*record
	for _, id := range st.order {
		rec := st.byID[id]
		if params.FilterValidator != nil && params.FilterValidator.PassesFilter(st.filterView(rec)) != nil {
			continue
		}
		matched = append(matched, rec)
	}
	start := min(max(params.StartIndex-1, 0), len(matched))
	end := min(start+max(params.Count, 0), len(matched))
	resources := make([]scim.Resource, 0, end-start)
	for _, rec := range matched[start:end] {
		resources = append(resources, rec.resource())
	}
	return scim.Page{TotalResults: len(matched), Resources: resources}, nil
}

// Replace replaces all attributes of the User with the id.
func (st *store) Replace(_ *http.Request, id string, attributes scim.ResourceAttributes) (scim.Resource, error) {
	attrs := st.clean(attributes)
	st.mu.Lock()
	defer st.mu.Unlock()
	rec, ok := st.byID[id]
	if !ok {
		return scim.Resource{}, scimerrors.ScimErrorResourceNotFound(id)
	}
	if err := st.check(attrs, id); err != nil {
		return scim.Resource{}, err
	}
	if !reflect.DeepEqual(attrs, rec.attrs) {
		rec.attrs, rec.modified = attrs, time.Now().UTC()
	}
	return rec.resource(), nil
}

// Delete removes the User with the id.
func (st *store) Delete(_ *http.Request, id string) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.byID[id]; !ok {
		return scimerrors.ScimErrorResourceNotFound(id)
	}
	delete(st.byID, id)
	for i, v := range st.order {
		if v == id {
			st.order = append(st.order[:i], st.order[i+1:]...)
			break
		}
	}
	return nil
}

// Patch applies the operations, which the library has validated, to the
// User with the id; all of them or none. It always answers the resource
// (200), never 204.
func (st *store) Patch(_ *http.Request, id string, operations []scim.PatchOperation) (scim.Resource, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	rec, ok := st.byID[id]
	if !ok {
		return scim.Resource{}, scimerrors.ScimErrorResourceNotFound(id)
	}
	p := &patcher{st: st, attrs: deepCopyMap(rec.attrs)}
	for _, op := range operations {
		if err := p.apply(op); err != nil {
			return scim.Resource{}, err
		}
	}
	attrs := st.clean(p.attrs)
	if err := st.check(attrs, id); err != nil {
		return scim.Resource{}, err
	}
	if !reflect.DeepEqual(attrs, rec.attrs) {
		rec.attrs, rec.modified = attrs, time.Now().UTC()
	}
	return rec.resource(), nil
}

// check enforces what the library leaves to the handler: a non-empty
// userName, unique among the Users but the one with the id self, compared
// case-insensitively (RFC 7643 §4.1.1: userName is caseExact false,
// uniqueness server).
func (st *store) check(attrs map[string]any, self string) error {
	name, _ := attrs["userName"].(string)
	if strings.TrimSpace(name) == "" {
		if _, present := attrs["userName"]; !present {
			return scimerrors.ScimErrorMutability // removed by PATCH
		}
		return scimerrors.ScimError{
			ScimType: scimerrors.ScimTypeInvalidValue,
			Detail:   "userName must not be empty.",
			Status:   http.StatusBadRequest,
		}
	}
	for id, rec := range st.byID {
		if other, _ := rec.attrs["userName"].(string); id != self && strings.EqualFold(other, name) {
			return scimerrors.ScimErrorUniqueness
		}
	}
	return nil
}

// clean returns a deep copy of the attributes of the core schema and the
// extensions in attrs, without what is never stored: the writeOnly
// password, unassigned (nil) values, empty lists, objects and extensions;
// and with a multi-valued attribute given as a single object made a list
// of it (the library's validation passes such an object through as is).
func (st *store) clean(attrs map[string]any) map[string]any {
	out := cleanAttrs(st.core, attrs)
	for _, e := range st.exts {
		if m, ok := attrs[e.ID].(map[string]any); ok {
			if em := cleanAttrs(e, m); len(em) > 0 {
				out[e.ID] = em
			}
		}
	}
	return out
}

// cleanAttrs returns a deep copy of the attributes of sc in m, cleaned as
// clean says.
func cleanAttrs(sc schema.Schema, m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		attr, ok := sc.Attributes.ContainsAttribute(k)
		if !ok || v == nil || attr.Mutability() == "writeOnly" {
			continue
		}
		v = deepCopy(v)
		if obj, ok := v.(map[string]any); ok && attr.MultiValued() {
			v = []any{obj}
		}
		if list, ok := v.([]any); ok && len(list) == 0 {
			continue
		}
		if obj, ok := v.(map[string]any); ok && len(obj) == 0 {
			continue
		}
		out[attr.Name()] = v
	}
	return out
}

// resource is the library's view of the record.
func (rec *record) resource() scim.Resource {
	attrs := deepCopyMap(rec.attrs)
	var ext optional.String
	if v, ok := attrs[schema.CommonAttributeExternalID].(string); ok {
		ext = optional.NewString(v)
		delete(attrs, schema.CommonAttributeExternalID)
	}
	created, modified := rec.created, rec.modified
	return scim.Resource{
		ID:         rec.id,
		ExternalID: ext,
		Attributes: attrs,
		Meta:       scim.Meta{Created: &created, LastModified: &modified},
	}
}

// filterView is the record as the library's filter evaluation wants it:
// core attributes at the top, each extension attribute under
// "<urn>:<name>", and id and meta.
func (st *store) filterView(rec *record) map[string]any {
	view := map[string]any{}
	for k, v := range rec.attrs {
		if m, ok := v.(map[string]any); ok {
			if _, isExt := st.schemaByID(k); isExt {
				for name, ev := range m {
					view[k+":"+name] = ev
				}
				continue
			}
		}
		view[k] = v
	}
	view[schema.CommonAttributeID] = rec.id
	view[schema.CommonAttributeMeta] = map[string]any{
		"resourceType": "User",
		"created":      rec.created.Format(time.RFC3339),
		"lastModified": rec.modified.Format(time.RFC3339),
	}
	return view
}

// deepCopy copies a JSON value.
func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return deepCopyMap(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = deepCopy(e)
		}
		return out
	default:
		return v
	}
}

// deepCopyMap copies a JSON object.
func deepCopyMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = deepCopy(v)
	}
	return out
}
