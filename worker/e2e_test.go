package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/proxy"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/hrsync/hrsync/codec"
	"github.com/hrsync/hrsync/connectors/scim"
	"github.com/hrsync/hrsync/credentials"
	"github.com/hrsync/hrsync/operator"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/workflows"
)

// updateReplay records this test's workflow histories as a new set for the
// replay tests, next to the sets recorded by earlier versions:
//
//	go test ./worker -run TestDevModeEndToEnd -update-replay v3-something
var updateReplay = flag.String("update-replay", "", "record workflow histories as this set in workflows/testdata/replay")

// devStack is dev mode as a test drives it: the embedded server, the demo
// systems, a worker and an operator.
type devStack struct {
	env   *devEnv
	op    *operator.Operator
	c     client.Client
	vault *credentials.Vault
	// dc is the data converter the worker and client share, and codec
	// the payload codec inside it.
	dc    converter.DataConverter
	codec *codec.Codec
	// cfg is the worker's configuration.
	cfg   Config
	close func()
}

// startDevStack starts dev mode's parts on free ports with state in dir.
func startDevStack(t *testing.T, dir string, employees int) *devStack {
	t.Helper()
	return startDevStackWith(t, dir, DevConfig{Employees: employees})
}

// startDevStackWith starts dev mode's parts as dev says, on free ports.
func startDevStackWith(t *testing.T, dir string, dev DevConfig) *devStack {
	t.Helper()
	return startDevStackLogging(t, dir, dev, zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel)))
}

// startDevStackLogging is startDevStackWith logging to logger.
func startDevStackLogging(t *testing.T, dir string, dev DevConfig, logger *zap.Logger) *devStack {
	t.Helper()
	return startDevStackTuned(t, dir, dev, logger, nil)
}

// startDevStackTuned is startDevStackLogging with tune, when not nil,
// changing the worker's configuration before the worker starts.
func startDevStackTuned(t *testing.T, dir string, dev DevConfig, logger *zap.Logger, tune func(*Config)) *devStack {
	t.Helper()
	ctx := context.Background()
	dev.Enabled = true
	cfg := Config{DataDir: dir, Dev: dev}
	env, err := startDevEnv(ctx, cfg, logger)
	require.NoError(t, err)
	cfg.Temporal = cfg.Temporal.ForDevServer(env.temporal.FrontendHostPort(), env.temporal.Namespace())
	cfg, err = env.forWorker(cfg)
	require.NoError(t, err)
	if tune != nil {
		tune(&cfg)
	}
	r, err := startWorker(ctx, cfg, logger)
	require.NoError(t, err)
	if env.source.Kind == "justlogin" {
		require.NoError(t, env.connectJustLogin(ctx, r.vault))
	}
	return &devStack{env: env, op: operator.New(r.client, r.dc), c: r.client, vault: r.vault, dc: r.dc, codec: r.codec,
		cfg: cfg, close: func() {
			r.close()
			env.stop()
		}}
}

// payloadKey keeps a payload key in dir, where a worker with DataDir dir
// finds it, and returns the data converter that encrypts with it and the
// environment entry that gives it to a worker process.
func payloadKey(t *testing.T, dir string) (converter.DataConverter, string) {
	t.Helper()
	key, err := loadOrCreateKey(filepath.Join(dir, codec.KeyFile))
	require.NoError(t, err)
	dc, _, err := codec.LoadConverter(filepath.Join(dir, codec.KeyFile))
	require.NoError(t, err)
	return dc, codec.KeyEnv + "=" + key.String()
}

// directoryUsers reads the SCIM directory through hrsync's SCIM client, with
// each manager named by HRIS id.
func (s *devStack) directoryUsers(t *testing.T) []roster.User {
	t.Helper()
	return scimUsers(t, s.env.scimURL(), s.env.scimToken)
}

