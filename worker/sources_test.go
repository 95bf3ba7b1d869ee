package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/hrsync/hrsync/connectors/merge/mergetest"
	"github.com/hrsync/hrsync/connectors/registry"
	"github.com/hrsync/hrsync/workflows"
)

// Each demo source syncs the SCIM directory end to end, and no credential
// reaches workflow history.
func TestDemoSourcesSyncEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test starts a Temporal server; skipped with -short")
	}
	for _, source := range []string{"merge", "bamboohr", "justlogin", "csv"} {
		t.Run(source, func(t *testing.T) {
			s := startDevStackWith(t, t.TempDir(), DevConfig{Employees: 40, Source: source})
			defer s.close()
			ctx := context.Background()
			_, err := ensureIntegration(ctx, s.op, s.env.demoConfig())
			require.NoError(t, err)
			eventually(t, "the first sync", func() bool { return s.status(t).LastSync != nil })
			last := s.status(t).LastSync
			require.Equal(t, workflows.StatusCompleted, last.Status, last.Error)
			require.Equal(t, 40, last.Fetched)
			require.NotZero(t, last.Applied["create"])
			require.Len(t, s.directoryUsers(t), last.Applied["create"])

			secrets := []string{s.env.scimToken}
			if source == "merge" {
				secrets = append(secrets, mergetest.DefaultAPIKey, mergetest.DefaultAccountToken)
			}
			if s.env.sourceSecret != "" {
				secrets = append(secrets, s.env.sourceSecret)
			}
			if source == "justlogin" {
				tokens, err := registry.NewVaultTokens(s.vault, justloginTokenRef, nil)
				require.NoError(t, err)
				tok, err := tokens.Load(ctx)
				require.NoError(t, err)
				require.NotNil(t, tok, "dev mode connected the demo JustLogin")
				secrets = append(secrets, tok.AccessToken, tok.RefreshToken)
			}
			history := allHistories(t, s)
			require.NotContains(t, history, s.env.source.URL, "payloads are encrypted")
			// Decoded, the run's input names its endpoints, never a secret.
			iter := s.c.GetWorkflowHistory(ctx, workflows.SyncWorkflowID(DemoIntegrationID, 1), "", false,
				enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
			first, err := iter.Next()
			require.NoError(t, err)
			var in workflows.SyncInput
			require.NoError(t, s.dc.FromPayloads(first.GetWorkflowExecutionStartedEventAttributes().GetInput(), &in))
			decoded, err := json.Marshal(in)
			require.NoError(t, err)
			require.Contains(t, string(decoded), s.env.source.URL, "the input decodes")
			for _, secret := range secrets {
				require.NotContains(t, history, secret, "a credential reached workflow history")
				require.NotContains(t, string(decoded), secret, "a credential reached the run's input")
			}
		})
	}
}

// payloadData finds the base64 data of every payload in history JSON.
var payloadData = regexp.MustCompile(`"data":"([A-Za-z0-9+/=]+)"`)

// allHistories returns every workflow history of the namespace as JSON,
// followed by every payload's data decoded, so a grep sees what a payload
// holds.
func allHistories(t *testing.T, s *devStack) string {
	t.Helper()
	ctx := context.Background()
	resp, err := s.c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{})
	require.NoError(t, err)
	require.NotEmpty(t, resp.GetExecutions())
	var b strings.Builder
	for _, e := range resp.GetExecutions() {
		for _, ev := range workflowHistory(t, s.c, e.GetExecution().GetWorkflowId(), e.GetExecution().GetRunId()).GetEvents() {
			data, err := protojson.Marshal(ev)
			require.NoError(t, err)
			b.Write(data)
			for _, m := range payloadData.FindAllSubmatch(data, -1) {
				decoded, err := base64.StdEncoding.DecodeString(string(m[1]))
				require.NoError(t, err)
				b.WriteByte('\n')
				b.Write(decoded)
			}
		}
	}
	return b.String()
}
