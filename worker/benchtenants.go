package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"golang.org/x/sync/errgroup"

	"github.com/hrsync/hrsync/connectors/demo/demotest"
	"github.com/hrsync/hrsync/connectors/scim/scimtest"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/workflows"
)

// defaultTenantEmployees is each tenant's roster when --tenants is given
// and --employees is not.
const defaultTenantEmployees = 20

// tenantsOptions says what one tenants measurement runs.
type tenantsOptions struct {
	// Tenants is how many integrations; Employees is each one's roster.
	Tenants, Employees int
	// StoreDSN and WorkerLog are as for the per-size bench.
	StoreDSN, WorkerLog string
	// TemporalPG, when set, runs Temporal on this PostgreSQL server.
	TemporalPG string
	// Timeout bounds the wait for every run to finish, from the due
	// instant; the runs still open then count as failed.
	Timeout time.Duration
	// inspect, when set, is shown the tenants' systems once the runs are
	// over, before they stop: tests look into the directories.
	inspect func(*tenantSystems)
	// lead is the least time from the start of creating the integrations
	// to the due instant, and align what the due instant is a multiple
	// of; by default 20 s plus 30 ms per integration, and a minute. Tests
	// shorten both.
	lead, align time.Duration
}

// tenantsResult is what one tenants measurement came to.
type tenantsResult struct {
	Tenants, Employees int
	// Created is how long creating every integration took; Due is the
	// instant all their first syncs were set for.
	Created time.Duration
	Due     time.Time
	// Late counts integrations created after the due instant: their first
	// sync started as soon as they were.
	Late int
	// FirstDone and AllDone are how long after Due the first and the last
	// run closed (their close times, from Temporal's visibility).
	FirstDone, AllDone time.Duration
	// RunMedian is the median of the runs' own durations.
	RunMedian time.Duration
	// Closed counts the runs that closed by the timeout; Completed those
	// whose summary says Completed. Failed is every other run, including
	// the ones that never closed or never started.
	Closed, Completed, Failed int
	// Statuses counts the runs by their summary's status (or execution
	// status where there is no summary, "not closed" for the rest).
	Statuses map[string]int
	// Errors are the first few failed runs' errors.
	Errors []string
	// Records is what the runs fetched, in all.
	Records int
	// PeakRSS is the worker process's VmHWM from just before the first
	// integration was created until every run closed.
	PeakRSS int64
	// Events are the SyncWorkflow histories' event counts (min, median,
	// max) over the Histories runs read: every closed run.
	Events    [3]int
	Histories int
	// Median is, part by part, the median over those runs of how long a
	// run's tasks waited for the worker and ran.
	Median runTime
	// Mismatched counts tenants whose directory does not hold exactly
	// their own active employees; Problems says how, for the first few.
	Mismatched int
	Problems   []string
}

// benchTenantsCompare measures one integration of tenants×employees, then
// tenants integrations of employees each, every one due at one instant.
func benchTenantsCompare(ctx context.Context, opts tenantsOptions, progress io.Writer) ([]tenantsResult, error) {
	single := opts
	single.Tenants, single.Employees = 1, opts.Tenants*opts.Employees
	var out []tenantsResult
	for _, o := range []tenantsOptions{single, opts} {
		fmt.Fprintf(progress, "bench: %d integration(s) of %d employees…\n", o.Tenants, o.Employees)
		res, err := benchTenants(ctx, o, progress)
		if err != nil {
			return nil, err
		}
		out = append(out, res)
	}
	return out, nil
}

// benchTenant is one tenant's HRIS and directory.
type benchTenant struct {
	ID        string
	HRIS      *demotest.HRIS
	Directory *scimtest.Server
}

// tenantSystems serves every tenant's demo HRIS and reference SCIM
// directory from one loopback listener: tenant t's HRIS under /t/<t>/hris
// and its directory's SCIM API under /t/<t>/scim/v2. Each directory is a
// store of its own (a SQLite file, as the per-size bench's directory), so
// tenants' users never meet.
type tenantSystems struct {
	Tenants []*benchTenant
	byID    map[string]*benchTenant
	// URL is the listener's base URL.
	URL string
	srv *http.Server
}

// benchTenantID names tenant i of n, zero-padded so the ids sort in order.
func benchTenantID(i, n int) string {
	return fmt.Sprintf("tenant-%0*d", len(fmt.Sprint(n)), i+1)
}

