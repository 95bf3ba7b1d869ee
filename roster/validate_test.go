package roster

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

// staff returns a valid active employee reporting to manager.
func staff(id, manager string, mods ...func(*Employee)) Employee {
	e := Employee{ID: id, FirstName: "F" + id, WorkEmail: id + "@x.test", Status: StatusActive, ManagerID: manager}
	for _, m := range mods {
		m(&e)
	}
	return e
}

func withEmail(s string) func(*Employee) { return func(e *Employee) { e.WorkEmail = s } }

func TestValidate(t *testing.T) {
	tests := []struct {
		name      string
		rules     Rules
		employees []Employee
		want      []Problem
	}{
		{"a valid roster", Rules{}, []Employee{staff("E1", ""), staff("E2", "E1"), staff("E3", "E1")}, nil},
		{"missing mandatory fields, one problem each", Rules{RequireEmployeeNumber: true}, []Employee{
			{ID: "E1", Status: StatusActive, LastName: "L"},
		}, []Problem{
			{EmployeeID: "E1", Field: FieldFirstName, Code: CodeMissingField, Message: "firstName is required"},
			{EmployeeID: "E1", Field: FieldWorkEmail, Code: CodeMissingField, Message: "workEmail is required"},
			{EmployeeID: "E1", Field: FieldEmployeeNumber, Code: CodeMissingField, Message: "employeeNumber is required"},
		}},
		{"missing status is reported", Rules{}, []Employee{staff("E1", "", func(e *Employee) { e.Status = "" })}, []Problem{
			{EmployeeID: "E1", Field: FieldStatus, Code: CodeMissingField, Message: "status is required"},
		}},
		{"a leaver's cleared fields are not missing", Rules{}, []Employee{
			{ID: "E1", Status: StatusInactive},
		}, nil},
		{"a leaver's malformed email is still reported", Rules{}, []Employee{
			{ID: "E2", Status: StatusInactive, WorkEmail: "not an email"},
		}, []Problem{
			{EmployeeID: "E2", Field: FieldWorkEmail, Code: CodeInvalidEmail, Message: "workEmail is not a valid email address"},
		}},
		{"a leaver's exit before start is still reported", Rules{}, []Employee{
			staff("E1", "", func(e *Employee) {
				e.Status, e.DateOfJoining, e.ExitDate = StatusInactive, Date{2024, 5, 1}, Date{2024, 4, 1}
			}),
		}, []Problem{
			{EmployeeID: "E1", Field: FieldExitDate, Code: CodeExitBeforeStart,
				Message: "exit date 2024-04-01 is before the date of joining 2024-05-01"},
		}},
		{"a leaver's reporting line is never a hierarchy problem", Rules{}, []Employee{
			staff("E1", "E404", func(e *Employee) { e.Status = StatusInactive }),
			staff("E2", "E3", func(e *Employee) { e.Status = StatusInactive }),
			staff("E3", "E2", func(e *Employee) { e.Status = StatusInactive }),
		}, nil},
		{"malformed emails", Rules{}, []Employee{
			staff("E1", "", withEmail("alice")),
			staff("E2", "", withEmail("Alice <alice@x.test>")),
			staff("E3", "", withEmail("alice@localhost")),
			staff("E4", "", withEmail("alice@x.test"), func(e *Employee) { e.PersonalEmail = "a@@b.c" }),
			staff("E5", "", withEmail("<bob@x.test>")),
			staff("E6", "", withEmail("bob@x.test ")),
		}, []Problem{
			{EmployeeID: "E1", Field: FieldWorkEmail, Code: CodeInvalidEmail, Message: "workEmail is not a valid email address"},
			{EmployeeID: "E2", Field: FieldWorkEmail, Code: CodeInvalidEmail, Message: "workEmail is not a valid email address"},
			{EmployeeID: "E3", Field: FieldWorkEmail, Code: CodeInvalidEmail, Message: "workEmail is not a valid email address"},
			{EmployeeID: "E4", Field: FieldPersonalEmail, Code: CodeInvalidEmail, Message: "personalEmail is not a valid email address"},
			{EmployeeID: "E5", Field: FieldWorkEmail, Code: CodeInvalidEmail, Message: "workEmail is not a valid email address"},
			{EmployeeID: "E6", Field: FieldWorkEmail, Code: CodeInvalidEmail, Message: "workEmail is not a valid email address"},
		}},
		{"duplicate emails ignore case; everyone sharing is flagged", Rules{}, []Employee{
			staff("E9", "", withEmail("Alice@X.com")),
			staff("E2", ""),
			staff("E7", "", withEmail("alice@x.com")),
			staff("E5", "", withEmail("ALICE@x.com")),
		}, []Problem{
			{EmployeeID: "E9", Field: FieldWorkEmail, Code: CodeDuplicateEmail, Message: "workEmail is also used by E5, E7"},
			{EmployeeID: "E7", Field: FieldWorkEmail, Code: CodeDuplicateEmail, Message: "workEmail is also used by E5, E9"},
			{EmployeeID: "E5", Field: FieldWorkEmail, Code: CodeDuplicateEmail, Message: "workEmail is also used by E7, E9"},
		}},
		{"a leaver keeps no claim on an email", Rules{}, []Employee{
			staff("E1", "", withEmail("alice@x.com")),
			staff("E2", "", withEmail("alice@x.com"), func(e *Employee) { e.Status = StatusInactive }),
		}, nil},
		{"duplicate employee numbers", Rules{}, []Employee{
			staff("E1", "", func(e *Employee) { e.EmployeeNumber = "007" }),
			staff("E2", "", func(e *Employee) { e.EmployeeNumber = "008" }),
			staff("E3", "", func(e *Employee) { e.EmployeeNumber = "007" }),
		}, []Problem{
			{EmployeeID: "E1", Field: FieldEmployeeNumber, Code: CodeDuplicateEmployeeNumber, Message: "employeeNumber is also used by E3"},
			{EmployeeID: "E3", Field: FieldEmployeeNumber, Code: CodeDuplicateEmployeeNumber, Message: "employeeNumber is also used by E1"},
		}},
		{"exit before start", Rules{}, []Employee{
			staff("E1", "", func(e *Employee) { e.DateOfJoining, e.ExitDate = Date{2024, 3, 1}, Date{2024, 2, 29} }),
			staff("E2", "", func(e *Employee) { e.DateOfJoining, e.ExitDate = Date{2024, 3, 1}, Date{2024, 3, 1} }),
			staff("E3", "", func(e *Employee) { e.ExitDate = Date{2024, 3, 1} }),
		}, []Problem{
			{EmployeeID: "E1", Field: FieldExitDate, Code: CodeExitBeforeStart,
				Message: "exit date 2024-02-29 is before the date of joining 2024-03-01"},
		}},
		{"manager not in the list", Rules{}, []Employee{staff("E1", ""), staff("E2", "E99")}, []Problem{
			{EmployeeID: "E2", Field: FieldManagerID, Code: CodeManagerNotFound, Message: "manager E99 is not in the roster"},
		}},
		{"a loop of three managers, spelled from the smallest id", Rules{}, []Employee{
			staff("E0007", "E0011"), staff("E0011", "E0003"), staff("E0003", "E0007"), staff("E0001", ""),
		}, []Problem{
			{EmployeeID: "E0007", Field: FieldManagerID, Code: CodeReportingLoop, Message: "reporting loop E0003 → E0007 → E0011 → E0003"},
			{EmployeeID: "E0011", Field: FieldManagerID, Code: CodeReportingLoop, Message: "reporting loop E0003 → E0007 → E0011 → E0003"},
			{EmployeeID: "E0003", Field: FieldManagerID, Code: CodeReportingLoop, Message: "reporting loop E0003 → E0007 → E0011 → E0003"},
		}},
		{"a self-loop", Rules{}, []Employee{staff("E1", ""), staff("E2", "E2")}, []Problem{
			{EmployeeID: "E2", Field: FieldManagerID, Code: CodeReportingLoop, Message: "reporting loop E2 → E2"},
		}},
		{"a chain into a loop: only the loop is flagged", Rules{}, []Employee{
			staff("A", "B"), staff("B", "C"), staff("C", "D"), staff("D", "C"), staff("X", "A"),
		}, []Problem{
			{EmployeeID: "C", Field: FieldManagerID, Code: CodeReportingLoop, Message: "reporting loop C → D → C"},
			{EmployeeID: "D", Field: FieldManagerID, Code: CodeReportingLoop, Message: "reporting loop C → D → C"},
		}},
		{"two separate loops", Rules{}, []Employee{
			staff("B", "A"), staff("A", "B"), staff("Z", "Z"),
		}, []Problem{
			{EmployeeID: "B", Field: FieldManagerID, Code: CodeReportingLoop, Message: "reporting loop A → B → A"},
			{EmployeeID: "A", Field: FieldManagerID, Code: CodeReportingLoop, Message: "reporting loop A → B → A"},
			{EmployeeID: "Z", Field: FieldManagerID, Code: CodeReportingLoop, Message: "reporting loop Z → Z"},
		}},
		{"a missing id is reported with the record's place", Rules{}, []Employee{
			staff("E1", ""),
			{Status: StatusActive},
		}, []Problem{
			{Field: FieldID, Code: CodeMissingID, Message: "record 2 of the roster has no HRIS id"},
		}},
		{"an unreadable id was reported by Normalize", Rules{}, []Employee{
			{Unreadable: []Field{FieldID, FieldFirstName, FieldWorkEmail, FieldStatus}},
		}, nil},
		{"a repeated id is reported once, on the id; only its first record is checked", Rules{}, []Employee{
			staff("E1", ""),
			staff("E2", "E1", withEmail("bad")),
			{ID: "E1", Status: StatusActive, ManagerID: "E1"},
			staff("E3", ""),
			staff("E1", "", withEmail("E3@x.test")),
		}, []Problem{
			{EmployeeID: "E1", Field: FieldID, Code: CodeDuplicateID, Message: "HRIS id E1 is shared by 3 records"},
			{EmployeeID: "E2", Field: FieldWorkEmail, Code: CodeInvalidEmail, Message: "workEmail is not a valid email address"},
		}},
		{"a repeated id of leavers is reported too", Rules{}, []Employee{
			{ID: "E1", Status: StatusInactive},
			{ID: "E1", Status: StatusInactive},
		}, []Problem{
			{EmployeeID: "E1", Field: FieldID, Code: CodeDuplicateID, Message: "HRIS id E1 is shared by 2 records"},
		}},
		{"a field Normalize could not read is not also missing", Rules{}, []Employee{
			{ID: "E1", FirstName: "A", Unreadable: []Field{FieldWorkEmail, FieldStatus}},
		}, nil},
		{"a malformed email is not also a duplicate", Rules{}, []Employee{
			staff("E1", "", withEmail("n/a")),
			staff("E2", "", withEmail("N/A")),
		}, []Problem{
			{EmployeeID: "E1", Field: FieldWorkEmail, Code: CodeInvalidEmail, Message: "workEmail is not a valid email address"},
			{EmployeeID: "E2", Field: FieldWorkEmail, Code: CodeInvalidEmail, Message: "workEmail is not a valid email address"},
		}},
		{"ordered by employee, then code", Rules{}, []Employee{
			staff("E2", "E404", withEmail("same@x.test"), func(e *Employee) { e.FirstName = "" }),
			staff("E1", "", withEmail("same@x.test")),
		}, []Problem{
			{EmployeeID: "E2", Field: FieldWorkEmail, Code: CodeDuplicateEmail, Message: "workEmail is also used by E1"},
			{EmployeeID: "E2", Field: FieldManagerID, Code: CodeManagerNotFound, Message: "manager E404 is not in the roster"},
			{EmployeeID: "E2", Field: FieldFirstName, Code: CodeMissingField, Message: "firstName is required"},
			{EmployeeID: "E1", Field: FieldWorkEmail, Code: CodeDuplicateEmail, Message: "workEmail is also used by E2"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.rules.Validate(tt.employees, Date{}))
		})
	}
}

