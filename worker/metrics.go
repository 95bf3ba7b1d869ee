package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/hrsync/hrsync/operator"
)

// metricsAddrEnv names the address the worker serves its metrics and
// health on.
const metricsAddrEnv = "HRSYNC_METRICS_ADDR"

// devMetricsPort is dev mode's metrics port: the Web UI's plus two (the
// codec server has plus one).
func devMetricsPort(cfg Config) int { return cfg.Dev.UIPort + 2 }

// devMetricsAddr is where dev mode serves metrics: --metrics-addr when
// given, else loopback on devMetricsPort; none when the Web UI is off or on
// a port of its choosing (UIPort 0 or less, as tests run it), which leaves
// no port to count from.
func devMetricsAddr(cfg Config) string {
	if cfg.MetricsAddr != "" || cfg.Dev.UIPort <= 0 {
		return cfg.MetricsAddr
	}
	return fmt.Sprintf("127.0.0.1:%d", devMetricsPort(cfg))
}

// serveMetrics serves, on addr until ctx ends, the worker's metrics in the
// Prometheus format (/metrics), its liveness (/healthz: 200 while the
// process serves) and its readiness (/readyz, see readiness). An empty
// addr serves nothing. It returns the base URL it serves on.
func serveMetrics(ctx context.Context, addr string, r *running, logger *zap.Logger) (string, func(), error) {
	if addr == "" {
		return "", func() {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("unable to serve metrics on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", r.metrics.Handler(logger))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.Handle("GET /readyz", &readiness{temporal: r.client, store: r.store, worker: r.state, logger: logger})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Warn("Metrics server stopped", zap.Error(err))
		}
	}()
	url := "http://" + ln.Addr().String()
	logger.Info("Serving metrics and health", zap.String("metrics", url+"/metrics"),
		zap.String("readiness", url+"/readyz"))
	return url, func() {
		shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}, nil
}

// readyTimeout bounds each of readiness's checks.
const readyTimeout = 2 * time.Second

// readiness answers /readyz: 200 when Temporal answers a health check, the
// store answers a query and the worker has started and not stopped, each
// within readyTimeout; 503 otherwise. Its JSON body names each check and
// its state ("ok" or what is wrong), never an address or an error's text:
// those are logged when a check's state changes.
type readiness struct {
	temporal interface {
		CheckHealth(context.Context, *client.CheckHealthRequest) (*client.CheckHealthResponse, error)
	}
	store  interface{ Ping(context.Context) error }
	worker *workerState
	logger *zap.Logger

	mu   sync.Mutex
	last map[string]string
}

// readyBody is /readyz's answer.
type readyBody struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

func (h *readiness) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	checks := map[string]func() (string, error){
		"temporal": func() (string, error) {
			if _, err := h.temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
				return "unreachable", err
			}
			return "ok", nil
		},
		"store": func() (string, error) {
			if err := h.store.Ping(ctx); err != nil {
				return "not answering", err
			}
			return "ok", nil
		},
		"worker": func() (string, error) { return h.worker.state() },
	}
	body := readyBody{Status: "ready", Checks: map[string]string{}}
	errs := map[string]error{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for name, check := range checks {
		wg.Go(func() {
			state, err := check()
			mu.Lock()
			defer mu.Unlock()
			body.Checks[name], errs[name] = state, err
		})
	}
	wg.Wait()
	code := http.StatusOK
	for _, state := range body.Checks {
		if state != "ok" {
			body.Status, code = "not ready", http.StatusServiceUnavailable
		}
	}
	h.logChanges(body.Checks, errs)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}

// logChanges logs each check whose state differs from the last answer's.
func (h *readiness) logChanges(states map[string]string, errs map[string]error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.last == nil {
		h.last = map[string]string{}
	}
	for name, state := range states {
		before, seen := h.last[name]
		h.last[name] = state
		switch {
		case state != "ok" && state != before:
			h.logger.Warn("Worker not ready", zap.String("check", name), zap.String("state", state), zap.Error(errs[name]))
		case state == "ok" && seen && before != "ok":
			h.logger.Info("Worker check passes again", zap.String("check", name))
		}
	}
}

// workerState is whether the SDK worker runs: started, and neither stopped
// nor failed (its OnFatalError).
type workerState struct {
	started, stopped atomic.Bool
	fatal            atomic.Pointer[error]
}

