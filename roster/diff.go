package roster

import (
	"fmt"
	"hash/maphash"
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
	// Present, when set, reports whether some directory user, whoever owns
	// it, carries HRIS id id: for a Differ given the directory in parts,
	// whether a manager can be linked.
	Present func(id string) bool
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
	d := NewDiffer(in, countSource(in.Source))
	changes, pending := d.plan(in.Source, nil, nil)
	d.resolve(changes, pending)
	res := d.Finish(nil, nil)
	res.Changes = append(changes, res.Changes...)
	if len(res.Changes) == 0 {
		res.Changes = nil // as a plan of nothing always was
	}
	return res
}

// Census is what planning one part of a source needs to know of the whole
// of it.
type Census interface {
	// Copies is how many records of the source carry HRIS id id.
	Copies(id string) int
	// Idless is how many records of the source have no HRIS id.
	Idless() int
}

// A Validator counts the roster it checks, so a plan needs no other count.
var (
	_ Census = (*Validator)(nil)
	_ Census = sourceCensus{}
)

// sourceCensus is the Census of a source held whole.
type sourceCensus struct {
	copies map[string]int
	idless int
}

func countSource(source []Employee) sourceCensus {
	c := sourceCensus{copies: make(map[string]int, len(source))}
	for _, e := range source {
		if e.ID == "" {
			c.idless++
			continue
		}
		c.copies[e.ID]++
	}
	return c
}

func (c sourceCensus) Copies(id string) int { return c.copies[id] }
func (c sourceCensus) Idless() int          { return c.idless }

// Differ is Diff for a source too large to hold: it is given in parts (see
// Plan), each with the directory users only that part can match, and keeps
// between parts no more than the whole source's Census, the directory
// given to NewDiffer and a few small sets. Its changes are Diff's, except
// that a change whose manager neither is in the directory nor was created
// by an earlier part waits for Finish, which plans it after every part.
type Differ struct {
	in      DiffInput
	census  Census
	ix      directoryIndex
	compare view
	// repeated are the repeated HRIS ids already planned once.
	repeated map[string]bool
	adopted  map[string]bool
	// created holds the HRIS ids (as hashes: only a manager link is
	// decided by them) of the employees this run creates.
	created map[uint64]struct{}
	seed    maphash.Seed
	waiting []waitingChange
	res     DiffResult
	tally   GuardTally
}

// waitingChange is a change planned before it could be told whether its
// manager will be in the directory.
type waitingChange struct {
	Change
	managed bool
}

// NewDiffer starts a plan of a source of which census counts the ids, in.Source
// being ignored. in.Directory are the users every part may match — the
// whole directory when it was listed; parts bring their own users.
func NewDiffer(in DiffInput, census Census) *Differ {
	d := &Differ{in: in, census: census, ix: indexDirectory(in), compare: view{rules: in.Rules, stores: in.Stores},
		repeated: map[string]bool{}, adopted: map[string]bool{}, created: map[uint64]struct{}{}, seed: maphash.MakeSeed(),
		tally: GuardTally{Cleared: map[Field]int{}}}
	for i := range in.Directory {
		if managedUser(&in.Directory[i], in.Owned) {
			d.tally.Managed++
		}
	}
	return d
}

// Plan plans the next part of the source. users are the directory users
// only this part can match, owned (directory id to HRIS id) as owned says:
// in practice the users the integration owns linked to the part's ids.
// They count as owned users for the guards and are forgotten after the
// part. Plan returns the part's changes, ready to store, and those that
// wait for Finish, for a caller to check (see Privacy) with the rest.
func (d *Differ) Plan(source []Employee, users []User, owned map[string]string) (ready, waiting []Change) {
	changes, pending := d.plan(source, users, owned)
	for _, i := range slices.Backward(pending) {
		waiting = append(waiting, changes[i])
		changes = slices.Delete(changes, i, i+1)
	}
	slices.Reverse(waiting)
	return changes, waiting
}