func TestValidateNormalizedLeapDays(t *testing.T) {
	rules := Rules{DateFormats: DateFormats{DateOfJoining: "DD/MM/YYYY", ExitDate: "DD/MM/YYYY"}}
	tests := []struct {
		name      string
		joining   string
		exit      string
		wantCodes []string
	}{
		{"leap day joining, later exit", "29/02/2024", "01/03/2024", nil},
		{"exit on the leap day before joining", "01/03/2024", "29/02/2024", []string{CodeExitBeforeStart}},
		{"impossible leap day is a normalisation problem", "29/02/2023", "", []string{CodeInvalidDate}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, problems := rules.Normalize(Record{ID: "E1", Values: map[string]string{
				"firstName": "A", "workEmail": "a@x.test", "status": "active",
				"dateOfJoining": tt.joining, "exitDate": tt.exit,
			}})
			problems = append(problems, rules.Validate([]Employee{e}, Date{})...)
			var codes []string
			for _, p := range problems {
				codes = append(codes, p.Code)
			}
			require.Equal(t, tt.wantCodes, codes)
		})
	}
}

func TestIsHierarchy(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{CodeManagerNotFound, true},
		{CodeReportingLoop, true},
		{CodeMissingField, false},
		{CodeDuplicateEmail, false},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			require.Equal(t, tt.want, IsHierarchy(tt.code))
		})
	}
}

