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

// ownAll is the ownership of an integration that created every linked user
// of directory.
func ownAll(directory []User) map[string]string {
	owned := map[string]string{}
	for _, u := range directory {
		if u.Employee.ID != "" {
			owned[u.TargetID] = u.Employee.ID
		}
	}
	return owned
}

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
			want: []Change{{Op: OpDeactivate, EmployeeID: "E1", TargetID: "u1", Inactive: true, Reason: "inactive in the HRIS",
				Employee: emp("E1", "alice@x.test", func(e *Employee) { e.Status = StatusInactive })}},
		},
		{
			name:      "exit date today deactivates",
			source:    []Employee{emp("E1", "alice@x.test", func(e *Employee) { e.ExitDate = today })},
			directory: []User{user("u1", true, alice)},
			want: []Change{{Op: OpDeactivate, EmployeeID: "E1", TargetID: "u1", Inactive: true, Reason: "exit date 2026-03-10 has passed",
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
			want: []Change{{Op: OpUnchanged, EmployeeID: "E1", TargetID: "u1", Inactive: true, Reason: "inactive in the HRIS; already inactive",
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
				{Op: OpDeactivate, EmployeeID: "E2", TargetID: "u2", Inactive: true, Reason: "missing from the HRIS; former employee as of 2026-03-10",
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
			want: []Change{{Op: OpUpdate, EmployeeID: "E1", TargetID: "u7", Employee: alice, Link: true, Adopt: true,
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
			got := Diff(DiffInput{Source: tt.source, Directory: tt.directory, Owned: ownAll(tt.directory), Today: today})
			// The values before, kept for a review, are tested in review_test.go.
			for i := range got.Changes {
				got.Changes[i].Before = nil
			}
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
	directory := []User{user("u1", true, emp("E1", "a@x.test")), user("u3", true, emp("E3", "c@x.test"))}
	res := Diff(DiffInput{
		Source:    []Employee{emp("E1", "a@x.test"), emp("E2", "b@x.test")},
		Directory: directory, Owned: ownAll(directory),
		Today: today,
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
		got := Diff(DiffInput{Directory: []User{user("u2", true, bob)}, Owned: map[string]string{"u2": "E2"}, Today: today,
			Rules: Rules{Vanished: VanishedDeactivate}})
		require.Len(t, got.Changes, 1)
		require.Equal(t, OpDeactivate, got.Changes[0].Op)
		require.Empty(t, got.Changes[0].Fields)
		require.True(t, got.Changes[0].Employee.ExitDate.IsZero())
		require.Equal(t, "missing from the HRIS", got.Changes[0].Reason)
	})
	t.Run("vanished employee keeps an exit date they already had", func(t *testing.T) {
		left := emp("E2", "bob@x.test", func(e *Employee) { e.ExitDate = Date{2026, time.February, 1} })
		got := Diff(DiffInput{Directory: []User{user("u2", true, left)}, Owned: map[string]string{"u2": "E2"}, Today: today})
		require.Equal(t, Date{2026, time.February, 1}, got.Changes[0].Employee.ExitDate)
		require.Empty(t, got.Changes[0].Fields)
	})
	t.Run("held and excluded employees are skipped, not treated as gone", func(t *testing.T) {
		directory := []User{user("u1", true, alice), user("u2", true, bob)}
		got := Diff(DiffInput{Source: []Employee{alice, bob}, Directory: directory, Owned: ownAll(directory),
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

func TestDiffOwnership(t *testing.T) {
	alice := emp("E1", "alice@x.test")
	bob := emp("E2", "bob@x.test")
	other := emp("OTHER-1", "carol@x.test")
	tests := []struct {
		name       string
		source     []Employee
		directory  []User
		owned      map[string]string
		elsewhere  map[string]string
		want       []Change
		problems   []string
		notManaged int
	}{
		{
			name:       "a user someone else provisioned is never deactivated",
			source:     []Employee{alice},
			directory:  []User{user("u1", true, alice), user("u9", true, other)},
			owned:      map[string]string{"u1": "E1"},
			want:       []Change{{Op: OpUnchanged, EmployeeID: "E1", TargetID: "u1", Employee: alice}},
			notManaged: 1,
		},
		{
			name:      "a user whose externalId is the HRIS id is adopted without a write",
			source:    []Employee{alice},
			directory: []User{user("u1", true, alice)},
			want: []Change{{Op: OpUnchanged, EmployeeID: "E1", TargetID: "u1", Employee: alice, Adopt: true,
				Reason: "adopted: its externalId is the HRIS id"}},
		},
		{
			name:      "a user linked to another system is adopted by work email and relinked",
			source:    []Employee{emp("E3", "carol@x.test")},
			directory: []User{user("u9", true, other)},
			want: []Change{{Op: OpUpdate, EmployeeID: "E3", TargetID: "u9", Employee: emp("E3", "carol@x.test"),
				Link: true, Adopt: true, Reason: "linked by work email (its externalId was OTHER-1)",
				Fields: []Field{FieldFirstName, FieldLastName}}},
		},
		{
			name:       "another integration's users are neither written, adopted nor deactivated",
			source:     []Employee{alice, emp("E5", "bob@x.test")},
			directory:  []User{user("u1", true, alice), user("u2", true, bob)},
			owned:      map[string]string{"u1": "E1"},
			elsewhere:  map[string]string{"u2": "hr-two"},
			want:       []Change{{Op: OpUnchanged, EmployeeID: "E1", TargetID: "u1", Employee: alice}},
			problems:   []string{CodeOwnedElsewhere},
			notManaged: 1,
		},
		{
			name:       "an HRIS id another integration's user carries is a problem, not a duplicate",
			source:     []Employee{bob},
			directory:  []User{user("u2", true, bob)},
			elsewhere:  map[string]string{"u2": "hr-two"},
			problems:   []string{CodeOwnedElsewhere},
			notManaged: 1,
		},
		{
			name:       "an owned user missing from the HRIS leaves; an unowned one stays",
			directory:  []User{user("u1", true, alice), user("u2", true, bob)},
			owned:      map[string]string{"u1": "E1"},
			notManaged: 1,
			want: []Change{{Op: OpDeactivate, EmployeeID: "E1", TargetID: "u1", Inactive: true, Reason: "missing from the HRIS; former employee as of 2026-03-10",
				Employee: emp("E1", "alice@x.test", func(e *Employee) { e.Status = StatusInactive; e.ExitDate = today }),
				Fields:   []Field{FieldExitDate}}},
		},
		{
			name:      "an owned user whose externalId was erased is still known by its recorded id",
			directory: []User{user("u1", true, unlinked(alice))},
			source:    []Employee{alice},
			owned:     map[string]string{"u1": "E1"},
			want: []Change{{Op: OpUpdate, EmployeeID: "E1", TargetID: "u1", Employee: alice, Link: true,
				Reason: "externalId restored", Fields: nil}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Diff(DiffInput{Source: tt.source, Directory: tt.directory, Owned: tt.owned,
				OwnedElsewhere: tt.elsewhere, Today: today})
			require.Equal(t, tt.want, got.Changes)
			var codes []string
			for _, p := range got.Problems {
				codes = append(codes, p.Code)
			}
			require.Equal(t, tt.problems, codes)
			require.Equal(t, tt.notManaged, got.NotManaged)
		})
	}
}

func TestDiffRulesAsPromised(t *testing.T) {
	alice := emp("E1", "alice@x.test")
	directory := []User{user("u1", true, alice)}
	owned := ownAll(directory)
	t.Run("a held leaver is deactivated all the same, writing only the switch", func(t *testing.T) {
		left := emp("E1", "not-an-email", func(e *Employee) { e.Status = StatusInactive })
		got := Diff(DiffInput{Source: []Employee{left}, Directory: directory, Owned: owned, Today: today,
			Held: map[string]string{"E1": "invalid_email"}})
		require.Len(t, got.Changes, 1)
		require.Equal(t, OpDeactivate, got.Changes[0].Op)
		require.Empty(t, got.Changes[0].Fields)
		require.Equal(t, "inactive in the HRIS; deactivated although held back: invalid_email", got.Changes[0].Reason)
	})
	t.Run("a held leaver whose id is repeated waits: nobody can tell which copy is true", func(t *testing.T) {
		left := emp("E1", "alice@x.test", func(e *Employee) { e.Status = StatusInactive })
		got := Diff(DiffInput{Source: []Employee{left, alice}, Directory: directory, Owned: owned, Today: today,
			Held: map[string]string{"E1": CodeDuplicateID}})
		require.Len(t, got.Changes, 1)
		require.Equal(t, OpSkip, got.Changes[0].Op)
	})
	t.Run("a re-hire held for a stale exit date is not deactivated", func(t *testing.T) {
		back := emp("E1", "alice@x.test", func(e *Employee) {
			e.DateOfJoining, e.ExitDate = Date{2026, time.March, 1}, Date{2025, time.December, 31}
		})
		got := Diff(DiffInput{Source: []Employee{back}, Directory: directory, Owned: owned, Today: today,
			Held: map[string]string{"E1": "exit_before_start"}})
		require.Equal(t, OpSkip, got.Changes[0].Op)
	})
	t.Run("a record without an id that validation held is not reported twice", func(t *testing.T) {
		got := Diff(DiffInput{Source: []Employee{emp("", "x@x.test")}, Today: today,
			Held: map[string]string{"": CodeMissingID}})
		require.Empty(t, got.Problems)
		require.Empty(t, got.Changes)
	})
	t.Run("while a record has no readable id, nobody is deactivated as missing", func(t *testing.T) {
		bob := emp("E2", "bob@x.test")
		dir := []User{user("u1", true, alice), user("u2", true, bob)}
		got := Diff(DiffInput{Source: []Employee{alice, emp("", "x@x.test")}, Directory: dir, Owned: ownAll(dir),
			Today: today, Held: map[string]string{"": CodeMissingID}})
		require.Equal(t, []Op{OpUnchanged}, []Op{got.Changes[0].Op})
		require.Len(t, got.Changes, 1)
		require.Equal(t, []string{"1 users missing from the HRIS were not deactivated: " +
			"1 records have no readable HRIS id, and any of them may be one of these users"}, got.Warnings)
	})
	t.Run("a held leaver adopts and deactivates a user nobody owns that carries its id", func(t *testing.T) {
		left := emp("E1", "not-an-email", func(e *Employee) { e.Status = StatusInactive })
		got := Diff(DiffInput{Source: []Employee{left}, Directory: directory, Today: today,
			Held: map[string]string{"E1": "invalid_email"}})
		require.Equal(t, OpDeactivate, got.Changes[0].Op)
		require.True(t, got.Changes[0].Adopt)
		require.Equal(t, "u1", got.Changes[0].TargetID)
		require.Zero(t, got.NotManaged)
	})
	t.Run("a held employee who is not leaving is skipped", func(t *testing.T) {
		got := Diff(DiffInput{Source: []Employee{alice}, Directory: directory, Owned: owned, Today: today,
			Held: map[string]string{"E1": "invalid_email"}})
		require.Equal(t, OpSkip, got.Changes[0].Op)
	})
	t.Run("every copy of a held duplicate id is held, with no second problem", func(t *testing.T) {
		got := Diff(DiffInput{Source: []Employee{emp("E7", "a@x.test"), emp("E7", "b@x.test")}, Today: today,
			Held: map[string]string{"E7": CodeDuplicateID}})
		require.Equal(t, []Change{{Op: OpSkip, EmployeeID: "E7", Employee: emp("E7", "a@x.test"),
			Reason: "held back: duplicate_id"}}, got.Changes)
		require.Empty(t, got.Problems)
	})
	t.Run("a manager who is not in the directory makes no update", func(t *testing.T) {
		e := emp("E1", "alice@x.test", func(e *Employee) { e.ManagerID = "GONE" })
		got := Diff(DiffInput{Source: []Employee{e}, Directory: directory, Owned: owned, Today: today})
		require.Equal(t, OpUnchanged, got.Changes[0].Op)
		require.Empty(t, got.Changes[0].Fields)
		require.Equal(t, "manager GONE is not in the directory", got.Changes[0].Reason)
	})
	t.Run("a manager created by this run is planned", func(t *testing.T) {
		e := emp("E1", "alice@x.test", func(e *Employee) { e.ManagerID = "E9" })
		got := Diff(DiffInput{Source: []Employee{e, emp("E9", "boss@x.test")}, Directory: directory, Owned: owned, Today: today})
		require.Equal(t, OpUpdate, got.Changes[0].Op)
		require.Equal(t, []Field{FieldManagerID}, got.Changes[0].Fields)
	})
	t.Run("fields the directory does not store are neither compared nor written", func(t *testing.T) {
		born := emp("E1", "alice@x.test", func(e *Employee) { e.DateOfBirth = Date{1980, time.May, 2} })
		noDOB := func(f Field) bool { return f != FieldDateOfBirth }
		got := Diff(DiffInput{Source: []Employee{born, emp("E2", "bob@x.test", func(e *Employee) { e.DateOfBirth = born.DateOfBirth })},
			Directory: directory, Owned: owned, Today: today, Stores: noDOB})
		require.Equal(t, OpUnchanged, got.Changes[0].Op)
		require.Equal(t, OpCreate, got.Changes[1].Op)
		require.NotContains(t, got.Changes[1].Fields, FieldDateOfBirth)
	})
}
