package roster

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPrivacy(t *testing.T) {
	alice := emp("E1", "alice@x.test", func(e *Employee) { e.DateOfBirth = Date{1990, time.May, 1} })
	bob := emp("E2", "bob@x.test")
	dir := []User{user("u1", true, alice), user("u2", true, bob)}
	update := func(e Employee) Change { return Change{Op: OpUpdate, EmployeeID: e.ID, TargetID: "u1", Employee: e} }
	renamed := func(e *Employee) { e.LastName = "Smith" }
	reborn := func(e *Employee) { e.DateOfBirth = Date{1991, time.May, 1} }
	rehomed := func(e *Employee) { e.WorkEmail = "alice.smith@x.test" }
	digested := func(d string) func(*Employee) { return func(e *Employee) { e.DateOfBirthDigest = d } }
	noDOB := Rules{Fields: FieldSelection{Exclude: []Field{FieldDateOfBirth}}}
	tests := []struct {
		name     string
		changes  []Change
		rules    Rules
		baseline map[string]Employee
		want     []Hold
	}{
		{name: "a new name alone passes", changes: []Change{update(emp("E1", "alice@x.test", renamed,
			func(e *Employee) { e.DateOfBirth = alice.DateOfBirth }))}},
		{name: "name and date of birth together wait", changes: []Change{update(emp("E1", "alice@x.test", renamed))},
			want: []Hold{{EmployeeID: "E1", Code: HoldIdentityChange, Reason: "name, date of birth changed",
				Changes: []FieldChange{{Field: FieldLastName, Old: "LE1", New: "Smith"}, {Field: FieldDateOfBirth, Old: "1990-05-01", New: ""}}}}},
		{name: "name and email wait", changes: []Change{update(emp("E1", "", renamed, rehomed,
			func(e *Employee) { e.DateOfBirth = alice.DateOfBirth }))},
			want: []Hold{{EmployeeID: "E1", Code: HoldIdentityChange, Reason: "name, work email changed",
				Changes: []FieldChange{{Field: FieldLastName, Old: "LE1", New: "Smith"}, {Field: FieldWorkEmail, Old: "alice@x.test", New: "alice.smith@x.test"}}}}},
		{name: "an email changing case is no change", changes: []Change{update(emp("E1", "ALICE@x.test", renamed,
			func(e *Employee) { e.DateOfBirth = alice.DateOfBirth }))}},
		{name: "threshold 1 holds a new name", rules: Rules{Privacy: PrivacyPolicy{Threshold: 1}},
			changes: []Change{update(emp("E1", "alice@x.test", renamed, func(e *Employee) { e.DateOfBirth = alice.DateOfBirth }))},
			want: []Hold{{EmployeeID: "E1", Code: HoldIdentityChange, Reason: "name changed",
				Changes: []FieldChange{{Field: FieldLastName, Old: "LE1", New: "Smith"}}}}},
		{name: "all three at threshold 3", rules: Rules{Privacy: PrivacyPolicy{Threshold: 3}},
			changes: []Change{update(emp("E1", "alice@x.test", renamed, reborn, rehomed))},
			want: []Hold{{EmployeeID: "E1", Code: HoldIdentityChange, Reason: "name, date of birth, work email changed",
				Changes: []FieldChange{{Field: FieldLastName, Old: "LE1", New: "Smith"}, {Field: FieldDateOfBirth, Old: "1990-05-01", New: "1991-05-01"},
					{Field: FieldWorkEmail, Old: "alice@x.test", New: "alice.smith@x.test"}}}}},
		{name: "an unselected date of birth is not compared",
			rules:   Rules{Fields: FieldSelection{Exclude: []Field{FieldDateOfBirth}}},
			changes: []Change{update(emp("E1", "alice@x.test", renamed, reborn))}},
		{name: "an unsent date of birth is compared by its digest",
			rules:    noDOB,
			baseline: map[string]Employee{"E1": emp("E1", "alice@x.test", digested("k1:aaa"))},
			changes:  []Change{update(emp("E1", "alice@x.test", renamed, digested("k1:bbb")))},
			want: []Hold{{EmployeeID: "E1", Code: HoldIdentityChange, Reason: "name, date of birth changed",
				Changes: []FieldChange{{Field: FieldLastName, Old: "LE1", New: "Smith"}, {Field: FieldDateOfBirth, Digest: true}}}}},
		{name: "an equal digest is no change",
			rules:    noDOB,
			baseline: map[string]Employee{"E1": emp("E1", "alice@x.test", digested("k1:aaa"))},
			changes:  []Change{update(emp("E1", "alice@x.test", renamed, digested("k1:aaa")))}},
		{name: "digests are compared under a key both share",
			rules:    noDOB,
			baseline: map[string]Employee{"E1": emp("E1", "alice@x.test", digested("k1:aaa"))},
			changes:  []Change{update(emp("E1", "alice@x.test", renamed, digested("k2:zzz,k1:bbb")))},
			want: []Hold{{EmployeeID: "E1", Code: HoldIdentityChange, Reason: "name, date of birth changed",
				Changes: []FieldChange{{Field: FieldLastName, Old: "LE1", New: "Smith"}, {Field: FieldDateOfBirth, Digest: true}}}}},
		{name: "digests under keys that share nothing are not compared",
			rules:    noDOB,
			baseline: map[string]Employee{"E1": emp("E1", "alice@x.test", digested("k1:aaa"))},
			changes:  []Change{update(emp("E1", "alice@x.test", renamed, digested("k2:zzz")))}},
		{name: "a baseline with no digest is not compared",
			rules:   noDOB,
			changes: []Change{update(emp("E1", "alice@x.test", renamed, digested("k1:bbb")))}},
		{name: "a synced date of birth is compared by value, not digest",
			baseline: map[string]Employee{"E1": emp("E1", "alice@x.test", func(e *Employee) { e.DateOfBirth = alice.DateOfBirth }, digested("k1:aaa"))},
			changes: []Change{update(emp("E1", "alice@x.test", renamed, digested("k1:bbb"),
				func(e *Employee) { e.DateOfBirth = alice.DateOfBirth }))}},
		{name: "the applied baseline wins over the directory's copy",
			baseline: map[string]Employee{"E1": emp("E1", "alice@x.test", renamed, reborn)},
			changes:  []Change{update(emp("E1", "alice@x.test", renamed, reborn))}},
		{name: "an email moving to another person waits, whatever the threshold",
			rules:   Rules{Privacy: PrivacyPolicy{Threshold: -1}},
			changes: []Change{update(emp("E1", "bob@x.test", func(e *Employee) { e.DateOfBirth = alice.DateOfBirth }))},
			want: []Hold{{EmployeeID: "E1", Code: HoldEmailMoved, Reason: "work email belongs to E2 in the directory",
				Changes: []FieldChange{{Field: FieldWorkEmail, Old: "alice@x.test", New: "bob@x.test"}}}}},
		{name: "a new hire taking a leaver's email waits",
			changes: []Change{{Op: OpCreate, EmployeeID: "E9", Employee: emp("E9", "Bob@X.test")}},
			want: []Hold{{EmployeeID: "E9", Code: HoldEmailMoved, Reason: "work email belongs to E2 in the directory",
				Changes: []FieldChange{{Field: FieldWorkEmail, Old: "", New: "Bob@X.test"}}}}},
		{name: "adopting by email a user another system linked waits",
			changes: []Change{{Op: OpUpdate, EmployeeID: "E9", TargetID: "u2", Link: true, Adopt: true,
				Employee: emp("E9", "bob@x.test")}},
			want: []Hold{{EmployeeID: "E9", Code: HoldEmailMoved, Reason: "work email belongs to E2 in the directory",
				Changes: []FieldChange{{Field: FieldWorkEmail, Old: "", New: "bob@x.test"}}}}},
		{name: "deactivations are not identity changes",
			changes: []Change{{Op: OpDeactivate, EmployeeID: "E1", Employee: emp("E1", "zed@x.test", renamed, reborn)}}},
		{name: "a re-hire with a new identity waits",
			changes: []Change{{Op: OpReactivate, EmployeeID: "E1", Employee: emp("E1", "alice@x.test", renamed, reborn)}},
			want: []Hold{{EmployeeID: "E1", Code: HoldIdentityChange, Reason: "name, date of birth changed",
				Changes: []FieldChange{{Field: FieldLastName, Old: "LE1", New: "Smith"}, {Field: FieldDateOfBirth, Old: "1990-05-01", New: "1991-05-01"}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Privacy(PrivacyInput{Changes: tt.changes, Baseline: tt.baseline, Directory: dir, Rules: tt.rules})
			require.Equal(t, tt.want, got)
		})
	}
}

func TestSameDigest(t *testing.T) {
	tests := []struct {
		a, b        string
		same, known bool
	}{
		{"k1:aaa", "k1:aaa", true, true},
		{"k1:aaa", "k1:bbb", false, true},
		{"k2:x,k1:aaa", "k1:aaa", true, true},
		{"k1:aaa", "k2:y,k1:bbb", false, true},
		{"k2:x", "k1:aaa", false, false},
		{"", "k1:aaa", false, false},
		{"k1:aaa", "", false, false},
		{"garbage", "k1:aaa", false, false},
	}
	for _, tt := range tests {
		same, known := SameDigest(tt.a, tt.b)
		require.Equal(t, []bool{tt.same, tt.known}, []bool{same, known}, "%q vs %q", tt.a, tt.b)
	}
}
