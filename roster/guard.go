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
}

// Guard returns the reasons the plan may not be applied without approval; none
// means it may. An empty fetch against a directory of linked users is always
// blocked: an HRIS answering with nobody far more likely failed than lost its
// whole workforce. So is a run over the policy's limits: too many
// deactivations, a field cleared for too many users (one block per field),
// or too many updates. Messages hold field names and counts, never values.
func Guard(in GuardInput) []Block {
	managed := map[string]bool{} // active, linked users by directory id
	for i := range in.Directory {
		u := &in.Directory[i]
		if _, owned := in.Owned[u.TargetID]; in.Owned != nil && !owned {
			continue
		}
		if u.Active && u.Employee.ID != "" {
			managed[u.TargetID] = true
		}
	}
	total := len(managed)
	var blocks []Block
	if in.SourceCount == 0 && total > 0 {
		blocks = append(blocks, Block{Code: BlockEmptySource,
			Message: fmt.Sprintf("the HRIS returned no employees while the directory has %d linked users", total)})
	}
	if total == 0 {
		return blocks
	}
	p := in.Policy.withDefaults()
	if n := in.Plan.Counts()[OpDeactivate]; n >= p.MinDeactivations && over(n, total, p.MaxDeactivatePercent) {
		blocks = append(blocks, Block{Code: BlockMassChange,
			Message: fmt.Sprintf("the run would deactivate %d of %d users (%.0f%%, limit %.0f%%)",
				n, total, percent(n, total), p.MaxDeactivatePercent)})
	}
	updates, cleared := 0, map[Field]int{}
	for _, c := range in.Plan.Changes {
		if c.Op != OpUpdate || !managed[c.TargetID] {
			continue
		}
		updates++
		for _, f := range c.Fields {
			if c.Employee.Get(f) == "" {
				cleared[f]++
			}
		}
	}
	for _, f := range slices.SortedFunc(maps.Keys(cleared), fieldOrder) {
		if n := cleared[f]; n >= p.MinClears && over(n, total, p.MaxClearPercent) {
			blocks = append(blocks, Block{Code: BlockFieldCleared,
				Message: fmt.Sprintf("%s would be cleared for %s of %s users (%.0f%%, limit %.0f%%)",
					f, thousands(n), thousands(total), percent(n, total), p.MaxClearPercent)})
		}
	}
	if updates >= p.MinUpdates && over(updates, total, p.MaxUpdatePercent) {
		blocks = append(blocks, Block{Code: BlockMassUpdate,
			Message: fmt.Sprintf("%s of %s users (%.0f%%) would be updated (limit %.0f%%)",
				thousands(updates), thousands(total), percent(updates, total), p.MaxUpdatePercent)})
	}
	return blocks
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
