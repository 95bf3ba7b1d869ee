package roster

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// This file keeps the whole-slice validation as it was before the
// streaming Validator, as an oracle: whatever Validate and ValidateScopeOn
// become, they must return what these return.

// oracleValidate is Validate as it was: every check over the whole slice.
func oracleValidate(r Rules, employees []Employee, today Date) []Problem {
	v := oracleValidation{rules: r, today: today, employees: employees, byID: make(map[string]int, len(employees)),
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
			return ""
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
	var out []Problem
	for _, p := range v.problems {
		out = append(out, p.Problem)
	}
	return out
}

// oracleValidateScopeOn is ValidateScopeOn as it was: oracleValidate, less
// the excluded people's problems, plus the managers the filters leave out.
func oracleValidateScopeOn(r Rules, employees []Employee, excluded map[string]string, today Date) []Problem {
	var out []Problem
	for _, p := range oracleValidate(r, employees, today) {
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

type oracleValidation struct {
	rules     Rules
	today     Date
	employees []Employee
	byID      map[string]int
	order     []int
	mandatory []Field
	problems  []indexed
}

func (v *oracleValidation) report(i int, f Field, code, format string, args ...any) {
	v.problems = append(v.problems, indexed{at: i, Problem: Problem{EmployeeID: v.employees[i].ID, Field: f,
		Code: code, Message: fmt.Sprintf(format, args...)}})
}

func (v *oracleValidation) current(e Employee) bool { return !e.Leaver(v.today) }

func (v *oracleValidation) checkOne(i int) {
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

func (v *oracleValidation) duplicates(f Field, code string, key func(string) string) {
	holders := make(map[string][]int, len(v.order))
	var keys []string
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

func (v *oracleValidation) hierarchy() {
	const (
		unvisited = iota
		onPath
		done
	)
	state := make([]int8, len(v.employees))
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

func (v *oracleValidation) loop(members []int) {
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

// randomRoster makes a small roster that is mostly wrong: ids, managers,
// emails and numbers are drawn from small pools so that duplicates, missing
// managers and loops are common, and some employees have left as of today.
// excluded says which of them the filters leave out.
func randomRoster(rng *rand.Rand) (employees []Employee, excluded []bool) {
	n := rng.IntN(30)
	pick := func(values ...string) string { return values[rng.IntN(len(values))] }
	date := func() Date {
		if rng.IntN(2) == 0 {
			return Date{}
		}
		return Date{2025 + rng.IntN(2), time.Month(1 + rng.IntN(12)), 1 + rng.IntN(28)}
	}
	for range n {
		e := Employee{
			FirstName:      pick("F", "F", "F", "", " "),
			WorkEmail:      pick("", "a@x.test", "A@X.test", "b@x.test", "bad", "n/a", "N/A", "d@localhost", " b@x.test"),
			PersonalEmail:  pick("", "", "p@x.test", "a@@b.c"),
			EmployeeNumber: pick("", "", "1", " 1", "2", "2 ", "  "),
			Status:         Status(pick("active", "active", "active", "inactive", "")),
			DateOfJoining:  date(),
			ExitDate:       date(),
		}
		if rng.IntN(12) > 0 {
			e.ID = fmt.Sprintf("E%d", rng.IntN(n+1))
		}
		if e.WorkEmail == "" && rng.IntN(2) == 0 {
			e.WorkEmail = e.ID + "@x.test"
		}
		if rng.IntN(5) > 0 {
			e.ManagerID = fmt.Sprintf("E%d", rng.IntN(n+3))
		}
		for _, f := range []Field{FieldID, FieldFirstName, FieldWorkEmail, FieldStatus, FieldEmployeeNumber} {
			if rng.IntN(10) == 0 {
				e.Unreadable = append(e.Unreadable, f)
			}
		}
		employees = append(employees, e)
		excluded = append(excluded, rng.IntN(7) == 0)
	}
	return employees, excluded
}

// randomRules returns the default rules or ones that require an employee
// number, and no date or one by which some exit dates have passed.
func randomRules(rng *rand.Rand) (Rules, Date) {
	r := Rules{RequireEmployeeNumber: rng.IntN(2) == 0}
	if rng.IntN(3) == 0 {
		return r, Date{}
	}
	return r, Date{2026, 3, 10}
}

// excludedMap keys the reasons of the excluded employees by id, as the plan
// does.
func excludedMap(employees []Employee, excluded []bool) map[string]string {
	out := make(map[string]string)
	for i, e := range employees {
		if excluded[i] {
			out[e.ID] = "filters[0]"
		}
	}
	return out
}

func TestValidateMatchesOracle(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 3000 {
		employees, excluded := randomRoster(rng)
		rules, today := randomRules(rng)
		scope := excludedMap(employees, excluded)
		if rng.IntN(4) == 0 {
			scope["E999"] = "filters[1]" // an id the roster lacks but a manager may name
			if len(employees) > 0 {
				employees[0].ManagerID = "E999"
			}
		}
		same(t, oracleValidate(rules, employees, today), rules.Validate(employees, today),
			"round %d, Validate: %+v\ntoday %v", round, employees, today)
		same(t, oracleValidateScopeOn(rules, employees, scope, today), rules.ValidateScopeOn(employees, scope, today),
			"round %d, ValidateScopeOn: %+v\nexcluded %v, today %v", round, employees, scope, today)
	}
}

func TestValidatorMatchesOracle(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 3000 {
		employees, excluded := randomRoster(rng)
		rules, today := randomRules(rng)
		v := rules.NewValidator(today)
		copies, idless := map[string]int{}, 0
		for i, e := range employees {
			v.Add(e, excluded[i])
			if e.ID == "" {
				idless++
			} else {
				copies[e.ID]++
			}
			require.Equal(t, copies[e.ID], v.Copies(e.ID), "round %d: copies of %q after %d", round, e.ID, i+1)
		}
		want := oracleValidateScopeOn(rules, employees, excludedMap(employees, excluded), today)
		same(t, want, v.Finish(), "round %d, Validator: %+v\nexcluded %v, today %v", round, employees, excluded, today)
		same(t, want, v.Finish(), "round %d, Validator finished again", round)
		for k := range len(employees) + 3 {
			id := fmt.Sprintf("E%d", k)
			require.Equal(t, copies[id], v.Copies(id), "round %d: copies of %s after Finish", round, id)
		}
		require.Zero(t, v.Copies(""))
		require.Equal(t, idless, v.Idless())
	}
}

// same requires got to equal want, describing the case only when it does
// not, since describing every random roster would be most of the test's time.
func same(t *testing.T, want, got []Problem, format string, args ...any) {
	t.Helper()
	if !slices.Equal(want, got) || (want == nil) != (got == nil) {
		require.Equal(t, want, got, fmt.Sprintf(format, args...))
	}
}
