package metrics_test

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/internal/metrics"
	"github.com/hrsync/hrsync/internal/metrics/metricstest"
)

// scrape GETs the registry through its HTTP handler, served on loopback,
// and parses the exposition.
func scrape(t *testing.T, m *metrics.Metrics) metricstest.Families {
	t.Helper()
	srv := httptest.NewServer(m.Handler(nil))
	defer srv.Close()
	return metricstest.Scrape(t, srv.URL)
}

// value is the sum of family name's series whose labels include want; -1
// when there is none.
func value(f metricstest.Families, name string, want map[string]string) float64 {
	return f.Sum(name, want)
}

func TestTransportCountsRequestsByConnectorAndStatus(t *testing.T) {
	m, err := metrics.New(nil)
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/users/alice@example.com":
			w.WriteHeader(http.StatusConflict)
		case "/slow":
			time.Sleep(30 * time.Millisecond)
		}
	}))
	defer srv.Close()
	// A port nothing listens on: the request gets no answer.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close())

	target := &http.Client{Transport: m.Transport(metrics.Target, "scim", nil)}
	source := &http.Client{Transport: m.Transport(metrics.Source, "merge", http.DefaultTransport)}
	get := func(c *http.Client, url string) {
		resp, err := c.Get(url)
		if err == nil {
			_ = resp.Body.Close()
		}
	}
	get(target, srv.URL+"/ok")
	get(target, srv.URL+"/ok")
	get(target, srv.URL+"/users/alice@example.com")
	get(target, closed+"/ok")
	get(source, srv.URL+"/slow")

	f := scrape(t, m)
	require.Equal(t, 2.0, value(f, metrics.TargetRequests, map[string]string{"connector": "scim", "code": "200"}))
	require.Equal(t, 1.0, value(f, metrics.TargetRequests, map[string]string{"connector": "scim", "code": "409"}))
	require.Equal(t, 1.0, value(f, metrics.TargetRequests, map[string]string{"connector": "scim", "code": "error"}))
	require.Equal(t, 4.0, value(f, metrics.TargetDuration, map[string]string{"connector": "scim"}))
	require.Equal(t, 1.0, value(f, metrics.SourceRequests, map[string]string{"connector": "merge", "code": "200"}))
	require.Equal(t, 1.0, value(f, metrics.SourceDuration, map[string]string{"connector": "merge"}))
	h := f[metrics.SourceDuration].GetMetric()[0].GetHistogram()
	require.GreaterOrEqual(t, h.GetSampleSum(), 0.03, "the slow request's time is measured")
	// Only the connector and the code: no host, path or address.
	for _, name := range []string{metrics.TargetRequests, metrics.TargetDuration, metrics.SourceRequests} {
		for _, s := range f[name].GetMetric() {
			for _, l := range s.GetLabel() {
				require.Contains(t, []string{"connector", "code"}, l.GetName(), name)
			}
		}
	}
}

func TestSDKMetricsComeOutWithPrometheusNames(t *testing.T) {
	m, err := metrics.New(nil)
	require.NoError(t, err)
	h := m.SDK().WithTags(map[string]string{"namespace": "default"})
	h.Counter("temporal_example_completed").Inc(3)
	h.Counter("hrsync_example_started_total").Inc(1)
	h.Timer("temporal_example_latency").Record(20 * time.Millisecond)
	h.Timer("hrsync_example_duration_seconds").Record(2 * time.Second)
	h.Gauge("temporal_example_slots").Update(5)

	f := scrape(t, m)
	require.Equal(t, 3.0, value(f, "temporal_example_completed_total", map[string]string{"namespace": "default"}))
	require.Equal(t, dto.MetricType_COUNTER, f["temporal_example_completed_total"].GetType())
	require.Equal(t, 1.0, value(f, "hrsync_example_started_total", nil), "a name ending in _total keeps one")
	require.Equal(t, 1.0, value(f, "temporal_example_latency_seconds", nil))
	require.Equal(t, 1.0, value(f, "hrsync_example_duration_seconds", nil), "a name ending in _seconds keeps one")
	require.Equal(t, 5.0, value(f, "temporal_example_slots", nil))
	// The histograms have hrsync's buckets, not OpenTelemetry's defaults.
	require.Len(t, f["hrsync_example_duration_seconds"].GetMetric()[0].GetHistogram().GetBucket(), len(metrics.DurationBuckets)+1, "and +Inf")
	// No OpenTelemetry scope or target labels and series.
	require.NotContains(t, f, "target_info")
	for _, s := range f["temporal_example_completed_total"].GetMetric() {
		for _, l := range s.GetLabel() {
			require.Equal(t, "namespace", l.GetName())
		}
	}
}

func TestRecordersCountAndANilMetricsRecordsNothing(t *testing.T) {
	var none *metrics.Metrics
	none.Applied("create", 1)
	none.ApplyFailed("409")
	none.Problems("invalid_email", 2)
	none.RateLimitWaited(metrics.Target, time.Second)
	require.Equal(t, http.DefaultTransport, none.Transport(metrics.Source, "demo", nil))

	m, err := metrics.New(nil)
	require.NoError(t, err)
	m.Applied("create", 3)
	m.Applied("create", 2)
	m.Applied("update", 0)
	m.ApplyFailed("409")
	m.Problems("invalid_email", 2)
	m.RateLimitWaited(metrics.Target, 1500*time.Millisecond)
	m.RateLimitWaited(metrics.Source, 0)
	f := scrape(t, m)
	require.Equal(t, 5.0, value(f, metrics.EmployeesApplied, map[string]string{"operation": "create"}))
	require.Equal(t, -1.0, value(f, metrics.EmployeesApplied, map[string]string{"operation": "update"}))
	require.Equal(t, 1.0, value(f, metrics.ApplyFailures, map[string]string{"code": "409"}))
	require.Equal(t, 2.0, value(f, metrics.Problems, map[string]string{"code": "invalid_email"}))
	require.Equal(t, 1.0, value(f, metrics.RateLimitWait, map[string]string{"side": "target"}))
	require.Equal(t, 1.0, value(f, metrics.RateLimitWait, map[string]string{"side": "source"}))
	require.Contains(t, f, "go_goroutines")
	require.Contains(t, f, "process_start_time_seconds")
}

// A scrape whose collector fails still serves the rest.
func TestAFailingCollectorLeavesTheRest(t *testing.T) {
	m, err := metrics.New(nil)
	require.NoError(t, err)
	m.Applied("create", 1)
	require.NoError(t, m.Registry().Register(failing{}))
	f := scrape(t, m)
	require.Equal(t, 1.0, value(f, metrics.EmployeesApplied, map[string]string{"operation": "create"}))
}

type failing struct{}

var failingDesc = prometheus.NewDesc("hrsync_failing", "A collector that cannot collect.", nil, nil)

func (failing) Describe(ch chan<- *prometheus.Desc) { ch <- failingDesc }
func (failing) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.NewInvalidMetric(failingDesc, errors.New("visibility is down"))
}