// startTenantSystems generates n tenants of employees people each, tenant
// i's roster from seed i+1, so people differ between tenants, and serves
// them; every directory takes token and keeps its users in a file in dir.
func startTenantSystems(n, employees int, token, dir string) (_ *tenantSystems, err error) {
	s := &tenantSystems{byID: make(map[string]*benchTenant, n)}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	for i := range n {
		t := &benchTenant{ID: benchTenantID(i, n)}
		s.Tenants, s.byID[t.ID] = append(s.Tenants, t), t
		if t.HRIS, err = demotest.NewHRIS(demotest.HRISOptions{Employees: employees, Seed: int64(i + 1),
			PageSize: demoHRISPageSize}); err != nil {
			return nil, fmt.Errorf("unable to start tenant %s's HRIS: %w", t.ID, err)
		}
		if t.Directory, err = scimtest.New(scimtest.Options{Token: token, BasePath: "/t/" + t.ID + "/scim/v2",
			DBPath: filepath.Join(dir, t.ID+".db")}); err != nil {
			return nil, fmt.Errorf("unable to start tenant %s's directory: %w", t.ID, err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("unable to serve the tenants' systems: %w", err)
	}
	s.URL = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// ServeHTTP routes /t/<tenant>/… to the tenant's HRIS or directory.
func (s *tenantSystems) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, _ := strings.CutPrefix(r.URL.Path, "/t/")
	id, sub, _ := strings.Cut(rest, "/")
	t, ok := s.byID[id]
	switch {
	case !ok:
		http.NotFound(w, r)
	case strings.HasPrefix(sub, "hris/"):
		http.StripPrefix("/t/"+id+"/hris", t.HRIS).ServeHTTP(w, r)
	case strings.HasPrefix(sub, "scim/v2/"):
		t.Directory.ServeHTTP(w, r)
	default:
		http.NotFound(w, r)
	}
}

// close stops serving and closes every directory.
func (s *tenantSystems) close() {
	if s.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.srv.Shutdown(ctx)
	}
	for _, t := range s.Tenants {
		if t.Directory != nil {
			_ = t.Directory.Close()
		}
	}
}

// benchTenants creates opts.Tenants integrations, each from a demo HRIS of
// its own into a directory of its own, all with their first sync set for
// the same instant, and waits for every run to finish.
func benchTenants(ctx context.Context, opts tenantsOptions, progress io.Writer) (tenantsResult, error) {
	res := tenantsResult{Tenants: opts.Tenants, Employees: opts.Employees, Statuses: map[string]int{}}
	ids := make([]string, opts.Tenants)
	for i := range ids {
		ids[i] = benchTenantID(i, opts.Tenants)
	}
	// The stack's own demo HRIS and directory stay unused (and empty):
	// tenants have their own.
	s, err := startBenchStack(ctx, -1, opts.StoreDSN, opts.TemporalPG, opts.WorkerLog, "", ids)
	if err != nil {
		return res, err
	}
	defer s.close()
	sys, err := startTenantSystems(opts.Tenants, opts.Employees, s.env.scimToken, filepath.Join(s.dir, "directories"))
	if err != nil {
		return res, err
	}
	defer sys.close()

	// Every first sync is due at the same minute boundary, far enough
	// ahead for every integration to exist by then. Each integration
	// workflow sleeps until then on the timer a scheduled run uses; the
	// cron keeps the same minute for the daily runs after.
	s.worker.resetPeakRSS()
	began := time.Now()
	lead := cmp.Or(opts.lead, 20*time.Second+time.Duration(len(ids))*30*time.Millisecond)
	align := cmp.Or(opts.align, time.Minute)
	res.Due = began.Add(lead).Truncate(align).Add(align)
	fmt.Fprintf(progress, "bench: creating %d integrations, all due at %s…\n", len(ids), res.Due.Format(time.TimeOnly))
	sched := integration.Schedule{Cron: fmt.Sprintf("%d %d * * *", res.Due.UTC().Minute(), res.Due.UTC().Hour()),
		TimeZone: "UTC", FirstSync: res.Due.UTC().Format(time.RFC3339)}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	var mu sync.Mutex
	for _, t := range sys.Tenants {
		g.Go(func() error {
			cfg := integration.Config{
				ID: t.ID, Name: fmt.Sprintf("Bench tenant %s: %d employees", t.ID, opts.Employees),
				Source:   integration.Endpoint{Kind: "demo", URL: sys.URL + "/t/" + t.ID + "/hris"},
				Target:   integration.Endpoint{Kind: "scim", URL: sys.URL + "/t/" + t.ID + "/scim/v2", CredentialRef: "env:" + benchTokenEnv},
				Schedule: sched,
			}
			if err := s.op.Create(gctx, cfg); err != nil {
				return err
			}
			if time.Now().After(res.Due) {
				mu.Lock()
				res.Late++
				mu.Unlock()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return res, err
	}
	res.Created = time.Since(began)

	runs, err := waitForRuns(ctx, s, ids, res.Due, opts.Timeout, progress)
	if err != nil {
		return res, err
	}
	res.PeakRSS = s.worker.peakRSS()
	var durations []time.Duration
	first := true
	for _, id := range ids {
		r, ok := runs[workflows.SyncWorkflowID(id, 1)]
		switch {
		case !ok:
			res.Statuses["not started"]++
			continue
		case r.closed.IsZero():
			res.Statuses["not closed"]++
			continue
		}
		res.Closed++
		res.Statuses[r.status]++
		if r.status == workflows.StatusCompleted {
			res.Completed++
		} else if len(res.Errors) < 3 {
			res.Errors = append(res.Errors, fmt.Sprintf("%s %s: %s", id, r.status, r.err))
		}
		res.Records += r.fetched
		done := r.closed.Sub(res.Due)
		if first || done < res.FirstDone {
			res.FirstDone = done
		}
		first = false
		res.AllDone = max(res.AllDone, done)
		durations = append(durations, r.closed.Sub(r.started))
	}
	res.Failed = len(ids) - res.Completed
	if len(durations) > 0 {
		slices.Sort(durations)
		res.RunMedian = durations[len(durations)/2]
	}
	if res.Events, res.Histories, res.Median, err = historyEvents(ctx, s, runs); err != nil {
		return res, err
	}
	if opts.inspect != nil {
		opts.inspect(sys)
	}
	for _, t := range sys.Tenants {
		if p := tenantDirectoryProblem(t); p != "" {
			res.Mismatched++
			if len(res.Problems) < 5 {
				res.Problems = append(res.Problems, p)
			}
		}
	}
	return res, nil
}

// tenantRun is what visibility says of one sync run.
type tenantRun struct {
	started, closed time.Time
	// status is the summary's, or the execution's where there is none;
	// err is the summary's error.
	status, err string
	fetched     int
}

// waitForRuns waits until every integration's first sync has closed, or
// timeout after due, and returns the runs by workflow ID. It asks
// Temporal's visibility how many have closed every second, and lists them
// once at the end, so watching costs the server little.
func waitForRuns(ctx context.Context, s *benchStack, ids []string, due time.Time, timeout time.Duration,
	progress io.Writer) (map[string]tenantRun, error) {
	const query = "WorkflowType = 'SyncWorkflow' AND ExecutionStatus != 'Running'"
	deadline := due.Add(timeout)
	lastSaid := time.Time{}
	for {
		resp, err := s.client.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: query})
		if err != nil {
			return nil, fmt.Errorf("unable to count finished syncs: %w", err)
		}
		closed := int(resp.GetCount())
		if closed >= len(ids) || time.Now().After(deadline) {
			break
		}
		if time.Since(lastSaid) >= 30*time.Second {
			fmt.Fprintf(progress, "bench: %s: %d of %d runs closed\n", time.Now().Format(time.TimeOnly), closed, len(ids))
			lastSaid = time.Now()
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
	return listRuns(ctx, s, "WorkflowType = 'SyncWorkflow'")
}

// listRuns lists the sync runs query matches, closed or not.
func listRuns(ctx context.Context, s *benchStack, query string) (map[string]tenantRun, error) {
	runs := map[string]tenantRun{}
	var token []byte
	for {
		resp, err := s.client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: query, NextPageToken: token, PageSize: 1000})
		if err != nil {
			return nil, fmt.Errorf("unable to list syncs: %w", err)
		}
		for _, e := range resp.GetExecutions() {
			runs[e.GetExecution().GetWorkflowId()] = runOf(s, e)
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return runs, nil
		}
	}
}

// runOf reads a run's times, and its status and counts from the summary it
// keeps in its memo.
func runOf(s *benchStack, e *workflowpb.WorkflowExecutionInfo) tenantRun {
	r := tenantRun{started: e.GetStartTime().AsTime(), status: executionStatusName(e.GetStatus())}
	if e.GetCloseTime() != nil {
		r.closed = e.GetCloseTime().AsTime()
	}
	if p, ok := e.GetMemo().GetFields()[workflows.MemoSummary]; ok {
		var sum workflows.SyncSummary
		if err := s.dc.FromPayload(p, &sum); err == nil {
			r.status, r.fetched, r.err = cmp.Or(sum.Status, r.status), sum.Fetched, sum.Error
		}
	}
	return r
}

// executionStatusName is a workflow execution status as the Web UI says it.
func executionStatusName(st enumspb.WorkflowExecutionStatus) string {
	return strings.TrimPrefix(st.String(), "WORKFLOW_EXECUTION_STATUS_")
}

// runTime is where one run's time went, read from its history: waiting for
// a worker to take its tasks (scheduled → started), and running them
// (started → completed), for workflow tasks and activities.
type runTime struct {
	TaskWait, TaskRun, ActivityWait, ActivityRun time.Duration
}

// readRun counts the events of run id's history and sums where its time
// went.
func readRun(ctx context.Context, c client.Client, id string) (int, runTime, error) {
	var rt runTime
	iter := c.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	at := map[int64]time.Time{}
	events := 0
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			return 0, rt, err
		}
		events++
		t := ev.GetEventTime().AsTime()
		at[ev.GetEventId()] = t
		switch ev.GetEventType() {
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED:
			rt.TaskWait += t.Sub(at[ev.GetWorkflowTaskStartedEventAttributes().GetScheduledEventId()])
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
			rt.TaskRun += t.Sub(at[ev.GetWorkflowTaskCompletedEventAttributes().GetStartedEventId()])
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
			rt.ActivityWait += t.Sub(at[ev.GetActivityTaskStartedEventAttributes().GetScheduledEventId()])
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
			rt.ActivityRun += t.Sub(at[ev.GetActivityTaskCompletedEventAttributes().GetStartedEventId()])
		}
	}
	return events, rt, nil
}

