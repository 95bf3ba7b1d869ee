package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/hrsync/hrsync/operator"
	"github.com/hrsync/hrsync/workflows"
)

// errHeld cancels a wait that found its run held for approval.
var errHeld = errors.New("the sync is awaiting approval")

// waitForSync waits for sync workflowID of integration id and prints its
// summary. A wait that could only end with an administrator's decision
// ends at once instead: the run is held for approval, or queued behind a
// run that is. What holds it is printed, and the starter exits with
// exitAwaitingApproval.
func (c *cli) waitForSync(ctx context.Context, op *operator.Operator, id, workflowID string) error {
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
	return c.print(sum, func(w io.Writer) { printSummary(w, sum) })
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