func (s *workerState) start()         { s.started.Store(true) }
func (s *workerState) stop()          { s.stopped.Store(true) }
func (s *workerState) fail(err error) { s.fatal.Store(&err) }

// state is "ok" while the worker polls, else why not.
func (s *workerState) state() (string, error) {
	switch {
	case s.fatal.Load() != nil:
		return "failed", *s.fatal.Load()
	case s.stopped.Load():
		return "stopped", nil
	case !s.started.Load():
		return "not started", nil
	}
	return "ok", nil
}

// backlogEvery is the least time between two reads of the backlog, however
// often Prometheus scrapes, and however many scrape at once.
const backlogEvery = 15 * time.Second

// backlogTimeout bounds one read of the backlog.
const backlogTimeout = 5 * time.Second

// The gauges backlogCollector reports.
const (
	metricAwaiting       = "hrsync_syncs_awaiting_approval"
	metricAwaitingOldest = "hrsync_sync_awaiting_approval_oldest_seconds"
	metricQuarantined    = "hrsync_integrations_quarantined"
)

// backlogCollector reports what waits on people across every worker — runs
// awaiting approval or review and how long the oldest has, integrations
// quarantined — read from Temporal's visibility when Prometheus scrapes,
// at most once per backlogEvery (scrapes in between, or at once, get the
// last read), within backlogTimeout. Every worker reports the same values:
// aggregate them with max(), never sum(). When the read fails the gauges
// are left out of the scrape, and the failure logged.
type backlogCollector struct {
	read   func(context.Context) (operator.Backlog, error)
	now    func() time.Time
	logger *zap.Logger

	awaiting, oldest, quarantined *prometheus.Desc

	mu     sync.Mutex
	readAt time.Time
	last   operator.Backlog
	err    error
}

// newBacklogCollector reports the backlog read (operator.Operator.Backlog).
func newBacklogCollector(read func(context.Context) (operator.Backlog, error), logger *zap.Logger) *backlogCollector {
	return &backlogCollector{read: read, now: time.Now, logger: logger,
		awaiting: prometheus.NewDesc(metricAwaiting,
			"Sync runs, across all workers, waiting for an administrator, by reason: guard (a guard blocked the plan) "+
				"or review (stopped for review). Every worker reports the same value: use max().",
			[]string{"reason"}, nil),
		oldest: prometheus.NewDesc(metricAwaitingOldest,
			"Seconds since the oldest sync run now waiting for an administrator started, by reason; 0 when none waits. "+
				"Every worker reports the same value: use max().",
			[]string{"reason"}, nil),
		quarantined: prometheus.NewDesc(metricQuarantined,
			"Integrations, across all workers, that an outage quarantined until an administrator resumes them. "+
				"Every worker reports the same value: use max().",
			nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *backlogCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.awaiting
	ch <- c.oldest
	ch <- c.quarantined
}

// Collect implements prometheus.Collector.
func (c *backlogCollector) Collect(ch chan<- prometheus.Metric) {
	b, err := c.backlog()
	if err != nil {
		return
	}
	now := c.now()
	age := func(started time.Time) float64 {
		if started.IsZero() {
			return 0
		}
		return max(now.Sub(started), 0).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(c.awaiting, prometheus.GaugeValue, float64(b.AwaitingApproval), "guard")
	ch <- prometheus.MustNewConstMetric(c.awaiting, prometheus.GaugeValue, float64(b.AwaitingReview), "review")
	ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, age(b.OldestApproval), "guard")
	ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, age(b.OldestReview), "review")
	ch <- prometheus.MustNewConstMetric(c.quarantined, prometheus.GaugeValue, float64(b.Quarantined))
}

// backlog is the last read, made again when it is backlogEvery old. The
// lock makes concurrent scrapes wait for one read rather than each make
// their own.
func (c *backlogCollector) backlog() (operator.Backlog, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.readAt.IsZero() && c.now().Sub(c.readAt) < backlogEvery {
		return c.last, c.err
	}
	ctx, cancel := context.WithTimeout(context.Background(), backlogTimeout)
	defer cancel()
	c.last, c.err = c.read(ctx)
	c.readAt = c.now()
	if c.err != nil {
		c.logger.Warn("Unable to read the backlog for metrics; its gauges are left out until the next read",
			zap.Error(c.err))
	} else if c.last.Capped {
		c.logger.Warn("More runs await a decision than the metrics list; the gauges count the first",
			zap.Int("listed", operator.MaxBacklogListed))
	}
	return c.last, c.err
}
