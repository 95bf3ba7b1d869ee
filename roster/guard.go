package roster

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// MassChangePolicy bounds how many people one automated sync may deactivate,
// update, or blank a field for before it stops and waits for an
// administrator. Each limit is a share of the directory's active, linked
// users together with a count below which the share does not apply.
type MassChangePolicy struct {
	// MaxDeactivatePercent is the share of the directory's active, linked users
	// a run may deactivate without approval.
	MaxDeactivatePercent float64 `json:"maxDeactivatePercent" yaml:"maxDeactivatePercent"`
	// MinDeactivations is how many deactivations it takes before the
	// percentage applies at all, so small teams are not blocked by one leaver.
	MinDeactivations int `json:"minDeactivations" yaml:"minDeactivations"`
	// MaxClearPercent is the share of users a run may clear one field for
	// (a value they have becoming empty) without approval: a broken
	// mapping blanks a field for everyone. Zero means the default.
	MaxClearPercent float64 `json:"maxClearPercent,omitempty" yaml:"maxClearPercent,omitempty"`
	// MinClears is how many users must lose a field's value before
	// MaxClearPercent applies. Zero means the default.
	MinClears int `json:"minClears,omitempty" yaml:"minClears,omitempty"`
	// MaxUpdatePercent is the share of users a run may update without
	// approval. Zero means the default.
	MaxUpdatePercent float64 `json:"maxUpdatePercent,omitempty" yaml:"maxUpdatePercent,omitempty"`
	// MinUpdates is how many updates it takes before MaxUpdatePercent
	// applies. Zero means the default.
	MinUpdates int `json:"minUpdates,omitempty" yaml:"minUpdates,omitempty"`
}

// DefaultMassChangePolicy blocks a run that would deactivate more than 20% of
// the directory (and at least 5 people), clear a field for more than 10% (and
// at least 5 people), or update more than 30% (and at least 50 people).
var DefaultMassChangePolicy = MassChangePolicy{MaxDeactivatePercent: 20, MinDeactivations: 5,
	MaxClearPercent: 10, MinClears: 5, MaxUpdatePercent: 30, MinUpdates: 50}

// withDefaults fills the unset limits. The deactivation pair is defaulted
// as a whole, as it always was: setting either keeps the other as given.
func (p MassChangePolicy) withDefaults() MassChangePolicy {
	d := DefaultMassChangePolicy
	if p.MaxDeactivatePercent == 0 && p.MinDeactivations == 0 {
		p.MaxDeactivatePercent, p.MinDeactivations = d.MaxDeactivatePercent, d.MinDeactivations
	}
	p.MaxClearPercent = cmp.Or(p.MaxClearPercent, d.MaxClearPercent)
	p.MinClears = cmp.Or(p.MinClears, d.MinClears)
	p.MaxUpdatePercent = cmp.Or(p.MaxUpdatePercent, d.MaxUpdatePercent)
	p.MinUpdates = cmp.Or(p.MinUpdates, d.MinUpdates)
	return p
}

// check reports the limits out of range under massChange.<key>. Unset
// limits are fine: they take their defaults.
func (p MassChangePolicy) check(add func(path, format string, args ...any)) {
	if p.MaxDeactivatePercent != 0 || p.MinDeactivations != 0 {
		if !(p.MaxDeactivatePercent > 0 && p.MaxDeactivatePercent <= 100) {
			add("massChange.maxDeactivatePercent", "must be above 0 and at most 100")
		}
	}
	for _, pct := range []struct {
		key   string
		value float64
	}{{"maxClearPercent", p.MaxClearPercent}, {"maxUpdatePercent", p.MaxUpdatePercent}} {
		if pct.value < 0 || pct.value > 100 {
			add("massChange."+pct.key, "must be between 0 (the default) and 100")
		}
	}
	for _, least := range []struct {
		key   string
		value int
	}{{"minDeactivations", p.MinDeactivations}, {"minClears", p.MinClears}, {"minUpdates", p.MinUpdates}} {
		if least.value < 0 {
			add("massChange."+least.key, "must not be negative")
		}
	}
}

// Block is one reason a plan must wait for approval.
type Block struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Block codes.
const (
	BlockEmptySource = "empty_source"
	BlockMassChange  = "mass_deactivation"
	BlockHierarchy   = "hierarchy"
	// BlockFieldCleared is a run that would blank one field for many users.
	BlockFieldCleared = "field_cleared"
	// BlockMassUpdate is a run that would update many users.
	BlockMassUpdate = "mass_update"
)

