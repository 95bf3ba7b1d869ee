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
	v := r.NewValidator(today)
	for _, e := range employees {
		v.Add(e, false)
	}
	return v.Finish()
}

// Validator checks a roster given one employee at a time, so that the
// roster need not be held in memory: of each employee it keeps only an
// outline for the checks that span the roster (shared ids, emails and
// numbers, and the reporting lines), and the problems found. It finds what
// ValidateScopeOn finds, by the same rules (see Validate). It is not safe
// for concurrent use.
type Validator struct {
	today     Date
	mandatory []Field
	// people outlines every employee added, by position in the roster.
	people []outline
	// ids holds the positions of each HRIS id; emails and numbers those
	// of each work-email key and employee number of current employees,
	// first records of their id only.
	ids, emails, numbers claims
	// managers numbers each distinct manager id as an index in managerIDs,
	// whose 0 stands for no manager: a manager has many reports, so an
	// outline keeps an index rather than the id.
	managers   map[string]int32
	managerIDs []string
	idless     int
	idlessOut  bool      // the filters exclude some employee without an id
	found      []indexed // the problems Add found
}

// outline is what a Validator keeps of one employee.
type outline struct {
	id      string
	manager int32 // index in Validator.managerIDs
	flags   uint8
}

// Flags of an outline.
const (
	// isCurrent is an employee still employed (not a leaver as of today).
	isCurrent uint8 = 1 << iota
	// isFirst is the first record of its id.
	isFirst
	// idExcluded, on the first record of an id, says the filters exclude
	// some record of that id, which leaves the id out of the directory.
	idExcluded
)

// claims records which positions in the roster hold each key: the first
// holder of every key, and all holders of the few keys held more than once.
type claims struct {
	first  map[string]int32
	shared map[string][]int32
}

func newClaims() claims {
	return claims{first: make(map[string]int32), shared: make(map[string][]int32)}
}

// add records that the employee at position at holds key, and returns the
// position of the key's first holder.
func (c *claims) add(key string, at int32) int32 {
	first, seen := c.first[key]
	switch {
	case !seen:
		c.first[key] = at
		return at
	case len(c.shared[key]) == 0:
		c.shared[key] = []int32{first, at}
	default:
		c.shared[key] = append(c.shared[key], at)
	}
	return first
}

// count returns how many employees hold key.
func (c *claims) count(key string) int {
	if holders, ok := c.shared[key]; ok {
		return len(holders)
	}
	if _, ok := c.first[key]; ok {
		return 1
	}
	return 0
}

// NewValidator starts validating a roster as of today under r.
func (r Rules) NewValidator(today Date) *Validator {
	return &Validator{today: today, mandatory: r.MandatoryFields(),
		ids: newClaims(), emails: newClaims(), numbers: newClaims(),
		managers: map[string]int32{"": 0}, managerIDs: []string{""}}
}

// Add checks e, the next employee of the roster, by the rules that need
// only e, and keeps what the whole-roster checks need of it. excluded says
// the filters leave e out (see ValidateScopeOn).
func (v *Validator) Add(e Employee, excluded bool) {
	at := int32(len(v.people))
	o := outline{id: e.ID, manager: v.managerIndex(e.ManagerID)}
	current := !e.Leaver(v.today)
	if current {
		o.flags |= isCurrent
	}
	if e.ID == "" {
		v.people = append(v.people, o)
		v.idless++
		v.idlessOut = v.idlessOut || excluded
		if !slices.Contains(e.Unreadable, FieldID) {
			v.keep(at, "", FieldID, CodeMissingID, "record %d of the roster has no HRIS id", int(at)+1)
		}
		return
	}
	first := v.ids.add(e.ID, at)
	if first == at {
		o.flags |= isFirst
	}
	v.people = append(v.people, o)
	if excluded {
		v.people[first].flags |= idExcluded
	}
	if first != at {
		return // only the first record of an id is checked
	}
	email := v.checkOne(at, e, current)
	if !current {
		return
	}
	if email != "" {
		v.emails.add(email, at)
	}
	if number := strings.TrimSpace(e.EmployeeNumber); number != "" {
		v.numbers.add(number, at)
	}
}

