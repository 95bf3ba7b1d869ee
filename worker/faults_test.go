package main

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/credentials"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/internal/faultproxy"
	"github.com/hrsync/hrsync/operator"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/workflows"
)

// throughProxy points cfg's target at the dev directory through proxyURL.
// Dev mode's own token goes only to its directory's address, so the
// integration names the same token as a secret bound to the proxy.
func (s *scenario) throughProxy(t *testing.T, cfg *integration.Config, proxyURL string) {
	t.Helper()
	const name = credentials.EnvPrefix + "PROXIED_SCIM_TOKEN"
	t.Setenv(name, s.env.scimToken)
	t.Setenv(name+credentials.HostsSuffix, credentials.UseFor("", proxyURL).Hosts[0])
	cfg.Target.URL, cfg.Target.CredentialRef = proxyURL, "env:"+name
}

// A directory outage in the middle of a run, scaled down: every write the
// apply makes fails for a while, status says what the run waits for, and
// once the directory answers again the run completes with the directory
// equal to the HRIS.
func TestScenarioDirectoryOutageIsWaitedOutVisibly(t *testing.T) {
	s := newScenario(t, 10, roster.Rules{})
	ctx := context.Background()

	// A second integration writes through a proxy whose writes are down;
	// its reads pass, so the run plans and then waits in its apply.
	proxy := faultproxy.Start(t, faultproxy.Options{Upstream: s.env.scimURL(), Seed: 1,
		Match: func(r *http.Request) bool { return r.Method != http.MethodGet }})
	proxy.Outage(true)
	cfg := s.csvIntegration("outage", "O", 40)
	s.throughProxy(t, &cfg, proxy.URL())
	cfg.Outage = integration.OutagePolicy{MaxBackoff: integration.Duration(time.Second)}
	require.NoError(t, s.op.Create(ctx, cfg))

	var retry *operator.Retrying
	eventually(t, "status to show the run retrying its apply", func() bool {
		st, err := s.op.Status(ctx, "outage")
		if err != nil || st.Current == nil {
			return false
		}
		p, err := s.op.Progress(ctx, st.Current.WorkflowID)
		retry = p.Retrying
		// Two tries: the first attempt spent its retries in place and the
		// second is under way. Waiting for a third as well took most of
		// the minute eventually allows (the whole test 42 to 58 s), and
		// one run in three timed out.
		return err == nil && retry != nil && retry.Step == "Apply" && retry.Tries >= 2
	})
	line := retry.String()
	t.Log("status: retrying  ", line)
	require.Contains(t, line, "directory unreachable since ")
	require.Contains(t, line, " tries, ")
	require.Contains(t, line, ", last error: ")
	require.NotContains(t, line, "Encoded failure", "the sealed failure is read with the payload key")
	require.LessOrEqual(t, len(retry.LastError), 300)
	require.NotNil(t, retry.GiveUpAt, "the outage policy's limit is shown")

	proxy.Outage(false)
	var last *workflows.SyncSummary
	eventually(t, "the run to complete once the directory is back", func() bool {
		st, err := s.op.Status(ctx, "outage")
		last = st.LastSync
		return err == nil && last != nil
	})
	require.Equal(t, workflows.StatusCompleted, last.Status, last.Error)
	require.Equal(t, 40, last.Applied[roster.OpCreate])
	seen := map[string]int{}
	for _, u := range s.directoryUsers(t) {
		if strings.HasPrefix(u.Employee.ID, "O") {
			seen[u.Employee.ID]++
			require.True(t, u.Active)
		}
	}
	require.Len(t, seen, 40, "none missing")
	for id, n := range seen {
		require.Equal(t, 1, n, "no duplicate of %s", id)
	}
	require.Positive(t, proxy.Stats().Outage, "the outage did refuse requests")
}

