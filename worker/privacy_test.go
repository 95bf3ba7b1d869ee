package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/proxy"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/hrsync/hrsync/codec"
	"github.com/hrsync/hrsync/credentials"
	"github.com/hrsync/hrsync/internal/keys"
	"github.com/hrsync/hrsync/internal/logging"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/workflows"
)

// lockedBuffer is a log sink the worker's goroutines share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A full dev-mode sync keeps people data out of clear places: its history,
// read with no codec, holds no name, email or date of birth; with the codec
// it decodes, also after the key is rotated; and its logs, at debug level,
// show no people data, token or key.
func TestPeopleDataStaysOutOfHistoryAndLogs(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test starts a Temporal server; skipped with -short")
	}
	dir := t.TempDir()
	var logs lockedBuffer
	core := zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(&logs),
		zapcore.DebugLevel)
	uiPort := freePortPair(t)
	s := startDevStackLogging(t, dir, DevConfig{Employees: 40, UIPort: uiPort}, logging.Redacting(zap.New(core)))
	defer s.close()
	require.NoError(t, s.env.serveCodec(s.cfg, s.codec))
	ctx := context.Background()
	_, err := ensureIntegration(ctx, s.op, s.env.demoConfig())
	require.NoError(t, err)
	eventually(t, "the first sync", func() bool { return s.statusOrZero(t).LastSync != nil })
	require.Equal(t, workflows.StatusCompleted, s.status(t).LastSync.Status)

	// What must not show: every demo employee's name, email and date of
	// birth, and the secrets dev mode made.
	var secrets []string
	for _, e := range s.env.hris.Employees() {
		secrets = append(secrets, e.FirstName+" "+e.LastName, e.WorkEmail)
		if e.PersonalEmail != "" {
			secrets = append(secrets, e.PersonalEmail)
		}
		if !e.DateOfBirth.IsZero() {
			secrets = append(secrets, e.DateOfBirth.String())
		}
	}
	require.Greater(t, len(secrets), 80)
	for _, f := range []string{"scim-token", "credentials.key", codec.KeyFile, devCodecTokenFile} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		require.NoError(t, err)
		v := strings.TrimSpace(string(data))
		if _, b64, ok := strings.Cut(v, ":"); ok {
			v = b64
		}
		secrets = append(secrets, v)
	}

	history := allHistories(t, s)
	for _, v := range secrets {
		require.NotContains(t, history, v, "history, read without the codec")
	}

	// With the codec, the run's input decodes; without it, it does not.
	syncHistory := workflowHistory(t, s.c, workflows.SyncWorkflowID(DemoIntegrationID, 1), "")
	// Every payload of the run is sealed, and every one decodes with the
	// payload codec into something that is not itself sealed.
	visited := 0
	require.NoError(t, proxy.VisitPayloads(ctx, syncHistory, proxy.VisitPayloadsOptions{SkipSearchAttributes: true,
		Visitor: func(_ *proxy.VisitPayloadsContext, ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
			for _, p := range ps {
				require.Equal(t, codec.Encoding, string(p.GetMetadata()["encoding"]))
			}
			plain, err := s.codec.Decode(ps)
			require.NoError(t, err)
			for _, p := range plain {
				require.NotEqual(t, codec.Encoding, string(p.GetMetadata()["encoding"]))
			}
			visited += len(ps)
			return ps, nil
		}}))
	require.Greater(t, visited, 5, "the run's inputs, results and heartbeats")

	input := syncHistory.Events[0].GetWorkflowExecutionStartedEventAttributes().GetInput()
	require.Equal(t, codec.Encoding, string(input.GetPayloads()[0].GetMetadata()["encoding"]))
	var in workflows.SyncInput
	require.Error(t, converter.GetDefaultDataConverter().FromPayloads(input, &in))
	require.NoError(t, s.dc.FromPayloads(input, &in))
	require.Equal(t, DemoIntegrationID, in.IntegrationID)

	// Rotate: a new key encrypts, the old one is kept to decrypt. The
	// history written under the old key still replays and decodes.
	oldKey, err := credentials.ParseKey(strings.TrimSpace(string(must(os.ReadFile(filepath.Join(dir, codec.KeyFile))))))
	require.NoError(t, err)
	newKey, err := keys.NewKey("rotated")
	require.NoError(t, err)
	rotated, err := codec.New(keys.Keyring{Current: newKey, Old: []keys.Key{oldKey}})
	require.NoError(t, err)
	replay := func(dc converter.DataConverter) error {
		r, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{DataConverter: dc})
		require.NoError(t, err)
		r.RegisterWorkflow(workflows.IntegrationWorkflow)
		r.RegisterWorkflow(workflows.SyncWorkflow)
		r.RegisterWorkflow(workflows.PreviewWorkflow)
		return r.ReplayWorkflowHistory(nil, syncHistory)
	}
	require.NoError(t, replay(codec.DataConverter(rotated)))
	var again workflows.SyncInput
	require.NoError(t, codec.DataConverter(rotated).FromPayloads(input, &again))
	require.Equal(t, in, again)
	// The embedded Web UI is pointed at dev mode's codec server, with its
	// token, which decodes the run's input for the UI's origin and for no
	// other.
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/api/v1/settings", uiPort))
	require.NoError(t, err)
	var settings struct{ Codec struct{ Endpoint string } }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&settings))
	_ = resp.Body.Close()
	require.Equal(t, s.env.codecURL+"/"+s.env.codecToken, settings.Codec.Endpoint)
	remote := func(origin string) converter.PayloadCodec {
		return converter.NewRemotePayloadCodec(converter.RemotePayloadCodecOptions{
			Endpoint: settings.Codec.Endpoint + "/" + s.env.temporal.Namespace(),
			ModifyRequest: func(r *http.Request) error {
				r.Header.Set("Origin", origin)
				return nil
			},
		})
	}
	plain, err := remote(fmt.Sprintf("http://localhost:%d", uiPort)).Decode(input.GetPayloads())
	require.NoError(t, err)
	var viaUI workflows.SyncInput
	require.NoError(t, converter.GetDefaultDataConverter().FromPayload(plain[0], &viaUI))
	require.Equal(t, in, viaUI)
	_, err = remote("http://evil.example").Decode(input.GetPayloads())
	require.ErrorContains(t, err, "origin not allowed")

	forgotten, err := codec.New(keys.Keyring{Current: newKey})
	require.NoError(t, err)
	require.Error(t, replay(codec.DataConverter(forgotten)), "without the old key the history cannot be read")

	// The logs saw the whole run at debug level and show none of it.
	out := logs.String()
	require.Contains(t, out, "Workflow payloads are encrypted", "the logs were captured")
	for _, v := range secrets {
		require.NotContains(t, out, v, "logs")
	}
	for _, e := range s.env.hris.Employees() {
		if e.Status == roster.StatusActive {
			require.NotContains(t, out, e.WorkEmail)
		}
	}
}

// freePortPair finds a free port whose successor is free too: dev mode's
// Web UI and its codec server.
func freePortPair(t *testing.T) int {
	t.Helper()
	for range 20 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		port := ln.Addr().(*net.TCPAddr).Port
		next, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port+1))
		_ = ln.Close()
		if err == nil {
			_ = next.Close()
			return port
		}
	}
	t.Fatal("no two free ports in a row")
	return 0
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
