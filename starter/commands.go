package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/operator"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/workflows"
)

// readConfig reads an integration config from a YAML or JSON file and
// reports every problem with it at once, each by its config path: unknown
// keys (a typo is an error, not a silent default), values of the wrong
// type, whatever Validate refuses, and mapping rules reading fields the
// source does not supply, which would leave their targets empty for
// everyone. Only create and update check the source's fields: a running
// integration's config is not held to them.
func readConfig(path string) (integration.Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return integration.Config{}, fmt.Errorf("unable to read config: %w", err)
	}
	cfg, decoded := decodeConfig(data)
	if err := configErrors(path, decoded, validationProblems(cfg, decoded)); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// whoami is the default name recorded for an operator's action.
func whoami() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "operator"
}

// skipCheckUsage explains create's and update's --skip-credential-check.
const skipCheckUsage = "do not look store:<id> references up in the worker's store (when the starter cannot reach it); their syntax is still checked"

func (c *cli) createCmd() *cobra.Command {
	var file string
	var skipCheck bool
	cmd := &cobra.Command{
		Use:   "create --file F",
		Short: "Create an integration from a YAML or JSON config file",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := readConfig(file)
			if err != nil {
				return err
			}
			if err := c.checkRefs(cmd.Context(), file, cfg, skipCheck); err != nil {
				return err
			}
			if err := c.requirePayloadKey(whyConfig); err != nil {
				return err
			}
			return c.withOperator(cmd, func(ctx context.Context, op *operator.Operator) error {
				if err := op.Create(ctx, cfg); err != nil {
					return err
				}
				return c.print(map[string]string{"id": cfg.ID, "workflowId": workflows.IntegrationWorkflowID(cfg.ID)},
					func(w io.Writer) { fmt.Fprintf(w, "created integration %s\n", cfg.ID) })
			})
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "integration config (YAML or JSON)")
	cmd.Flags().BoolVar(&skipCheck, "skip-credential-check", false, skipCheckUsage)
	_ = cmd.MarkFlagRequired("file")
	return cmd
}

func (c *cli) updateCmd() *cobra.Command {
	var file string
	var skipCheck bool
	cmd := &cobra.Command{
		Use:   "update --file F",
		Short: "Replace an integration's configuration",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := readConfig(file)
			if err != nil {
				return err
			}
			if err := c.checkRefs(cmd.Context(), file, cfg, skipCheck); err != nil {
				return err
			}
			if err := c.requirePayloadKey(whyConfig); err != nil {
				return err
			}
			return c.withOperator(cmd, func(ctx context.Context, op *operator.Operator) error {
				st, err := op.UpdateConfig(ctx, cfg)
				if err != nil {
					return err
				}
				return c.print(st, func(w io.Writer) { fmt.Fprintf(w, "updated integration %s\n", cfg.ID) })
			})
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "integration config (YAML or JSON)")
	cmd.Flags().BoolVar(&skipCheck, "skip-credential-check", false, skipCheckUsage)
	_ = cmd.MarkFlagRequired("file")
	return cmd
}

func (c *cli) listCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List integrations",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.withTemporal(cmd, func(ctx context.Context, op *operator.Operator) error {
				list, err := op.List(ctx)
				if err != nil {
					return err
				}
				return c.print(list, func(w io.Writer) {
					tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "ID\tSTATUS\tSINCE")
					for _, l := range list {
						fmt.Fprintf(tw, "%s\t%s\t%s\n", l.ID, l.SyncStatus, l.StartedAt.Local().Format(time.DateTime))
					}
					_ = tw.Flush()
				})
			})
		},
	}
}

func (c *cli) statusCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "status ID",
		Short: "Show an integration's state, current and last sync, and next run",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withOperator(cmd, func(ctx context.Context, op *operator.Operator) error {
				st, err := op.Status(ctx, args[0])
				if err != nil {
					return err
				}
				st.Config = redactConfig(st.Config)
				out := statusOut{IntegrationStatus: st}
				if cur := st.Current; cur != nil {
					if p, err := op.Progress(ctx, cur.WorkflowID); err == nil {
						out.Progress = &p
					}
				}
				return c.print(out, func(w io.Writer) {
					printStatus(w, st)
					if out.Progress != nil && out.Progress.Running {
						fmt.Fprintf(w, "progress           %s\n", describeProgress(*out.Progress))
						if r := out.Progress.Retrying; r != nil {
							fmt.Fprintf(w, "retrying           %s\n", r)
						}
					}
					if cur := st.Current; cur != nil && cur.Blocked != nil {
						fmt.Fprintln(w, "held for review")
						c.printHolds(ctx, w, cur.Blocked.PlanID)
					}
				})
			})
		},
	}
}