func TestHold(t *testing.T) {
	missing := Problem{EmployeeID: "E1", Field: FieldFirstName, Code: CodeMissingField, Message: "firstName is required"}
	dup := Problem{EmployeeID: "E1", Field: FieldWorkEmail, Code: CodeDuplicateEmail, Message: "workEmail is also used by E2"}
	lost := Problem{EmployeeID: "E3", Field: FieldManagerID, Code: CodeManagerNotFound, Message: "manager E9 is not in the roster"}
	shared := Problem{EmployeeID: "E4", Field: FieldID, Code: CodeDuplicateID, Message: "HRIS id E4 is shared by 2 records"}
	tests := []struct {
		name      string
		rules     Rules
		problems  []Problem
		wantHeld  map[string][]Problem
		wantBlock bool
	}{
		{"nothing to hold", Rules{}, nil, map[string][]Problem{}, false},
		{"data problems hold the employee only", Rules{}, []Problem{missing, dup},
			map[string][]Problem{"E1": {missing, dup}}, false},
		{"hierarchy problem blocks by default", Rules{}, []Problem{missing, lost},
			map[string][]Problem{"E1": {missing}, "E3": {lost}}, true},
		{"hierarchy problem blocks under block", Rules{Hierarchy: HierarchyBlock}, []Problem{lost},
			map[string][]Problem{"E3": {lost}}, true},
		{"hierarchy problem only holds under skip", Rules{Hierarchy: HierarchySkip}, []Problem{missing, lost},
			map[string][]Problem{"E1": {missing}, "E3": {lost}}, false},
		{"a shared id holds the id, so every record of it", Rules{}, []Problem{shared},
			map[string][]Problem{"E4": {shared}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			held, block := tt.rules.Hold(tt.problems)
			require.Equal(t, tt.wantHeld, held)
			require.Equal(t, tt.wantBlock, block)
		})
	}
}

