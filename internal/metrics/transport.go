package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Transport returns base (nil: http.DefaultTransport) counting and timing
// every request it sends for side under connector, the kind of connector
// (merge, scim, …), in hrsync_<side>_requests_total{connector,code} and
// hrsync_<side>_request_duration_seconds{connector}. code is the answer's
// HTTP status, or "error" when none came (refused, reset, timed out,
// cancelled). The time is until the answer's headers came, not its body.
// Labels never carry hosts, paths or integrations, so they stay few. On a
// nil *Metrics it returns base.
func (m *Metrics) Transport(side Side, connector string, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if m == nil {
		return base
	}
	connector = labelValue(connector)
	requests, err := m.requests[side].CurryWith(map[string]string{"connector": connector})
	if err != nil {
		return base
	}
	return &countingTransport{base: base, requests: requests,
		duration: m.durations[side].WithLabelValues(connector)}
}

// countingTransport is an instrumented http.RoundTripper.
type countingTransport struct {
	base     http.RoundTripper
	requests *prometheus.CounterVec
	duration prometheus.Observer
}

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.base.RoundTrip(r)
	t.duration.Observe(time.Since(start).Seconds())
	code := transportErrorCode
	if err == nil {
		code = statusCode(resp.StatusCode)
	}
	t.requests.WithLabelValues(code).Inc()
	return resp, err
}

// statusCode is status as a label value; a status outside 100–599, which
// no server should send, is "other", so a broken server cannot grow the
// label set without bound.
func statusCode(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status)
}
