package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"
	"google.golang.org/protobuf/proto"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/codec"
	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/registry"
	"github.com/hrsync/hrsync/connectors/scim"
	"github.com/hrsync/hrsync/connectors/scim/scimtest"
	"github.com/hrsync/hrsync/credentials"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/internal/keys"
	"github.com/hrsync/hrsync/internal/netguard"
	"github.com/hrsync/hrsync/operator"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
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
	// Phases is how long fetch, plan, apply and commit took.
	Phases workflows.Timings
}

func newBenchCmd() *cobra.Command {
	var sizes, storeDSN, workerLog, cpuProfile, profileDir string
	var tenants int
	var timeout time.Duration
	var temporalPG string
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure syncs end to end on the embedded server and the fakes on loopback",
		Long: "For each size N: the first sync of N employees from the demo HRIS into the SCIM directory,\n" +
			"a re-sync with no change, one with 1% changed and a full reconcile; wall time, records per second, the\n" +
			"worker's peak RSS (the worker runs in a process of its own), each sync's history and how\n" +
			"long each phase took. Then the floor: the first sync's HTTP requests made by a minimal Go\n" +
			"loop with the same concurrency, into a fresh directory, with no Temporal and no store.\n\n" +
			"With --tenants T (many tenants): --employees is one number M, each tenant's roster (default\n" +
			"20). First one integration of T×M employees, then T integrations of M, each from a demo HRIS\n" +
			"of its own (its own people) into a SCIM directory of its own, all with their first sync set\n" +
			"for one minute boundary, as a daily schedule would fire them. For each: how long after that\n" +
			"instant the first and the last run finished, how many did not complete, the worker's peak\n" +
			"RSS, the runs' history events, whether every directory holds exactly its tenant's active\n" +
			"employees; then how the T integrations compare with the one.",
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
			if cpuProfile != "" {
				stop, err := startCPUProfile(cpuProfile)
				if err != nil {
					return err
				}
				defer stop()
			}
			if cmd.Flags().Changed("tenants") {
				return runTenantsBench(cmd, tenants, ns, storeDSN, temporalPG, workerLog, timeout)
			}
			var rows []benchRow
			for _, n := range ns {
				r, err := benchSize(cmd.Context(), n, storeDSN, temporalPG, workerLog, profileDir)
				if err != nil {
					return err
				}
				rows = append(rows, r...)
				printBench(cmd.ErrOrStderr(), r)
			}
			printBench(cmd.OutOrStdout(), rows)
			return nil
		},
	}
	cmd.Flags().StringVar(&sizes, "employees", "1000,10000",
		"sizes to measure, comma-separated; with --tenants, one number: each tenant's employees (default 20)")
	cmd.Flags().IntVar(&tenants, "tenants", 1000, "measure this many integrations due at one instant (see above); absent: the per-size bench")
	cmd.Flags().DurationVar(&timeout, "timeout", 30*time.Minute,
		"with --tenants: how long after the due instant to wait for the runs; those still open then count as failed")
	cmd.Flags().StringVar(&cpuProfile, "cpu-profile", "",
		"write a CPU profile of the bench's own process (the Temporal server and the demo systems; not the worker) to this file")
	cmd.Flags().StringVar(&storeDSN, "store", "", "the worker's store: a postgres:// DSN, or empty for a SQLite file per size")
	cmd.Flags().StringVar(&temporalPG, "temporal-postgres", "",
		"run the bench's Temporal on the PostgreSQL server this postgres:// DSN names, each stack in a database "+
			"of its own, dropped after; empty: SQLite")
	cmd.Flags().StringVar(&profileDir, "profile", "",
		"after the measured cases, run one more re-sync with no change and write the worker's CPU and allocation "+
			"profiles of it to this directory (cpu-N.pprof, allocs-N.pprof)")
	cmd.Flags().StringVar(&workerLog, "worker-log", "",
		"append the worker's info log to this file (each plan logs how long its steps took); default: warnings only, discarded")
	return cmd
}

