package activities

import (
	"strings"

	"github.com/hrsync/hrsync/roster"
)

// HeldEmployee is one employee a plan keeps waiting, by HRIS id. Code and
// Reason say why in hrsync's own words ("privacy", "name, email changed",
// "mass_deactivation"), never a name, an email or a value: they are shown
// in the Web UI's details and sent in notices.
type HeldEmployee struct {
	EmployeeID string `json:"employeeId"`
	Code       string `json:"code"`
	Reason     string `json:"reason,omitempty"`
}

// MaxHeldListed caps how many held employees a plan result and a notice
// list; the total says how many there are in all.
const MaxHeldListed = 100

// CodeHeldBack is the code of an employee held back because the rules
// found problems with their record; the reason names the problems' codes.
const CodeHeldBack = "held_back"

// heldEmployees lists who a plan keeps waiting, at most MaxHeldListed, and
// how many there are in all: first the employees held for review (their
// hold's code and reason), then those held back by the rules (the problems'
// codes), then, for a block that holds no one by name — a mass
// deactivation, an empty source — the employees its deactivations concern,
// with the block's code.
func heldEmployees(blocks []roster.Block, holds []roster.Hold, changes []roster.Change) ([]HeldEmployee, int) {
	var listed []HeldEmployee
	total := 0
	seen := map[string]bool{}
	add := func(h HeldEmployee) {
		if seen[h.EmployeeID] {
			return
		}
		seen[h.EmployeeID] = true
		total++
		if len(listed) < MaxHeldListed {
			listed = append(listed, h)
		}
	}
	for _, h := range holds {
		add(HeldEmployee{EmployeeID: h.EmployeeID, Code: h.Code, Reason: h.Reason})
	}
	for _, c := range changes {
		if why, ok := strings.CutPrefix(c.Reason, heldBackPrefix); ok && c.Op == roster.OpSkip {
			add(HeldEmployee{EmployeeID: c.EmployeeID, Code: CodeHeldBack, Reason: why})
		}
	}
	for _, b := range blocks {
		if b.Code != roster.BlockMassChange && b.Code != roster.BlockEmptySource {
			continue
		}
		for _, c := range changes {
			if c.Op == roster.OpDeactivate {
				add(HeldEmployee{EmployeeID: c.EmployeeID, Code: b.Code})
			}
		}
	}
	return listed, total
}

// heldBackPrefix starts the reason of a change the rules held back (see
// roster.Diff).
const heldBackPrefix = "held back: "