// BenchmarkValidate100k validates 100,000 employees in a ten-way tree
// (employee i reports to (i-1)/10) with one reporting loop at the bottom.
func BenchmarkValidate100k(b *testing.B) {
	const n = 100_000
	employees := make([]Employee, n)
	for i := range employees {
		id := fmt.Sprintf("E%06d", i)
		employees[i] = Employee{ID: id, FirstName: "F", WorkEmail: id + "@x.test", Status: StatusActive}
		if i > 0 {
			employees[i].ManagerID = fmt.Sprintf("E%06d", (i-1)/10)
		}
	}
	employees[0].ManagerID = fmt.Sprintf("E%06d", n-1) // close a loop through the whole top-down chain
	var r Rules
	for b.Loop() {
		problems := r.Validate(employees, Date{})
		if len(problems) == 0 {
			b.Fatal("expected the loop to be found")
		}
	}
}

// BenchmarkValidator100k is BenchmarkValidate100k's roster, of generated
// employees, given to a Validator one at a time.
func BenchmarkValidator100k(b *testing.B) {
	const n = 100_000
	employees := make([]Employee, n)
	for i := range employees {
		employees[i] = generated(i)
	}
	employees[0].ManagerID = employees[n-1].ID // close a loop through the whole top-down chain
	b.ReportAllocs()
	for b.Loop() {
		v := Rules{}.NewValidator(Date{2026, 3, 10})
		for _, e := range employees {
			v.Add(e, false)
		}
		if len(v.Finish()) == 0 {
			b.Fatal("expected the loop to be found")
		}
	}
}