// runTenantsBench runs the many-tenants bench: tenants integrations of the
// one size in sizes (defaultTenantEmployees when --employees is not given),
// against one integration of them all.
func runTenantsBench(cmd *cobra.Command, tenants int, sizes []int, storeDSN, temporalPG, workerLog string,
	timeout time.Duration) error {
	employees := defaultTenantEmployees
	if cmd.Flags().Changed("employees") {
		if len(sizes) != 1 {
			return errors.New("--employees: with --tenants, one number (each tenant's employees)")
		}
		employees = sizes[0]
	}
	if tenants <= 0 {
		return fmt.Errorf("--tenants %d: at least 1", tenants)
	}
	rows, err := benchTenantsCompare(cmd.Context(), tenantsOptions{Tenants: tenants, Employees: employees,
		StoreDSN: storeDSN, TemporalPG: temporalPG, WorkerLog: workerLog, Timeout: timeout}, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	printTenants(cmd.OutOrStdout(), rows)
	return nil
}

// startCPUProfile profiles this process's CPU into path until stop.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("unable to create the CPU profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("unable to start the CPU profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}, nil
}

// benchTokenEnv carries the directory's token to the bench's worker.
const benchTokenEnv = credentials.EnvPrefix + "BENCH_SCIM_TOKEN"

