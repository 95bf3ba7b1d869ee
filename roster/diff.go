package roster

import (
	"fmt"
	"slices"
	"strings"
)

// User is a person as the target directory holds them. TargetID is the
// directory's own identifier; Employee.ID is the externalId linking the user
// to the HRIS, empty for a user hrsync has never linked.
type User struct {
	TargetID string   `json:"targetId"`
	Active   bool     `json:"active"`
	Employee Employee `json:"employee"`
	// ManagerTargetID is the directory's own id of the user's manager, for
	// directories that reference managers that way (SCIM); whoever lists
	// the directory resolves it into Employee.ManagerID.
	ManagerTargetID string `json:"managerTargetId,omitempty"`
}

// Op is what one change does to the directory.
type Op string

// The operations a plan can hold.
const (
	OpCreate     Op = "create"
	OpUpdate     Op = "update"
	OpDeactivate Op = "deactivate"
	OpReactivate Op = "reactivate"
	OpUnchanged  Op = "unchanged"
	OpSkip       Op = "skip"
)

// Ops lists every Op in the order summaries show them.
var Ops = []Op{OpCreate, OpUpdate, OpDeactivate, OpReactivate, OpUnchanged, OpSkip}

// Change is one planned operation on one person.
type Change struct {
	Op Op `json:"op"`
	// EmployeeID is the HRIS id (the directory's externalId).
	EmployeeID string `json:"employeeId"`
	// TargetID is the directory user the change applies to; empty for a create.
	TargetID string `json:"targetId,omitempty"`
	// Employee is the desired state of the person after the change.
	Employee Employee `json:"employee"`
	// Fields lists the attributes an update or reactivation changes.
	Fields []Field `json:"fields,omitempty"`
	// Link is set when this change first links an existing directory user
	// (matched by email) to the HRIS id, writing its externalId.
	Link bool `json:"link,omitempty"`
	// Adopt is set when the integration takes ownership of a directory user
	// it did not create: one matched by externalId or by email.
	Adopt bool `json:"adopt,omitempty"`
	// Reason says in words why the change is planned.
	Reason string `json:"reason,omitempty"`
	// Before holds, for a review, the values the directory had of the
	// non-identity Fields an update, reactivation or deactivation changes.
	// Identity values are never kept here.
	Before map[Field]string `json:"before,omitempty"`
	// Inactive says the user is inactive in the directory once the change
	// is made: deactivated now or already. A leaver by exit date stays
	// active in the HRIS; this is what the directory holds.
	Inactive bool `json:"inactive,omitempty"`
}

// Problem is something wrong with one employee's data, reported with the
// HRIS id and the field concerned, never with the person's name or email.
type Problem struct {
	EmployeeID string `json:"employeeId"`
	Field      Field  `json:"field,omitempty"`
	Code       string `json:"code"`
	Message    string `json:"message"`
}

// Problem codes.
const (
	CodeMissingID      = "missing_id"
	CodeDuplicateID    = "duplicate_id"
	CodeAmbiguousMatch = "ambiguous_match"
	// CodeOwnedElsewhere is an employee whose match in the directory
	// another integration manages.
	CodeOwnedElsewhere = "owned_elsewhere"
)

// DiffInput is what Diff compares.
type DiffInput struct {
	// Source is the roster fetched from the HRIS, normalised.
	Source []Employee
	// Directory is every user the target holds.
	Directory []User
	// Owned maps the directory ids of the users this integration owns to
	// the HRIS ids it linked them to. Only owned users are ever updated or
	// deactivated without first being adopted, and only they can vanish.
	Owned map[string]string
	// OwnedElsewhere maps the directory ids of users other integrations own
	// to those integrations; they are never written.
	OwnedElsewhere map[string]string
	// Stores reports whether the directory keeps field f; a field it does
	// not is never compared, so it never makes an update. Nil keeps all.
	Stores func(Field) bool
	// Today is the organisation's current date, for exit dates.
	Today Date
	// Rules give the selected fields and the vanished policy.
	Rules Rules
	// Held maps the HRIS ids of employees held back (by validation) to why;
	// they are neither changed nor treated as gone, except that a leaver is
	// deactivated all the same.
	Held map[string]string
	// Excluded maps the HRIS ids that filters leave out to why; like held
	// employees, they are left as they are.
	Excluded map[string]string
}