// generated is employee i of a generated roster, a ten-way tree (employee
// i reports to (i-1)/10) in which every string is an allocation of its
// own, as decoding JSON makes them.
func generated(i int) Employee {
	e := Employee{ID: fmt.Sprintf("E%07d", i), EmployeeNumber: fmt.Sprintf("%07d", i), FirstName: fmt.Sprint("F", i),
		LastName: fmt.Sprint("L", i), WorkEmail: fmt.Sprintf("e%07d@example.test", i), Status: StatusActive,
		Department: fmt.Sprint("D", i%50), JobTitle: fmt.Sprint("T", i%20), DateOfJoining: Date{2020, 1, 1 + i%28}}
	if i > 0 {
		e.ManagerID = fmt.Sprintf("E%07d", (i-1)/10)
	}
	return e
}

// TestValidatorMemory bounds what a Validator keeps per employee, from the
// heap it holds after 20,000 and after 200,000 generated employees: the
// difference is the cost of the 180,000 more, free of fixed costs.
//
// Measured with Go 1.26 on amd64: about 193 bytes per employee, both after
// the last Add and after Finish (run with -v to see it). That is the
// outline (24 bytes, more while the slice has room to grow), an entry in
// each of the three maps of ids, work emails and employee numbers (a
// string and an int32 in a slot of 24 bytes, at most 7/8 full and about
// 2/3 on average: some 38 bytes each), the id, email and number themselves
// (8, 24 and 8 bytes here), and a tenth of a manager's entry. The bound,
// 250, leaves room for the maps' load to vary and fails long before a
// retained Employee (some 350 bytes of struct alone) would.
func TestValidatorMemory(t *testing.T) {
	const small, large = 20_000, 200_000
	addedSmall, finishedSmall := validatorHeap(small)
	addedLarge, finishedLarge := validatorHeap(large)
	added := float64(addedLarge-addedSmall) / (large - small)
	finished := float64(finishedLarge-finishedSmall) / (large - small)
	t.Logf("heap per employee: %.0f bytes after the last Add, %.0f after Finish", added, finished)
	const bound = 250
	require.Less(t, added, float64(bound))
	require.Less(t, finished, float64(bound))
}