// statusOut is what status prints: the integration's state and, while a
// sync runs, how far it has got.
type statusOut struct {
	workflows.IntegrationStatus
	Progress *operator.Progress `json:"progress,omitempty"`
}

func printStatus(w io.Writer, st workflows.IntegrationStatus) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "integration\t%s\t%s\n", st.ID, st.Name)
	fmt.Fprintf(tw, "status\t%s\n", st.Status)
	if st.Quarantined != "" {
		fmt.Fprintf(tw, "  quarantined\t%s\n", st.Quarantined)
		fmt.Fprintf(tw, "  resume with\tstarter resume %s (scheduled syncs wait until then; sync still works)\n", st.ID)
	}
	fmt.Fprintf(tw, "source → target\t%s %s → %s %s\n", st.Config.Source.Kind, st.Config.Source.URL,
		st.Config.Target.Kind, st.Config.Target.URL)
	auto := "on"
	if !st.AutoSync {
		auto = "off"
	}
	fmt.Fprintf(tw, "schedule\t%s (%s), auto-sync %s\n", st.Schedule, st.TimeZone, auto)
	next := "none"
	if st.NextRunAt != nil {
		next = st.NextRunAt.Local().Format(time.RFC3339)
	}
	fmt.Fprintf(tw, "next run\t%s\n", next)
	fmt.Fprintf(tw, "syncs\t%d\n", st.Syncs)
	if cur := st.Current; cur != nil {
		fmt.Fprintf(tw, "current sync\t%s (%s, started %s)\n", cur.WorkflowID, cur.Trigger,
			cur.StartedAt.Local().Format(time.RFC3339))
		if b := cur.Blocked; b != nil && b.Review {
			fmt.Fprintf(tw, "awaiting review\tplan %s: %s\n", b.PlanID, countsLine(b.Planned))
			fmt.Fprintf(tw, "  review with\tstarter review %s\n", st.ID)
		} else if b != nil {
			fmt.Fprintf(tw, "awaiting approval\tplan %s: %s\n", b.PlanID, countsLine(b.Planned))
			for _, blk := range b.Blocks {
				fmt.Fprintf(tw, "  blocked by\t%s: %s\n", blk.Code, blk.Message)
			}
			fmt.Fprintf(tw, "  decide with\tstarter approve %s  |  starter reject %s\n", st.ID, st.ID)
		}
	}
	if last := st.LastSync; last != nil {
		fmt.Fprintf(tw, "last sync\t%s %s at %s\n", last.WorkflowID, last.Status,
			last.FinishedAt.Local().Format(time.RFC3339))
		fmt.Fprintf(tw, "  applied\t%s, failed %d, problems %d\n", countsLine(last.Applied), last.Failed, last.Problems)
		if last.PlanID != "" {
			fmt.Fprintf(tw, "  compared with\t%s\n", comparedWith(last.Reconciled))
		}
		if last.NotManaged > 0 {
			fmt.Fprintf(tw, "  not managed\t%d directory users hrsync does not own, left alone\n", last.NotManaged)
		}
		for _, warning := range last.Warnings {
			fmt.Fprintf(tw, "  warning\t%s\n", warning)
		}
		if last.Error != "" {
			fmt.Fprintf(tw, "  error\t%s\n", last.Error)
		}
	}
	_ = tw.Flush()
}

// countsLine renders per-operation counts in a fixed order.
func countsLine(counts map[roster.Op]int) string {
	var parts []string
	for _, op := range roster.Ops {
		if n := counts[op]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", op, n))
		}
	}
	if len(parts) == 0 {
		return "no changes"
	}
	return strings.Join(parts, ", ")
}

