package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"hash/maphash"
	"reflect"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
)

// planPart is how many employees a plan compares at once. Of the roster a
// plan holds whole only its parts — the one it plans and the two or three
// read ahead (see eachPart) — however large the roster.
const planPart = 1000

// survey is the first pass of a plan over its snapshot: what the rules
// found, an outline of every employee for the checks of the whole roster,
// and no record.
type survey struct {
	prepared
	census   *roster.Validator
	count    int
	unstored unstoredFields
}

// survey reads snapshot id record by record, normalising and checking each
// as it goes.
func (a *Activities) survey(ctx context.Context, id string, rules roster.Rules, today roster.Date,
	desc connectors.Description) (*survey, error) {
	v := rules.NewValidator(today)
	s := &survey{census: v, unstored: unstoredFields{desc: desc, rules: rules}}
	excluded := map[string]string{}
	var problems []roster.Problem
	if err := a.Store.ScanSnapshot(ctx, id, func(r roster.Record) error {
		e, found := rules.Normalize(r)
		problems = append(problems, found...)
		out, why := rules.Excluded(e, today)
		if out {
			excluded[e.ID] = why
		}
		v.Add(e, out)
		s.unstored.add(e)
		s.count++
		return nil
	}); err != nil {
		return nil, err
	}
	s.prepared = settle(rules, append(problems, v.Finish()...), excluded)
	return s, nil
}