// validatorHeap adds n generated employees to a Validator, keeping none of
// them, and returns how much the heap in use grew, with the Validator
// still live, after the last Add and after Finish.
func validatorHeap(n int) (added, finished int64) {
	before := heapInUse()
	v := Rules{}.NewValidator(Date{2026, 3, 10})
	for i := range n {
		v.Add(generated(i), false)
	}
	added = int64(heapInUse() - before)
	if problems := v.Finish(); len(problems) != 0 {
		panic(fmt.Sprint("a generated roster has problems: ", problems[0]))
	}
	finished = int64(heapInUse() - before)
	runtime.KeepAlive(v)
	return added, finished
}

// heapInUse returns the bytes of live heap after a collection.
func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func TestValidateScope(t *testing.T) {
	tests := []struct {
		name      string
		employees []Employee
		excluded  map[string]string
		want      []Problem
	}{
		{"nothing excluded is plain validation",
			[]Employee{staff("E1", ""), staff("E2", "E9")}, nil,
			[]Problem{{EmployeeID: "E2", Field: FieldManagerID, Code: CodeManagerNotFound, Message: "manager E9 is not in the roster"}}},
		{"an excluded person's own problems are not reported",
			[]Employee{staff("E1", ""), staff("E2", "E1", withEmail("bad"))}, map[string]string{"E2": "filters[0]"}, nil},
		{"an excluded manager is in the roster but not in the directory",
			[]Employee{staff("E1", ""), staff("E2", "E1")}, map[string]string{"E1": "filters[0]"},
			[]Problem{{EmployeeID: "E2", Field: FieldManagerID, Code: CodeManagerNotFound, Message: "manager E1 is excluded by the filters"}}},
		{"a leaver reporting to an excluded manager is fine",
			[]Employee{staff("E1", ""), staff("E2", "E1", func(e *Employee) { e.Status = StatusInactive })},
			map[string]string{"E1": "filters[0]"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, Rules{}.ValidateScope(tt.employees, tt.excluded))
		})
	}
	t.Run("a leaver by exit date reporting to an excluded manager is fine", func(t *testing.T) {
		employees := []Employee{staff("E1", ""), staff("E2", "E1", func(e *Employee) { e.ExitDate = Date{2026, 3, 1} })}
		excluded := map[string]string{"E1": "filters[0]"}
		require.Empty(t, Rules{}.ValidateScopeOn(employees, excluded, Date{2026, 3, 10}))
		require.Len(t, Rules{}.ValidateScope(employees, excluded), 1, "without a date only the status makes a leaver")
	})
}

