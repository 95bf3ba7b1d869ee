package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/hrsync/hrsync/credentials"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/internal/metrics"
	"github.com/hrsync/hrsync/internal/metrics/metricstest"
	"github.com/hrsync/hrsync/operator"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/workflows"
)

// meteredStack is dev mode's parts with a worker serving its metrics and
// health on a free loopback port.
type meteredStack struct {
	env *devEnv
	r   *running
	op  *operator.Operator
	// url is the base URL of /metrics, /healthz and /readyz.
	url string
}

func startMeteredStack(t *testing.T, employees int) *meteredStack {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a Temporal server; skipped with -short")
	}
	ctx := context.Background()
	logger := zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))
	cfg := Config{DataDir: t.TempDir(), Dev: DevConfig{Enabled: true, Employees: employees}, MetricsAddr: "127.0.0.1:0"}
	env, err := startDevEnv(ctx, cfg, logger)
	require.NoError(t, err)
	t.Cleanup(env.stop)
	cfg.Temporal = cfg.Temporal.ForDevServer(env.temporal.FrontendHostPort(), env.temporal.Namespace())
	cfg, err = env.forWorker(cfg)
	require.NoError(t, err)
	r, err := startWorker(ctx, cfg, logger)
	require.NoError(t, err)
	t.Cleanup(r.close)
	url, stop, err := serveMetrics(ctx, devMetricsAddr(cfg), r, logger)
	require.NoError(t, err)
	t.Cleanup(stop)
	return &meteredStack{env: env, r: r, op: operator.New(r.client, r.dc), url: url}
}

// ready GETs /readyz and returns its status code and body.
func (s *meteredStack) ready(t *testing.T) (int, readyBody) {
	t.Helper()
	resp, err := http.Get(s.url + "/readyz")
	require.NoError(t, err)
	defer resp.Body.Close()
	var body readyBody
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	return resp.StatusCode, body
}

// A demo sync shows on /metrics as it happened — hrsync's counts equal to
// the run's summary, the SDK's counters — and the worker is ready until
// Temporal stops.
func TestMetricsAndHealthOfADemoSync(t *testing.T) {
	s := startMeteredStack(t, 40)
	ctx := context.Background()
	created, err := ensureIntegration(ctx, s.op, s.env.demoConfig())
	require.NoError(t, err)
	require.True(t, created)
	var first *workflows.SyncSummary
	eventually(t, "the first sync", func() bool {
		st, err := s.op.Status(ctx, DemoIntegrationID)
		first = st.LastSync
		return err == nil && first != nil
	})
	require.Equal(t, workflows.StatusCompleted, first.Status, first.Error)
	require.Positive(t, first.Applied[roster.OpCreate])

	var got metricstest.Families
	eventually(t, "the SDK to count the completed sync", func() bool {
		got = metricstest.Scrape(t, s.url+"/metrics")
		return got.Sum("temporal_workflow_completed_total", map[string]string{"workflow_type": "SyncWorkflow"}) >= 1
	})
	want := func(name string, labels map[string]string, value float64) {
		t.Helper()
		require.Equal(t, value, got.Sum(name, labels), "%s%v", name, labels)
	}
	want(workflows.MetricSyncsStarted, map[string]string{"trigger": workflows.TriggerFirst}, 1)
	want(workflows.MetricSyncsStarted, nil, 1)
	want(workflows.MetricSyncsFinished, map[string]string{"status": "completed"}, 1)
	want(workflows.MetricSyncsFinished, nil, 1)
	want(metrics.EmployeesApplied, map[string]string{"operation": "create"}, float64(first.Applied[roster.OpCreate]))
	want(metrics.EmployeesApplied, nil, float64(first.Applied[roster.OpCreate]))
	want(metrics.ApplyFailures, nil, -1)
	for _, phase := range []string{"fetch", "plan", "apply", "commit"} {
		want(workflows.MetricPhaseDuration, map[string]string{"phase": phase}, 1)
	}
	want(workflows.MetricPhaseDuration, map[string]string{"phase": "wait"}, -1)
	require.Positive(t, got.Sum(metrics.SourceRequests, map[string]string{"connector": "demo", "code": "200"}))
	require.Positive(t, got.Sum(metrics.SourceDuration, map[string]string{"connector": "demo"}))
	require.Positive(t, got.Sum(metrics.TargetRequests, map[string]string{"connector": "scim"}))
	require.Positive(t, got.Sum(metrics.TargetDuration, map[string]string{"connector": "scim"}))
	require.Equal(t, -1.0, got.Sum(metrics.TargetRequests, map[string]string{"code": "error"}))
	// The SDK's own metrics, in the same registry.
	require.Positive(t, got.Sum("temporal_activity_execution_latency_seconds", map[string]string{"activity_type": "Fetch"}))
	require.Positive(t, got.Sum("temporal_workflow_task_execution_latency_seconds", map[string]string{"workflow_type": "SyncWorkflow"}))
	require.Positive(t, got.Sum("temporal_request_total", nil))
	// Nothing waits, and every worker says so.
	want(metricAwaiting, map[string]string{"reason": "guard"}, 0)
	want(metricAwaiting, map[string]string{"reason": "review"}, 0)
	want(metricAwaitingOldest, map[string]string{"reason": "guard"}, 0)
	want(metricQuarantined, nil, 0)
	logExposition(t, s.url+"/metrics")
	s.env.metricsURL = s.url
	require.Contains(t, banner(s.env, false), "  metrics           "+s.url+"/metrics  (health: /healthz, /readyz)")

	resp, err := http.Get(s.url + "/healthz")
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	code, body := s.ready(t)
	require.Equal(t, http.StatusOK, code, "%+v", body)
	require.Equal(t, readyBody{Status: "ready", Checks: map[string]string{"temporal": "ok", "store": "ok", "worker": "ok"}}, body)

	// Temporal goes away: the worker is alive but not ready.
	require.NoError(t, s.env.temporal.Stop())
	code, body = s.ready(t)
	require.Equal(t, http.StatusServiceUnavailable, code)
	require.Equal(t, readyBody{Status: "not ready", Checks: map[string]string{"temporal": "unreachable", "store": "ok", "worker": "ok"}}, body)
	resp, err = http.Get(s.url + "/healthz")
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	// A worker that stopped is not ready either.
	s.r.state.stop()
	_, body = s.ready(t)
	require.Equal(t, "stopped", body.Checks["worker"])
}

