package roster

import "slices"

// reviewIdentity are the fields a review shows as changed without their
// values: the person's names, emails and date of birth, the attributes the
// privacy guard compares and their near relations.
var reviewIdentity = []Field{
	FieldFirstName, FieldLastName, FieldPreferredName, FieldWorkEmail, FieldPersonalEmail, FieldDateOfBirth,
}

// IsIdentity reports whether f says who a person is, so that a review
// shows it as changed but never its values.
func IsIdentity(f Field) bool { return slices.Contains(reviewIdentity, f) }

// ReviewField is one field of a change as a review shows it: old → new,
// or, for an identity field, only that it changes.
type ReviewField struct {
	Field Field  `json:"field"`
	Old   string `json:"old,omitempty"`
	New   string `json:"new,omitempty"`
	// Identity is set for an identity field; Old and New are then empty.
	Identity bool `json:"identity,omitempty"`
}

// Review lists the fields c writes as an administrator reviews them: each
// non-identity field with its value before (as the plan found it, empty
// for a create) and after; identity fields only by name.
func (c Change) Review() []ReviewField {
	out := make([]ReviewField, 0, len(c.Fields))
	for _, f := range c.Fields {
		if IsIdentity(f) {
			out = append(out, ReviewField{Field: f, Identity: true})
			continue
		}
		out = append(out, ReviewField{Field: f, Old: c.Before[f], New: c.Employee.Get(f)})
	}
	return out
}

// before is the values of the non-identity fields among fields as the
// directory user had them, for a review to show; nil when there are none.
func before(u Employee, fields []Field) map[Field]string {
	var out map[Field]string
	for _, f := range fields {
		if IsIdentity(f) {
			continue
		}
		if out == nil {
			out = make(map[Field]string, len(fields))
		}
		out[f] = u.Get(f)
	}
	return out
}
