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

// messyRoster makes a source and a directory with most of what a plan
// meets: updates, leavers by status and by date, repeated and missing ids,
// held and excluded employees, managers created in the run, managers
// nobody will ever create, vanished users and users nobody owns.
func messyRoster(r *rand.Rand, n int) (source []Employee, directory []User, owned map[string]string,
	held, excluded map[string]string) {
	owned, held, excluded = map[string]string{}, map[string]string{}, map[string]string{}
	id := func(i int) string { return fmt.Sprintf("E%04d", i) }
	for i := range n {
		e := emp(id(i), fmt.Sprintf("p%d@x.test", i))
		switch r.IntN(12) {
		case 0:
			e.Status = StatusInactive
		case 1:
			e.ExitDate = today
		case 2:
			e.ExitDate = Date{2026, time.June, 1 + r.IntN(20)}
		}
		if i > 0 && r.IntN(3) == 0 {
			e.ManagerID = id(r.IntN(n + n/5)) // some never exist
		}
		inDirectory := r.IntN(4) > 0
		switch r.IntN(30) {
		case 0:
			e.ID = ""
			inDirectory = false
		case 1:
			source = append(source, e) // a repeated id
		case 2:
			held[e.ID] = "invalid_email"
		case 3:
			excluded[e.ID] = "department is Ops"
		}
		source = append(source, e)
		if !inDirectory {
			continue
		}
		was := e
		if r.IntN(3) == 0 {
			was.Department = "Sales"
		}
		if r.IntN(4) == 0 {
			was.ManagerID = id(r.IntN(n))
		}
		u := user(fmt.Sprintf("u%d", i), r.IntN(8) > 0, was)
		directory = append(directory, u)
		if r.IntN(10) > 0 {
			owned[u.TargetID] = e.ID
		}
	}
	for i := range n / 10 { // vanished from the HRIS, and strangers
		u := user(fmt.Sprintf("v%d", i), true, emp(fmt.Sprintf("V%04d", i), fmt.Sprintf("v%d@x.test", i)))
		if i%3 == 0 {
			u.Employee.ID = ""
		} else {
			owned[u.TargetID] = u.Employee.ID
		}
		directory = append(directory, u)
	}
	if r.IntN(2) == 0 { // no idless record, so that users can vanish
		source = slices.DeleteFunc(source, func(e Employee) bool { return e.ID == "" })
	}
	return source, directory, owned, held, excluded
}

func byEmployee(changes []Change) []Change {
	out := slices.Clone(changes)
	slices.SortStableFunc(out, func(a, b Change) int {
		return strings.Compare(a.EmployeeID+string(a.Op), b.EmployeeID+string(b.Op))
	})
	return out
}

// TestDifferInPartsPlansWhatDiffPlans: a source planned in parts, against
// the whole directory or against each part's own users, plans the same
// changes, problems and guard counts as Diff of the whole.
func TestDifferInPartsPlansWhatDiffPlans(t *testing.T) {
	for seed := range uint64(40) {
		r := rand.New(rand.NewPCG(seed, 7))
		source, directory, owned, held, excluded := messyRoster(r, 60+r.IntN(200))
		in := DiffInput{Source: source, Directory: directory, Owned: owned, Today: today,
			Rules: Rules{Vanished: VanishedPolicy([]string{"", "deactivate"}[seed%2])}, Held: held, Excluded: excluded}
		whole := Diff(in)
		require.Equal(t, oracleDiff(in), whole)
		wantTally := tallyOf(GuardInput{Directory: directory, Owned: owned, Plan: whole})
		size := 1 + r.IntN(40)

		t.Run(fmt.Sprintf("seed %d, whole directory, parts of %d", seed, size), func(t *testing.T) {
			d := NewDiffer(DiffInput{Directory: directory, Owned: owned, Today: today, Rules: in.Rules,
				Held: held, Excluded: excluded}, countSource(source))
			var got []Change
			for part := range slices.Chunk(source, size) {
				ready, _ := d.Plan(part, nil, nil)
				got = append(got, ready...)
			}
			res := d.Finish(nil, nil)
			got = append(got, res.Changes...)
			require.Equal(t, byEmployee(whole.Changes), byEmployee(got))
			require.Equal(t, whole.Problems, res.Problems)
			require.Equal(t, whole.NotManaged, res.NotManaged)
			require.Equal(t, whole.NextExitDate, res.NextExitDate)
			require.Equal(t, whole.Warnings, res.Warnings)
			require.Equal(t, *wantTally, d.Tally())
		})

		// Each part brings the owned users linked to its ids; the owned
		// users no part matched come to Finish. Unowned users play no part
		// (as when the directory is not listed), so both sides leave them out.
		var ownedUsers []User
		for _, u := range directory {
			if _, ok := owned[u.TargetID]; ok {
				ownedUsers = append(ownedUsers, u)
			}
		}
		in.Directory = ownedUsers
		whole = Diff(in)
		require.Equal(t, oracleDiff(in), whole)
		wantTally = tallyOf(GuardInput{Directory: ownedUsers, Owned: owned, Plan: whole})
		t.Run(fmt.Sprintf("seed %d, owned users by part, parts of %d", seed, size), func(t *testing.T) {
			census := countSource(source)
			present := map[string]bool{}
			for _, u := range ownedUsers {
				present[u.Employee.ID] = true
			}
			d := NewDiffer(DiffInput{Owned: map[string]string{}, Today: today, Rules: in.Rules, Held: held,
				Excluded: excluded, Present: func(id string) bool { return present[id] }}, census)
			linkedTo := func(u User) string { return owned[u.TargetID] }
			fetched := map[string]bool{}
			var got []Change
			for part := range slices.Chunk(source, size) {
				var users []User
				partOwned := map[string]string{}
				for _, e := range part {
					if e.ID == "" || fetched[e.ID] {
						continue
					}
					fetched[e.ID] = true
					for _, u := range ownedUsers {
						if linkedTo(u) == e.ID {
							users = append(users, u)
							partOwned[u.TargetID] = e.ID
						}
					}
				}
				ready, _ := d.Plan(part, users, partOwned)
				got = append(got, ready...)
			}
			var rest []User
			restOwned := map[string]string{}
			for _, u := range ownedUsers {
				if census.Copies(linkedTo(u)) == 0 {
					rest = append(rest, u)
					restOwned[u.TargetID] = linkedTo(u)
				}
			}
			res := d.Finish(rest, restOwned)
			got = append(got, res.Changes...)
			require.Equal(t, byEmployee(whole.Changes), byEmployee(got))
			require.Equal(t, whole.Problems, res.Problems)
			require.Equal(t, whole.NextExitDate, res.NextExitDate)
			require.Equal(t, whole.Warnings, res.Warnings)
			require.Equal(t, *wantTally, d.Tally())
		})
	}
}

// oracleDiff is Diff as it was before the Differ, kept to check that
// planning in parts changed nothing.
func oracleDiff(in DiffInput) DiffResult {
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
			u, adopt, link, p = ix.adopt(e, func(id string) bool { return inSource[id] }, adopted)
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
	oracleDropUnreachableManagers(&res, ix.present)

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

func oracleDropUnreachableManagers(r *DiffResult, present map[string]bool) {
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