// plan plans a part and returns its changes in source order with the
// indexes of those waiting for their manager.
func (d *Differ) plan(source []Employee, users []User, owned map[string]string) ([]Change, []int) {
	part := indexDirectory(DiffInput{Directory: users, Owned: owned})
	for i := range users {
		if managedUser(&users[i], owned) {
			d.tally.Managed++
		}
	}
	changes := make([]Change, 0, len(source))
	var pending []int
	in := d.in
	for _, e := range source {
		if e.ID == "" {
			if _, held := in.Held[""]; !held {
				d.res.Problems = append(d.res.Problems, Problem{Field: FieldID, Code: CodeMissingID,
					Message: "employee has no HRIS id"})
			}
			continue
		}
		copies := d.census.Copies(e.ID)
		if copies > 1 {
			if d.repeated[e.ID] {
				if _, held := in.Held[e.ID]; !held {
					d.res.Problems = append(d.res.Problems, Problem{EmployeeID: e.ID, Field: FieldID, Code: CodeDuplicateID,
						Message: fmt.Sprintf("HRIS id %s appears more than once", e.ID)})
				}
				continue
			}
			d.repeated[e.ID] = true
		}

		var u User
		// managed is whether the guards count the matched user as one
		// the integration manages.
		match, linked := part.managed[e.ID]
		managed := linked && managedUser(match, owned)
		if !linked {
			match, linked = d.ix.managed[e.ID]
			managed = linked && managedUser(match, in.Owned)
		}
		if linked {
			u = *match
		}
		if why, ok := in.Held[e.ID]; ok {
			c := Change{Op: OpSkip, EmployeeID: e.ID, TargetID: u.TargetID, Employee: e, Reason: "held back: " + why}
			if byID := d.ix.freeByExternal[e.ID]; !linked && len(byID) == 1 && !d.adopted[byID[0].TargetID] {
				u, c.Adopt = byID[0], true // a user that carries the id is the leaver's
			}
			if _, gone := isLeaver(e, in.Today); e.Leaver(in.Today) && (linked || c.Adopt) && u.Active && copies == 1 {
				// Whatever else is wrong with the record, a leaver leaves:
				// only the switch is written. Of a repeated id nobody can
				// tell which copy is true, so it waits.
				c.Op, c.TargetID, c.Reason = OpDeactivate, u.TargetID, gone+"; deactivated although held back: "+why
				c.Inactive = true
				if c.Adopt {
					d.adopted[u.TargetID] = true
				}
			} else {
				c.Adopt = false
			}
			changes = append(changes, c)
			d.tally.count(c, managed)
			continue
		}
		if why, ok := in.Excluded[e.ID]; ok {
			c := Change{Op: OpSkip, EmployeeID: e.ID, TargetID: u.TargetID, Employee: e, Reason: "excluded: " + why}
			changes = append(changes, c)
			d.tally.count(c, managed)
			continue
		}
		// An owned user whose externalId someone changed is linked again.
		link, adopt := linked && u.Employee.ID != e.ID, ""
		restore := link
		if !linked {
			var p *Problem
			u, adopt, link, p = d.ix.adopt(e, d.inSource, d.adopted)
			if p != nil {
				d.res.Problems = append(d.res.Problems, *p)
				continue
			}
			linked = adopt != ""
			if linked {
				d.adopted[u.TargetID] = true
			}
		}
		c := d.compare.planOne(e, u, linked, link, in.Today)
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
		if c.Op == OpCreate {
			d.created[d.hash(c.EmployeeID)] = struct{}{}
		}
		if c.Op != OpDeactivate && c.Op != OpSkip && e.ExitDate.After(in.Today) &&
			(d.res.NextExitDate.IsZero() || e.ExitDate.Before(d.res.NextExitDate)) {
			d.res.NextExitDate = e.ExitDate
		}
		isManaged := adopt == "" && managed
		if c.Op != OpCreate && slices.Contains(c.Fields, FieldManagerID) && !d.reachable(c.Employee.ManagerID, part) {
			pending = append(pending, len(changes))
			d.waiting = append(d.waiting, waitingChange{Change: c, managed: isManaged})
			changes = append(changes, c)
			continue
		}
		changes = append(changes, c)
		d.tally.count(c, isManaged)
	}
	return changes, pending
}

// inSource reports whether some record of the source carries HRIS id id.
func (d *Differ) inSource(id string) bool { return id != "" && d.census.Copies(id) > 0 }

func (d *Differ) hash(id string) uint64 { return maphash.String(d.seed, id) }