// logExposition logs the hrsync_ lines of a scrape, so a run with -v shows
// what an operator sees.
func logExposition(t *testing.T, url string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	text, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var b strings.Builder
	for _, line := range strings.Split(string(text), "\n") {
		if strings.HasPrefix(line, "hrsync_") && !strings.Contains(line, "_bucket{") {
			b.WriteString(line + "\n")
		}
	}
	t.Logf("hrsync metrics after the sync:\n%s", b.String())
}

// The backlog gauges count, from Temporal's visibility, runs waiting for a
// review or blocked by a guard and integrations quarantined.
func TestBacklogReadsWaitingRunsAndQuarantinedIntegrations(t *testing.T) {
	s := startMeteredStack(t, 20)
	ctx := context.Background()
	_, err := ensureIntegration(ctx, s.op, s.env.demoConfig())
	require.NoError(t, err)
	eventually(t, "the first sync", func() bool {
		st, err := s.op.Status(ctx, DemoIntegrationID)
		return err == nil && st.LastSync != nil
	})
	b, err := s.op.Backlog(ctx)
	require.NoError(t, err)
	require.Equal(t, operator.Backlog{}, b)

	// A run stopped for review.
	review, err := s.op.SyncNowWith(ctx, DemoIntegrationID, workflows.SyncRequest{By: "test", Review: true})
	require.NoError(t, err)
	eventually(t, "the review run to be listed", func() bool {
		b, err = s.op.Backlog(ctx)
		return err == nil && b.AwaitingReview == 1
	})
	require.Zero(t, b.AwaitingApproval)
	require.False(t, b.OldestReview.IsZero())
	require.WithinDuration(t, time.Now(), b.OldestReview, time.Minute)
	_, err = s.op.Reject(ctx, DemoIntegrationID, "test", "not now")
	require.NoError(t, err)
	_, err = s.op.WaitForSync(ctx, review.WorkflowID, nil)
	require.NoError(t, err)

	// A run a guard blocked: six of twenty leave at once.
	left := 0
	for _, e := range s.env.hris.Employees() {
		if e.Status == roster.StatusActive && left < 6 {
			require.NoError(t, s.env.hris.Terminate(e.ID, roster.Date{}))
			left++
		}
	}
	_, err = s.op.SyncNow(ctx, DemoIntegrationID, "test", false)
	require.NoError(t, err)
	// An integration whose directory is gone gives up and is quarantined.
	down := s.env.demoConfig()
	down.ID, down.Name = "down", "Down"
	token := credentials.EnvPrefix + "TEST_METRICS_DOWN_TOKEN"
	t.Setenv(token, "down-token")
	t.Setenv(token+credentials.HostsSuffix, "127.0.0.1")
	down.Target.URL, down.Target.CredentialRef = "http://127.0.0.1:1/scim/v2", "env:"+token
	down.Outage = integration.OutagePolicy{GiveUpAfter: integration.Duration(3 * time.Second),
		MaxBackoff: integration.Duration(time.Second)}
	require.NoError(t, s.op.Create(ctx, down))
	eventually(t, "a blocked run and a quarantined integration", func() bool {
		b, err = s.op.Backlog(ctx)
		return err == nil && b.AwaitingApproval == 1 && b.Quarantined == 1
	})
	require.Zero(t, b.AwaitingReview, "the rejected review no longer waits")
	require.False(t, b.OldestApproval.IsZero())

	// And the gauges say so, from a collector of their own (the worker's
	// read a while ago and keeps that for backlogEvery).
	reg := prometheus.NewRegistry()
	reg.MustRegister(newBacklogCollector(s.op.Backlog, zap.NewNop()))
	got := metricstest.Gather(t, reg)
	require.Equal(t, 1.0, got.Sum(metricAwaiting, map[string]string{"reason": "guard"}))
	require.Equal(t, 0.0, got.Sum(metricAwaiting, map[string]string{"reason": "review"}))
	require.Positive(t, got.Sum(metricAwaitingOldest, map[string]string{"reason": "guard"}))
	require.Equal(t, 1.0, got.Sum(metricQuarantined, nil))
}