// managerIndex returns the index of manager id m in managerIDs, adding it
// if it is new.
func (v *Validator) managerIndex(m string) int32 {
	if i, ok := v.managers[m]; ok {
		return i
	}
	i := int32(len(v.managerIDs))
	v.managers[m] = i
	v.managerIDs = append(v.managerIDs, m)
	return i
}

// Copies is how many employees added so far carry HRIS id id (0 for an id
// not in the roster). Copies("") is 0: see Idless.
func (v *Validator) Copies(id string) int {
	if id == "" {
		return 0
	}
	return v.ids.count(id)
}

// Idless is how many employees added had no HRIS id (ID == "").
func (v *Validator) Idless() int { return v.idless }

// Finish runs the whole-roster checks and returns every problem: exactly
// what ValidateScopeOn would return for the same employees (in the same
// order) given the excluded ones in its map. It leaves the Validator as it
// was, so Copies and Idless still answer.
func (v *Validator) Finish() []Problem { return v.finish(v.excluded) }

// excluded reports whether the filters leave out some employee with HRIS
// id id.
func (v *Validator) excluded(id string) bool {
	if id == "" {
		return v.idlessOut
	}
	first, ok := v.ids.first[id]
	return ok && v.people[first].flags&idExcluded != 0
}

// finish is Finish with excluded saying which ids the filters leave out.
func (v *Validator) finish(excluded func(id string) bool) []Problem {
	problems := slices.Clone(v.found)
	for id, holders := range v.ids.shared {
		problems = v.report(problems, holders[0], FieldID, CodeDuplicateID,
			fmt.Sprintf("HRIS id %s is shared by %d records", id, len(holders)))
	}
	problems = v.duplicates(problems, v.emails, FieldWorkEmail, CodeDuplicateEmail)
	problems = v.duplicates(problems, v.numbers, FieldEmployeeNumber, CodeDuplicateEmployeeNumber)
	problems = v.hierarchy(problems)
	// An employee has at most one problem of each code but those of
	// checkOne, which Add kept in order, so whatever the order of the maps
	// this stable sort gives Validate's order.
	slices.SortStableFunc(problems, func(a, b indexed) int {
		if a.at != b.at {
			return a.at - b.at
		}
		return strings.Compare(a.Code, b.Code)
	})

	var out []Problem // nil when there are none
	for _, p := range problems {
		if !excluded(p.EmployeeID) {
			out = append(out, p.Problem)
		}
	}
	gone := make([]bool, len(v.managerIDs))
	for m, id := range v.managerIDs[1:] {
		gone[m+1] = excluded(id)
	}
	for _, o := range v.people {
		if o.flags&isCurrent == 0 || !gone[o.manager] || excluded(o.id) {
			continue
		}
		out = append(out, Problem{EmployeeID: o.id, Field: FieldManagerID, Code: CodeManagerNotFound,
			Message: fmt.Sprintf("manager %s is excluded by the filters", v.managerIDs[o.manager])})
	}
	return out
}

// keep keeps a problem Add found of the employee at position at, with id id.
func (v *Validator) keep(at int32, id string, f Field, code, format string, args ...any) {
	v.found = append(v.found, indexed{at: int(at), Problem: Problem{EmployeeID: id, Field: f, Code: code,
		Message: fmt.Sprintf(format, args...)}})
}

// report adds to problems one of the employee at position at.
func (v *Validator) report(problems []indexed, at int32, f Field, code, msg string) []indexed {
	return append(problems, indexed{at: int(at), Problem: Problem{EmployeeID: v.people[at].id, Field: f,
		Code: code, Message: msg}})
}