// benchSize measures the four syncs and the floor for n employees, and with
// a profileDir, profiles one more re-sync.
func benchSize(ctx context.Context, n int, storeDSN, temporalPG, workerLog, profileDir string) ([]benchRow, error) {
	integrationID := fmt.Sprintf("bench-%d", n)
	debugAddr := ""
	if profileDir != "" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		debugAddr = ln.Addr().String()
		_ = ln.Close()
	}
	s, err := startBenchStack(ctx, n, storeDSN, temporalPG, workerLog, debugAddr, []string{integrationID})
	if err != nil {
		return nil, err
	}
	defer s.close()
	env, w, c, op, dir := s.env, s.worker, s.client, s.op, s.dir

	var rows []benchRow
	measure := func(name string, start func() (string, error)) error {
		w.resetPeakRSS()
		began := time.Now()
		id, err := start()
		if err != nil {
			return err
		}
		sum, err := op.WaitForSync(ctx, id, nil)
		if err != nil {
			return err
		}
		wall := time.Since(began)
		if sum.Status != workflows.StatusCompleted {
			return fmt.Errorf("%s sync of %d ended %s: %s", name, n, sum.Status, sum.Error)
		}
		events, size, err := historySize(ctx, c, id)
		if err != nil {
			return err
		}
		rows = append(rows, benchRow{Employees: n, Case: name, Wall: wall, Records: sum.Fetched,
			HistoryEvents: events, HistoryBytes: size, PeakRSS: w.peakRSS(), Phases: sum.Timings})
		return nil
	}
	syncNow := func() (string, error) {
		res, err := op.SyncNow(ctx, integrationID, "bench", false)
		return res.WorkflowID, err
	}
	icfg := env.demoConfig()
	icfg.ID, icfg.Name = integrationID, fmt.Sprintf("Bench: %d employees", n)
	icfg.Target.CredentialRef = "env:" + benchTokenEnv
	icfg.Schedule.FirstSync = "2099-01-01T00:00:00Z" // start it by hand, to time it
	if err := measure("first sync", func() (string, error) {
		if err := op.Create(ctx, icfg); err != nil {
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
	// A reconcile lists the whole directory, which re-syncs in between do
	// not (see activities.PlanInput.Reconcile).
	if err := measure("full reconcile, no change", func() (string, error) {
		res, err := op.SyncNowWith(ctx, integrationID, workflows.SyncRequest{By: "bench", Reconcile: true})
		return res.WorkflowID, err
	}); err != nil {
		return nil, err
	}
	if profileDir != "" {
		// As long as the measured re-sync took, and a second more.
		secs := int(rows[1].Wall.Seconds()) + 2
		if err := profileResync(ctx, debugAddr, profileDir, n, secs, syncNow, op); err != nil {
			return nil, err
		}
	}
	if _, err := op.Remove(ctx, integrationID, "bench"); err != nil {
		return nil, err
	}
	floor, err := benchFloor(ctx, env, icfg, n, filepath.Join(dir, "floor-directory.db"))
	if err != nil {
		return nil, err
	}
	return append(rows, floor), nil
}

// benchStack is what a bench measures on: the embedded Temporal server and
// the demo systems, one worker in a process of its own, and a client of
// the server that shares the worker's payload key.
type benchStack struct {
	// dir holds the server's database, the store (unless shared) and the
	// worker's log; it goes with close.
	dir    string
	env    *devEnv
	worker *benchWorker
	client client.Client
	op     *operator.Operator
	// dc is the client's data converter: it decrypts payloads.
	dc converter.DataConverter
	// dropTemporal, when Temporal runs on PostgreSQL, drops its databases.
	dropTemporal func() error
}

// startBenchStack starts a bench's server, demo systems (the demo HRIS with
// employees people) and worker, which serves its Go profiles on debugAddr
// unless that is empty. With a shared store (storeDSN set), what an earlier
// bench left there of the integrations named by purge is deleted first.
func startBenchStack(ctx context.Context, employees int, storeDSN, temporalPG, workerLog, debugAddr string,
	purge []string) (_ *benchStack, err error) {
	dir, err := os.MkdirTemp("", "hrsync-bench-")
	if err != nil {
		return nil, err
	}
	s := &benchStack{dir: dir}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	cfg := Config{DataDir: dir, Dev: DevConfig{Enabled: true, Employees: employees, UIPort: -1, memoryHRIS: true}}
	logger := zap.NewNop()
	if temporalPG != "" {
		if cfg.Dev.TemporalPostgres, s.dropTemporal, err = freshDatabase(temporalPG, "hrsync_bench"); err != nil {
			return nil, err
		}
	}
	if s.env, err = startDevEnv(ctx, cfg, logger); err != nil {
		return nil, err
	}
	cfg.Temporal = cfg.Temporal.ForDevServer(s.env.temporal.FrontendHostPort(), s.env.temporal.Namespace())
	// Payloads are encrypted, as in production; the bench's client and its
	// worker share the key.
	payloadKey, err := credentials.NewKey("bench")
	if err != nil {
		return nil, err
	}
	pc, err := codec.New(keys.Keyring{Current: payloadKey})
	if err != nil {
		return nil, err
	}
	cfg.Temporal.DataConverter = codec.DataConverter(pc)
	cfg.Temporal.FailureConverter = codec.FailureConverter(cfg.Temporal.DataConverter)
	if storeDSN == "" {
		storeDSN = filepath.Join(dir, "hrsync.db")
	} else if err := purgeBench(ctx, storeDSN, purge...); err != nil {
		return nil, err
	}
	logPath, logLevel := filepath.Join(dir, "worker.log"), "warn"
	if workerLog != "" {
		logPath, logLevel = workerLog, "info"
	}
	if s.worker, err = startBenchWorker(ctx, cfg, s.env, storeDSN, payloadKey.String(), logPath, logLevel, debugAddr); err != nil {
		return nil, err
	}
	if s.client, err = cfg.Temporal.Dial(ctx, logger); err != nil {
		return nil, err
	}
	s.dc = cfg.Temporal.DataConverter
	s.op = operator.New(s.client, s.dc)
	if err := waitForPoller(ctx, s.client); err != nil {
		return nil, fmt.Errorf("the bench worker did not start (see its log): %w", err)
	}
	return s, nil
}

// close stops the worker, the server and the demo systems and deletes the
// bench's folder; it is safe on a half-started stack.
func (s *benchStack) close() {
	if s.client != nil {
		s.client.Close()
	}
	if s.worker != nil {
		s.worker.stop()
	}
	if s.env != nil {
		s.env.stop()
	}
	if s.dropTemporal != nil {
		if err := s.dropTemporal(); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
		}
	}
	_ = os.RemoveAll(s.dir)
}

// purgeBench clears what an earlier bench left of integrationIDs in a
// shared store.
func purgeBench(ctx context.Context, dsn string, integrationIDs ...string) error {
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, id := range integrationIDs {
		if _, err := st.Purge(ctx, id); err != nil {
			return fmt.Errorf("unable to purge %s from the store: %w", id, err)
		}
	}
	return nil
}

// benchWorker is the worker process a bench measures.
type benchWorker struct {
	cmd *exec.Cmd
}

// startBenchWorker runs this binary as a plain worker (no --dev) against
// the bench's Temporal server and store, logging to logPath.
func startBenchWorker(ctx context.Context, cfg Config, env *devEnv, storeDSN, payloadKey, logPath, logLevel,
	debugAddr string) (*benchWorker, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	logFile, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	key, err := credentials.NewKey("bench")
	if err != nil {
		return nil, err
	}
	args, extraEnv := benchWorkerArgs(storeDSN, logLevel)
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = append(append(os.Environ(), extraEnv...),
		"TEMPORAL_ADDRESS="+cfg.Temporal.Address, "TEMPORAL_NAMESPACE="+cfg.Temporal.Namespace, debugAddrEnv+"="+debugAddr,
		benchTokenEnv+"="+env.scimToken, benchTokenEnv+credentials.HostsSuffix+"=127.0.0.1", credentials.KeyEnv+"="+key.String(), codec.KeyEnv+"="+payloadKey)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("unable to start the bench worker: %w", err)
	}
	return &benchWorker{cmd: cmd}, nil
}

