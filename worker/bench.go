package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.uber.org/zap"
	"google.golang.org/protobuf/proto"

	"github.com/hrsync/hrsync/connectors/scim"
	"github.com/hrsync/hrsync/operator"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/workflows"
)

// benchRow is one measured sync.
type benchRow struct {
	Employees     int
	Case          string
	Wall          time.Duration
	Records       int
	HistoryEvents int
	HistoryBytes  int
	PeakRSS       int64
}

func newBenchCmd() *cobra.Command {
	var sizes string
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure syncs end to end on the embedded server and the fakes on loopback",
		Long: "For each size N: the first sync of N employees from the demo HRIS into the SCIM directory,\n" +
			"a re-sync with no change and one with 1% changed; wall time, records per second, the\n" +
			"process's peak RSS (server, fakes and worker all run in this process) and each sync's\n" +
			"history. Then the floor: the same SCIM creates made by a minimal Go loop.",
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var ns []int
			for _, s := range strings.Split(sizes, ",") {
				n, err := strconv.Atoi(strings.TrimSpace(s))
				if err != nil || n <= 0 {
					return fmt.Errorf("--employees %q: a comma-separated list of sizes", sizes)
				}
				ns = append(ns, n)
			}
			var rows []benchRow
			for _, n := range ns {
				r, err := benchSize(cmd.Context(), n)
				if err != nil {
					return err
				}
				rows = append(rows, r...)
			}
			printBench(cmd.OutOrStdout(), rows)
			return nil
		},
	}
	cmd.Flags().StringVar(&sizes, "employees", "1000,10000", "sizes to measure, comma-separated")
	return cmd
}

// benchSize measures the three syncs and the floor for n employees.
func benchSize(ctx context.Context, n int) ([]benchRow, error) {
	dir, err := os.MkdirTemp("", "hrsync-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	cfg := Config{DataDir: dir, Dev: DevConfig{Enabled: true, Employees: n, UIPort: -1}}
	logger := zap.NewNop()
	env, err := startDevEnv(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	defer env.stop()
	cfg.Temporal.Address, cfg.Temporal.Namespace = env.temporal.FrontendHostPort(), env.temporal.Namespace()
	if cfg, err = env.withSecrets(cfg); err != nil {
		return nil, err
	}
	r, err := startWorker(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	defer r.close()
	op := operator.New(r.client, nil)
	resetPeakRSS()

	var rows []benchRow
	measure := func(name string, start func() (string, error)) error {
		began := time.Now()
		id, err := start()
		if err != nil {
			return err
		}
		sum, err := op.WaitForSync(ctx, id, nil)
		if err != nil {
			return err
		}
		if sum.Status != workflows.StatusCompleted {
			return fmt.Errorf("%s sync of %d ended %s: %s", name, n, sum.Status, sum.Error)
		}
		events, size, err := historySize(ctx, r, id)
		if err != nil {
			return err
		}
		rows = append(rows, benchRow{Employees: n, Case: name, Wall: time.Since(began), Records: sum.Fetched,
			HistoryEvents: events, HistoryBytes: size, PeakRSS: peakRSS()})
		return nil
	}
	syncNow := func() (string, error) {
		res, err := op.SyncNow(ctx, DemoIntegrationID, "bench", false)
		return res.WorkflowID, err
	}
	if err := measure("first sync", func() (string, error) {
		cfg := env.demoConfig()
		cfg.Schedule.FirstSync = "2099-01-01T00:00:00Z" // start it by hand, to time it
		if err := op.Create(ctx, cfg); err != nil {
			return "", err
		}
		return syncNow()
	}); err != nil {
		return nil, err
	}
	if err := measure("re-sync, no change", syncNow); err != nil {
		return nil, err
	}
	changed := 0
	for _, e := range env.hris.Employees() {
		if e.Status == roster.StatusActive && changed < n/100 {
			if err := env.hris.Update(e.ID, func(e *roster.Employee) { e.JobTitle += " II" }); err != nil {
				return nil, err
			}
			changed++
		}
	}
	if err := measure("re-sync, 1% changed", syncNow); err != nil {
		return nil, err
	}
	floor, err := benchFloor(ctx, env, n)
	if err != nil {
		return nil, err
	}
	return append(rows, floor), nil
}

// benchFloor makes the first sync's writes — a lookup and a create per
// employee — with a minimal loop straight to a fresh SCIM directory, with no
// Temporal and no store: the cost of the API calls alone.
func benchFloor(ctx context.Context, env *devEnv, n int) (benchRow, error) {
	c, err := scim.New(scim.Config{BaseURL: env.scimURL(), Token: env.scimToken})
	if err != nil {
		return benchRow{}, err
	}
	began := time.Now()
	created := 0
	for _, e := range env.hris.Employees() {
		if e.Status != roster.StatusActive {
			continue
		}
		e.ID = "floor-" + e.ID
		e.WorkEmail = "floor." + e.WorkEmail
		e.ManagerID = ""
		if _, _, err := c.FindByExternalID(ctx, e.ID); err != nil {
			return benchRow{}, err
		}
		if _, err := c.CreateUser(ctx, e); err != nil {
			return benchRow{}, err
		}
		created++
	}
	return benchRow{Employees: n, Case: "floor: lookup + create, no Temporal", Wall: time.Since(began), Records: created}, nil
}

// historySize counts the events of a workflow's history and their bytes.
func historySize(ctx context.Context, r *running, id string) (int, int, error) {
	iter := r.client.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	events, size := 0, 0
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			return 0, 0, err
		}
		events++
		size += proto.Size(ev)
	}
	return events, size, nil
}

// peakRSS is the process's peak resident set size in bytes (VmHWM), or -1
// where /proc does not say.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err == nil {
				return kb * 1024
			}
		}
	}
	return -1
}

// resetPeakRSS starts the peak RSS afresh (Linux: writing 5 to clear_refs).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

func printBench(w io.Writer, rows []benchRow) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "employees\tcase\twall\trecords/s\tpeak RSS\thistory events\thistory bytes\t")
	for _, r := range rows {
		rss, events, size := "-", "-", "-"
		if r.PeakRSS > 0 {
			rss = fmt.Sprintf("%d MiB", r.PeakRSS>>20)
		}
		if r.HistoryEvents > 0 {
			events, size = strconv.Itoa(r.HistoryEvents), strconv.Itoa(r.HistoryBytes)
		}
		rate := float64(r.Records) / r.Wall.Seconds()
		fmt.Fprintf(tw, "%d\t%s\t%s\t%.0f\t%s\t%s\t%s\t\n", r.Employees, r.Case, r.Wall.Round(10*time.Millisecond),
			rate, rss, events, size)
	}
	_ = tw.Flush()
}
