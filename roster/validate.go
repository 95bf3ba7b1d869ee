package roster

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
)

// Problem codes of normalisation and validation.
const (
	CodeInvalidDate   = "invalid_date"
	CodeInvalidStatus = "invalid_status"
	CodeUnreadable    = "unreadable"
	// CodeTooLong is a value longer than MaxValueBytes.
	CodeTooLong                 = "too_long"
	CodeMissingField            = "missing_field"
	CodeInvalidEmail            = "invalid_email"
	CodeDuplicateEmail          = "duplicate_email"
	CodeDuplicateEmployeeNumber = "duplicate_employee_number"
	CodeExitBeforeStart         = "exit_before_start"
	CodeManagerNotFound         = "manager_not_found"
	CodeReportingLoop           = "reporting_loop"
)

// IsHierarchy reports whether code is a manager error, which the
// hierarchy policy governs.
func IsHierarchy(code string) bool {
	return code == CodeManagerNotFound || code == CodeReportingLoop
}

// indexed is a problem with the input position of its employee, for
// ordering.
type indexed struct {
	at int
	Problem
}

// Validate checks a normalised roster as a whole, as of today, and returns
// its problems, ordered by employee (as given) and then code. Each cause is
// reported once: a field Normalize could not read is not reported again.
//
// A record without an id is reported (missing_id), and so is an id that
// several records share (duplicate_id, once, on the id, so that every copy
// is held back); only the first record of an id is checked further.
//
// Employees still employed must have the mandatory fields and a work email
// and employee number of their own, and their manager must be in the roster
// with no reporting loop. Everyone's emails must be well-formed and their
// exit date must not precede their joining. A leaver (see Employee.Leaver)
// is held to nothing else: their cleared fields, shared addresses and
// reporting line are not problems, so a leaver never holds back anyone else
// nor, through the hierarchy policy, the run.
func (r Rules) Validate(employees []Employee, today Date) []Problem {
	v := validation{rules: r, today: today, employees: employees, byID: make(map[string]int, len(employees)),
		mandatory: r.MandatoryFields()}
	copies := make(map[string]int)
	for i, e := range employees {
		if e.ID == "" {
			if !slices.Contains(e.Unreadable, FieldID) {
				v.report(i, FieldID, CodeMissingID, "record %d of the roster has no HRIS id", i+1)
			}
			continue
		}
		copies[e.ID]++
		if _, dup := v.byID[e.ID]; dup {
			continue
		}
		v.byID[e.ID] = i
		v.order = append(v.order, i)
	}
	for _, i := range v.order {
		if n := copies[employees[i].ID]; n > 1 {
			v.report(i, FieldID, CodeDuplicateID, "HRIS id %s is shared by %d records", employees[i].ID, n)
		}
		v.checkOne(i)
	}
	v.duplicates(FieldWorkEmail, CodeDuplicateEmail, func(s string) string {
		if !validEmail(s) {
			return "" // a malformed address is reported as such, not as shared
		}
		return NormalEmail(s)
	})
	v.duplicates(FieldEmployeeNumber, CodeDuplicateEmployeeNumber, strings.TrimSpace)
	v.hierarchy()

	slices.SortStableFunc(v.problems, func(a, b indexed) int {
		if a.at != b.at {
			return a.at - b.at
		}
		return strings.Compare(a.Code, b.Code)
	})
	var out []Problem // nil when there are none
	for _, p := range v.problems {
		out = append(out, p.Problem)
	}
	return out
}

// validation is the state of one Validate call.
type validation struct {
	rules     Rules
	today     Date
	employees []Employee
	byID      map[string]int // first index of each id
	order     []int          // indexes of the employees checked, in input order
	mandatory []Field
	problems  []indexed
}

func (v *validation) report(i int, f Field, code, format string, args ...any) {
	v.problems = append(v.problems, indexed{at: i, Problem: Problem{EmployeeID: v.employees[i].ID, Field: f,
		Code: code, Message: fmt.Sprintf(format, args...)}})
}

// current reports whether e is held to the rules for people still employed.
func (v *validation) current(e Employee) bool { return !e.Leaver(v.today) }

// checkOne applies the rules that need only employee i.
func (v *validation) checkOne(i int) {
	e := v.employees[i]
	if v.current(e) {
		for _, f := range v.mandatory {
			if strings.TrimSpace(e.Get(f)) == "" && !slices.Contains(e.Unreadable, f) {
				v.report(i, f, CodeMissingField, "%s is required", f)
			}
		}
	}
	for _, f := range []Field{FieldWorkEmail, FieldPersonalEmail} {
		if s := e.Get(f); s != "" && !validEmail(s) {
			v.report(i, f, CodeInvalidEmail, "%s is not a valid email address", f)
		}
	}
	if !e.ExitDate.IsZero() && !e.DateOfJoining.IsZero() && e.ExitDate.Before(e.DateOfJoining) {
		v.report(i, FieldExitDate, CodeExitBeforeStart, "exit date %s is before the date of joining %s",
			e.ExitDate, e.DateOfJoining)
	}
}

