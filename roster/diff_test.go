package roster

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var today = Date{2026, time.March, 10}

// createFields are the fields emp sets, which a create writes.
var createFields = []Field{FieldFirstName, FieldLastName, FieldWorkEmail, FieldDepartment}

func emp(id, email string, mods ...func(*Employee)) Employee {
	e := Employee{ID: id, FirstName: "F" + id, LastName: "L" + id, WorkEmail: email, Status: StatusActive,
		Department: "Ops"}
	for _, m := range mods {
		m(&e)
	}
	return e
}

func user(targetID string, active bool, e Employee) User {
	return User{TargetID: targetID, Active: active, Employee: e}
}

func unlinked(e Employee) Employee { e.ID = ""; return e }

func TestDiff(t *testing.T) {
	alice := emp("E1", "alice@x.test")
	bob := emp("E2", "bob@x.test")
	tests := []struct {
		name      string
		source    []Employee
		directory []User
		want      []Change
		problems  []string
	}{
		{
			name:   "new employee is created",
			source: []Employee{alice},
			want:   []Change{{Op: OpCreate, EmployeeID: "E1", Employee: alice, Reason: "new in the HRIS", Fields: createFields}},
		},
		{
			name:      "identical employee is unchanged",
			source:    []Employee{alice},
			directory: []User{user("u1", true, alice)},
			want:      []Change{{Op: OpUnchanged, EmployeeID: "E1", TargetID: "u1", Employee: alice}},
		},
		{
			name:      "changed fields are listed",
			source:    []Employee{emp("E1", "alice@x.test", func(e *Employee) { e.Department = "Sales"; e.JobTitle = "Lead" })},
			directory: []User{user("u1", true, alice)},
			want: []Change{{Op: OpUpdate, EmployeeID: "E1", TargetID: "u1", Reason: "changed in the HRIS",
				Employee: emp("E1", "alice@x.test", func(e *Employee) { e.Department = "Sales"; e.JobTitle = "Lead" }),
				Fields:   []Field{FieldDepartment, FieldJobTitle}}},
		},
		{
			name:      "custom field change is an update",
			source:    []Employee{emp("E1", "alice@x.test", func(e *Employee) { e.Custom = map[string]string{"size": "M"} })},
			directory: []User{user("u1", true, alice)},
			want: []Change{{Op: OpUpdate, EmployeeID: "E1", TargetID: "u1", Reason: "changed in the HRIS",
				Employee: emp("E1", "alice@x.test", func(e *Employee) { e.Custom = map[string]string{"size": "M"} }),
				Fields:   []Field{CustomField("size")}}},
		},
		{
			name:      "inactive status deactivates",
			source:    []Employee{emp("E1", "alice@x.test", func(e *Employee) { e.Status = StatusInactive })},
			directory: []User{user("u1", true, alice)},
			want: []Change{{Op: OpDeactivate, EmployeeID: "E1", TargetID: "u1", Reason: "inactive in the HRIS",
				Employee: emp("E1", "alice@x.test", func(e *Employee) { e.Status = StatusInactive })}},
		},
		{
			name:      "exit date today deactivates",
			source:    []Employee{emp("E1", "alice@x.test", func(e *Employee) { e.ExitDate = today })},
			directory: []User{user("u1", true, alice)},
			want: []Change{{Op: OpDeactivate, EmployeeID: "E1", TargetID: "u1", Reason: "exit date 2026-03-10 has passed",
				Employee: emp("E1", "alice@x.test", func(e *Employee) { e.ExitDate = today }), Fields: []Field{FieldExitDate}}},
		},
		{
			name:      "future exit date keeps the user active",
			source:    []Employee{emp("E1", "alice@x.test", func(e *Employee) { e.ExitDate = Date{2026, time.March, 11} })},
			directory: []User{user("u1", true, alice)},
			want: []Change{{Op: OpUpdate, EmployeeID: "E1", TargetID: "u1", Reason: "changed in the HRIS",
				Employee: emp("E1", "alice@x.test", func(e *Employee) { e.ExitDate = Date{2026, time.March, 11} }),
				Fields:   []Field{FieldExitDate}}},
		},
		{
			name:      "already inactive leaver is unchanged",
			source:    []Employee{emp("E1", "alice@x.test", func(e *Employee) { e.Status = StatusInactive })},
			directory: []User{user("u1", false, alice)},
			want: []Change{{Op: OpUnchanged, EmployeeID: "E1", TargetID: "u1", Reason: "inactive in the HRIS; already inactive",
				Employee: emp("E1", "alice@x.test", func(e *Employee) { e.Status = StatusInactive })}},
		},
		{
			name:   "leaver never in the directory is skipped",
			source: []Employee{emp("E1", "alice@x.test", func(e *Employee) { e.Status = StatusInactive })},
			want: []Change{{Op: OpSkip, EmployeeID: "E1", Reason: "inactive in the HRIS; not in the directory",
				Employee: emp("E1", "alice@x.test", func(e *Employee) { e.Status = StatusInactive })}},
		},
		{
			name:      "re-hire is reactivated with its changes",
			source:    []Employee{emp("E1", "alice@x.test", func(e *Employee) { e.Department = "R&D" })},
			directory: []User{user("u1", false, alice)},
			want: []Change{{Op: OpReactivate, EmployeeID: "E1", TargetID: "u1", Reason: "active again in the HRIS",
				Employee: emp("E1", "alice@x.test", func(e *Employee) { e.Department = "R&D" }),
				Fields:   []Field{FieldDepartment}}},
		},
		{
			name:      "missing from the HRIS deactivates a linked user",
			source:    []Employee{alice},
			directory: []User{user("u1", true, alice), user("u2", true, bob)},
			want: []Change{
				{Op: OpUnchanged, EmployeeID: "E1", TargetID: "u1", Employee: alice},
				{Op: OpDeactivate, EmployeeID: "E2", TargetID: "u2", Reason: "missing from the HRIS; former employee as of 2026-03-10",
					Employee: emp("E2", "bob@x.test", func(e *Employee) { e.Status = StatusInactive; e.ExitDate = today }),
					Fields:   []Field{FieldExitDate}},
			},
		},
		{
			name:      "unlinked directory users are left alone",
			source:    []Employee{alice},
			directory: []User{user("u1", true, alice), user("u9", true, unlinked(emp("X", "admin@x.test")))},
			want:      []Change{{Op: OpUnchanged, EmployeeID: "E1", TargetID: "u1", Employee: alice}},
		},
		{
			name:      "first sync links by email case-insensitively",
			source:    []Employee{alice},
			directory: []User{user("u7", true, unlinked(emp("E1", "Alice@X.test")))},
			want: []Change{{Op: OpUpdate, EmployeeID: "E1", TargetID: "u7", Employee: alice, Link: true,
				Reason: "linked by work email", Fields: []Field{FieldWorkEmail}}},
		},
		{
			name:   "ambiguous email match is a problem, not a guess",
			source: []Employee{alice},
			directory: []User{
				user("u7", true, unlinked(emp("A", "alice@x.test"))),
				user("u8", true, unlinked(emp("B", "ALICE@x.test"))),
			},
			problems: []string{CodeAmbiguousMatch},
		},
		{
			name:     "duplicate HRIS id is a problem and only the first is planned",
			source:   []Employee{alice, emp("E1", "other@x.test")},
			want:     []Change{{Op: OpCreate, EmployeeID: "E1", Employee: alice, Reason: "new in the HRIS", Fields: createFields}},
			problems: []string{CodeDuplicateID},
		},
		{
			name:     "missing id is a problem",
			source:   []Employee{emp("", "nobody@x.test")},
			problems: []string{CodeMissingID},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Diff(DiffInput{Source: tt.source, Directory: tt.directory, Today: today})
			require.Equal(t, tt.want, got.Changes)
			var codes []string
			for _, p := range got.Problems {
				codes = append(codes, p.Code)
				require.NotContains(t, p.Message, "alice", "problems must not carry emails")
			}
			require.Equal(t, tt.problems, codes)
		})
	}
}