// benchWorkerArgs are the arguments and environment that make this binary
// a worker on the store at dsn, allowed to reach the bench's demo systems
// on loopback. Tests, whose binary is a test binary, replace them.
var benchWorkerArgs = func(dsn, logLevel string) ([]string, []string) {
	return []string{"--store", dsn, "--log-level", logLevel, "--" + netguard.LoopbackFlag}, nil
}

// stop ends the worker.
func (w *benchWorker) stop() {
	_ = w.cmd.Process.Signal(syscall.SIGTERM)
	_ = w.cmd.Wait()
}

// peakRSS is the worker's peak resident set size in bytes.
func (w *benchWorker) peakRSS() int64 { return peakRSS(w.cmd.Process.Pid) }

// resetPeakRSS starts the worker's peak RSS afresh.
func (w *benchWorker) resetPeakRSS() { resetPeakRSS(w.cmd.Process.Pid) }

// waitForPoller waits until a worker polls hrsync's task queue.
func waitForPoller(ctx context.Context, c client.Client) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		resp, err := c.DescribeTaskQueue(ctx, workflows.TaskQueue, enumspb.TASK_QUEUE_TYPE_WORKFLOW)
		if err == nil && len(resp.GetPollers()) > 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// benchFloor makes the first sync's HTTP requests with a minimal loop and
// no Temporal or store: the HRIS read page by page, the (empty) directory
// listed, then the users created and their managers linked in the same
// batches (SCIM Bulk) and with the same parallelism as hrsync's apply, into
// a fresh directory. Its wall time is what the APIs alone cost.
func benchFloor(ctx context.Context, env *devEnv, icfg integration.Config, n int, dbPath string) (benchRow, error) {
	dir, err := scimtest.New(scimtest.Options{DBPath: dbPath, Token: env.scimToken})
	if err != nil {
		return benchRow{}, err
	}
	defer dir.Close()
	srv := httptest.NewServer(dir)
	defer srv.Close()
	reg := registry.New(nil, registry.SchemeSecrets{"dev": registry.StaticSecrets{
		Values: map[string]string{devSourceCredential: env.sourceSecret},
		Hosts:  map[string][]string{devSourceCredential: credentials.UseFor("", env.hrisURL).Hosts}}})
	src, err := reg.Source(icfg.ID, icfg.Source)
	if err != nil {
		return benchRow{}, err
	}
	tgt, err := scim.New(scim.Config{BaseURL: srv.URL + "/scim/v2", Token: env.scimToken})
	if err != nil {
		return benchRow{}, err
	}
	parts, batch := integration.DefaultParallelism, activities.DefaultBatchSize

	began := time.Now()
	var active []roster.Employee
	for cursor, first := "", true; first || cursor != ""; first = false {
		page, err := src.FetchPage(ctx, cursor)
		if err != nil {
			return benchRow{}, err
		}
		for _, r := range page.Records {
			if e, _ := icfg.Rules.Normalize(r); e.Status == roster.StatusActive {
				active = append(active, e)
			}
		}
		cursor = page.Next
	}
	for cursor, first := "", true; first || cursor != ""; first = false {
		page, err := tgt.ListUsers(ctx, cursor)
		if err != nil {
			return benchRow{}, err
		}
		cursor = page.Next
	}
	ids := make([]string, len(active))
	err = inParts(ctx, parts, batch, len(active), func(idx []int) error {
		writes := make([]connectors.Write, len(idx))
		for j, i := range idx {
			e := active[i]
			e.ManagerID = ""
			writes[j] = connectors.Write{Kind: connectors.WriteCreate, Employee: e}
		}
		res, err := tgt.WriteBatch(ctx, writes)
		for j, i := range idx {
			if err == nil {
				ids[i], err = res[j].TargetID, res[j].Err
			}
		}
		return err
	})
	if err != nil {
		return benchRow{}, err
	}
	byEmployee := make(map[string]string, len(active))
	for i, e := range active {
		byEmployee[e.ID] = ids[i]
	}
	err = inParts(ctx, parts, batch, len(active), func(idx []int) error {
		var writes []connectors.Write
		for _, i := range idx {
			if m := active[i].ManagerID; m != "" {
				writes = append(writes, connectors.Write{Kind: connectors.WriteManager, TargetID: ids[i],
					Manager: connectors.ManagerRef{ExternalID: m, TargetID: byEmployee[m]}})
			}
		}
		res, err := tgt.WriteBatch(ctx, writes)
		for _, r := range res {
			err = errors.Join(err, r.Err)
		}
		return err
	})
	if err != nil {
		return benchRow{}, err
	}
	return benchRow{Employees: n, Case: "floor: the first sync's requests, no Temporal", Wall: time.Since(began),
		Records: len(active)}, nil
}

