package integration

// ReviewPolicy makes runs stop for review: each run plans, then waits in
// AwaitingReview — whatever the guards say — until an administrator
// approves that plan or rejects it. Both are off by default.
type ReviewPolicy struct {
	// Manual makes every run started by hand (sync now) wait for review.
	Manual bool `json:"manual,omitempty" yaml:"manual,omitempty"`
	// Scheduled makes every automatic run (the first, the scheduled ones
	// and those on an exit date) wait for review.
	Scheduled bool `json:"scheduled,omitempty" yaml:"scheduled,omitempty"`
}

// Applies reports whether a run — by hand when manual, else automatic —
// waits for review.
func (p ReviewPolicy) Applies(manual bool) bool {
	if manual {
		return p.Manual
	}
	return p.Scheduled
}