// DiffResult is the plan Diff produces: one Change per person it concerns, in
// a deterministic order, and the Problems that kept people out of it.
type DiffResult struct {
	Changes  []Change  `json:"changes"`
	Problems []Problem `json:"problems,omitempty"`
	// NextExitDate is the earliest exit date after Today among the active
	// employees: the run that day will deactivate them.
	NextExitDate Date `json:"nextExitDate"`
	// NotManaged counts the directory users this integration neither owns
	// nor adopts in this run: they are left as they are.
	NotManaged int `json:"notManaged,omitempty"`
	// Warnings say what the plan left undone for the whole run.
	Warnings []string `json:"warnings,omitempty"`
}

// Counts tallies changes by Op.
func (r DiffResult) Counts() map[Op]int {
	counts := make(map[Op]int, len(Ops))
	for _, c := range r.Changes {
		counts[c.Op]++
	}
	return counts
}

// directoryIndex sorts the directory's users by who may manage them.
type directoryIndex struct {
	// managed are the users this integration owns, by HRIS id: pointers
	// into the directory, which a plan of many users holds only once.
	managed map[string]*User
	// free are the users nobody owns, by externalId and by work email.
	freeByExternal map[string][]User
	freeByEmail    map[string][]User
	// elsewhere are the other integrations that own users, by the users'
	// externalId and work email.
	elsewhereByExternal map[string]string
	elsewhereByEmail    map[string]string
	// present holds the HRIS id of every user in the directory, whoever
	// owns it: a manager a link can find.
	present map[string]bool
}

func indexDirectory(in DiffInput) directoryIndex {
	ix := directoryIndex{
		managed:        make(map[string]*User, len(in.Owned)),
		freeByExternal: map[string][]User{}, freeByEmail: map[string][]User{},
		elsewhereByExternal: map[string]string{}, elsewhereByEmail: map[string]string{},
		present: make(map[string]bool, len(in.Directory)),
	}
	for i := range in.Directory {
		u := &in.Directory[i]
		if u.Employee.ID != "" {
			ix.present[u.Employee.ID] = true
		}
		if id, ok := in.Owned[u.TargetID]; ok {
			if u.Employee.ID != "" {
				id = u.Employee.ID
			}
			ix.managed[id] = u
			continue
		}
		email := NormalEmail(u.Employee.WorkEmail)
		if other, ok := in.OwnedElsewhere[u.TargetID]; ok {
			if u.Employee.ID != "" {
				ix.elsewhereByExternal[u.Employee.ID] = other
			}
			if email != "" {
				ix.elsewhereByEmail[email] = other
			}
			continue
		}
		if u.Employee.ID != "" {
			ix.freeByExternal[u.Employee.ID] = append(ix.freeByExternal[u.Employee.ID], *u)
		}
		if email != "" {
			ix.freeByEmail[email] = append(ix.freeByEmail[email], *u)
		}
	}
	return ix
}

