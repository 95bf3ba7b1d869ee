package roster

import "fmt"

// MassChangePolicy bounds how many people one automated sync may deactivate
// before it stops and waits for an administrator.
type MassChangePolicy struct {
	// MaxDeactivatePercent is the share of the directory's active, linked users
	// a run may deactivate without approval.
	MaxDeactivatePercent float64 `json:"maxDeactivatePercent" yaml:"maxDeactivatePercent"`
	// MinDeactivations is how many deactivations it takes before the
	// percentage applies at all, so small teams are not blocked by one leaver.
	MinDeactivations int `json:"minDeactivations" yaml:"minDeactivations"`
}

// DefaultMassChangePolicy blocks a run that would deactivate more than 20% of
// the directory, and at least 5 people.
var DefaultMassChangePolicy = MassChangePolicy{MaxDeactivatePercent: 20, MinDeactivations: 5}

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
)

// GuardInput is what the guards look at.
type GuardInput struct {
	// SourceCount is how many records the fetch returned.
	SourceCount int
	// Directory is the directory before the plan is applied.
	Directory []User
	// Plan is the planned changes.
	Plan DiffResult
	// Policy is the mass-change threshold.
	Policy MassChangePolicy
}

// Guard returns the reasons the plan may not be applied without approval; none
// means it may. An empty fetch against a directory of linked users is always
// blocked: an HRIS answering with nobody far more likely failed than lost its
// whole workforce.
func Guard(in GuardInput) []Block {
	managed := 0
	for _, u := range in.Directory {
		if u.Active && u.Employee.ID != "" {
			managed++
		}
	}
	var blocks []Block
	if in.SourceCount == 0 && managed > 0 {
		blocks = append(blocks, Block{Code: BlockEmptySource,
			Message: fmt.Sprintf("the HRIS returned no employees while the directory has %d linked users", managed)})
	}
	deactivations := in.Plan.Counts()[OpDeactivate]
	if managed > 0 && deactivations >= in.Policy.MinDeactivations {
		pct := 100 * float64(deactivations) / float64(managed)
		if pct > in.Policy.MaxDeactivatePercent {
			blocks = append(blocks, Block{Code: BlockMassChange,
				Message: fmt.Sprintf("the run would deactivate %d of %d users (%.0f%%, limit %.0f%%)",
					deactivations, managed, pct, in.Policy.MaxDeactivatePercent)})
		}
	}
	return blocks
}