// First syncs of 2,000 employees through seeded faults in front of the
// directory and of the HRIS (the delays scaled down, and 500 employees
// where every write is a request of its own): each completes with the
// directory equal to the HRIS. `worker bench-faults` runs the same at full
// size and delay.
func TestScenarioFirstSyncsThroughFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("runs first syncs of 2,000 employees on a Temporal server; skipped with -short")
	}
	for _, tt := range []struct {
		sc faultScenario
		n  int
	}{
		{faultScenario{System: "directory", Rate: 0.1, Seed: 1}, 2000},
		{faultScenario{System: "directory", Rate: 0.3, Seed: 2}, 2000},
		{faultScenario{System: "directory", Rate: 0.1, Seed: 4, NoBulk: true}, 500},
		{faultScenario{System: "HRIS", Rate: 0.3, Seed: 3}, 2000},
	} {
		sc := tt.sc
		t.Run(sc.String(), func(t *testing.T) {
			row, err := benchFaults(context.Background(), sc, tt.n, 100,
				[2]time.Duration{5 * time.Millisecond, 20 * time.Millisecond}, 2*time.Second)
			require.NoError(t, err)
			require.Equal(t, workflows.StatusCompleted, row.Status, row.Error)
			require.Zero(t, row.Duplicates, "duplicates")
			require.Zero(t, row.Missing, "missing")
			require.Zero(t, row.Stale, "stale")
			require.Positive(t, row.Faults, "faults were injected")
			t.Logf("%s: %s, %d requests, %d faults", sc, row.Wall.Round(time.Millisecond), row.Requests, row.Faults)
		})
	}
}

// A directory that goes down for good part way through a run: the run ends
// Failed at the outage limit (scaled down), the integration is
// quarantined, and status, history and the report say whom the run wrote
// before it stopped.
func TestScenarioARunThatGivesUpSaysWhatItWrote(t *testing.T) {
	s := newScenario(t, 10, roster.Rules{})
	ctx := context.Background()
	var writes atomic.Int32
	proxy := faultproxy.Start(t, faultproxy.Options{Upstream: s.env.scimURL(), Seed: 1, Rate: 1,
		Faults: []faultproxy.Fault{faultproxy.Unavailable},
		Match: func(r *http.Request) bool {
			// The third write and every one after it fail.
			return r.Method != http.MethodGet && writes.Add(1) > 2
		}})
	cfg := s.csvIntegration("doomed", "D", 30)
	s.throughProxy(t, &cfg, proxy.URL())
	cfg.Target.BatchSize, cfg.Target.Parallelism = 5, 1
	cfg.Outage = integration.OutagePolicy{GiveUpAfter: integration.Duration(8 * time.Second),
		MaxBackoff: integration.Duration(time.Second)}
	require.NoError(t, s.op.Create(ctx, cfg))

	var st workflows.IntegrationStatus
	eventually(t, "the run to give up", func() bool {
		var err error
		st, err = s.op.Status(ctx, "doomed")
		return err == nil && st.LastSync != nil
	})
	last := st.LastSync
	require.Equal(t, workflows.StatusFailed, last.Status)
	require.True(t, last.GaveUp)
	require.LessOrEqual(t, len(last.Error), 300, "one sentence")
	require.Equal(t, 10, last.Applied[roster.OpCreate], "two Bulk requests of five made it")
	require.Equal(t, workflows.StatusQuarantined, st.Status)
	require.NotEmpty(t, st.Quarantined)

	runs, err := s.op.History(ctx, "doomed", 10)
	require.NoError(t, err)
	require.Len(t, runs, 1)
	require.NotNil(t, runs[0].Summary, "history shows the failed run's counts")
	require.Equal(t, 10, runs[0].Summary.Applied[roster.OpCreate])

	report, err := s.store.GetReport(ctx, last.ReportID)
	require.NoError(t, err)
	require.Equal(t, "failed", report.Outcome)
	require.Equal(t, 10, report.Applied[roster.OpCreate])
	require.Equal(t, 20, report.Unfinished, "what the run did not get to")
	changes, err := s.store.PlanChanges(ctx, report.PlanID)
	require.NoError(t, err)
	written := 0
	for _, pc := range changes {
		if pc.Status == "applied" && pc.Change.Op == roster.OpCreate {
			written++
		}
	}
	require.Equal(t, 10, written, "the report names whom the run wrote")
}
