package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/hrsync/hrsync/connectors/scim"
	"github.com/hrsync/hrsync/credentials"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/internal/faultproxy"
	"github.com/hrsync/hrsync/operator"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/workflows"
)

// faultScenario is one run of the faults bench: which system is faulted,
// how, and with which seed.
type faultScenario struct {
	// System is "directory" or "HRIS".
	System string
	// Rate is the share of requests faulted; 0 with Outage set.
	Rate float64
	Seed int64
	// Outage is how long every write to the directory fails, starting
	// as the apply does.
	Outage time.Duration
	// NoBulk turns the directory's /Bulk off, so every write is a request
	// of its own.
	NoBulk bool
}

func (s faultScenario) String() string {
	out := fmt.Sprintf("%s %.0f%% faults, seed %d", s.System, 100*s.Rate, s.Seed)
	if s.Outage > 0 {
		out = fmt.Sprintf("%s outage of %s mid-apply", s.System, s.Outage)
	}
	if s.NoBulk {
		out += ", no Bulk"
	}
	return out
}

// faultRow is what one scenario came to.
type faultRow struct {
	Scenario  faultScenario
	Employees int
	Status    string
	Wall      time.Duration
	// Requests and Faults count what the proxy saw and injected.
	Requests, Faults int
	// Duplicates, Missing and Stale compare the directory with the HRIS
	// afterwards: users sharing an HRIS id, active employees without a
	// user, and users whose active flag is not the employee's.
	Duplicates, Missing, Stale int
	Error                      string
}

func newBenchFaultsCmd() *cobra.Command {
	var employees, batchSize int
	var rates, seeds, outage, delay, systems string
	var maxBackoff time.Duration
	cmd := &cobra.Command{
		Use:   "bench-faults",
		Short: "Run first syncs through injected faults and outages on loopback, and check the directory after",
		Long: "For each seed and rate: a first sync of --employees from the demo HRIS into the SCIM\n" +
			"directory through a fault-injecting proxy (429 with Retry-After, 500, 503, resets before and\n" +
			"after the directory did the work, delays), in front of the directory and then of the HRIS;\n" +
			"then a directory outage of --outage starting as the apply does. Each row says how the run ended,\n" +
			"how long it took, what the proxy saw and injected, and whether the directory equals the HRIS.",
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			scenarios, err := faultScenarios(systems, rates, seeds, outage)
			if err != nil {
				return err
			}
			d, err := parseDelays(delay)
			if err != nil {
				return err
			}
			var rows []faultRow
			for _, sc := range scenarios {
				row, err := benchFaults(cmd.Context(), sc, employees, batchSize, d, maxBackoff)
				if err != nil {
					return fmt.Errorf("%s: %w", sc, err)
				}
				rows = append(rows, row)
				printFaultRows(cmd.ErrOrStderr(), []faultRow{row})
			}
			printFaultRows(cmd.OutOrStdout(), rows)
			return nil
		},
	}
	cmd.Flags().IntVar(&employees, "employees", 3000, "employees in the demo HRIS")
	cmd.Flags().StringVar(&systems, "systems", "directory,directory-no-bulk,HRIS",
		"what to fault, comma-separated: directory (with SCIM Bulk), directory-no-bulk, HRIS")
	cmd.Flags().StringVar(&rates, "rates", "0.1,0.3", "fault rates, comma-separated")
	cmd.Flags().StringVar(&seeds, "seeds", "1,2,3", "seeds, comma-separated; each rate runs with each")
	cmd.Flags().StringVar(&outage, "outage", "6m", "a directory outage mid-apply to wait out; empty for none")
	cmd.Flags().StringVar(&delay, "delay", "2s-5s", "the range of the delay fault")
	cmd.Flags().DurationVar(&maxBackoff, "max-backoff", time.Minute, "the integration's outage.maxBackoff")
	cmd.Flags().IntVar(&batchSize, "batch-size", 100, "the target's batchSize: changes per SCIM Bulk request and per recorded batch")
	return cmd
}

// faultScenarios lists the scenarios the flags ask for.
func faultScenarios(systems, rates, seeds, outage string) ([]faultScenario, error) {
	var rs []float64
	for _, s := range strings.Split(rates, ",") {
		r, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || r < 0 || r > 1 {
			return nil, fmt.Errorf("--rates %q: comma-separated shares between 0 and 1", rates)
		}
		rs = append(rs, r)
	}
	var ss []int64
	for _, s := range strings.Split(seeds, ",") {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("--seeds %q: comma-separated integers", seeds)
		}
		ss = append(ss, n)
	}
	kinds := map[string]faultScenario{"directory": {System: "directory"},
		"directory-no-bulk": {System: "directory", NoBulk: true}, "HRIS": {System: "HRIS"}}
	var faulted []faultScenario
	for _, name := range strings.Split(systems, ",") {
		sc, ok := kinds[strings.TrimSpace(name)]
		if !ok && strings.TrimSpace(name) != "" {
			return nil, fmt.Errorf("--systems %q: directory, directory-no-bulk or HRIS", systems)
		}
		if ok {
			faulted = append(faulted, sc)
		}
	}
	var out []faultScenario
	for _, sc := range faulted {
		for _, r := range rs {
			for _, s := range ss {
				sc.Rate, sc.Seed = r, s
				out = append(out, sc)
			}
		}
	}
	if outage != "" {
		d, err := time.ParseDuration(outage)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("--outage %q: a duration such as 6m", outage)
		}
		out = append(out, faultScenario{System: "directory", Outage: d, Seed: 1})
	}
	return out, nil
}