// historyEvents reads every closed run's history and returns the event
// counts' min, median and max, how many histories it read, and the median
// run's time by part.
func historyEvents(ctx context.Context, s *benchStack, runs map[string]tenantRun) ([3]int, int, runTime, error) {
	var ids []string
	for id, r := range runs {
		if !r.closed.IsZero() {
			ids = append(ids, id)
		}
	}
	counts := make([]int, len(ids))
	times := make([]runTime, len(ids))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, id := range ids {
		g.Go(func() error {
			var err error
			counts[i], times[i], err = readRun(gctx, s.client, id)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return [3]int{}, 0, runTime{}, fmt.Errorf("unable to read a sync's history: %w", err)
	}
	if len(counts) == 0 {
		return [3]int{}, 0, runTime{}, nil
	}
	slices.Sort(counts)
	median := func(part func(runTime) time.Duration) time.Duration {
		ds := make([]time.Duration, len(times))
		for i, t := range times {
			ds[i] = part(t)
		}
		slices.Sort(ds)
		return ds[len(ds)/2]
	}
	med := runTime{
		TaskWait:     median(func(t runTime) time.Duration { return t.TaskWait }),
		TaskRun:      median(func(t runTime) time.Duration { return t.TaskRun }),
		ActivityWait: median(func(t runTime) time.Duration { return t.ActivityWait }),
		ActivityRun:  median(func(t runTime) time.Duration { return t.ActivityRun }),
	}
	return [3]int{counts[0], counts[len(counts)/2], counts[len(counts)-1]}, len(counts), med, nil
}

// tenantDirectoryProblem says how tenant t's directory differs from its
// HRIS's active employees — each one user, with that employee's HRIS id as
// externalId and work email as userName, and no one else — or "" when it
// does not.
func tenantDirectoryProblem(t *benchTenant) string {
	want := map[string]string{}
	for _, e := range t.HRIS.Employees() {
		if e.Status == roster.StatusActive {
			want[e.ID] = strings.ToLower(e.WorkEmail)
		}
	}
	users := t.Directory.Users()
	var wrong []string
	seen := map[string]bool{}
	for _, u := range users {
		email, ok := want[u.ExternalID]
		switch {
		case !ok:
			wrong = append(wrong, fmt.Sprintf("user %q (externalId %q) is not one of its employees", u.UserName, u.ExternalID))
		case seen[u.ExternalID]:
			wrong = append(wrong, fmt.Sprintf("employee %s has two users", u.ExternalID))
		case !strings.EqualFold(u.UserName, email):
			wrong = append(wrong, fmt.Sprintf("employee %s's user is %q, not %q", u.ExternalID, u.UserName, email))
		}
		seen[u.ExternalID] = true
	}
	for id := range want {
		if !seen[id] {
			wrong = append(wrong, fmt.Sprintf("employee %s has no user", id))
		}
	}
	if len(wrong) == 0 {
		return ""
	}
	slices.Sort(wrong)
	return fmt.Sprintf("%s: %d users for %d active employees; %s", t.ID, len(users), len(want), strings.Join(wrong, "; "))
}

// printTenants prints each measurement, and how the last compares with the
// first: the many tenants against the one integration of as many people.
func printTenants(w io.Writer, rows []tenantsResult) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "integrations × employees\tcreated in\tdue\tdue → first done\tdue → all done\tmedian run\t"+
		"completed\tfailed\tworker peak RSS\thistory events min/median/max\tdirectories wrong\t")
	for _, r := range rows {
		rss := "-"
		if r.PeakRSS > 0 {
			rss = fmt.Sprintf("%d MiB", r.PeakRSS>>20)
		}
		fmt.Fprintf(tw, "%d × %d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t%d/%d/%d (%d runs)\t%d\t\n", r.Tenants, r.Employees,
			r.Created.Round(10*time.Millisecond), r.Due.Format(time.TimeOnly), r.FirstDone.Round(10*time.Millisecond),
			r.AllDone.Round(10*time.Millisecond), r.RunMedian.Round(10*time.Millisecond), r.Completed, r.Failed, rss,
			r.Events[0], r.Events[1], r.Events[2], r.Histories, r.Mismatched)
	}
	_ = tw.Flush()
	for _, r := range rows {
		if r.Late > 0 {
			fmt.Fprintf(w, "note: %d of the %d integrations were created after the due instant; their first sync started as they were\n",
				r.Late, r.Tenants)
		}
		if r.Failed > 0 {
			fmt.Fprintf(w, "%d × %d: runs by status: %v\n", r.Tenants, r.Employees, r.Statuses)
		}
		for _, e := range r.Errors {
			fmt.Fprintln(w, "failed run: "+e)
		}
		for _, p := range r.Problems {
			fmt.Fprintln(w, "directory wrong: "+p)
		}
	}
	fmt.Fprintln(w, "Per run (median over the runs, from their histories): time its tasks waited for the worker and ran:")
	for _, r := range rows {
		m := r.Median
		fmt.Fprintf(w, "  %d × %d: workflow tasks waited %s, ran %s; activities waited %s, ran %s\n", r.Tenants, r.Employees,
			m.TaskWait.Round(time.Millisecond), m.TaskRun.Round(time.Millisecond),
			m.ActivityWait.Round(time.Millisecond), m.ActivityRun.Round(time.Millisecond))
	}
	fmt.Fprintln(w, "Every first sync was set for the due instant (schedule.firstSync; the cron fires at the same minute daily after),")
	fmt.Fprintln(w, "so each integration's workflow wakes on its own timer then, as for a scheduled run.")
	if len(rows) == 2 && rows[0].AllDone > 0 {
		one, many := rows[0], rows[1]
		ratio := many.AllDone.Seconds() / one.AllDone.Seconds()
		verdict := "met"
		if ratio > 2 || many.Failed > 0 {
			verdict = "not met"
		}
		fmt.Fprintf(w, "%d integrations × %d all done in %s = %.2f× one integration of %d (%s); target ≤ 2× with none failed: %s\n",
			many.Tenants, many.Employees, many.AllDone.Round(10*time.Millisecond), ratio, one.Employees,
			one.AllDone.Round(10*time.Millisecond), verdict)
	}
}
