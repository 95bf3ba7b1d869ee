package devserver

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
)

const testTaskQueue = "devserver-test"

func helloWorkflow(_ workflow.Context, name string) (string, error) {
	return "hello " + name, nil
}

func TestStartRunStopRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	logger := zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))
	dbPath := filepath.Join(t.TempDir(), "data", "temporal.db") // parent dir does not exist yet
	sas := map[string]enums.IndexedValueType{
		"IntegrationId": enums.INDEXED_VALUE_TYPE_KEYWORD,
		"SyncStatus":    enums.INDEXED_VALUE_TYPE_KEYWORD,
	}

	// First start: new DB file, free ports, UI on.
	began := time.Now()
	const codecEndpoint = "http://127.0.0.1:1/s3cret-path-token"
	srv, err := Start(ctx, Options{DBPath: dbPath, SearchAttributes: sas, CodecEndpoint: codecEndpoint, Logger: logger})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Stop() })
	t.Logf("first start took %s; frontend %s, UI %s", time.Since(began), srv.FrontendHostPort(), srv.UIURL())
	require.Equal(t, "default", srv.Namespace())
	require.True(t, strings.HasPrefix(srv.FrontendHostPort(), "127.0.0.1:"))
	require.True(t, strings.HasPrefix(srv.UIURL(), "http://localhost:"))

	c := dial(t, srv, logger)
	requireRetention(t, c, srv.Namespace(), DefaultRetention)
	requireSearchAttributes(t, c, srv.Namespace(), sas)

	// A workflow runs to completion, with a search attribute set.
	runHello(t, c, "hello-1", "world")
	var result string

	// The Web UI serves its HTML.
	resp, err := http.Get(srv.UIURL())
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Content-Type"), "text/html")
	require.Contains(t, strings.ToLower(string(body)), "<html")

	// The UI gives the browser the codec endpoint as it was passed, token
	// and all; with no login it forwards no access token and no cookies.
	resp, err = http.Get(srv.UIURL() + "/api/v1/settings")
	require.NoError(t, err)
	var settings struct {
		Codec struct {
			Endpoint                            string
			PassAccessToken, IncludeCredentials bool
		}
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&settings))
	_ = resp.Body.Close()
	require.Equal(t, codecEndpoint, settings.Codec.Endpoint)
	require.False(t, settings.Codec.PassAccessToken)
	require.False(t, settings.Codec.IncludeCredentials)

	c.Close()
	began = time.Now()
	require.NoError(t, srv.Stop())
	require.NoError(t, srv.Stop(), "a second Stop is harmless")
	t.Logf("stop took %s", time.Since(began))

	// Restart in the same process on the same file and the same gRPC port,
	// asking for a longer retention and one more search attribute, as a
	// newer hrsync would with an older DB file.
	_, port, err := net.SplitHostPort(srv.FrontendHostPort())
	require.NoError(t, err)
	grpcPort, err := strconv.Atoi(port)
	require.NoError(t, err)
	moreSAs := map[string]enums.IndexedValueType{"SyncTrigger": enums.INDEXED_VALUE_TYPE_KEYWORD}
	for k, v := range sas {
		moreSAs[k] = v
	}
	began = time.Now()
	srv2, err := Start(ctx, Options{
		DBPath:           dbPath,
		GRPCPort:         grpcPort,
		UIPort:           DisableUI,
		Retention:        45 * 24 * time.Hour,
		SearchAttributes: moreSAs,
		Logger:           logger,
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv2.Stop() })
	t.Logf("restart took %s", time.Since(began))
	require.Equal(t, srv.FrontendHostPort(), srv2.FrontendHostPort())
	require.Empty(t, srv2.UIURL())

	c2 := dial(t, srv2, logger)
	defer c2.Close()
	desc, err := c2.DescribeWorkflowExecution(ctx, "hello-1", "")
	require.NoError(t, err)
	require.Equal(t, enums.WORKFLOW_EXECUTION_STATUS_COMPLETED, desc.GetWorkflowExecutionInfo().GetStatus())
	require.NoError(t, c2.GetWorkflow(ctx, "hello-1", "").Get(ctx, &result))
	require.Equal(t, "hello world", result)
	requireRetention(t, c2, srv2.Namespace(), 45*24*time.Hour)
	requireSearchAttributes(t, c2, srv2.Namespace(), moreSAs)

	// The new search attribute is usable at once.
	list, err := c2.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Query: `IntegrationId = "acme" AND SyncTrigger = ""`,
	})
	require.NoError(t, err)
	require.Empty(t, list.GetExecutions(), "no run has SyncTrigger set")
	require.NoError(t, srv2.Stop())

	// A third start with the default retention keeps the longer one.
	srv3, err := Start(ctx, Options{DBPath: dbPath, GRPCPort: grpcPort, UIPort: DisableUI, Logger: logger})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv3.Stop() })
	c3 := dial(t, srv3, logger)
	defer c3.Close()
	requireRetention(t, c3, srv3.Namespace(), 45*24*time.Hour)
	require.NoError(t, srv3.Stop())
}