// GuardInput is what the guards look at.
type GuardInput struct {
	// SourceCount is how many records the fetch returned.
	SourceCount int
	// Directory is the directory before the plan is applied.
	Directory []User
	// Owned, when not nil, limits the users counted to those it lists by
	// directory id (see DiffInput.Owned): the ones the integration manages.
	Owned map[string]string
	// Plan is the planned changes.
	Plan DiffResult
	// Policy holds the limits.
	Policy MassChangePolicy
	// Tally, when set, is what a Differ counted of the plan, and Directory,
	// Owned and Plan are not looked at.
	Tally *GuardTally
}

// GuardTally is what the guards count of a plan.
type GuardTally struct {
	// Managed counts the active, linked users the integration owns before
	// the plan.
	Managed int
	// Deactivations counts every deactivation planned.
	Deactivations int
	// Updates counts the updates of managed users, and Cleared the fields
	// they clear, by field.
	Updates int
	Cleared map[Field]int
}

// count adds change c, of a user the guards count as managed or not.
func (t *GuardTally) count(c Change, managed bool) {
	switch {
	case c.Op == OpDeactivate:
		t.Deactivations++
	case c.Op == OpUpdate && managed:
		t.Updates++
		for _, f := range c.Fields {
			if c.Employee.Get(f) == "" {
				t.Cleared[f]++
			}
		}
	}
}

// managedUser reports whether the guards count u as a user the integration
// manages: active, linked and, when owned is not nil, owned.
func managedUser(u *User, owned map[string]string) bool {
	if _, ok := owned[u.TargetID]; owned != nil && !ok {
		return false
	}
	return u.Active && u.Employee.ID != ""
}

// Guard returns the reasons the plan may not be applied without approval; none
// means it may. An empty fetch against a directory of linked users is always
// blocked: an HRIS answering with nobody far more likely failed than lost its
// whole workforce. So is a run over the policy's limits: too many
// deactivations, a field cleared for too many users (one block per field),
// or too many updates. Messages hold field names and counts, never values.
func Guard(in GuardInput) []Block {
	t := in.Tally
	if t == nil {
		t = tallyOf(in)
	}
	total := t.Managed
	var blocks []Block
	if in.SourceCount == 0 && total > 0 {
		blocks = append(blocks, Block{Code: BlockEmptySource,
			Message: fmt.Sprintf("the HRIS returned no employees while the directory has %d linked users", total)})
	}
	if total == 0 {
		return blocks
	}
	p := in.Policy.withDefaults()
	if n := t.Deactivations; n >= p.MinDeactivations && over(n, total, p.MaxDeactivatePercent) {
		blocks = append(blocks, Block{Code: BlockMassChange,
			Message: fmt.Sprintf("the run would deactivate %d of %d users (%.0f%%, limit %.0f%%)",
				n, total, percent(n, total), p.MaxDeactivatePercent)})
	}
	for _, f := range slices.SortedFunc(maps.Keys(t.Cleared), fieldOrder) {
		if n := t.Cleared[f]; n >= p.MinClears && over(n, total, p.MaxClearPercent) {
			blocks = append(blocks, Block{Code: BlockFieldCleared,
				Message: fmt.Sprintf("%s would be cleared for %s of %s users (%.0f%%, limit %.0f%%)",
					f, thousands(n), thousands(total), percent(n, total), p.MaxClearPercent)})
		}
	}
	if updates := t.Updates; updates >= p.MinUpdates && over(updates, total, p.MaxUpdatePercent) {
		blocks = append(blocks, Block{Code: BlockMassUpdate,
			Message: fmt.Sprintf("%s of %s users (%.0f%%) would be updated (limit %.0f%%)",
				thousands(updates), thousands(total), percent(updates, total), p.MaxUpdatePercent)})
	}
	return blocks
}

// tallyOf counts a plan held whole.
func tallyOf(in GuardInput) *GuardTally {
	t := &GuardTally{Cleared: map[Field]int{}}
	managed := map[string]bool{} // by directory id
	for i := range in.Directory {
		if u := &in.Directory[i]; managedUser(u, in.Owned) {
			managed[u.TargetID] = true
		}
	}
	t.Managed = len(managed)
	for _, c := range in.Plan.Changes {
		t.count(c, managed[c.TargetID])
	}
	return t
}

// percent is n as a share of total, in percent.
func percent(n, total int) float64 { return 100 * float64(n) / float64(total) }

// over reports whether n of total is above limit percent.
func over(n, total int, limit float64) bool { return percent(n, total) > limit }

// fieldOrder sorts catalogue fields in catalogue order, then custom fields
// by name.
func fieldOrder(a, b Field) int {
	rank := func(f Field) int {
		if i := slices.Index(Catalogue, f); i >= 0 {
			return i
		}
		return len(Catalogue)
	}
	return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a, b))
}

// thousands writes n (not negative) with commas between groups of three
// digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
