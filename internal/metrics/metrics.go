// Package metrics is a worker's Prometheus instrumentation: one registry
// holding the Temporal SDK's metrics (through the SDK's OpenTelemetry
// handler), hrsync's own counters and histograms, and the Go runtime's.
// Nothing here is global: each worker makes its own Metrics and passes it
// to what records into it. Every recording method is safe on a nil
// *Metrics, which records nothing, so tests can leave it out.
package metrics

import (
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.uber.org/zap"
)

// Names of the metrics Metrics records itself, as they are exposed. The
// workflows record three more through the SDK (see workflows.Metric…).
const (
	EmployeesApplied = "hrsync_employees_applied_total"
	ApplyFailures    = "hrsync_apply_failures_total"
	Problems         = "hrsync_problems_total"
	SourceRequests   = "hrsync_source_requests_total"
	SourceDuration   = "hrsync_source_request_duration_seconds"
	TargetRequests   = "hrsync_target_requests_total"
	TargetDuration   = "hrsync_target_request_duration_seconds"
	RateLimitWait    = "hrsync_rate_limit_wait_seconds"
)

const (
	// sdkMeterName names the OpenTelemetry meter the SDK records through.
	sdkMeterName = "temporal-sdk-go"
	// unknownLabelValue stands for an empty label value.
	unknownLabelValue = "unknown"
	// transportErrorCode is the code of a request that got no answer.
	transportErrorCode = "error"
)

// Side says which end of a sync an HTTP request or a rate-limit wait is
// for: the HRIS (source) or the directory (target).
type Side string

// The sides of a sync.
const (
	Source Side = "source"
	Target Side = "target"
)

// DurationBuckets are the bounds, in seconds, of every duration histogram
// in the registry, the SDK's included: from a few milliseconds (a request,
// a workflow task) to a day (a run waiting for approval).
var DurationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600,
	1800, 3600, 7200, 14400, 43200, 86400}

// Metrics holds one worker's registry and the metrics hrsync records in it.
type Metrics struct {
	registry *prometheus.Registry
	sdk      client.MetricsHandler

	applied       *prometheus.CounterVec
	applyFailures *prometheus.CounterVec
	problems      *prometheus.CounterVec
	requests      map[Side]*prometheus.CounterVec
	durations     map[Side]*prometheus.HistogramVec
	rateWait      *prometheus.HistogramVec
}

