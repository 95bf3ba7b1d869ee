package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/hrsync/hrsync/internal/csvsafe"
	"github.com/hrsync/hrsync/operator"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
)

// defaultStore is where dev mode keeps the store, relative to the checkout.
const defaultStore = ".hrsync/hrsync.db"

// openStore opens the worker's store, which holds plans, reports and
// previews: the per-employee detail that never goes through Temporal.
func (c *cli) openStore(ctx context.Context) (*store.Store, error) {
	lower := strings.ToLower(c.storePath)
	isPostgres := strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://")
	if _, err := os.Stat(c.storePath); !isPostgres && errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("store %s not found: point --store or HRSYNC_STORE at the worker's store", c.storePath)
	}
	return store.Open(ctx, c.storePath)
}

// printHolds prints who a blocked plan holds back and why, from the store.
func (c *cli) printHolds(ctx context.Context, w io.Writer, planID string) {
	st, err := c.openStore(ctx)
	if err != nil {
		fmt.Fprintf(w, "  (details unavailable: %v)\n", err)
		return
	}
	defer st.Close()
	plan, err := st.GetPlan(ctx, planID)
	if err != nil {
		fmt.Fprintf(w, "  (details unavailable: %v)\n", err)
		return
	}
	printPlanHolds(w, plan)
}

// printPlanHolds lists a plan's held employees with old → new values of the
// identity attributes concerned, and its hierarchy problems. Nothing else
// about the people is shown.
func printPlanHolds(w io.Writer, plan store.Plan) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, h := range plan.Holds {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", h.EmployeeID, h.Code, h.Reason)
		for _, ch := range h.Changes {
			if ch.Digest {
				fmt.Fprintf(tw, "  \t\t  %s: changed (not synced: only keyed digests are kept)\n", ch.Field)
				continue
			}
			fmt.Fprintf(tw, "  \t\t  %s: %q → %q\n", ch.Field, ch.Old, ch.New)
		}
	}
	for _, p := range plan.Problems {
		if roster.IsHierarchy(p.Code) {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", p.EmployeeID, p.Code, p.Message)
		}
	}
	_ = tw.Flush()
}

func (c *cli) previewCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "preview ID [--out FILE]",
		Short: "Fetch and map the HRIS without applying anything, and write the CSV to check",
		Long: "Fetches and maps the HRIS without applying anything and writes the CSV to check. It holds\n" +
			"people data: without --out it goes to <data-dir>/previews/<id>-<time>.csv (folder 0700, file\n" +
			"0600), outside the checkout's tracked files.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withOperator(cmd, func(ctx context.Context, op *operator.Operator) error {
				res, err := op.Preview(ctx, args[0])
				if err != nil {
					return err
				}
				st, err := c.openStore(ctx)
				if err != nil {
					return err
				}
				defer st.Close()
				export, err := st.GetExport(ctx, res.ExportID)
				if err != nil {
					return err
				}
				if out == "" {
					if out, err = c.previewPath(args[0]); err != nil {
						return err
					}
				}
				if err := os.WriteFile(out, export.Data, 0o600); err != nil {
					return fmt.Errorf("unable to write %s: %w", out, err)
				}
				if err := st.DeleteExport(ctx, res.ExportID); err != nil {
					return err
				}
				return c.print(res, func(w io.Writer) {
					fmt.Fprintf(w, "wrote %s: %d employees, %d flagged, %d excluded\n", out, res.Rows, res.Flagged, res.Excluded)
					for _, f := range res.AmbiguousDates {
						fmt.Fprintf(w, "  warning: %s: every date reads as well with day and month swapped; check dateFormats.%s\n", f, f)
					}
					for _, warning := range res.Warnings {
						fmt.Fprintf(w, "  warning: %s\n", warning)
					}
				})
			})
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "",
		"CSV file to write (created with owner-only permissions; default <data-dir>/previews/<id>-<time>.csv)")
	return cmd
}

// previewPath is where a preview of integration id goes without --out: a
// new file in the data dir's previews folder, which only its owner may open.
func (c *cli) previewPath(id string) (string, error) {
	dir := filepath.Join(c.dataDir, "previews")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("unable to create %s: %w", dir, err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return "", fmt.Errorf("unable to restrict %s to its owner: %w", dir, err)
	}
	return filepath.Join(dir, fmt.Sprintf("%s-%s.csv", id, time.Now().UTC().Format("20060102T150405.000Z"))), nil
}

