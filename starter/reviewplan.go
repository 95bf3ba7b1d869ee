package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/hrsync/hrsync/internal/csvsafe"
	"github.com/hrsync/hrsync/operator"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/workflows"
)

// exitAwaitingReview is the exit code of sync --wait when the run stopped
// for review: the plan waits for `starter review`, then approve or reject.
const exitAwaitingReview = 4

func (c *cli) reviewCmd() *cobra.Command {
	var run string
	var asCSV, all bool
	cmd := &cobra.Command{
		Use:   "review ID",
		Short: "List the waiting plan per employee: operation, reason, and changed fields old → new",
		Long: "Lists the plan of the run waiting for review (or approval) per employee: its operation, why,\n" +
			"and the fields it writes with old → new values; names, emails and date of birth show only as\n" +
			"changed. It reads the worker's store. Then `starter approve ID --plan PLAN` applies exactly that\n" +
			"plan, or `starter reject ID` applies nothing.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			planID := run
			if planID == "" {
				err := c.withOperator(cmd, func(ctx context.Context, op *operator.Operator) error {
					b, err := op.Waiting(ctx, args[0])
					planID = b.PlanID
					return err
				})
				if err != nil {
					return err
				}
			}
			st, err := c.openStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			r, err := operator.ReviewPlan(ctx, st, planID, all)
			if err != nil {
				return err
			}
			if r.IntegrationID != args[0] {
				return fmt.Errorf("plan %s belongs to integration %s, not %s", planID, r.IntegrationID, args[0])
			}
			if asCSV {
				return csvsafe.Write(c.out, reviewRows(r))
			}
			return c.print(r, func(w io.Writer) { printReview(w, r) })
		},
	}
	cmd.Flags().StringVar(&run, "run", "", "the run whose plan to list (its workflow ID, as in `history`); default the one waiting")
	cmd.Flags().BoolVar(&asCSV, "csv", false, "print CSV: one row per changed field")
	cmd.Flags().BoolVar(&all, "all", false, "list unchanged employees too")
	return cmd
}

// fieldChange is one field as a review prints it.
func fieldChange(f roster.ReviewField) string {
	if f.Identity {
		return fmt.Sprintf("%s: changed", f.Field)
	}
	return fmt.Sprintf("%s: %q → %q", f.Field, f.Old, f.New)
}

func printReview(w io.Writer, r operator.Review) {
	fmt.Fprintf(w, "plan %s: %s\n", r.PlanID, countsLine(r.Planned))
	for _, b := range r.Blocks {
		fmt.Fprintf(w, "  blocked by %s: %s\n", b.Code, b.Message)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMPLOYEE\tOPERATION\tREASON\tCHANGES")
	for _, c := range r.Changes {
		first := ""
		if len(c.Fields) > 0 {
			first = fieldChange(c.Fields[0])
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.EmployeeID, c.Op, c.Reason, first)
		for _, f := range c.Fields[min(1, len(c.Fields)):] {
			fmt.Fprintf(tw, "\t\t\t%s\n", fieldChange(f))
		}
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "decide with: starter approve %s --plan %s  |  starter reject %s\n", r.IntegrationID, r.PlanID, r.IntegrationID)
}

// reviewRows are a review as CSV: a row per field written, and a row with
// no field for a change that writes none (a deactivation, say).
func reviewRows(r operator.Review) [][]string {
	rows := [][]string{{"employeeId", "operation", "reason", "field", "old", "new"}}
	for _, c := range r.Changes {
		if len(c.Fields) == 0 {
			rows = append(rows, []string{c.EmployeeID, string(c.Op), c.Reason, "", "", ""})
		}
		for _, f := range c.Fields {
			old, now := f.Old, f.New
			if f.Identity {
				old, now = "", "changed"
			}
			rows = append(rows, []string{c.EmployeeID, string(c.Op), c.Reason, string(f.Field), old, now})
		}
	}
	return rows
}

// awaitingReview ends a sync --wait whose run waits for review.
func (c *cli) awaitingReview(id, workflowID string) error {
	_ = c.print(map[string]string{"workflowId": workflowID, "status": workflows.StatusAwaitingReview}, func(w io.Writer) {
		fmt.Fprintf(w, "%s awaits review: list its plan with `starter review %s`, then `starter approve %s` or `starter reject %s`\n",
			workflowID, id, id, id)
	})
	return &exitError{code: exitAwaitingReview}
}
