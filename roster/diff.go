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
	// (matched by email) to the HRIS id.
	Link bool `json:"link,omitempty"`
	// Reason says in words why the change is planned.
	Reason string `json:"reason,omitempty"`
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
)

// DiffInput is what Diff compares.
type DiffInput struct {
	// Source is the roster fetched from the HRIS, normalised.
	Source []Employee
	// Directory is every user the target holds.
	Directory []User
	// Today is the organisation's current date, for exit dates.
	Today Date
	// Rules give the selected fields and the vanished policy.
	Rules Rules
	// Held maps the HRIS ids of employees held back (by validation) to why;
	// they are neither changed nor treated as gone.
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
}

// Counts tallies changes by Op.
func (r DiffResult) Counts() map[Op]int {
	counts := make(map[Op]int, len(Ops))
	for _, c := range r.Changes {
		counts[c.Op]++
	}
	return counts
}

// Diff plans how to bring the directory in step with the source.
//
// Matching is by externalId; a source employee with no linked user is matched
// to an unlinked directory user by email, case-insensitively, and an email
// that matches more than one such user is a problem rather than a guess.
// Inactive employees, and those whose exit date is on or before Today, are
// deactivated; a linked user missing from the source is deactivated too, as
// a former employee whose exit date is Today unless the rules say
// otherwise. Held and excluded employees are skipped. Users the HRIS never
// linked are left alone. Only selected fields are compared or written.
func Diff(in DiffInput) DiffResult {
	var res DiffResult
	byExternal := make(map[string]User, len(in.Directory))
	unlinkedByEmail := make(map[string][]User)
	for _, u := range in.Directory {
		if u.Employee.ID != "" {
			byExternal[u.Employee.ID] = u
			continue
		}
		if email := NormalEmail(u.Employee.WorkEmail); email != "" {
			unlinkedByEmail[email] = append(unlinkedByEmail[email], u)
		}
	}

	seen := make(map[string]bool, len(in.Source))
	for _, e := range in.Source {
		if e.ID == "" {
			res.Problems = append(res.Problems, Problem{Field: FieldID, Code: CodeMissingID,
				Message: "employee has no HRIS id"})
			continue
		}
		if seen[e.ID] {
			res.Problems = append(res.Problems, Problem{EmployeeID: e.ID, Field: FieldID, Code: CodeDuplicateID,
				Message: fmt.Sprintf("HRIS id %s appears more than once", e.ID)})
			continue
		}
		seen[e.ID] = true

		u, linked := byExternal[e.ID]
		if why, ok := in.Held[e.ID]; ok {
			res.Changes = append(res.Changes, Change{Op: OpSkip, EmployeeID: e.ID, TargetID: u.TargetID,
				Employee: e, Reason: "held back: " + why})
			continue
		}
		if why, ok := in.Excluded[e.ID]; ok {
			res.Changes = append(res.Changes, Change{Op: OpSkip, EmployeeID: e.ID, TargetID: u.TargetID,
				Employee: e, Reason: "excluded: " + why})
			continue
		}
		link := false
		if !linked {
			candidates := unlinkedByEmail[NormalEmail(e.WorkEmail)]
			if len(candidates) > 1 {
				res.Problems = append(res.Problems, Problem{EmployeeID: e.ID, Field: FieldWorkEmail, Code: CodeAmbiguousMatch,
					Message: fmt.Sprintf("work email matches %d unlinked directory users", len(candidates))})
				continue
			}
			if len(candidates) == 1 && NormalEmail(e.WorkEmail) != "" {
				u, linked, link = candidates[0], true, true
			}
		}
		c := in.Rules.planOne(e, u, linked, link, in.Today)
		res.Changes = append(res.Changes, c)
		if c.Op != OpDeactivate && c.Op != OpSkip && e.ExitDate.After(in.Today) &&
			(res.NextExitDate.IsZero() || e.ExitDate.Before(res.NextExitDate)) {
			res.NextExitDate = e.ExitDate
		}
	}

	var leavers []Change
	for _, u := range in.Directory {
		if u.Employee.ID == "" || seen[u.Employee.ID] || !u.Active {
			continue
		}
		gone := u.Employee
		gone.Status = StatusInactive
		c := Change{Op: OpDeactivate, EmployeeID: u.Employee.ID, TargetID: u.TargetID, Employee: gone,
			Reason: "missing from the HRIS"}
		if in.Rules.Vanished != VanishedDeactivate && in.Rules.Selected(FieldExitDate) && gone.ExitDate.IsZero() {
			c.Employee.ExitDate = in.Today
			c.Fields = []Field{FieldExitDate}
			c.Reason += "; former employee as of " + in.Today.String()
		}
		leavers = append(leavers, c)
	}
	slices.SortFunc(leavers, func(a, b Change) int { return strings.Compare(a.EmployeeID, b.EmployeeID) })
	res.Changes = append(res.Changes, leavers...)
	return res
}

// planOne decides the change for one source employee and its matched user.
func (r Rules) planOne(e Employee, u User, linked, link bool, today Date) Change {
	leaving, why := isLeaver(e, today)
	c := Change{EmployeeID: e.ID, Employee: e, Link: link}
	switch {
	case !linked && leaving:
		c.Op, c.Reason = OpSkip, why+"; not in the directory"
	case !linked:
		c.Op, c.Reason = OpCreate, "new in the HRIS"
		c.Fields = r.selectedFields(e)
	case leaving && u.Active:
		c.Op, c.TargetID, c.Reason = OpDeactivate, u.TargetID, why
		c.Fields = r.ChangedFields(u.Employee, e)
	case leaving:
		c.Op, c.TargetID, c.Reason = OpUnchanged, u.TargetID, why+"; already inactive"
	case !u.Active:
		c.Op, c.TargetID, c.Reason = OpReactivate, u.TargetID, "active again in the HRIS"
		c.Fields = r.ChangedFields(u.Employee, e)
	default:
		c.TargetID = u.TargetID
		c.Fields = r.ChangedFields(u.Employee, e)
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

// ChangedFields lists the selected fields whose values differ between
// before and after, ignoring the id and the status (which Diff handles as
// its own ops).
func (r Rules) ChangedFields(before, after Employee) []Field {
	var changed []Field
	for _, f := range unionFields(before, after) {
		if f == FieldID || f == FieldStatus || !r.Selected(f) {
			continue
		}
		if before.Get(f) != after.Get(f) {
			changed = append(changed, f)
		}
	}
	return changed
}

// selectedFields lists the selected fields e has a value for: what a create
// writes.
func (r Rules) selectedFields(e Employee) []Field {
	var fields []Field
	for _, f := range e.Fields() {
		if f != FieldID && f != FieldStatus && r.Selected(f) && e.Get(f) != "" {
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