func TestValidator(t *testing.T) {
	today := Date{2026, 3, 10}
	gone := func(e *Employee) { e.ExitDate = Date{2026, 2, 27} }
	type added struct {
		e        Employee
		excluded bool
	}
	in := func(e Employee) added { return added{e: e} }
	out := func(e Employee) added { return added{e: e, excluded: true} }
	tests := []struct {
		name       string
		employees  []added
		want       []Problem
		wantCopies map[string]int
		wantIdless int
	}{
		{"a valid roster", []added{in(staff("E1", "")), in(staff("E2", "E1"))}, nil,
			map[string]int{"E1": 1, "E2": 1, "E3": 0}, 0},
		{"a repeated id: reported once with its count, only its first record checked", []added{
			in(staff("E1", "")), in(staff("E2", "E1")), in(staff("E1", "E404", withEmail("bad"))), in(staff("E1", "E1")),
		}, []Problem{
			{EmployeeID: "E1", Field: FieldID, Code: CodeDuplicateID, Message: "HRIS id E1 is shared by 3 records"},
		}, map[string]int{"E1": 3, "E2": 1}, 0},
		{"records without an id, by position, and not one Normalize reported", []added{
			in(staff("E1", "")), in(Employee{Status: StatusActive}), in(Employee{Unreadable: []Field{FieldID}}),
			in(Employee{Status: StatusActive}),
		}, []Problem{
			{Field: FieldID, Code: CodeMissingID, Message: "record 2 of the roster has no HRIS id"},
			{Field: FieldID, Code: CodeMissingID, Message: "record 4 of the roster has no HRIS id"},
		}, map[string]int{"E1": 1, "": 0}, 3},
		{"an excluded record without an id leaves out every one, as the filters' map keys them all by \"\"", []added{
			in(Employee{Status: StatusActive}), out(Employee{Status: StatusActive}),
		}, nil, nil, 2},
		{"one excluded copy leaves the id out, and every copy reporting to it is told", []added{
			in(staff("E1", "")), out(staff("E1", "")), in(staff("E2", "E1")), in(staff("E2", "E1", gone)), in(staff("E2", "E1")),
		}, []Problem{
			{EmployeeID: "E2", Field: FieldID, Code: CodeDuplicateID, Message: "HRIS id E2 is shared by 3 records"},
			{EmployeeID: "E2", Field: FieldManagerID, Code: CodeManagerNotFound, Message: "manager E1 is excluded by the filters"},
			{EmployeeID: "E2", Field: FieldManagerID, Code: CodeManagerNotFound, Message: "manager E1 is excluded by the filters"},
		}, map[string]int{"E1": 2, "E2": 3}, 0},
		{"shared emails and numbers among current employees; an excluded one still claims its own", []added{
			in(staff("E1", "", withEmail("Same@x.test"), func(e *Employee) { e.EmployeeNumber = "7" })),
			out(staff("E2", "", withEmail("same@X.test"))),
			in(staff("E3", "", withEmail("same@x.test"), gone, func(e *Employee) { e.EmployeeNumber = "7" })),
			in(staff("E4", "", func(e *Employee) { e.EmployeeNumber = " 7 " })),
		}, []Problem{
			{EmployeeID: "E1", Field: FieldWorkEmail, Code: CodeDuplicateEmail, Message: "workEmail is also used by E2"},
			{EmployeeID: "E1", Field: FieldEmployeeNumber, Code: CodeDuplicateEmployeeNumber, Message: "employeeNumber is also used by E4"},
			{EmployeeID: "E4", Field: FieldEmployeeNumber, Code: CodeDuplicateEmployeeNumber, Message: "employeeNumber is also used by E1"},
		}, map[string]int{"E2": 1}, 0},
		{"missing managers; a leaver's does not matter", []added{
			in(staff("E1", "E404")), in(staff("E2", "E404", gone)), in(staff("E3", "E405")),
		}, []Problem{
			{EmployeeID: "E1", Field: FieldManagerID, Code: CodeManagerNotFound, Message: "manager E404 is not in the roster"},
			{EmployeeID: "E3", Field: FieldManagerID, Code: CodeManagerNotFound, Message: "manager E405 is not in the roster"},
		}, map[string]int{"E404": 0}, 0},
		{"a loop through a leaver and an excluded manager", []added{
			in(staff("C", "A")), in(staff("B", "C", gone)), out(staff("A", "B")), in(staff("D", "C")),
		}, []Problem{
			{EmployeeID: "C", Field: FieldManagerID, Code: CodeReportingLoop, Message: "reporting loop A → B → C → A"},
			{EmployeeID: "C", Field: FieldManagerID, Code: CodeManagerNotFound, Message: "manager A is excluded by the filters"},
		}, map[string]int{"A": 1, "B": 1, "C": 1, "D": 1}, 0},
		{"a loop that only the first record of an id closes", []added{
			in(staff("A", "B")), in(staff("B", "A")), in(staff("A", "")),
		}, []Problem{
			{EmployeeID: "A", Field: FieldID, Code: CodeDuplicateID, Message: "HRIS id A is shared by 2 records"},
			{EmployeeID: "A", Field: FieldManagerID, Code: CodeReportingLoop, Message: "reporting loop A → B → A"},
			{EmployeeID: "B", Field: FieldManagerID, Code: CodeReportingLoop, Message: "reporting loop A → B → A"},
		}, map[string]int{"A": 2, "B": 1}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Rules{}.NewValidator(today)
			var employees []Employee
			excluded := map[string]string{}
			for _, a := range tt.employees {
				v.Add(a.e, a.excluded)
				employees = append(employees, a.e)
				if a.excluded {
					excluded[a.e.ID] = "filters[0]"
				}
			}
			require.Equal(t, tt.want, v.Finish())
			require.Equal(t, tt.want, Rules{}.ValidateScopeOn(employees, excluded, today))
			for id, n := range tt.wantCopies {
				require.Equal(t, n, v.Copies(id), "copies of %q", id)
			}
			require.Equal(t, tt.wantIdless, v.Idless())
		})
	}
}