// New makes a registry with the Go runtime's and the process's metrics,
// hrsync's own, and a handler through which the Temporal SDK records into
// it (SDK). logger hears errors the SDK's handler meets (nil: none).
func New(logger *zap.Logger) (*Metrics, error) {
	if logger == nil {
		logger = zap.NewNop()
	}
	reg := prometheus.NewRegistry()
	m := &Metrics{
		registry: reg,
		applied: prometheus.NewCounterVec(prometheus.CounterOpts{Name: EmployeesApplied,
			Help: "Changes written to directories, by operation (create, update, deactivate, reactivate), each once when recorded."},
			[]string{"operation"}),
		applyFailures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: ApplyFailures,
			Help: "Changes a directory refused for good, by code: the HTTP status of its answer, bad_answer or other."},
			[]string{"code"}),
		problems: prometheus.NewCounterVec(prometheus.CounterOpts{Name: Problems,
			Help: "Validation problems found by plans, by problem code."}, []string{"code"}),
		requests: map[Side]*prometheus.CounterVec{
			Source: prometheus.NewCounterVec(prometheus.CounterOpts{Name: SourceRequests,
				Help: "HTTP requests to HRIS APIs, by connector and code (the HTTP status, or error when no answer came)."},
				[]string{"connector", "code"}),
			Target: prometheus.NewCounterVec(prometheus.CounterOpts{Name: TargetRequests,
				Help: "HTTP requests to directories, by connector and code (the HTTP status, or error when no answer came)."},
				[]string{"connector", "code"}),
		},
		durations: map[Side]*prometheus.HistogramVec{
			Source: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: SourceDuration,
				Help: "Time from sending a request to an HRIS API until its answer's headers came, by connector.", Buckets: DurationBuckets},
				[]string{"connector"}),
			Target: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: TargetDuration,
				Help: "Time from sending a request to a directory until its answer's headers came, by connector.", Buckets: DurationBuckets},
				[]string{"connector"}),
		},
		rateWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: RateLimitWait,
			Help: "Time requests waited for a client-side rate limit before going out, by side (source or target).", Buckets: DurationBuckets},
			[]string{"side"}),
	}
	cs := []prometheus.Collector{
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.applied, m.applyFailures, m.problems, m.rateWait,
	}
	for _, side := range []Side{Source, Target} {
		cs = append(cs, m.requests[side], m.durations[side])
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("unable to register metrics: %w", err)
		}
	}
	// The SDK's metrics reach Prometheus through OpenTelemetry: its counters
	// become counters named …_total, its timers histograms in seconds
	// named …_seconds.
	exporter, err := otelprom.New(otelprom.WithRegisterer(reg), otelprom.WithoutScopeInfo(), otelprom.WithoutTargetInfo())
	if err != nil {
		return nil, fmt.Errorf("unable to export the Temporal SDK's metrics: %w", err)
	}
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter), sdkmetric.WithView(
		sdkmetric.NewView(sdkmetric.Instrument{Kind: sdkmetric.InstrumentKindHistogram},
			sdkmetric.Stream{Aggregation: sdkmetric.AggregationExplicitBucketHistogram{Boundaries: DurationBuckets}})))
	m.sdk = temporalotel.NewMetricsHandler(temporalotel.MetricsHandlerOptions{
		Meter:                provider.Meter(sdkMeterName),
		UseMonotonicCounters: true,
		// The handler's default panics.
		OnError: func(err error) { logger.Warn("Unable to record a Temporal SDK metric", zap.Error(err)) },
	})
	return m, nil
}

// Registry is where every metric of the worker is registered; more
// collectors, such as gauges read at scrape time, may be added to it.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// SDK is the handler to give the Temporal client (client.Options'
// MetricsHandler): the SDK's own metrics, and those workflows record
// through workflow.GetMetricsHandler, land in the registry.
func (m *Metrics) SDK() client.MetricsHandler { return m.sdk }

// Handler serves the registry in the Prometheus exposition format. A
// collector that fails is logged through logger (nil: not logged) and
// left out; the rest is served.
func (m *Metrics) Handler(logger *zap.Logger) http.Handler {
	if logger == nil {
		logger = zap.NewNop()
	}
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorLog:      zap.NewStdLog(logger),
		ErrorHandling: promhttp.ContinueOnError,
		Timeout:       30 * time.Second,
	})
}

// Applied counts n changes of operation op written to a directory.
func (m *Metrics) Applied(op string, n int) {
	if m == nil || n <= 0 {
		return
	}
	m.applied.WithLabelValues(labelValue(op)).Add(float64(n))
}

// ApplyFailed counts a change a directory refused for good, by code (see
// the activities' failure codes).
func (m *Metrics) ApplyFailed(code string) {
	if m == nil {
		return
	}
	m.applyFailures.WithLabelValues(labelValue(code)).Inc()
}

// Problems counts n validation problems of code found by a plan.
func (m *Metrics) Problems(code string, n int) {
	if m == nil || n <= 0 {
		return
	}
	m.problems.WithLabelValues(labelValue(code)).Add(float64(n))
}

// RateLimitWaited records how long a request to side waited for its rate
// limit, often nothing.
func (m *Metrics) RateLimitWaited(side Side, waited time.Duration) {
	if m == nil {
		return
	}
	m.rateWait.WithLabelValues(string(side)).Observe(max(waited, 0).Seconds())
}

// labelValue is v, or "unknown" for an empty one.
func labelValue(v string) string {
	if v == "" {
		return unknownLabelValue
	}
	return v
}