// Diff plans how to bring the directory in step with the source.
//
// An integration manages only the users it owns. A source employee is
// matched to the owned user linked to its HRIS id; failing that, it adopts a
// user nobody owns whose externalId is its HRIS id, else one whose work
// email is its own, compared case-insensitively; an ambiguous match is a
// problem rather than a guess, and so is a match with a user another
// integration owns. Inactive employees, and those whose exit date is on or
// before Today, are deactivated — held back or not; an owned user missing
// from the source is deactivated too, as a former employee whose exit date
// is Today unless the rules say otherwise — except in a run where some
// record has no readable id, which might be that user. Held and excluded
// employees are otherwise skipped, every copy of a repeated HRIS id with
// them. Users nobody owns and nobody adopts are counted as not managed and
// left alone. Only selected fields the directory stores are compared or
// written.
func Diff(in DiffInput) DiffResult {
	res := DiffResult{Changes: make([]Change, 0, len(in.Source))}
	ix := indexDirectory(in)
	inSource := make(map[string]bool, len(in.Source))
	copies, idless := map[string]int{}, 0
	for _, e := range in.Source {
		inSource[e.ID] = true
		copies[e.ID]++
		if e.ID == "" {
			idless++
		}
	}
	compare := view{rules: in.Rules, stores: in.Stores}

	seen := make(map[string]bool, len(in.Source))
	adopted := map[string]bool{}
	for _, e := range in.Source {
		if e.ID == "" {
			if _, held := in.Held[""]; !held {
				res.Problems = append(res.Problems, Problem{Field: FieldID, Code: CodeMissingID,
					Message: "employee has no HRIS id"})
			}
			continue
		}
		if seen[e.ID] {
			if _, held := in.Held[e.ID]; !held {
				res.Problems = append(res.Problems, Problem{EmployeeID: e.ID, Field: FieldID, Code: CodeDuplicateID,
					Message: fmt.Sprintf("HRIS id %s appears more than once", e.ID)})
			}
			continue
		}
		seen[e.ID] = true

		var u User
		owned, linked := ix.managed[e.ID]
		if linked {
			u = *owned
		}
		if why, ok := in.Held[e.ID]; ok {
			c := Change{Op: OpSkip, EmployeeID: e.ID, TargetID: u.TargetID, Employee: e, Reason: "held back: " + why}
			if byID := ix.freeByExternal[e.ID]; !linked && len(byID) == 1 && !adopted[byID[0].TargetID] {
				u, c.Adopt = byID[0], true // a user that carries the id is the leaver's
			}
			if _, gone := isLeaver(e, in.Today); e.Leaver(in.Today) && (linked || c.Adopt) && u.Active && copies[e.ID] == 1 {
				// Whatever else is wrong with the record, a leaver leaves:
				// only the switch is written. Of a repeated id nobody can
				// tell which copy is true, so it waits.
				c.Op, c.TargetID, c.Reason = OpDeactivate, u.TargetID, gone+"; deactivated although held back: "+why
				c.Inactive = true
				if c.Adopt {
					adopted[u.TargetID] = true
				}
			} else {
				c.Adopt = false
			}
			res.Changes = append(res.Changes, c)
			continue
		}
		if why, ok := in.Excluded[e.ID]; ok {
			res.Changes = append(res.Changes, Change{Op: OpSkip, EmployeeID: e.ID, TargetID: u.TargetID,
				Employee: e, Reason: "excluded: " + why})
			continue
		}
		// An owned user whose externalId someone changed is linked again.
		link, adopt := linked && u.Employee.ID != e.ID, ""
		restore := link
		if !linked {
			var p *Problem
			u, adopt, link, p = ix.adopt(e, inSource, adopted)
			if p != nil {
				res.Problems = append(res.Problems, *p)
				continue
			}
			linked = adopt != ""
			if linked {
				adopted[u.TargetID] = true
			}
		}
		c := compare.planOne(e, u, linked, link, in.Today)
		if restore && c.Op == OpUpdate {
			c.Reason = "externalId restored"
		}
		if adopt != "" {
			c.Adopt = true
			if c.Op == OpUnchanged || c.Op == OpUpdate {
				c.Reason = adopt
			} else {
				c.Reason += "; " + adopt
			}
		}
		res.Changes = append(res.Changes, c)
		if c.Op != OpDeactivate && c.Op != OpSkip && e.ExitDate.After(in.Today) &&
			(res.NextExitDate.IsZero() || e.ExitDate.Before(res.NextExitDate)) {
			res.NextExitDate = e.ExitDate
		}
	}
	res.dropUnreachableManagers(ix.present)

	var leavers []Change
	var kept int
	for _, u := range in.Directory {
		id, owned := in.Owned[u.TargetID]
		if u.Employee.ID != "" {
			id = u.Employee.ID
		}
		switch {
		case !owned && !adopted[u.TargetID]:
			res.NotManaged++
			continue
		case !owned || seen[id] || !u.Active:
			continue
		}
		if idless > 0 {
			// A record whose id could not be read may be this user.
			kept++
			continue
		}
		gone := u.Employee
		gone.ID = id
		gone.Status = StatusInactive
		c := Change{Op: OpDeactivate, EmployeeID: id, TargetID: u.TargetID, Employee: gone,
			Reason: "missing from the HRIS", Inactive: true}
		if in.Rules.Vanished != VanishedDeactivate && compare.compared(FieldExitDate) && gone.ExitDate.IsZero() {
			c.Employee.ExitDate = in.Today
			c.Fields = []Field{FieldExitDate}
			c.Reason += "; former employee as of " + in.Today.String()
		}
		leavers = append(leavers, c)
	}
	slices.SortFunc(leavers, func(a, b Change) int { return strings.Compare(a.EmployeeID, b.EmployeeID) })
	res.Changes = append(res.Changes, leavers...)
	if len(res.Changes) == 0 {
		res.Changes = nil // as a plan of nothing always was
	}
	if kept > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%d users missing from the HRIS were not deactivated: "+
			"%d records have no readable HRIS id, and any of them may be one of these users", kept, idless))
	}
	return res
}