// scimUsers reads the SCIM directory at baseURL through hrsync's SCIM
// client, with each manager named by HRIS id.
func scimUsers(t *testing.T, baseURL, token string) []roster.User {
	t.Helper()
	c, err := scim.New(scim.Config{BaseURL: baseURL, Token: token})
	require.NoError(t, err)
	var users []roster.User
	cursor := ""
	for {
		page, err := c.ListUsers(context.Background(), cursor)
		require.NoError(t, err)
		users = append(users, page.Users...)
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	external := map[string]string{}
	for _, u := range users {
		external[u.TargetID] = u.Employee.ID
	}
	for i, u := range users {
		if u.ManagerTargetID != "" {
			users[i].Employee.ManagerID = external[u.ManagerTargetID]
		}
	}
	return users
}

// directoryUser returns the directory user linked to HRIS id.
func (s *devStack) directoryUser(t *testing.T, id string) (roster.User, bool) {
	t.Helper()
	for _, u := range s.directoryUsers(t) {
		if u.Employee.ID == id {
			return u, true
		}
	}
	return roster.User{}, false
}

// eventually polls cond until it holds, failing the test after a minute.
// It waits on real systems; it is not a performance assertion.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// statusOrZero is the integration's status, or the zero status while it
// cannot be had (no worker to answer the query yet).
func (s *devStack) statusOrZero(t *testing.T) workflows.IntegrationStatus {
	t.Helper()
	st, err := s.op.Status(context.Background(), DemoIntegrationID)
	if err != nil {
		return workflows.IntegrationStatus{}
	}
	return st
}

func (s *devStack) status(t *testing.T) workflows.IntegrationStatus {
	t.Helper()
	st, err := s.op.Status(context.Background(), DemoIntegrationID)
	require.NoError(t, err)
	return st
}

// syncNow runs a manual sync and waits for its summary.
func (s *devStack) syncNow(t *testing.T) workflows.SyncSummary {
	t.Helper()
	res, err := s.op.SyncNow(context.Background(), DemoIntegrationID, "e2e", false)
	require.NoError(t, err)
	return s.waitSync(t, res.WorkflowID)
}

// waitSync waits for sync id to finish, failing the test after two minutes
// (a sync that blocked for approval would otherwise wait for ever).
func (s *devStack) waitSync(t *testing.T, id string) workflows.SyncSummary {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sum, err := s.op.WaitForSync(ctx, id, nil)
	if ctx.Err() != nil {
		st := s.status(t)
		t.Fatalf("sync %s did not finish: status %s, current %+v", id, st.Status, st.Current)
	}
	require.NoError(t, err)
	return sum
}

// activeHRIS returns the ids of the HRIS's active employees.
func activeHRIS(s *devStack) map[string]bool {
	ids := map[string]bool{}
	for _, e := range s.env.hris.Employees() {
		if e.Status == roster.StatusActive {
			ids[e.ID] = true
		}
	}
	return ids
}

func TestDevModeEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test starts a Temporal server; skipped with -short")
	}
	dir := t.TempDir()
	s := startDevStack(t, dir, 60)
	ctx := context.Background()

	// The demo integration's first sync creates every active employee.
	created, err := ensureIntegration(ctx, s.op, s.env.demoConfig())
	require.NoError(t, err)
	require.True(t, created)
	eventually(t, "the first sync", func() bool { return s.status(t).LastSync != nil })
	first := s.status(t).LastSync
	require.Equal(t, workflows.StatusCompleted, first.Status, first.Error)
	active := activeHRIS(s)
	require.Equal(t, len(active), first.Applied[roster.OpCreate])
	users := s.directoryUsers(t)
	require.Len(t, users, len(active))
	for _, u := range users {
		require.True(t, active[u.Employee.ID], "directory user %s is not an active HRIS employee", u.Employee.ID)
		require.True(t, u.Active)
	}

	// The UI is served and the status carries the next run.
	resp, err := http.Get(s.env.temporal.UIURL())
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	st := s.status(t)
	require.NotNil(t, st.NextRunAt)
	require.Equal(t, 1, st.Syncs)

	// Terminate one employee: the next sync deactivates exactly that user.
	leaver := "E0007"
	require.True(t, active[leaver])
	require.NoError(t, s.env.hris.Terminate(leaver, roster.Date{}))
	second := s.syncNow(t)
	require.Equal(t, workflows.StatusCompleted, second.Status)
	require.Equal(t, 1, second.Applied[roster.OpDeactivate])
	u, ok := s.directoryUser(t, leaver)
	require.True(t, ok)
	require.False(t, u.Active)

	// The history lists both runs with their counts.
	eventually(t, "two runs in history", func() bool {
		runs, err := s.op.History(ctx, DemoIntegrationID, 10)
		require.NoError(t, err)
		return len(runs) == 2 && runs[0].Summary != nil && runs[1].Summary != nil
	})
	runs, err := s.op.History(ctx, DemoIntegrationID, 10)
	require.NoError(t, err)
	require.Equal(t, workflows.SyncWorkflowID(DemoIntegrationID, 2), runs[0].WorkflowID)
	require.Equal(t, 1, runs[0].Summary.Applied[roster.OpDeactivate])
	require.Equal(t, len(active), runs[1].Summary.Applied[roster.OpCreate])

	// Stopping and restarting dev mode keeps the integration and its history.
	s.close()
	s = startDevStack(t, dir, 60)
	defer func() { s.close() }()
	st = s.status(t)
	require.Equal(t, 2, st.Syncs)
	require.Equal(t, workflows.SyncWorkflowID(DemoIntegrationID, 2), st.LastSync.WorkflowID)
	created, err = ensureIntegration(ctx, s.op, s.env.demoConfig())
	require.NoError(t, err)
	require.False(t, created, "a restart must not create the integration again")
	runs, err = s.op.History(ctx, DemoIntegrationID, 10)
	require.NoError(t, err)
	require.Len(t, runs, 2)
	_, stillInactive := s.directoryUser(t, leaver)
	require.True(t, stillInactive)

	// A mass termination blocks the sync until an administrator approves.
	var terminated []string
	for id := range activeHRIS(s) {
		if len(terminated) == 20 {
			break
		}
		terminated = append(terminated, id)
		require.NoError(t, s.env.hris.Terminate(id, roster.Date{}))
	}
	res, err := s.op.SyncNow(ctx, DemoIntegrationID, "e2e", false)
	require.NoError(t, err)
	eventually(t, "the sync to block", func() bool {
		cur := s.status(t).Current
		return cur != nil && cur.Blocked != nil
	})
	blocked := s.status(t)
	require.Equal(t, workflows.StatusAwaitingApproval, blocked.Status)
	require.Equal(t, roster.BlockMassChange, blocked.Current.Blocked.Blocks[0].Code)
	for _, id := range terminated {
		u, _ := s.directoryUser(t, id)
		require.True(t, u.Active, "a blocked sync deactivated %s", id)
	}
	_, err = s.op.Approve(ctx, DemoIntegrationID, "carol", "")
	require.NoError(t, err)
	third := s.waitSync(t, res.WorkflowID)
	require.Equal(t, workflows.StatusCompleted, third.Status)
	require.Equal(t, "carol", third.ApprovedBy)
	require.Equal(t, len(terminated), third.Applied[roster.OpDeactivate])

	// Pause stops scheduled runs until resume; remove ends the integration.
	paused, err := s.op.Pause(ctx, DemoIntegrationID, "e2e", "")
	require.NoError(t, err)
	require.Equal(t, workflows.StatusPaused, paused.Status)
	require.Nil(t, paused.NextRunAt)
	resumed, err := s.op.Resume(ctx, DemoIntegrationID, "e2e")
	require.NoError(t, err)
	require.NotNil(t, resumed.NextRunAt)

	if *updateReplay != "" {
		writeReplayHistories(t, s.c, s.codec, *updateReplay)
	}

	removed, err := s.op.Remove(ctx, DemoIntegrationID, "e2e")
	require.NoError(t, err)
	require.Equal(t, int64(3), removed.Purged.Reports)
	_, err = s.op.Status(ctx, DemoIntegrationID)
	require.True(t, errors.Is(err, operator.ErrNotFound), "got %v", err)
}