// The backlog is read at most once per backlogEvery, however many scrapes
// come, at once or in a row; its ages grow between reads; a failed read
// leaves the gauges out and is not retried at once.
func TestBacklogCollectorReadsAtMostEvery15Seconds(t *testing.T) {
	started := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	now := started.Add(time.Hour)
	var clock sync.Mutex
	var reads atomic.Int32
	fail := atomic.Bool{}
	c := newBacklogCollector(func(ctx context.Context) (operator.Backlog, error) {
		reads.Add(1)
		_, hasDeadline := ctx.Deadline()
		require.True(t, hasDeadline, "a read is bounded")
		time.Sleep(20 * time.Millisecond)
		if fail.Load() {
			return operator.Backlog{}, errors.New("visibility is down")
		}
		return operator.Backlog{AwaitingApproval: 2, OldestApproval: started, Quarantined: 1}, nil
	}, zap.NewNop())
	c.now = func() time.Time {
		clock.Lock()
		defer clock.Unlock()
		return now
	}
	advance := func(d time.Duration) {
		clock.Lock()
		defer clock.Unlock()
		now = now.Add(d)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()

	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() { metricstest.Scrape(t, srv.URL) })
	}
	wg.Wait()
	require.EqualValues(t, 1, reads.Load(), "twenty scrapes at once, one read")
	advance(10 * time.Second)
	got := metricstest.Scrape(t, srv.URL)
	require.EqualValues(t, 1, reads.Load())
	require.Equal(t, 2.0, got.Sum(metricAwaiting, map[string]string{"reason": "guard"}))
	require.Equal(t, (time.Hour + 10*time.Second).Seconds(), got.Sum(metricAwaitingOldest, map[string]string{"reason": "guard"}))
	require.Equal(t, 0.0, got.Sum(metricAwaitingOldest, map[string]string{"reason": "review"}))
	require.Equal(t, 1.0, got.Sum(metricQuarantined, nil))

	advance(5 * time.Second)
	fail.Store(true)
	got = metricstest.Scrape(t, srv.URL)
	require.EqualValues(t, 2, reads.Load(), "read again after 15 s")
	require.NotContains(t, got, metricAwaiting, "a failed read leaves the gauges out")
	metricstest.Scrape(t, srv.URL)
	require.EqualValues(t, 2, reads.Load(), "a failure is not retried at once")
	fail.Store(false)
	advance(15 * time.Second)
	got = metricstest.Scrape(t, srv.URL)
	require.EqualValues(t, 3, reads.Load())
	require.Equal(t, 2.0, got.Sum(metricAwaiting, map[string]string{"reason": "guard"}))
}

func TestMetricsAddressFromFlagsEnvironmentAndDevMode(t *testing.T) {
	require.Equal(t, "127.0.0.1:8235", devMetricsAddr(Config{Dev: DevConfig{UIPort: 8233}}))
	require.Equal(t, ":9100", devMetricsAddr(Config{MetricsAddr: ":9100", Dev: DevConfig{UIPort: 8233}}))
	require.Empty(t, devMetricsAddr(Config{Dev: DevConfig{UIPort: 0}}), "no UI port to count from")
	require.Empty(t, devMetricsAddr(Config{Dev: DevConfig{UIPort: -1}}))
	require.Equal(t, "127.0.0.1:0", devMetricsAddr(Config{MetricsAddr: "127.0.0.1:0", Dev: DevConfig{UIPort: -1}}))

	// The flag defaults to the environment's address.
	t.Setenv(metricsAddrEnv, "127.0.0.1:9464")
	require.Equal(t, "127.0.0.1:9464", newRootCmd().Flags().Lookup("metrics-addr").DefValue)
	t.Setenv(metricsAddrEnv, "")
	require.Empty(t, newRootCmd().Flags().Lookup("metrics-addr").DefValue, "off unless asked")
}