func (c *cli) syncCmd() *cobra.Command {
	var wait, approve, review, reconcile bool
	var employee string
	cmd := &cobra.Command{
		Use:   "sync ID",
		Short: "Start a sync now (with --wait, wait for it and print its summary)",
		Long: "Starts a sync now, or after the one already running. With --wait, waits for it and prints its\n" +
			"summary; when the run stops to wait for an administrator's approval (a privacy, mass-change or\n" +
			"hierarchy block), prints why and exits with code 3 without waiting further: decide with\n" +
			"`starter approve ID` or `starter reject ID`. With --employee E, the run syncs that one\n" +
			"employee only, like provisioning on demand: no one else is created, changed or deactivated.\n" +
			"A run compares the HRIS with the users as hrsync last wrote them; every reconcileDays (and\n" +
			"with --reconcile) it lists the whole directory instead, and repairs edits made there.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if review && approve {
				return fmt.Errorf("--review stops the run for you to review its plan; --approve pushes it through: choose one")
			}
			return c.withOperator(cmd, func(ctx context.Context, op *operator.Operator) error {
				res, err := op.SyncNowWith(ctx, args[0], workflows.SyncRequest{By: whoami(), Approve: approve, Review: review,
					Employee: employee, Reconcile: reconcile})
				if err != nil {
					return err
				}
				if !wait {
					return c.print(res, func(w io.Writer) {
						note := ""
						if res.Queued {
							note = " (after the sync already running)"
						}
						fmt.Fprintf(w, "sync %s requested%s\n", res.WorkflowID, note)
					})
				}
				return c.waitForSync(ctx, op, args[0], res.WorkflowID, employee)
			})
		},
	}
	cmd.Flags().StringVar(&employee, "employee", "", "sync only this employee (`HRIS id`), leaving everyone else as they are; "+
		"with --wait, print each step and then that employee's outcome")
	cmd.Flags().BoolVar(&reconcile, "reconcile", false, "compare with the directory as it is, listing every user, "+
		"and repair what was edited or deleted there behind hrsync's back")
	cmd.Flags().BoolVar(&wait, "wait", false, "wait for the sync to finish and print its summary; "+
		"a run held for approval ends the wait, with exit code 3")
	cmd.Flags().BoolVar(&approve, "approve", false, "push the run through any block (privacy, mass change, hierarchy): you take responsibility for it")
	cmd.Flags().BoolVar(&review, "review", false, "stop the run once planned, whatever the guards say, for `starter review`; "+
		"with --wait, return then (exit code 4)")
	return cmd
}

// comparedWith says what a run compared the HRIS with, given why it
// reconciled ("" for not).
func comparedWith(reconciled string) string {
	if reconciled == "" {
		return "the users as hrsync last wrote them"
	}
	return "the whole directory (reconcile: " + reconciled + ")"
}

func printSummary(w io.Writer, s workflows.SyncSummary) {
	fmt.Fprintf(w, "%s %s in %s\n", s.WorkflowID, s.Status, s.FinishedAt.Sub(s.StartedAt).Round(time.Millisecond))
	fmt.Fprintf(w, "  fetched %d, planned: %s\n", s.Fetched, countsLine(s.Planned))
	fmt.Fprintf(w, "  applied: %s; failed %d; problems %d\n", countsLine(s.Applied), s.Failed, s.Problems)
	if s.PlanID != "" {
		fmt.Fprintf(w, "  compared with: %s\n", comparedWith(s.Reconciled))
	}
	if s.NotManaged > 0 {
		fmt.Fprintf(w, "  not managed: %d directory users hrsync does not own, left alone\n", s.NotManaged)
	}
	for _, warning := range s.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", warning)
	}
	if s.ReportID != "" {
		fmt.Fprintf(w, "  report %s\n", s.ReportID)
	}
}

func (c *cli) pauseCmd() *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "pause ID",
		Short: "Stop scheduled syncs until resumed",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withOperator(cmd, func(ctx context.Context, op *operator.Operator) error {
				st, err := op.Pause(ctx, args[0], whoami(), reason)
				if err != nil {
					return err
				}
				return c.print(st, func(w io.Writer) { fmt.Fprintf(w, "paused integration %s\n", st.ID) })
			})
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why, for the record")
	return cmd
}