// adopt finds the directory user nobody owns that e may adopt: the one whose
// externalId is e's HRIS id, else the one with e's work email — skipping
// users already adopted in this run and users linked to another employee of
// the source. It returns the user, why it is adopted ("" for none), whether
// the externalId must be written, or the problem that stops the match.
func (ix directoryIndex) adopt(e Employee, inSource, adopted map[string]bool) (User, string, bool, *Problem) {
	problem := func(f Field, code, format string, args ...any) (User, string, bool, *Problem) {
		return User{}, "", false, &Problem{EmployeeID: e.ID, Field: f, Code: code, Message: fmt.Sprintf(format, args...)}
	}
	switch byID := ix.freeByExternal[e.ID]; {
	case len(byID) > 1:
		return problem(FieldID, CodeAmbiguousMatch, "HRIS id is the externalId of %d directory users", len(byID))
	case len(byID) == 1:
		return byID[0], "adopted: its externalId is the HRIS id", false, nil
	}
	if other, ok := ix.elsewhereByExternal[e.ID]; ok {
		return problem(FieldID, CodeOwnedElsewhere,
			"HRIS id is the externalId of a directory user integration %s manages", other)
	}
	email := NormalEmail(e.WorkEmail)
	if email == "" {
		return User{}, "", false, nil
	}
	var candidates []User
	for _, u := range ix.freeByEmail[email] {
		if !adopted[u.TargetID] && (u.Employee.ID == "" || !inSource[u.Employee.ID]) {
			candidates = append(candidates, u)
		}
	}
	switch {
	case len(candidates) > 1:
		return problem(FieldWorkEmail, CodeAmbiguousMatch, "work email matches %d directory users", len(candidates))
	case len(candidates) == 1:
		why := "linked by work email"
		if prev := candidates[0].Employee.ID; prev != "" {
			why += fmt.Sprintf(" (its externalId was %s)", prev)
		}
		return candidates[0], why, true, nil
	}
	if other, ok := ix.elsewhereByEmail[email]; ok {
		return problem(FieldWorkEmail, CodeOwnedElsewhere,
			"work email belongs to a directory user integration %s manages", other)
	}
	return User{}, "", false, nil
}

// dropUnreachableManagers stops planning a manager no link can set: one who
// is neither in the directory nor created by this run (a leaver who was
// never synced, say). Apply could only leave it unset, so planning it would
// make an update on every run that writes nothing.
func (r *DiffResult) dropUnreachableManagers(present map[string]bool) {
	reachable := func(id string) bool { return id == "" || present[id] }
	for _, c := range r.Changes {
		if c.Op == OpCreate {
			present[c.EmployeeID] = true
		}
	}
	for i := range r.Changes {
		c := &r.Changes[i]
		if c.Op == OpCreate || !slices.Contains(c.Fields, FieldManagerID) || reachable(c.Employee.ManagerID) {
			continue
		}
		c.Fields = slices.DeleteFunc(slices.Clone(c.Fields), func(f Field) bool { return f == FieldManagerID })
		note := fmt.Sprintf("manager %s is not in the directory", c.Employee.ManagerID)
		// The user keeps the manager it has, and so does the state the
		// change leaves, which the next run compares with.
		c.Employee.ManagerID = c.Before[FieldManagerID]
		delete(c.Before, FieldManagerID)
		if c.Op == OpUpdate && len(c.Fields) == 0 && !c.Link && !c.Adopt {
			c.Op, c.Reason = OpUnchanged, ""
		}
		if c.Reason == "" {
			c.Reason = note
		} else {
			c.Reason += "; " + note
		}
	}
}

// view is the rules as the directory sees them: the selected fields it
// stores.
type view struct {
	rules  Rules
	stores func(Field) bool
}

