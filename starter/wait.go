package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/hrsync/hrsync/operator"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
	"github.com/hrsync/hrsync/workflows"
)

// errHeld cancels a wait that found its run held for approval.
var errHeld = errors.New("the sync is awaiting approval")

// waitForSync waits for sync workflowID of integration id and prints its
// summary. A wait that could only end with an administrator's decision
// ends at once instead: the run is held for approval, or queued behind a
// run that is. What holds it is printed, and the starter exits with
// exitAwaitingApproval.
func (c *cli) waitForSync(ctx context.Context, op *operator.Operator, id, workflowID, employee string) error {
	var progress func(operator.Progress)
	var pp *progressPrinter
	if !c.json {
		fmt.Fprintf(c.out, "waiting for %s\n", workflowID)
		pp = newProgressPrinter(c.out)
		progress = pp.show
	}
	waitCtx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	blocked := make(chan workflows.BlockedSync, 1)
	go watchForBlock(waitCtx, op, id, func(b workflows.BlockedSync) {
		blocked <- b
		stop(errHeld)
	})
	sum, err := op.WaitForSync(waitCtx, workflowID, progress)
	if pp != nil {
		pp.done()
	}
	if errors.Is(context.Cause(waitCtx), errHeld) {
		b := <-blocked
		if b.Review && b.WorkflowID == workflowID {
			return c.awaitingReview(id, workflowID)
		}
		return c.printHeld(ctx, id, workflowID, b)
	}
	if err != nil {
		return err
	}
	if employee == "" {
		return c.print(sum, func(w io.Writer) { printSummary(w, sum) })
	}
	return c.printEmployeeSync(ctx, sum, employee)
}

// employeeSync is what sync --employee --wait prints with --json: the
// run's summary and what it did for the employee.
type employeeSync struct {
	Summary  workflows.SyncSummary `json:"summary"`
	Employee string                `json:"employee"`
	Changes  []store.PlannedChange `json:"changes"`
	Problems []roster.Problem      `json:"problems,omitempty"`
	// Note says why the outcome could not be read, or that the run
	// synced everyone (requests for several employees make one full run).
	Note string `json:"note,omitempty"`
}

// printEmployeeSync prints a finished run's summary, then the one
// employee's outcome from its report: operation, outcome and fields, and
// any problem with the employee's data.
func (c *cli) printEmployeeSync(ctx context.Context, sum workflows.SyncSummary, employee string) error {
	out := employeeSync{Summary: sum, Employee: employee}
	if sum.Employee != employee {
		out.Note = "the run synced everyone: it was requested together with another sync"
	}
	if err := c.readEmployeeOutcome(ctx, sum, &out); err != nil {
		out.Note = fmt.Sprintf("unable to read the outcome (see starter report %s): %v", sum.WorkflowID, err)
	}
	return c.print(out, func(w io.Writer) {
		printSummary(w, sum)
		for _, p := range out.Problems {
			fmt.Fprintf(w, "  employee %s: problem %s: %s\n", employee, p.Code, p.Message)
		}
		for _, pc := range out.Changes {
			fmt.Fprintf(w, "  employee %s: %s %s", employee, pc.Change.Op, pc.Status)
			if d := detail(pc); d != "" {
				fmt.Fprintf(w, "; %s", d)
			}
			fmt.Fprintln(w)
		}
		if len(out.Changes) == 0 && len(out.Problems) == 0 && out.Note == "" {
			fmt.Fprintf(w, "  employee %s: nothing to do\n", employee)
		}
		if out.Note != "" {
			fmt.Fprintf(w, "  note: %s\n", out.Note)
		}
	})
}

// readEmployeeOutcome fills out with the employee's changes and problems
// from the run's report.
func (c *cli) readEmployeeOutcome(ctx context.Context, sum workflows.SyncSummary, out *employeeSync) error {
	if sum.ReportID == "" || sum.PlanID == "" {
		return errors.New("the run left no report")
	}
	st, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	report, err := st.GetReport(ctx, sum.ReportID)
	if err != nil {
		return err
	}
	changes, err := st.PlanChanges(ctx, report.PlanID)
	if err != nil {
		return err
	}
	for _, pc := range reportRows(changes, false) {
		if pc.Change.EmployeeID == out.Employee {
			out.Changes = append(out.Changes, pc)
		}
	}
	for _, p := range report.Problems {
		if p.EmployeeID == out.Employee {
			out.Problems = append(out.Problems, p)
		}
	}
	return nil
}

// blockPoll is how often a waiting sync looks for a block.
const blockPoll = 500 * time.Millisecond

// watchForBlock calls held, once, when integration id's current sync is
// awaiting approval, until ctx ends.
func watchForBlock(ctx context.Context, op *operator.Operator, id string, held func(workflows.BlockedSync)) {
	tick := time.NewTicker(blockPoll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		st, err := op.Status(ctx, id)
		if err != nil {
			continue // the wait itself reports what is wrong
		}
		if cur := st.Current; cur != nil && cur.Blocked != nil {
			held(*cur.Blocked)
			return
		}
	}
}

// heldSync is what sync --wait prints, with --json, for a run held for
// approval: the run waited for, and the held run, itself or the one it is
// queued behind.
type heldSync struct {
	WorkflowID string                `json:"workflowId"`
	Status     string                `json:"status"`
	Blocked    workflows.BlockedSync `json:"blocked"`
}

// printHeld says why sync workflowID waits, and how to decide, and ends
// the starter with exitAwaitingApproval.
func (c *cli) printHeld(ctx context.Context, id, workflowID string, b workflows.BlockedSync) error {
	out := heldSync{WorkflowID: workflowID, Status: workflows.StatusAwaitingApproval, Blocked: b}
	err := c.print(out, func(w io.Writer) {
		if b.WorkflowID == workflowID {
			fmt.Fprintf(w, "%s is awaiting approval\n", workflowID)
		} else {
			fmt.Fprintf(w, "%s is queued behind %s, which is awaiting approval\n", workflowID, b.WorkflowID)
		}
		fmt.Fprintf(w, "  plan %s: %s\n", b.PlanID, countsLine(b.Planned))
		for _, blk := range b.Blocks {
			fmt.Fprintf(w, "  blocked by %s: %s\n", blk.Code, blk.Message)
		}
		c.printHolds(ctx, w, b.PlanID)
		fmt.Fprintf(w, "  decide with starter approve %s  |  starter reject %s\n", id, id)
	})
	if err != nil {
		return err
	}
	return &exitError{code: exitAwaitingApproval}
}
