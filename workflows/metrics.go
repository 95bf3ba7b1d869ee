package workflows

import (
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"
)

// Names of the metrics SyncWorkflow records. It records them through the
// SDK's metrics handler (workflow.GetMetricsHandler), which skips them while
// a workflow replays, so a run is counted once however often a worker
// replays it; they reach the worker's Prometheus registry with the SDK's
// namespace, task_queue and workflow_type labels besides their own.
// Recording a metric is no workflow command: nothing here changes
// histories or needs versioning.
const (
	// MetricSyncsStarted counts runs started, by trigger (first,
	// schedule, manual, exit-date).
	MetricSyncsStarted = "hrsync_syncs_started_total"
	// MetricSyncsFinished counts runs finished, by status: their final
	// SyncStatus, lower-cased (completed, completedwitherrors, rejected,
	// failed, reconnectneeded, sourcenotready, cancelled).
	MetricSyncsFinished = "hrsync_syncs_finished_total"
	// MetricPhaseDuration is how long each phase of a finished run took,
	// by phase (fetch, plan, wait, apply, commit), retries and waits for
	// a failing system included; a phase the run did not reach is left
	// out.
	MetricPhaseDuration = "hrsync_phase_duration_seconds"
)

// recordStarted counts the run as started.
func (s *syncImpl) recordStarted(ctx workflow.Context) {
	workflow.GetMetricsHandler(ctx).WithTags(map[string]string{"trigger": labelOr(s.in.Trigger)}).
		Counter(MetricSyncsStarted).Inc(1)
}

// recordFinished counts the run as finished with status and records how
// long its phases took.
func (s *syncImpl) recordFinished(ctx workflow.Context, status string) {
	h := workflow.GetMetricsHandler(ctx)
	h.WithTags(map[string]string{"status": labelOr(strings.ToLower(status))}).Counter(MetricSyncsFinished).Inc(1)
	t := s.summary.Timings
	for _, p := range []struct {
		phase string
		took  time.Duration
	}{{"fetch", t.Fetch}, {"plan", t.Plan}, {"wait", t.Wait}, {"apply", t.Apply}, {"commit", t.Commit}} {
		if p.took > 0 {
			h.WithTags(map[string]string{"phase": p.phase}).Timer(MetricPhaseDuration).Record(p.took)
		}
	}
}

// labelOr is v, or "unknown" when empty.
func labelOr(v string) string {
	if v == "" {
		return "unknown"
	}
	return v
}
