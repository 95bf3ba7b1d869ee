package roster

import (
	"slices"
	"strings"
)

// RecordOf writes e as a Record in catalogue field names with ISO dates —
// the shape a connector whose API speaks hrsync's own terms delivers.
func RecordOf(e Employee) Record {
	values := make(map[string]string)
	for _, f := range e.Fields() {
		if f == FieldID {
			continue
		}
		if v := e.Get(f); v != "" {
			values[string(f)] = v
		}
	}
	return Record{ID: e.ID, Values: values}
}

// Minimize returns rec with only the values the rules read: the source
// fields feeding selected target fields, and the vendor's status word.
// Everything else is dropped before it is stored, so an unselected field
// never reaches the store; so is the word that a field the rules do not
// read could not be read.
//
// The date of birth is the exception when the privacy check compares it but
// it is not synced: digest, when given, turns it into a keyed digest that
// is kept in its place, so a changed date can be noticed without the date
// being stored. Without digest it is dropped like any unselected field.
func (r Rules) Minimize(rec Record, digest Digest) Record {
	keep := make(map[string]string, len(rec.Values))
	for k, v := range rec.Values {
		if r.reads(k) {
			keep[k] = v
		}
	}
	out := Record{ID: rec.ID, Values: keep}
	for k, why := range rec.Unreadable {
		if k == WholeRecord || r.reads(k) {
			if out.Unreadable == nil {
				out.Unreadable = make(map[string]string)
			}
			out.Unreadable[k] = why
		}
	}
	if digest != nil && r.DigestsDateOfBirth() {
		if v := r.value(rec, FieldDateOfBirth); v != "" {
			out.DateOfBirthDigest = digest(r.canonicalDate(FieldDateOfBirth, v))
		}
	}
	return out
}

// reads reports whether Normalize reads source field k.
func (r Rules) reads(k string) bool {
	if k == ValueStatusRaw && r.ruleFor(FieldStatus) == nil {
		return true
	}
	for _, m := range r.Mapping {
		if r.Selected(m.To) && slices.Contains(m.From, k) {
			return true
		}
	}
	f := Field(k)
	if !slices.Contains(Catalogue, f) && !strings.HasPrefix(k, customPrefix) {
		return false
	}
	if r.ruleFor(f) != nil {
		// A rule replaces the field's own value.
		return false
	}
	return f != FieldID && r.Selected(f)
}

// ruleFor returns the mapping rule whose target is f, if any.
func (r Rules) ruleFor(f Field) *MapRule {
	for i := range r.Mapping {
		if r.Mapping[i].To == f {
			return &r.Mapping[i]
		}
	}
	return nil
}