func TestDiffCounts(t *testing.T) {
	res := Diff(DiffInput{
		Source:    []Employee{emp("E1", "a@x.test"), emp("E2", "b@x.test")},
		Directory: []User{user("u1", true, emp("E1", "a@x.test")), user("u3", true, emp("E3", "c@x.test"))},
		Today:     today,
	})
	require.Equal(t, map[Op]int{OpUnchanged: 1, OpCreate: 1, OpDeactivate: 1}, res.Counts())
}

func TestDiffRules(t *testing.T) {
	alice := emp("E1", "alice@x.test")
	bob := emp("E2", "bob@x.test")
	t.Run("unselected fields are neither compared nor written", func(t *testing.T) {
		rules := Rules{Fields: FieldSelection{Exclude: []Field{FieldDepartment}}}
		moved := emp("E1", "alice@x.test", func(e *Employee) { e.Department = "" })
		got := Diff(DiffInput{Source: []Employee{moved, emp("E3", "c@x.test", func(e *Employee) { e.Department = "" })},
			Directory: []User{user("u1", true, alice)}, Today: today, Rules: rules})
		require.Equal(t, OpUnchanged, got.Changes[0].Op, "the directory's department is left alone")
		require.NotContains(t, got.Changes[1].Fields, FieldDepartment)
	})
	t.Run("vanished employee deactivated without exit date", func(t *testing.T) {
		got := Diff(DiffInput{Directory: []User{user("u2", true, bob)}, Today: today,
			Rules: Rules{Vanished: VanishedDeactivate}})
		require.Len(t, got.Changes, 1)
		require.Equal(t, OpDeactivate, got.Changes[0].Op)
		require.Empty(t, got.Changes[0].Fields)
		require.True(t, got.Changes[0].Employee.ExitDate.IsZero())
		require.Equal(t, "missing from the HRIS", got.Changes[0].Reason)
	})
	t.Run("vanished employee keeps an exit date they already had", func(t *testing.T) {
		left := emp("E2", "bob@x.test", func(e *Employee) { e.ExitDate = Date{2026, time.February, 1} })
		got := Diff(DiffInput{Directory: []User{user("u2", true, left)}, Today: today})
		require.Equal(t, Date{2026, time.February, 1}, got.Changes[0].Employee.ExitDate)
		require.Empty(t, got.Changes[0].Fields)
	})
	t.Run("held and excluded employees are skipped, not treated as gone", func(t *testing.T) {
		got := Diff(DiffInput{Source: []Employee{alice, bob}, Directory: []User{user("u1", true, alice), user("u2", true, bob)},
			Today: today, Held: map[string]string{"E1": "invalid_email"}, Excluded: map[string]string{"E2": "filters[0]"}})
		require.Equal(t, []Op{OpSkip, OpSkip}, []Op{got.Changes[0].Op, got.Changes[1].Op})
		require.Equal(t, "held back: invalid_email", got.Changes[0].Reason)
		require.Equal(t, "excluded: filters[0]", got.Changes[1].Reason)
		require.Equal(t, "u1", got.Changes[0].TargetID)
	})
	t.Run("the earliest future exit date is reported", func(t *testing.T) {
		soon := emp("E1", "alice@x.test", func(e *Employee) { e.ExitDate = Date{2026, time.March, 20} })
		later := emp("E2", "bob@x.test", func(e *Employee) { e.ExitDate = Date{2026, time.April, 1} })
		past := emp("E3", "c@x.test", func(e *Employee) { e.ExitDate = Date{2026, time.March, 1} })
		got := Diff(DiffInput{Source: []Employee{later, soon, past}, Today: today})
		require.Equal(t, Date{2026, time.March, 20}, got.NextExitDate)
	})
}