// checkOne applies the rules that need only e, at position at, and returns
// the key its work email is compared by: NormalEmail of a well-formed
// address, "" for any other.
func (v *Validator) checkOne(at int32, e Employee, current bool) (emailKey string) {
	if current {
		for _, f := range v.mandatory {
			if strings.TrimSpace(e.Get(f)) == "" && !slices.Contains(e.Unreadable, f) {
				v.keep(at, e.ID, f, CodeMissingField, "%s is required", f)
			}
		}
	}
	for _, f := range []Field{FieldWorkEmail, FieldPersonalEmail} {
		s := e.Get(f)
		switch {
		case s == "":
		case !validEmail(s):
			v.keep(at, e.ID, f, CodeInvalidEmail, "%s is not a valid email address", f)
		case f == FieldWorkEmail:
			emailKey = NormalEmail(s) // a malformed address is reported as such, not as shared
		}
	}
	if !e.ExitDate.IsZero() && !e.DateOfJoining.IsZero() && e.ExitDate.Before(e.DateOfJoining) {
		v.keep(at, e.ID, FieldExitDate, CodeExitBeforeStart, "exit date %s is before the date of joining %s",
			e.ExitDate, e.DateOfJoining)
	}
	return emailKey
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

// duplicates adds to problems every holder of a key that c records more
// than once, naming the other holders.
func (v *Validator) duplicates(problems []indexed, c claims, f Field, code string) []indexed {
	for _, holders := range c.shared {
		for _, i := range holders {
			others := make([]string, 0, len(holders)-1)
			for _, j := range holders {
				if j != i {
					others = append(others, v.people[j].id)
				}
			}
			slices.Sort(others)
			problems = v.report(problems, i, f, code, fmt.Sprintf("%s is also used by %s", f, strings.Join(others, ", ")))
		}
	}
	return problems
}

// hierarchy adds to problems the managers missing from the roster and the
// reporting loops, among the first records of each id. Each employee has
// at most one manager, so the reporting lines form a functional graph: one
// walk per employee, never revisiting, finds every loop in linear time.
func (v *Validator) hierarchy(problems []indexed) []indexed {
	// The position of each manager's first record, -1 when not in the roster.
	target := make([]int32, len(v.managerIDs))
	target[0] = -1
	for m, id := range v.managerIDs[1:] {
		if first, ok := v.ids.first[id]; ok {
			target[m+1] = first
		} else {
			target[m+1] = -1
		}
	}
	for i, o := range v.people {
		if o.flags&isFirst != 0 && o.flags&isCurrent != 0 && o.manager != 0 && target[o.manager] < 0 {
			problems = v.report(problems, int32(i), FieldManagerID, CodeManagerNotFound,
				fmt.Sprintf("manager %s is not in the roster", v.managerIDs[o.manager]))
		}
	}
	const (
		unvisited = iota
		onPath
		done
	)
	state := make([]int8, len(v.people)) // by position; only first records are used
	var path []int32
	for start, o := range v.people {
		if o.flags&isFirst == 0 {
			continue
		}
		path = path[:0]
		i := int32(start)
		for i >= 0 && state[i] == unvisited {
			state[i] = onPath
			path = append(path, i)
			i = target[v.people[i].manager]
		}
		if i >= 0 && state[i] == onPath {
			problems = v.loop(problems, path[slices.Index(path, i):])
		}
		for _, j := range path {
			state[j] = done
		}
	}
	return problems
}

// loop adds to problems every current member of one reporting loop,
// spelled from the smallest id.
func (v *Validator) loop(problems []indexed, members []int32) []indexed {
	ids := make([]string, len(members))
	for k, i := range members {
		ids[k] = v.people[i].id
	}
	first := slices.Index(ids, slices.Min(ids))
	spelled := append(slices.Clone(ids[first:]), ids[:first]...)
	spelled = append(spelled, spelled[0])
	msg := "reporting loop " + strings.Join(spelled, " → ")
	for _, i := range members {
		if v.people[i].flags&isCurrent != 0 {
			problems = v.report(problems, i, FieldManagerID, CodeReportingLoop, msg)
		}
	}
	return problems
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
	v := r.NewValidator(today)
	for _, e := range employees {
		_, gone := excluded[e.ID]
		v.Add(e, gone)
	}
	// The map, not the employees, says who is excluded: it may name a
	// manager the roster lacks.
	return v.finish(func(id string) bool {
		_, gone := excluded[id]
		return gone
	})
}

// ValidateScope is ValidateScopeOn without a date, so that only an
// inactive status makes a leaver.
//
// Deprecated: use ValidateScopeOn, under which an exit date that has
// passed makes a leaver too.
func (r Rules) ValidateScope(employees []Employee, excluded map[string]string) []Problem {
	return r.ValidateScopeOn(employees, excluded, Date{})
}