// planOne decides the change for one source employee and its matched user.
func (r view) planOne(e Employee, u User, linked, link bool, today Date) Change {
	leaving, why := isLeaver(e, today)
	c := Change{EmployeeID: e.ID, Employee: e, Link: link}
	switch {
	case !linked && leaving:
		c.Op, c.Reason = OpSkip, why+"; not in the directory"
	case !linked:
		c.Op, c.Reason = OpCreate, "new in the HRIS"
		c.Fields = r.selectedFields(e)
	case leaving && u.Active:
		c.Op, c.TargetID, c.Reason, c.Inactive = OpDeactivate, u.TargetID, why, true
		c.Fields = r.changedFields(u.Employee, e)
		c.Before = before(u.Employee, c.Fields)
	case leaving:
		c.Op, c.TargetID, c.Reason, c.Inactive = OpUnchanged, u.TargetID, why+"; already inactive", true
	case !u.Active:
		c.Op, c.TargetID, c.Reason = OpReactivate, u.TargetID, "active again in the HRIS"
		c.Fields = r.changedFields(u.Employee, e)
		c.Before = before(u.Employee, c.Fields)
	default:
		c.TargetID = u.TargetID
		c.Fields = r.changedFields(u.Employee, e)
		c.Before = before(u.Employee, c.Fields)
		if len(c.Fields) > 0 || link {
			c.Op, c.Reason = OpUpdate, "changed in the HRIS"
			if link {
				c.Reason = "linked by work email"
			}
		} else {
			c.Op = OpUnchanged
		}
	}
	return c
}

// isLeaver reports whether e should be inactive in the directory today.
func isLeaver(e Employee, today Date) (bool, string) {
	if e.Status == StatusInactive {
		return true, "inactive in the HRIS"
	}
	if !e.ExitDate.IsZero() && !e.ExitDate.After(today) {
		return true, "exit date " + e.ExitDate.String() + " has passed"
	}
	return false, ""
}

// compared reports whether f is selected and the directory stores it.
func (r view) compared(f Field) bool {
	return r.rules.Selected(f) && (r.stores == nil || r.stores(f))
}

// ChangedFields lists the selected fields whose values differ between
// before and after, ignoring the id and the status (which Diff handles as
// its own ops).
func (r Rules) ChangedFields(before, after Employee) []Field {
	return view{rules: r}.changedFields(before, after)
}

// changedFields is ChangedFields over the fields the directory stores, in
// the order of unionFields. It runs for every employee of every plan, so
// it compares in place rather than building each record's field list.
func (r view) changedFields(before, after Employee) []Field {
	var changed []Field
	for _, f := range Catalogue {
		if f == FieldID || f == FieldStatus || !r.compared(f) || sameField(before, after, f) {
			continue
		}
		changed = append(changed, f)
	}
	if len(before.Custom) == 0 && len(after.Custom) == 0 {
		return changed
	}
	for _, f := range unionFields(Employee{Custom: before.Custom}, Employee{Custom: after.Custom})[len(Catalogue):] {
		if r.compared(f) && before.Get(f) != after.Get(f) {
			changed = append(changed, f)
		}
	}
	return changed
}

// sameField reports whether a and b hold the same value of catalogue field
// f; dates are compared as dates, which is what their text would say.
func sameField(a, b Employee, f Field) bool {
	switch f {
	case FieldDateOfBirth:
		return a.DateOfBirth == b.DateOfBirth
	case FieldDateOfJoining:
		return a.DateOfJoining == b.DateOfJoining
	case FieldExitDate:
		return a.ExitDate == b.ExitDate
	}
	return a.Get(f) == b.Get(f)
}

// selectedFields lists the selected fields e has a value for: what a create
// writes.
func (r view) selectedFields(e Employee) []Field {
	var fields []Field
	for _, f := range e.Fields() {
		if f != FieldID && f != FieldStatus && r.compared(f) && e.Get(f) != "" {
			fields = append(fields, f)
		}
	}
	return fields
}

// unionFields lists the catalogue fields and both records' custom fields.
func unionFields(a, b Employee) []Field {
	fields := b.Fields()
	for _, f := range a.Fields() {
		if !slices.Contains(fields, f) {
			fields = append(fields, f)
		}
	}
	return fields
}