// reachable reports whether a link can set manager id: it is none, a
// directory user carries it, or this run has created it so far.
func (d *Differ) reachable(id string, part directoryIndex) bool {
	if id == "" || part.present[id] || d.ix.present[id] {
		return true
	}
	if d.in.Present != nil && d.in.Present(id) {
		return true
	}
	_, created := d.created[d.hash(id)]
	return created
}

// resolve settles the waiting changes at indexes pending of changes, now
// that every employee this run creates is known.
func (d *Differ) resolve(changes []Change, pending []int) {
	for k, i := range pending {
		w := d.waiting[k]
		c := &changes[i]
		if !d.reachable(c.Employee.ManagerID, directoryIndex{}) {
			dropManager(c)
		}
		d.tally.count(*c, w.managed)
	}
	d.waiting = nil
}

// Finish plans what no part did: the changes that waited for their
// manager, then the owned users no record of the source matched — rest
// being users only Finish sees, owned as owned says (the integration's
// users not linked to any id of the source), on top of those given to
// NewDiffer. Its result holds those changes and what the whole plan found.
func (d *Differ) Finish(rest []User, owned map[string]string) DiffResult {
	res := d.res
	res.Changes = nil
	for _, w := range d.waiting {
		c := w.Change
		if !d.reachable(c.Employee.ManagerID, directoryIndex{}) {
			dropManager(&c)
		}
		d.tally.count(c, w.managed)
		res.Changes = append(res.Changes, c)
	}
	d.waiting = nil
	var leavers []Change
	var kept int
	idless := d.census.Idless()
	consider := func(u *User, ownedBy map[string]string) {
		id, owned := ownedBy[u.TargetID]
		if u.Employee.ID != "" {
			id = u.Employee.ID
		}
		switch {
		case !owned && !d.adopted[u.TargetID]:
			res.NotManaged++
			return
		case !owned || d.inSource(id) || !u.Active:
			return
		}
		if idless > 0 {
			// A record whose id could not be read may be this user.
			kept++
			return
		}
		gone := u.Employee
		gone.ID = id
		gone.Status = StatusInactive
		c := Change{Op: OpDeactivate, EmployeeID: id, TargetID: u.TargetID, Employee: gone,
			Reason: "missing from the HRIS", Inactive: true}
		if d.in.Rules.Vanished != VanishedDeactivate && d.compare.compared(FieldExitDate) && gone.ExitDate.IsZero() {
			c.Employee.ExitDate = d.in.Today
			c.Fields = []Field{FieldExitDate}
			c.Reason += "; former employee as of " + d.in.Today.String()
		}
		leavers = append(leavers, c)
	}
	for i := range d.in.Directory {
		consider(&d.in.Directory[i], d.in.Owned)
	}
	for i := range rest {
		if managedUser(&rest[i], owned) {
			d.tally.Managed++
		}
		consider(&rest[i], owned)
	}
	slices.SortFunc(leavers, func(a, b Change) int { return strings.Compare(a.EmployeeID, b.EmployeeID) })
	for _, c := range leavers {
		d.tally.count(c, true)
	}
	res.Changes = append(res.Changes, leavers...)
	if kept > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%d users missing from the HRIS were not deactivated: "+
			"%d records have no readable HRIS id, and any of them may be one of these users", kept, idless))
	}
	return res
}

// Tally is what the guards count of the plan so far (see GuardInput.Tally):
// complete once Finish has run.
func (d *Differ) Tally() GuardTally { return d.tally }

// adopt finds the directory user nobody owns that e may adopt: the one whose
// externalId is e's HRIS id, else the one with e's work email — skipping
// users already adopted in this run and users linked to another employee of
// the source. It returns the user, why it is adopted ("" for none), whether
// the externalId must be written, or the problem that stops the match.
func (ix directoryIndex) adopt(e Employee, inSource func(string) bool, adopted map[string]bool) (User, string, bool, *Problem) {
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
		if !adopted[u.TargetID] && (u.Employee.ID == "" || !inSource(u.Employee.ID)) {
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

// dropManager stops planning a manager no link can set: one who is neither
// in the directory nor created by this run (a leaver who was never synced,
// say). Apply could only leave it unset, so planning it would make an
// update on every run that writes nothing.
func dropManager(c *Change) {
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
