package activities_test

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/internal/metrics"
	"github.com/hrsync/hrsync/internal/metrics/metricstest"
	"github.com/hrsync/hrsync/roster"
)

// withMetrics gives f's activities metrics of their own.
func withMetrics(t *testing.T, f *fixture) *metrics.Metrics {
	t.Helper()
	m, err := metrics.New(nil)
	require.NoError(t, err)
	f.acts.Metrics = m
	return m
}

// An apply that fails part way and is retried counts each change once: what
// the first attempt stored, and what the retry did.
func TestApplyCountsEachChangeOnceAcrossARetry(t *testing.T) {
	activities.UseRetries(t, activities.RetryPolicy{First: time.Millisecond, Cap: time.Millisecond, Tries: 2,
		Budget: time.Second, BatchTries: 1, Beat: time.Second}, nil)
	var creates atomic.Int32
	var f *fixture
	f = newFixture(t, options{dirHook: func(r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/api/users" && creates.Add(1) == 3 {
			f.dir.FailNext(1000, http.StatusServiceUnavailable)
		}
	}})
	m := withMetrics(t, f)
	active, _ := f.split()
	f.fetch("sync-1")
	p := f.plan("sync-1")
	_, err := f.applyErr(p.PlanID)
	require.Error(t, err)
	got := metricstest.Gather(t, m.Registry())
	require.Equal(t, 1.0, got.Sum(metrics.EmployeesApplied, map[string]string{"operation": "create"}),
		"one user written whole before the directory fell over; the other waits for its manager")

	f.dir.FailNext(0, 0)
	f.apply(p.PlanID)
	c := f.commit("sync-1")
	require.Equal(t, len(active), c.Applied[roster.OpCreate])
	got = metricstest.Gather(t, m.Registry())
	require.Equal(t, float64(c.Applied[roster.OpCreate]), got.Sum(metrics.EmployeesApplied, map[string]string{"operation": "create"}))
	require.Equal(t, -1.0, got.Sum(metrics.ApplyFailures, nil))
}

func TestApplyCountsARefusedChangeByItsStatus(t *testing.T) {
	f := newFixture(t, options{})
	m := withMetrics(t, f)
	active, _ := f.split()
	f.fetch("sync-1")
	p := f.plan("sync-1")
	f.dir.FailNext(1, http.StatusConflict)
	res := f.apply(p.PlanID)
	require.Equal(t, 1, res.Failed)
	got := metricstest.Gather(t, m.Registry())
	require.Equal(t, 1.0, got.Sum(metrics.ApplyFailures, map[string]string{"code": "409"}))
	require.Equal(t, 1.0, got.Sum(metrics.ApplyFailures, nil))
	require.Equal(t, float64(len(active)-1), got.Sum(metrics.EmployeesApplied, map[string]string{"operation": "create"}))
}

func TestPlanCountsProblemsByCode(t *testing.T) {
	f := newFixture(t, options{})
	m := withMetrics(t, f)
	f.config.Rules.RequireEmployeeNumber = true
	for _, id := range []string{"E0003", "E0004"} {
		require.NoError(t, f.hris.Update(id, func(e *roster.Employee) { e.EmployeeNumber = "" }))
	}
	f.fetch("sync-1")
	p := f.plan("sync-1")
	got := metricstest.Gather(t, m.Registry())
	require.Equal(t, 2.0, got.Sum(metrics.Problems, map[string]string{"code": roster.CodeMissingField}))
	require.Equal(t, float64(p.Problems), got.Sum(metrics.Problems, nil))
}
