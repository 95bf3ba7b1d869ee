package roster

import (
	"fmt"
	"slices"
	"strings"
)

// Hold is one employee's change kept back for an administrator's review,
// with the identity attributes it would change.
type Hold struct {
	EmployeeID string        `json:"employeeId"`
	Code       string        `json:"code"`
	Reason     string        `json:"reason"`
	Changes    []FieldChange `json:"changes,omitempty"`
}

// FieldChange is one attribute's value before and after. When Digest is
// set the values are not kept, only their keyed digests were compared, and
// Old and New are empty.
type FieldChange struct {
	Field  Field  `json:"field"`
	Old    string `json:"old"`
	New    string `json:"new"`
	Digest bool   `json:"digest,omitempty"`
}

// Hold codes.
const (
	HoldIdentityChange = "identity_change"
	HoldEmailMoved     = "email_moved"
)

// BlockPrivacy is the block code of a run with identity changes to review.
const BlockPrivacy = "privacy"

// defaultPrivacyThreshold is how many identity attributes must change at once.
const defaultPrivacyThreshold = 2

// identity names the attributes that say who a person is: the name counts
// once however many of its parts change.
var identity = []struct {
	name   string
	fields []Field
}{
	{"name", []Field{FieldFirstName, FieldLastName}},
	{"date of birth", []Field{FieldDateOfBirth}},
	{"work email", []Field{FieldWorkEmail}},
}

// PrivacyInput is what the privacy check compares.
type PrivacyInput struct {
	// Changes is the plan.
	Changes []Change
	// Baseline is each linked employee's identity as hrsync last applied
	// it; employees missing here are compared with the directory's copy.
	Baseline map[string]Employee
	// Directory is the directory before the plan.
	Directory []User
	// Owners, when set, maps each normalised work email of the whole
	// directory to the HRIS id of a user holding it, for a plan checked in
	// parts: Directory then holds only the users of the part's changes.
	Owners map[string]string
	// Rules give the threshold and the selected fields.
	Rules Rules
}

// Privacy returns the changes that must wait for approval because they
// touch who someone is: an existing employee whose name, date of birth and
// work email change — as many of them at once as the threshold — or a work
// email that passes from one person to another. Holds are ordered as the
// changes are.
func Privacy(in PrivacyInput) []Hold {
	threshold := in.Rules.Privacy.Threshold
	if threshold == 0 {
		threshold = defaultPrivacyThreshold
	}
	current := make(map[string]*User, len(in.Directory))
	emailOwner := make(map[string]string, len(in.Directory))
	for i := range in.Directory {
		u := &in.Directory[i]
		if u.Employee.ID == "" {
			continue
		}
		current[u.Employee.ID] = u
		if e := NormalEmail(u.Employee.WorkEmail); e != "" && in.Owners == nil {
			emailOwner[e] = u.Employee.ID
		}
	}
	if in.Owners != nil {
		emailOwner = in.Owners
	}

	var holds []Hold
	for _, c := range in.Changes {
		if c.Op != OpCreate && c.Op != OpUpdate && c.Op != OpReactivate {
			continue
		}
		if owner, ok := emailOwner[NormalEmail(c.Employee.WorkEmail)]; ok && owner != c.EmployeeID && in.Rules.Selected(FieldWorkEmail) {
			before := ""
			if u, ok := current[c.EmployeeID]; ok {
				before = u.Employee.WorkEmail
			}
			holds = append(holds, Hold{EmployeeID: c.EmployeeID, Code: HoldEmailMoved,
				Reason:  fmt.Sprintf("work email belongs to %s in the directory", owner),
				Changes: []FieldChange{{Field: FieldWorkEmail, Old: before, New: c.Employee.WorkEmail}}})
			continue
		}
		if threshold < 0 || c.Op == OpCreate {
			continue
		}
		before, ok := in.Baseline[c.EmployeeID]
		if u, found := current[c.EmployeeID]; !ok && found {
			before = u.Employee
		}
		changes, attrs := identityChanges(before, c.Employee, in.Rules)
		if len(attrs) >= threshold {
			holds = append(holds, Hold{EmployeeID: c.EmployeeID, Code: HoldIdentityChange,
				Reason:  strings.Join(attrs, ", ") + " changed",
				Changes: changes})
		}
	}
	return holds
}

// identityChanges lists the identity fields that differ and the attributes
// they belong to: selected fields by value, and a date of birth that is not
// synced by its digest, when both sides have one made with the same key.
func identityChanges(before, after Employee, r Rules) ([]FieldChange, []string) {
	var changes []FieldChange
	var attrs []string
	for _, id := range identity {
		changed := false
		for _, f := range id.fields {
			if f == FieldDateOfBirth && r.DigestsDateOfBirth() {
				if same, known := SameDigest(before.DateOfBirthDigest, after.DateOfBirthDigest); known && !same {
					changes = append(changes, FieldChange{Field: f, Digest: true})
					changed = true
				}
				continue
			}
			if !r.Selected(f) {
				continue
			}
			old, now := before.Get(f), after.Get(f)
			if f == FieldWorkEmail {
				if NormalEmail(old) == NormalEmail(now) {
					continue
				}
			} else if old == now {
				continue
			}
			changes = append(changes, FieldChange{Field: f, Old: old, New: now})
			changed = true
		}
		if changed && !slices.Contains(attrs, id.name) {
			attrs = append(attrs, id.name)
		}
	}
	return changes, attrs
}