// validEmail accepts a bare address (no display name, no angle brackets)
// whose domain has a dot.
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at >= 0 && strings.Contains(s[at+1:], ".")
}

// duplicates reports every current employee whose field f, folded by key,
// is shared with another current employee.
func (v *validation) duplicates(f Field, code string, key func(string) string) {
	holders := make(map[string][]int, len(v.order))
	var keys []string // in first-seen order, so nothing depends on map order
	for _, i := range v.order {
		e := v.employees[i]
		if !v.current(e) {
			continue
		}
		k := key(e.Get(f))
		if k == "" {
			continue
		}
		if _, seen := holders[k]; !seen {
			keys = append(keys, k)
		}
		holders[k] = append(holders[k], i)
	}
	for _, k := range keys {
		idx := holders[k]
		if len(idx) < 2 {
			continue
		}
		for _, i := range idx {
			var others []string
			for _, j := range idx {
				if j != i {
					others = append(others, v.employees[j].ID)
				}
			}
			slices.Sort(others)
			v.report(i, f, code, "%s is also used by %s", f, strings.Join(others, ", "))
		}
	}
}

// hierarchy reports managers missing from the roster and reporting loops.
// Each employee has at most one manager, so the reporting lines form a
// functional graph: one walk per employee, never revisiting, finds every
// loop in linear time.
func (v *validation) hierarchy() {
	const (
		unvisited = iota
		onPath
		done
	)
	state := make([]int8, len(v.employees)) // by index; only first occurrences are used
	manager := func(i int) (int, bool) {
		m := v.employees[i].ManagerID
		if m == "" {
			return 0, false
		}
		j, ok := v.byID[m]
		return j, ok
	}
	for _, i := range v.order {
		if m := v.employees[i].ManagerID; m != "" && v.current(v.employees[i]) {
			if _, ok := v.byID[m]; !ok {
				v.report(i, FieldManagerID, CodeManagerNotFound, "manager %s is not in the roster", m)
			}
		}
	}
	var path []int
	for _, start := range v.order {
		path = path[:0]
		i, ok := start, true
		for ok && state[i] == unvisited {
			state[i] = onPath
			path = append(path, i)
			i, ok = manager(i)
		}
		if ok && state[i] == onPath {
			at := slices.Index(path, i)
			v.loop(path[at:])
		}
		for _, j := range path {
			state[j] = done
		}
	}
}

// loop reports every member of one reporting loop, spelled from the
// smallest id.
func (v *validation) loop(members []int) {
	ids := make([]string, len(members))
	for k, i := range members {
		ids[k] = v.employees[i].ID
	}
	first := slices.Index(ids, slices.Min(ids))
	spelled := append(slices.Clone(ids[first:]), ids[:first]...)
	spelled = append(spelled, spelled[0])
	msg := "reporting loop " + strings.Join(spelled, " → ")
	for _, i := range members {
		if v.current(v.employees[i]) {
			v.report(i, FieldManagerID, CodeReportingLoop, "%s", msg)
		}
	}
}

// Hold groups problems by employee: everyone with a problem is held back.
// blockRun is true when any problem is a hierarchy problem and the
// hierarchy policy is block (the default; any policy but skip blocks).
func (r Rules) Hold(problems []Problem) (held map[string][]Problem, blockRun bool) {
	held = make(map[string][]Problem)
	block := r.WithDefaults().Hierarchy != HierarchySkip
	for _, p := range problems {
		held[p.EmployeeID] = append(held[p.EmployeeID], p)
		if block && IsHierarchy(p.Code) {
			blockRun = true
		}
	}
	return held, blockRun
}

// ValidateScopeOn validates the whole roster as of today but reports only
// on the employees the filters keep: an excluded person's own problems do
// not matter, while an included employee still employed whose manager is
// excluded is a hierarchy problem, since that manager will not be in the
// directory.
func (r Rules) ValidateScopeOn(employees []Employee, excluded map[string]string, today Date) []Problem {
	var out []Problem
	for _, p := range r.Validate(employees, today) {
		if _, gone := excluded[p.EmployeeID]; !gone {
			out = append(out, p)
		}
	}
	for _, e := range employees {
		if _, gone := excluded[e.ID]; gone || e.Leaver(today) || e.ManagerID == "" {
			continue
		}
		if _, managerGone := excluded[e.ManagerID]; managerGone {
			out = append(out, Problem{EmployeeID: e.ID, Field: FieldManagerID, Code: CodeManagerNotFound,
				Message: fmt.Sprintf("manager %s is excluded by the filters", e.ManagerID)})
		}
	}
	return out
}

// ValidateScope is ValidateScopeOn without a date, so that only an
// inactive status makes a leaver.
//
// Deprecated: use ValidateScopeOn, under which an exit date that has
// passed makes a leaver too.
func (r Rules) ValidateScope(employees []Employee, excluded map[string]string) []Problem {
	return r.ValidateScopeOn(employees, excluded, Date{})
}