// parseDelays reads "2s-5s".
func parseDelays(s string) ([2]time.Duration, error) {
	lo, hi, ok := strings.Cut(s, "-")
	a, errA := time.ParseDuration(lo)
	b, errB := time.ParseDuration(hi)
	if !ok || errA != nil || errB != nil || a > b {
		return [2]time.Duration{}, fmt.Errorf("--delay %q: a range such as 2s-5s", s)
	}
	return [2]time.Duration{a, b}, nil
}

// benchFaults runs one scenario on a dev stack of its own.
func benchFaults(ctx context.Context, sc faultScenario, n, batchSize int, delay [2]time.Duration, maxBackoff time.Duration) (faultRow, error) {
	row := faultRow{Scenario: sc, Employees: n}
	dir, err := os.MkdirTemp("", "hrsync-faults-")
	if err != nil {
		return row, err
	}
	defer os.RemoveAll(dir)
	logger := zap.NewNop()
	cfg := Config{DataDir: dir, Dev: DevConfig{Enabled: true, Employees: n, UIPort: -1, memoryHRIS: true,
		hrisPageSize: 50}}
	env, err := startDevEnv(ctx, cfg, logger)
	if err != nil {
		return row, err
	}
	defer env.stop()
	cfg.Temporal = cfg.Temporal.ForDevServer(env.temporal.FrontendHostPort(), env.temporal.Namespace())
	upstream, ref := env.scimURL(), devSCIMCredential
	if sc.System == "HRIS" {
		upstream, ref = env.source.URL, devSourceCredential
	}
	opts := faultproxy.Options{Upstream: upstream, Seed: sc.Seed, Rate: sc.Rate, Delay: delay}
	if sc.Outage > 0 {
		opts.Rate = 0
		opts.Match = func(r *http.Request) bool { return r.Method != http.MethodGet }
	}
	proxy, err := faultproxy.New(opts)
	if err != nil {
		return row, err
	}
	srv := httptest.NewServer(proxy)
	defer srv.Close()
	if cfg, err = env.forWorker(cfg); err != nil {
		return row, err
	}
	// The dev secret goes only to its service; the proxy stands for it here.
	cfg.devSecrets.Hosts[ref] = append(cfg.devSecrets.Hosts[ref], credentials.UseFor("", srv.URL).Hosts...)
	env.directory.SetBulk(!sc.NoBulk)
	r, err := startWorker(ctx, cfg, logger)
	if err != nil {
		return row, err
	}
	defer r.close()
	op := operator.New(r.client, r.dc)

	icfg := env.demoConfig()
	icfg.ID, icfg.Name = "faults", "Faults bench: "+sc.String()
	icfg.Schedule.FirstSync = "2099-01-01T00:00:00Z" // started by hand, to time it
	icfg.Outage = integration.OutagePolicy{MaxBackoff: integration.Duration(maxBackoff)}
	icfg.Target.BatchSize = batchSize
	if sc.System == "HRIS" {
		icfg.Source.URL = srv.URL
	} else {
		icfg.Target.URL = srv.URL
	}
	if err := op.Create(ctx, icfg); err != nil {
		return row, err
	}
	began := time.Now()
	res, err := op.SyncNow(ctx, icfg.ID, "bench", false)
	if err != nil {
		return row, err
	}
	if sc.Outage > 0 {
		go func() {
			// The outage begins as the apply does.
			for ctx.Err() == nil {
				if p, err := op.Progress(ctx, res.WorkflowID); err == nil && (p.Status == workflows.StatusApplying || !p.Running) {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			proxy.Outage(true)
			select {
			case <-ctx.Done():
			case <-time.After(sc.Outage):
			}
			proxy.Outage(false)
		}()
	}
	sum, err := op.WaitForSync(ctx, res.WorkflowID, nil)
	if err != nil {
		return row, err
	}
	row.Wall, row.Status, row.Error = time.Since(began), sum.Status, sum.Error
	st := proxy.Stats()
	row.Requests, row.Faults = st.Total, st.Injected()
	row.Duplicates, row.Missing, row.Stale, err = compareDirectory(ctx, env)
	return row, err
}

// compareDirectory reads the directory straight from the SCIM server and
// compares it with the HRIS.
func compareDirectory(ctx context.Context, env *devEnv) (duplicates, missing, stale int, err error) {
	c, err := scim.New(scim.Config{BaseURL: env.scimURL(), Token: env.scimToken})
	if err != nil {
		return 0, 0, 0, err
	}
	active := map[string]bool{}
	seen := map[string]int{}
	for cursor := ""; ; {
		page, err := c.ListUsers(ctx, cursor)
		if err != nil {
			return 0, 0, 0, err
		}
		for _, u := range page.Users {
			seen[u.Employee.ID]++
			active[u.Employee.ID] = u.Active
		}
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	for _, e := range env.hris.Employees() {
		want := e.Status == roster.StatusActive
		switch {
		case seen[e.ID] > 1:
			duplicates += seen[e.ID] - 1
		case seen[e.ID] == 0 && want:
			missing++
		case seen[e.ID] == 1 && active[e.ID] != want:
			stale++
		}
	}
	return duplicates, missing, stale, nil
}

// printFaultRows writes rows as a table.
func printFaultRows(w io.Writer, rows []faultRow) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\temployees\toutcome\twall\trequests\tfaults injected\tduplicates\tmissing\tstale\t")
	for _, r := range rows {
		outcome := r.Status
		if r.Status != workflows.StatusCompleted && r.Error != "" {
			outcome += ": " + r.Error
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t\n", r.Scenario, r.Employees, outcome,
			r.Wall.Round(100*time.Millisecond), r.Requests, r.Faults, r.Duplicates, r.Missing, r.Stale)
	}
	_ = tw.Flush()
}