// inParts runs do over 0…n-1 as hrsync's apply does: parts goroutines,
// part k taking the positions equal to k modulo parts, in batches.
func inParts(ctx context.Context, parts, batch, n int, do func(idx []int) error) error {
	g, _ := errgroup.WithContext(ctx)
	for k := range parts {
		g.Go(func() error {
			var idx []int
			for i := k; i < n; i += parts {
				if idx = append(idx, i); len(idx) == batch {
					if err := do(idx); err != nil {
						return err
					}
					idx = idx[:0]
				}
			}
			if len(idx) > 0 {
				return do(idx)
			}
			return nil
		})
	}
	return g.Wait()
}

// historySize counts the events of a workflow's history and their bytes.
func historySize(ctx context.Context, c client.Client, id string) (int, int, error) {
	iter := c.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
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

// peakRSS is process pid's peak resident set size in bytes (VmHWM), or -1
// where /proc does not say.
func peakRSS(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
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

// resetPeakRSS starts process pid's peak RSS afresh (Linux: writing 5 to
// clear_refs).
func resetPeakRSS(pid int) { _ = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0) }

func printBench(w io.Writer, rows []benchRow) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "employees\tcase\twall\trecords/s\tpeak RSS\thistory events\thistory bytes\tfetch\tplan\tapply\tcommit\t")
	for _, r := range rows {
		rss, events, size := "-", "-", "-"
		if r.PeakRSS > 0 {
			rss = fmt.Sprintf("%d MiB", r.PeakRSS>>20)
		}
		if r.HistoryEvents > 0 {
			events, size = strconv.Itoa(r.HistoryEvents), strconv.Itoa(r.HistoryBytes)
		}
		phases := [4]string{"-", "-", "-", "-"}
		if r.HistoryEvents > 0 {
			for i, d := range []time.Duration{r.Phases.Fetch, r.Phases.Plan, r.Phases.Apply, r.Phases.Commit} {
				phases[i] = d.Round(10 * time.Millisecond).String()
			}
		}
		rate := float64(r.Records) / r.Wall.Seconds()
		fmt.Fprintf(tw, "%d\t%s\t%s\t%.0f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.Employees, r.Case, r.Wall.Round(10*time.Millisecond),
			rate, rss, events, size, phases[0], phases[1], phases[2], phases[3])
	}
	_ = tw.Flush()
}

// profileResync runs one more re-sync of n employees while it takes the
// worker's CPU profile and a profile of what it allocated over secs seconds
// from its debug address, and writes them into dir as cpu-n.pprof and
// allocs-n.pprof (read them with `go tool pprof`).
func profileResync(ctx context.Context, debugAddr, dir string, n, secs int, syncNow func() (string, error),
	op *operator.Operator) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	profiles := map[string]string{
		"cpu":    fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", debugAddr, secs),
		"allocs": fmt.Sprintf("http://%s/debug/pprof/allocs?seconds=%d", debugAddr, secs),
	}
	errs := make(chan error, len(profiles))
	for name, url := range profiles {
		path := filepath.Join(dir, fmt.Sprintf("%s-%d.pprof", name, n))
		go func() { errs <- fetchProfile(ctx, url, path) }()
	}
	id, err := syncNow()
	if err == nil {
		_, err = op.WaitForSync(ctx, id, nil)
	}
	for range profiles {
		err = errors.Join(err, <-errs)
	}
	return err
}

// fetchProfile saves the profile at url into path.
func fetchProfile(ctx context.Context, url, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("unable to take a profile: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("unable to take a profile: %s: %s", url, resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