func TestLeaver(t *testing.T) {
	today := Date{2026, 3, 10}
	tests := []struct {
		name  string
		e     Employee
		today Date
		want  bool
	}{
		{"active", Employee{Status: StatusActive}, today, false},
		{"inactive", Employee{Status: StatusInactive}, today, true},
		{"inactive with a future exit date", Employee{Status: StatusInactive, ExitDate: Date{2026, 4, 1}}, today, true},
		{"exit date today", Employee{Status: StatusActive, ExitDate: today}, today, true},
		{"exit date passed, no status", Employee{ExitDate: Date{2026, 1, 31}}, today, true},
		{"exit date tomorrow", Employee{Status: StatusActive, ExitDate: Date{2026, 3, 11}}, today, false},
		{"exit date passed, after joining", Employee{Status: StatusActive, DateOfJoining: Date{2020, 1, 1},
			ExitDate: Date{2026, 1, 31}}, today, true},
		{"exit date on the day of joining", Employee{Status: StatusActive, DateOfJoining: Date{2026, 1, 31},
			ExitDate: Date{2026, 1, 31}}, today, true},
		{"an exit date before a rehire is not leaving", Employee{Status: StatusActive, DateOfJoining: Date{2025, 6, 1},
			ExitDate: Date{2024, 12, 31}}, today, false},
		{"no date judges by status", Employee{Status: StatusActive, ExitDate: Date{2020, 1, 1}}, Date{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.e.Leaver(tt.today))
		})
	}
}

func TestValidateAsOfToday(t *testing.T) {
	today := Date{2026, 3, 10}
	gone := func(e *Employee) { e.ExitDate = Date{2026, 2, 27} }
	tests := []struct {
		name      string
		employees []Employee
		want      []Problem
	}{
		{"a leaver by exit date is held to no current employee's rules", []Employee{
			staff("E1", ""),
			staff("E2", "E404", gone, func(e *Employee) { e.FirstName = "" }),
			staff("E3", "E4", gone), staff("E4", "E3", gone),
			staff("E5", "", gone, withEmail("E1@x.test")),
		}, nil},
		{"a leaver's own malformed email is still reported", []Employee{
			staff("E2", "E404", gone, withEmail("n/a")),
		}, []Problem{
			{EmployeeID: "E2", Field: FieldWorkEmail, Code: CodeInvalidEmail, Message: "workEmail is not a valid email address"},
		}},
		{"an exit date still to come leaves them employed", []Employee{
			staff("E1", "E404", func(e *Employee) { e.ExitDate = Date{2026, 3, 11} }),
		}, []Problem{
			{EmployeeID: "E1", Field: FieldManagerID, Code: CodeManagerNotFound, Message: "manager E404 is not in the roster"},
		}},
		{"an exit date before joining makes no leaver: it is the problem", []Employee{
			staff("E1", "E404", func(e *Employee) { e.DateOfJoining, e.ExitDate = Date{2025, 6, 1}, Date{2024, 12, 31} }),
		}, []Problem{
			{EmployeeID: "E1", Field: FieldExitDate, Code: CodeExitBeforeStart,
				Message: "exit date 2024-12-31 is before the date of joining 2025-06-01"},
			{EmployeeID: "E1", Field: FieldManagerID, Code: CodeManagerNotFound, Message: "manager E404 is not in the roster"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, Rules{}.Validate(tt.employees, today))
		})
	}
}
