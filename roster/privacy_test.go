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
				Changes: []FieldChange{{FieldLastName, "LE1", "Smith"}, {FieldDateOfBirth, "1990-05-01", ""}}}}},
		{name: "name and email wait", changes: []Change{update(emp("E1", "", renamed, rehomed,
			func(e *Employee) { e.DateOfBirth = alice.DateOfBirth }))},
			want: []Hold{{EmployeeID: "E1", Code: HoldIdentityChange, Reason: "name, work email changed",
				Changes: []FieldChange{{FieldLastName, "LE1", "Smith"}, {FieldWorkEmail, "alice@x.test", "alice.smith@x.test"}}}}},
		{name: "an email changing case is no change", changes: []Change{update(emp("E1", "ALICE@x.test", renamed,
			func(e *Employee) { e.DateOfBirth = alice.DateOfBirth }))}},
		{name: "threshold 1 holds a new name", rules: Rules{Privacy: PrivacyPolicy{Threshold: 1}},
			changes: []Change{update(emp("E1", "alice@x.test", renamed, func(e *Employee) { e.DateOfBirth = alice.DateOfBirth }))},
			want: []Hold{{EmployeeID: "E1", Code: HoldIdentityChange, Reason: "name changed",
				Changes: []FieldChange{{FieldLastName, "LE1", "Smith"}}}}},
		{name: "all three at threshold 3", rules: Rules{Privacy: PrivacyPolicy{Threshold: 3}},
			changes: []Change{update(emp("E1", "alice@x.test", renamed, reborn, rehomed))},
			want: []Hold{{EmployeeID: "E1", Code: HoldIdentityChange, Reason: "name, date of birth, work email changed",
				Changes: []FieldChange{{FieldLastName, "LE1", "Smith"}, {FieldDateOfBirth, "1990-05-01", "1991-05-01"},
					{FieldWorkEmail, "alice@x.test", "alice.smith@x.test"}}}}},
		{name: "an unselected date of birth is not compared",
			rules:   Rules{Fields: FieldSelection{Exclude: []Field{FieldDateOfBirth}}},
			changes: []Change{update(emp("E1", "alice@x.test", renamed, reborn))}},
		{name: "the applied baseline wins over the directory's copy",
			baseline: map[string]Employee{"E1": emp("E1", "alice@x.test", renamed, reborn)},
			changes:  []Change{update(emp("E1", "alice@x.test", renamed, reborn))}},
		{name: "an email moving to another person waits, whatever the threshold",
			rules:   Rules{Privacy: PrivacyPolicy{Threshold: -1}},
			changes: []Change{update(emp("E1", "bob@x.test", func(e *Employee) { e.DateOfBirth = alice.DateOfBirth }))},
			want: []Hold{{EmployeeID: "E1", Code: HoldEmailMoved, Reason: "work email belongs to E2 in the directory",
				Changes: []FieldChange{{FieldWorkEmail, "alice@x.test", "bob@x.test"}}}}},
		{name: "a new hire taking a leaver's email waits",
			changes: []Change{{Op: OpCreate, EmployeeID: "E9", Employee: emp("E9", "Bob@X.test")}},
			want: []Hold{{EmployeeID: "E9", Code: HoldEmailMoved, Reason: "work email belongs to E2 in the directory",
				Changes: []FieldChange{{FieldWorkEmail, "", "Bob@X.test"}}}}},
		{name: "deactivations are not identity changes",
			changes: []Change{{Op: OpDeactivate, EmployeeID: "E1", Employee: emp("E1", "zed@x.test", renamed, reborn)}}},
		{name: "a re-hire with a new identity waits",
			changes: []Change{{Op: OpReactivate, EmployeeID: "E1", Employee: emp("E1", "alice@x.test", renamed, reborn)}},
			want: []Hold{{EmployeeID: "E1", Code: HoldIdentityChange, Reason: "name, date of birth changed",
				Changes: []FieldChange{{FieldLastName, "LE1", "Smith"}, {FieldDateOfBirth, "1990-05-01", "1991-05-01"}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Privacy(PrivacyInput{Changes: tt.changes, Baseline: tt.baseline, Directory: dir, Rules: tt.rules})
			require.Equal(t, tt.want, got)
		})
	}
}