// eachPart calls fn with the employees of snapshot id, normalised under
// rules, planPart at a time and in order. The snapshot is read and
// normalised on a goroutine of its own, a part or two ahead of fn, so that
// reading the records and planning them share the machine's cores; an
// error from either side stops both.
func (a *Activities) eachPart(ctx context.Context, id string, rules roster.Rules, fn func([]roster.Employee) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	parts := make(chan []roster.Employee, 2)
	scanned := make(chan error, 1)
	go func() {
		defer close(parts)
		send := func(part []roster.Employee) error {
			select {
			case parts <- part:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		part := make([]roster.Employee, 0, planPart)
		err := a.Store.ScanSnapshot(ctx, id, func(r roster.Record) error {
			e, _ := rules.Normalize(r)
			if part = append(part, e); len(part) < planPart {
				return nil
			}
			err := send(part)
			part = make([]roster.Employee, 0, planPart)
			return err
		})
		if err == nil && len(part) > 0 {
			err = send(part)
		}
		scanned <- err
	}()
	for part := range parts {
		if err := fn(part); err != nil {
			cancel()
			for range parts { // the reader stops at its next part
			}
			<-scanned
			return err
		}
	}
	return <-scanned
}

// directorySide is the directory a plan compares with: listed whole when
// it reconciles, or else the users the integration owns as hrsync last
// wrote them, read part by part, of which it keeps only what the checks of
// the whole directory need.
type directorySide struct {
	reconcile bool
	dirKey    string
	census    roster.Census
	// directory is the listed directory, with who owns its users; byID
	// finds its users by HRIS id.
	directory        []roster.User
	owned, elsewhere map[string]string
	byID             map[string]*roster.User
	// owners maps the work emails of a listed directory to the HRIS id of
	// a user holding it (see roster.PrivacyInput.Owners); ownerOf does the
	// same for the known users by hashes of both, and finds who may hold an
	// email, for a plan to make sure of (see planOutput.settle).
	owners  map[string]string
	ownerOf map[uint64]uint64
	// known holds the HRIS ids of the known users, as hashes, and vanished
	// the known users no record of the snapshot carries.
	known    map[uint64]struct{}
	seed     maphash.Seed
	vanished []roster.User
	// fetched are the repeated HRIS ids a part has read the users of.
	fetched map[string]bool
	users   int
}

// directorySide lists the directory to reconcile, or reads the known users
// once for what the whole-directory checks need of them.
func (a *Activities) directorySide(ctx context.Context, in PlanInput, k known, dirKey string,
	tgt connectors.Target, census roster.Census) (*directorySide, error) {
	side := &directorySide{reconcile: k.reconcile != "", dirKey: dirKey, census: census,
		owners: map[string]string{}, fetched: map[string]bool{}}
	// owners stays empty when the known users are read: a work email
	// anyone else holds makes a suspect (see settle).
	if side.reconcile {
		directory, err := listDirectory(ctx, tgt)
		if err != nil {
			return nil, err
		}
		if side.owned, side.elsewhere, err = a.ownership(ctx, in.IntegrationID, dirKey, directory); err != nil {
			return nil, err
		}
		side.directory, side.users = directory, len(directory)
		side.byID = make(map[string]*roster.User, len(directory))
		for i := range directory {
			u := &directory[i]
			if u.Employee.ID == "" {
				continue
			}
			side.byID[u.Employee.ID] = u
			if email := roster.NormalEmail(u.Employee.WorkEmail); email != "" {
				side.owners[email] = u.Employee.ID
			}
		}
		return side, nil
	}
	side.owned, side.known, side.ownerOf, side.seed = map[string]string{}, map[uint64]struct{}{}, map[uint64]uint64{}, maphash.MakeSeed()
	// Of the users the parts will read, only the id and work email are
	// decoded now; the ones no part will read come whole.
	var vanished []string
	if err := a.Store.ScanKnownEmails(ctx, in.IntegrationID, dirKey, func(id, workEmail string) error {
		side.users++
		side.known[side.hash(id)] = struct{}{}
		if email := roster.NormalEmail(workEmail); email != "" {
			side.ownerOf[side.hash(email)] = side.hash(id)
		}
		if census.Copies(id) == 0 {
			vanished = append(vanished, id)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if len(vanished) == 0 {
		return side, nil
	}
	var err error
	side.vanished, err = a.Store.KnownUsersOf(ctx, in.IntegrationID, dirKey, vanished)
	return side, err
}

// present reports whether a directory user carries HRIS id id, for a plan
// that reads the directory in parts; nil when it was listed whole.
func (side *directorySide) present() func(string) bool {
	if side.reconcile {
		return nil
	}
	return func(id string) bool {
		_, ok := side.known[side.hash(id)]
		return ok
	}
}

func (side *directorySide) hash(s string) uint64 { return maphash.String(side.seed, s) }

// suspect reports whether change c of a plan that did not list the
// directory may give its employee a work email a known user of someone
// else holds: the privacy check must then learn who exactly (see settle).
func (side *directorySide) suspect(c roster.Change) bool {
	if side.reconcile || (c.Op != roster.OpCreate && c.Op != roster.OpUpdate && c.Op != roster.OpReactivate) {
		return false
	}
	email := roster.NormalEmail(c.Employee.WorkEmail)
	owner, ok := side.ownerOf[side.hash(email)]
	return email != "" && ok && owner != side.hash(c.EmployeeID)
}

// partUsers reads the known users linked to the ids of part, each once,
// and who owns them; a listed directory brings no users of its own.
func (side *directorySide) partUsers(ctx context.Context, st *store.Store, integrationID string,
	part []roster.Employee) ([]roster.User, map[string]string, error) {
	if side.reconcile || len(part) == 0 {
		return nil, nil, nil
	}
	ids := make([]string, 0, len(part))
	for _, e := range part {
		switch {
		case e.ID == "":
			continue
		case side.census.Copies(e.ID) > 1:
			if side.fetched[e.ID] {
				continue
			}
			side.fetched[e.ID] = true
		}
		ids = append(ids, e.ID)
	}
	users, err := st.KnownUsersOf(ctx, integrationID, side.dirKey, ids)
	if err != nil {
		return nil, nil, err
	}
	owned := make(map[string]string, len(users))
	for _, u := range users {
		owned[u.TargetID] = u.Employee.ID
	}
	return users, owned, nil
}

// rest is the known users no part read, with who owns them: the
// integration's users the HRIS no longer lists.
func (side *directorySide) rest() ([]roster.User, map[string]string) {
	owned := make(map[string]string, len(side.vanished))
	for _, u := range side.vanished {
		owned[u.TargetID] = u.Employee.ID
	}
	return side.vanished, owned
}

// knows reports whether the integration owns a user linked to HRIS id id.
func (side *directorySide) knows(ctx context.Context, st *store.Store, integrationID, id string) (bool, error) {
	if side.reconcile {
		for _, employeeID := range side.owned {
			if employeeID == id {
				return true, nil
			}
		}
		return false, nil
	}
	users, err := st.KnownUsersOf(ctx, integrationID, side.dirKey, []string{id})
	return len(users) > 0, err
}

// planOutput writes a plan's changes as its parts are planned and keeps
// what the plan's header and result need of them.
type planOutput struct {
	w    *store.PlanWriter
	only string
	// counts tallies the changes written by op.
	counts  map[roster.Op]int
	written int
	// unwritten counts the unchanged changes not stored (see
	// store.Plan.Unwritten).
	unwritten int
	sum       hash.Hash
	enc       *json.Encoder
	holds     []roster.Hold
	// suspects are the changes whose privacy check waits to learn who in
	// the directory holds their work email.
	suspects []suspect
	// concerned are the held-back skips and the deactivations, by id and
	// reason only, for heldEmployees.
	concerned []roster.Change
}

func newPlanOutput(w *store.PlanWriter, only string) *planOutput {
	sum := sha256.New()
	return &planOutput{w: w, only: only, counts: make(map[roster.Op]int, len(roster.Ops)), sum: sum,
		enc: json.NewEncoder(sum)}
}

// keep narrows changes to the one employee of a run for one.
func (o *planOutput) keep(changes []roster.Change) []roster.Change {
	if o.only == "" {
		return changes
	}
	var kept []roster.Change
	for _, c := range changes {
		if c.EmployeeID == o.only {
			kept = append(kept, c)
		}
	}
	return kept
}

// check runs the privacy check over a part's changes. It compares an
// update's or a re-hire's identity with what hrsync last applied; nobody
// else's is looked up.
func (o *planOutput) check(ctx context.Context, st *store.Store, integrationID string, side *directorySide,
	rules roster.Rules, users []roster.User, changes []roster.Change) error {
	changes = o.keep(changes)
	var compared []string
	isCompared := map[string]bool{}
	for _, c := range changes {
		if c.Op == roster.OpUpdate || c.Op == roster.OpReactivate {
			compared = append(compared, c.EmployeeID)
			isCompared[c.EmployeeID] = true
		}
	}
	baseline := make(map[string]roster.Employee, len(compared))
	directory := users
	if side.reconcile {
		if len(compared) > 0 {
			applied, err := st.AppliedOf(ctx, integrationID, compared)
			if err != nil {
				return err
			}
			for _, e := range applied {
				baseline[e.ID] = e
			}
		}
		directory = nil
		for _, c := range changes {
			if u, ok := side.byID[c.EmployeeID]; ok {
				directory = append(directory, *u)
			}
		}
	} else {
		for _, u := range users {
			if isCompared[u.Employee.ID] {
				baseline[u.Employee.ID] = u.Employee
			}
		}
		changes = o.setAside(side, users, baseline, changes)
	}
	o.holds = append(o.holds, roster.Privacy(roster.PrivacyInput{Changes: changes, Baseline: baseline,
		Directory: directory, Owners: side.owners, Rules: rules})...)
	return nil
}

// suspect is a change set aside for the privacy check with what that
// check compares it with.
type suspect struct {
	change   roster.Change
	user     *roster.User
	baseline *roster.Employee
}

// setAside keeps the suspect changes (see directorySide.suspect) for settle
// and returns the others.
func (o *planOutput) setAside(side *directorySide, users []roster.User, baseline map[string]roster.Employee,
	changes []roster.Change) []roster.Change {
	var clear []roster.Change
	for _, c := range changes {
		if !side.suspect(c) {
			clear = append(clear, c)
			continue
		}
		s := suspect{change: c}
		for i := range users {
			if users[i].Employee.ID == c.EmployeeID {
				u := users[i]
				s.user = &u
			}
		}
		if b, ok := baseline[c.EmployeeID]; ok {
			s.baseline = &b
		}
		o.suspects = append(o.suspects, s)
	}
	return clear
}

// settle runs the privacy check of the changes set aside, once every part
// is planned: one more read of the known users learns who holds their
// work emails.
func (o *planOutput) settle(ctx context.Context, st *store.Store, integrationID string, side *directorySide,
	rules roster.Rules) error {
	if len(o.suspects) == 0 {
		return nil
	}
	wanted := map[string]bool{}
	in := roster.PrivacyInput{Baseline: map[string]roster.Employee{}, Owners: map[string]string{}, Rules: rules}
	for _, s := range o.suspects {
		wanted[roster.NormalEmail(s.change.Employee.WorkEmail)] = true
		in.Changes = append(in.Changes, s.change)
		if s.user != nil {
			in.Directory = append(in.Directory, *s.user)
		}
		if s.baseline != nil {
			in.Baseline[s.change.EmployeeID] = *s.baseline
		}
	}
	if err := st.ScanKnownEmails(ctx, integrationID, side.dirKey, func(id, workEmail string) error {
		if email := roster.NormalEmail(workEmail); wanted[email] {
			in.Owners[email] = id
		}
		return nil
	}); err != nil {
		return err
	}
	o.holds = append(o.holds, roster.Privacy(in)...)
	o.suspects = nil
	return nil
}

// write stores the next changes of the plan. Of users read as hrsync last
// wrote them (users), an unchanged one whose state stays exactly that is
// counted, not stored.
func (o *planOutput) write(ctx context.Context, changes []roster.Change, users []roster.User) error {
	changes = o.keep(changes)
	if len(changes) == 0 {
		return nil
	}
	var last map[string]*roster.User
	if o.only == "" && len(users) > 0 {
		last = make(map[string]*roster.User, len(users))
		for i := range users {
			last[users[i].TargetID] = &users[i]
		}
	}
	stored := changes[:0:0]
	for _, c := range changes {
		if u, ok := last[c.TargetID]; ok && c.Op == roster.OpUnchanged && sameState(c, u) {
			o.unwritten++
		} else {
			stored = append(stored, c)
		}
		o.counts[c.Op]++
		if c.Op == roster.OpDeactivate || c.Op == roster.OpSkip {
			o.concerned = append(o.concerned, roster.Change{Op: c.Op, EmployeeID: c.EmployeeID, Reason: c.Reason})
		}
		// The values a change found before it (kept for a review to
		// show) are left out, so a plan fingerprints the same as one made
		// before they were kept.
		c.Before = nil
		if err := o.enc.Encode(c); err != nil {
			return fmt.Errorf("unable to fingerprint plan: %w", err)
		}
	}
	o.written += len(stored)
	if len(stored) == 0 {
		return nil
	}
	return o.w.Append(ctx, stored)
}

// sameState reports whether unchanged change c leaves user u, as hrsync
// last wrote it, exactly as it is: the state the plan would store for it
// (see store.SavePlan) is u's.
func sameState(c roster.Change, u *roster.User) bool {
	after := c.Employee
	if c.Inactive {
		after.Status = roster.StatusInactive
	}
	if u.Employee.ID != c.EmployeeID || len(after.Unreadable) > 0 {
		return false
	}
	a, b := after, u.Employee
	if len(a.Custom) == 0 && len(b.Custom) == 0 {
		a.Custom, b.Custom = nil, nil
	}
	return reflect.DeepEqual(a, b)
}

// digest fingerprints what the plan's changes write, in the order written.
func (o *planOutput) digest() string { return hex.EncodeToString(o.sum.Sum(nil)) }

// finish writes the plan's header.
func (o *planOutput) finish(ctx context.Context, p store.Plan) error { return o.w.Finish(ctx, p) }
