package workflows

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"
)

// TestReplayRecordedHistories replays histories recorded from real dev-mode
// runs (first sync, a sync-now, a restart, a blocked sync approved, pause,
// resume and remove) against the current workflow code, one set per
// version of the workflows. A change that breaks determinism for runs
// already in flight fails here; guard it with workflow.GetVersion, then
// record a new set (keeping the old ones) with:
//
//	go test ./worker -run TestDevModeEndToEnd -update-replay vN-what-changed
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "replay", "*", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no recorded histories")
	for _, f := range files {
		// With the interceptor, as hrsync's worker runs, and without, as a
		// worker that lacks it would.
		for name, icpt := range map[string][]interceptor.WorkerInterceptor{"": nil,
			"/interceptor": {&Interceptor{}}} {
			t.Run(filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f)+name, func(t *testing.T) {
				r, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{Interceptors: icpt})
				require.NoError(t, err)
				r.RegisterWorkflow(IntegrationWorkflow)
				r.RegisterWorkflow(SyncWorkflow)
				require.NoError(t, r.ReplayWorkflowHistoryFromJSONFile(nil, f))
			})
		}
	}
}