func (c *cli) reportCmd() *cobra.Command {
	var csvPath string
	var all, problemsOnly bool
	cmd := &cobra.Command{
		Use:   "report RUN_ID",
		Short: "Print a run's problems, then its per-employee outcomes (RUN_ID as in `history`)",
		Long: "Prints the run's counts, then its problems and the employees it failed or held back, then\n" +
			"every other change. An employee held back (by validation) shows as held: nothing was written\n" +
			"for them. --problems prints only the problems, failures and holds.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			st, err := c.openStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			report, err := st.GetReport(ctx, args[0])
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("no report for run %s (a run still waiting or failed has none)", args[0])
			}
			if err != nil {
				return err
			}
			changes, err := st.PlanChanges(ctx, report.PlanID)
			if err != nil {
				return err
			}
			changes = reportRows(changes, problemsOnly)
			if csvPath != "" {
				if err := writeReportCSV(csvPath, changes); err != nil {
					return err
				}
			}
			return c.print(struct {
				Report  store.Report          `json:"report"`
				Changes []store.PlannedChange `json:"changes"`
			}{report, changes}, func(w io.Writer) { printReport(w, report, changes, all) })
		},
	}
	cmd.Flags().StringVar(&csvPath, "csv", "", "also write every employee's outcome to this CSV file")
	cmd.Flags().BoolVar(&all, "all", false, "list unchanged employees too")
	cmd.Flags().BoolVar(&problemsOnly, "problems", false, "list only problems, failures and employees held back")
	return cmd
}

// statusHeld is a report's outcome for an employee held back: the plan
// records the skip as applied, since there was nothing to write.
const statusHeld store.ChangeStatus = "held"

// heldBackPrefix starts the reason of the skip the plan makes of an
// employee held back (see roster's Diff).
const heldBackPrefix = "held back: "

// reportRows orders a run's changes for its report, failures first, then
// employees held back, then the rest as planned, with held ones' outcome
// as held; with problemsOnly, only failures and holds.
func reportRows(changes []store.PlannedChange, problemsOnly bool) []store.PlannedChange {
	rank := func(pc store.PlannedChange) int {
		switch pc.Status {
		case store.StatusFailed:
			return 0
		case statusHeld:
			return 1
		}
		return 2
	}
	out := make([]store.PlannedChange, 0, len(changes))
	for _, pc := range changes {
		if pc.Change.Op == roster.OpSkip && strings.HasPrefix(pc.Change.Reason, heldBackPrefix) {
			pc.Status = statusHeld
		}
		if !problemsOnly || rank(pc) < 2 {
			out = append(out, pc)
		}
	}
	slices.SortStableFunc(out, func(a, b store.PlannedChange) int { return rank(a) - rank(b) })
	return out
}

func printReport(w io.Writer, r store.Report, changes []store.PlannedChange, all bool) {
	fmt.Fprintf(w, "run %s: %s\n  planned: %s\n  applied: %s; failed %d; problems %d\n",
		r.SyncID, r.Outcome, countsLine(r.Planned), countsLine(r.Applied), len(r.Failures), len(r.Problems))
	for _, b := range r.Blocks {
		fmt.Fprintf(w, "  blocked by %s: %s\n", b.Code, b.Message)
	}
	if r.Unfinished > 0 {
		fmt.Fprintf(w, "  unfinished: %d changes the run did not get to; the next run plans them again\n", r.Unfinished)
	}
	if r.NotManaged > 0 {
		fmt.Fprintf(w, "  not managed: %d directory users hrsync does not own, left alone\n", r.NotManaged)
	}
	if inv := r.Invites; inv != nil {
		fmt.Fprintf(w, "  invites: %d sent, %d failed, %d unconfirmed\n", inv.Sent, inv.Failed, inv.Unconfirmed)
		for _, f := range inv.Failures {
			fmt.Fprintf(w, "  invite %s %s: %s\n", f.Status, f.EmployeeID, cmp.Or(f.Error, "the run stopped while sending it; it may have arrived"))
		}
	}
	for _, warning := range r.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", warning)
	}
	for _, p := range r.Problems {
		fmt.Fprintf(w, "  problem %s %s: %s\n", p.EmployeeID, p.Code, p.Message)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMPLOYEE\tOPERATION\tOUTCOME\tDETAIL")
	for _, pc := range changes {
		if pc.Change.Op == roster.OpUnchanged && !all {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", pc.Change.EmployeeID, pc.Change.Op, pc.Status, detail(pc))
	}
	_ = tw.Flush()
}

// detail is what a report says about one change: its error, or its reason
// and the fields it wrote.
func detail(pc store.PlannedChange) string {
	if pc.Error != "" {
		return pc.Error
	}
	d := pc.Change.Reason
	if len(pc.Change.Fields) > 0 && pc.Change.Op != roster.OpCreate {
		names := make([]string, len(pc.Change.Fields))
		for i, f := range pc.Change.Fields {
			names[i] = string(f)
		}
		d = strings.TrimPrefix(d+"; fields "+strings.Join(names, ", "), "; ")
	}
	return d
}

func writeReportCSV(path string, changes []store.PlannedChange) error {
	rows := [][]string{{"employeeId", "operation", "outcome", "detail"}}
	for _, pc := range changes {
		rows = append(rows, []string{pc.Change.EmployeeID, string(pc.Change.Op), string(pc.Status), detail(pc)})
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("unable to write %s: %w", path, err)
	}
	if err := csvsafe.Write(f, rows); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