func (c *cli) resumeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "resume ID",
		Short: "Resume scheduled syncs",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withOperator(cmd, func(ctx context.Context, op *operator.Operator) error {
				st, err := op.Resume(ctx, args[0], whoami())
				if err != nil {
					return err
				}
				return c.print(st, func(w io.Writer) {
					next := "none (auto-sync is off)"
					if st.NextRunAt != nil {
						next = st.NextRunAt.Local().Format(time.RFC3339)
					}
					fmt.Fprintf(w, "resumed integration %s; next run %s\n", st.ID, next)
				})
			})
		},
	}
}

func (c *cli) approveCmd() *cobra.Command {
	var by, plan string
	cmd := &cobra.Command{
		Use:   "approve ID",
		Short: "Let the integration's blocked sync go ahead",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withOperator(cmd, func(ctx context.Context, op *operator.Operator) error {
				b, err := op.Approve(ctx, args[0], by, plan)
				if err != nil {
					return err
				}
				return c.print(b, func(w io.Writer) {
					fmt.Fprintf(w, "approved %s (plan %s: %s)\n", b.WorkflowID, b.PlanID, countsLine(b.Planned))
				})
			})
		},
	}
	cmd.Flags().StringVar(&by, "by", whoami(), "who approves, for the record")
	cmd.Flags().StringVar(&plan, "plan", "", "approve only if the blocked plan is this one")
	return cmd
}

func (c *cli) rejectCmd() *cobra.Command {
	var by, reason string
	cmd := &cobra.Command{
		Use:   "reject ID",
		Short: "Discard the integration's blocked sync",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withOperator(cmd, func(ctx context.Context, op *operator.Operator) error {
				b, err := op.Reject(ctx, args[0], by, reason)
				if err != nil {
					return err
				}
				return c.print(b, func(w io.Writer) { fmt.Fprintf(w, "rejected %s\n", b.WorkflowID) })
			})
		},
	}
	cmd.Flags().StringVar(&by, "by", whoami(), "who rejects, for the record")
	cmd.Flags().StringVar(&reason, "reason", "", "why, for the record")
	return cmd
}

func (c *cli) removeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "remove ID",
		Short: "End an integration and purge its stored data",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withOperator(cmd, func(ctx context.Context, op *operator.Operator) error {
				res, err := op.Remove(ctx, args[0], whoami())
				if err != nil {
					return err
				}
				return c.print(res, func(w io.Writer) {
					p := res.Purged
					fmt.Fprintf(w, "removed integration %s; purged %d snapshots (%d records), %d plans (%d changes), %d applied records, %d reports, %d exports, %d owned users' records, %d stored credentials\n",
						args[0], p.Snapshots, p.Records, p.Plans, p.Changes, p.Applied, p.Reports, p.Exports, p.Owned, p.Credentials)
					for _, k := range res.KeptCredentials {
						why := k.Reason
						if len(k.UsedBy) > 0 {
							why = "still in use by " + strings.Join(k.UsedBy, ", ")
						}
						fmt.Fprintf(w, "kept %s (%s); starter disconnect deletes it once nothing uses it\n", k.Ref, why)
					}
				})
			})
		},
	}
}

func (c *cli) historyCmd() *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "history ID",
		Short: "List an integration's sync runs, newest first",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withOperator(cmd, func(ctx context.Context, op *operator.Operator) error {
				runs, err := op.History(ctx, args[0], limit)
				if err != nil {
					return err
				}
				return c.print(runs, func(w io.Writer) {
					tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "RUN\tSTATUS\tSTARTED\tFETCHED\tAPPLIED\tFAILED")
					for _, r := range runs {
						fetched, applied, failed := "-", "-", "-"
						if s := r.Summary; s != nil {
							fetched, applied, failed = fmt.Sprint(s.Fetched), countsLine(s.Applied), fmt.Sprint(s.Failed)
						}
						status := r.SyncStatus
						if status == "" {
							status = r.Execution
						}
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.WorkflowID, status,
							r.StartedAt.Local().Format(time.DateTime), fetched, applied, failed)
					}
					_ = tw.Flush()
				})
			})
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 50, "at most this many runs")
	return cmd
}