// writeReplayHistories saves the history of every run of the demo
// integration's workflows for workflows/replay_test.go, with its payloads
// decrypted: the replay tests hold no key, and the demo data is fake.
func writeReplayHistories(t *testing.T, c client.Client, pc *codec.Codec, set string) {
	t.Helper()
	ctx := context.Background()
	out := filepath.Join("..", "workflows", "testdata", "replay", set)
	require.NoError(t, os.RemoveAll(out))
	require.NoError(t, os.MkdirAll(out, 0o755))
	resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Query: fmt.Sprintf("%s = '%s'", workflows.IntegrationIDKey.GetName(), DemoIntegrationID),
	})
	require.NoError(t, err)
	counts := map[string]int{}
	for _, e := range resp.GetExecutions() {
		typ := e.GetType().GetName()
		hist := workflowHistory(t, c, e.GetExecution().GetWorkflowId(), e.GetExecution().GetRunId())
		if pc != nil {
			require.NoError(t, proxy.VisitPayloads(ctx, hist, proxy.VisitPayloadsOptions{SkipSearchAttributes: true,
				Visitor: func(_ *proxy.VisitPayloadsContext, ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
					return pc.Decode(ps)
				}}))
		}
		data, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(hist)
		require.NoError(t, err)
		counts[typ]++
		name := fmt.Sprintf("%s-%02d.json", typ, counts[typ])
		require.NoError(t, os.WriteFile(filepath.Join(out, name), data, 0o644))
	}
	require.NotZero(t, counts["IntegrationWorkflow"])
	require.NotZero(t, counts["SyncWorkflow"])
}

// workflowHistory reads the whole history of a workflow run; an empty
// runID means its latest run.
func workflowHistory(t *testing.T, c client.Client, workflowID, runID string) *historypb.History {
	t.Helper()
	var hist historypb.History
	iter := c.GetWorkflowHistory(context.Background(), workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		ev, err := iter.Next()
		require.NoError(t, err)
		hist.Events = append(hist.Events, ev)
	}
	return &hist
}