func TestStartErrors(t *testing.T) {
	ctx := t.Context()

	_, err := Start(ctx, Options{})
	require.ErrorContains(t, err, "DBPath is required")

	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	busyPort := busy.Addr().(*net.TCPAddr).Port
	dbPath := filepath.Join(t.TempDir(), "temporal.db")

	_, err = Start(ctx, Options{DBPath: dbPath, GRPCPort: busyPort})
	require.ErrorContains(t, err, "port "+strconv.Itoa(busyPort)+" is in use")

	_, err = Start(ctx, Options{DBPath: dbPath, UIPort: busyPort})
	require.ErrorContains(t, err, "port "+strconv.Itoa(busyPort)+" is in use")
}

// runHello runs the Hello workflow as id on a worker of its own, with
// IntegrationId "acme" set, and checks its greeting of name.
func runHello(t *testing.T, c client.Client, id, name string) {
	t.Helper()
	w := worker.New(c, testTaskQueue, worker.Options{})
	w.RegisterWorkflowWithOptions(helloWorkflow, workflow.RegisterOptions{Name: "Hello"})
	require.NoError(t, w.Start())
	defer w.Stop()
	run, err := c.ExecuteWorkflow(t.Context(), client.StartWorkflowOptions{
		ID:        id,
		TaskQueue: testTaskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			temporal.NewSearchAttributeKeyKeyword("IntegrationId").ValueSet("acme")),
	}, "Hello", name)
	require.NoError(t, err)
	var result string
	require.NoError(t, run.Get(t.Context(), &result))
	require.Equal(t, "hello "+name, result)
}

func dial(t *testing.T, srv *Server, logger *zap.Logger) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{
		HostPort:  srv.FrontendHostPort(),
		Namespace: srv.Namespace(),
		Logger:    newSDKLogger(logger),
	})
	require.NoError(t, err)
	return c
}

func requireRetention(t *testing.T, c client.Client, ns string, want time.Duration) {
	t.Helper()
	desc, err := c.WorkflowService().DescribeNamespace(t.Context(), &workflowservice.DescribeNamespaceRequest{Namespace: ns})
	require.NoError(t, err)
	got := desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration()
	require.GreaterOrEqual(t, got, 30*24*time.Hour)
	require.Equal(t, want, got)
}

func requireSearchAttributes(t *testing.T, c client.Client, ns string, want map[string]enums.IndexedValueType) {
	t.Helper()
	resp, err := c.OperatorService().ListSearchAttributes(t.Context(), &operatorservice.ListSearchAttributesRequest{Namespace: ns})
	require.NoError(t, err)
	for name, typ := range want {
		require.Equal(t, typ, resp.GetCustomAttributes()[name], "search attribute %s", name)
	}
}
