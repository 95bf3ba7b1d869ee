package activities_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/connectors/demo/demotest"
	"github.com/hrsync/hrsync/connectors/registry"
	"github.com/hrsync/hrsync/connectors/scim/scimtest"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
)

// A SCIM directory that refuses one employee's create with a scimType: the
// refusal is reported for that employee, by HRIS id, and the run goes on.
func TestSCIMRefusalIsReportedPerEmployee(t *testing.T) {
	for _, bulk := range []bool{false, true} {
		t.Run(map[bool]string{false: "one request per user", true: "bulk"}[bulk], func(t *testing.T) {
			testSCIMRefusal(t, bulk)
		})
	}
}

// refusal is the SCIM error the directory answers the refused create with.
const refusal = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],` +
	`"status":"400","scimType":"invalidValue","detail":"title is longer than 64 characters"}`

// refuseInBulk serves a Bulk request without the operation that creates
// the refused employee, and answers that operation with refusal, in place.
func refuseInBulk(t *testing.T, dir http.Handler, w http.ResponseWriter, r *http.Request, body []byte, refuse string) {
	var req map[string]any
	require.NoError(t, json.Unmarshal(body, &req))
	ops := req["Operations"].([]any)
	at := slices.IndexFunc(ops, func(op any) bool {
		data, _ := op.(map[string]any)["data"].(map[string]any)
		return data["externalId"] == refuse
	})
	if at < 0 {
		r.Body = io.NopCloser(bytes.NewReader(body))
		dir.ServeHTTP(w, r)
		return
	}
	refused := ops[at].(map[string]any)
	req["Operations"] = slices.Delete(slices.Clone(ops), at, at+1)
	fwd, err := json.Marshal(req)
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(fwd)), int64(len(fwd))
	dir.ServeHTTP(rec, r)
	var resp map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &resp))
	results := resp["Operations"].([]any)
	results = slices.Insert(results, at, any(map[string]any{"method": "POST", "bulkId": refused["bulkId"],
		"status": "400", "response": json.RawMessage(refusal)}))
	resp["Operations"] = results
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(rec.Code)
	require.NoError(t, json.NewEncoder(w).Encode(resp))
}

func testSCIMRefusal(t *testing.T, bulk bool) {
	ctx := context.Background()
	hris, err := demotest.NewHRIS(demotest.HRISOptions{Employees: 15, Seed: 11})
	require.NoError(t, err)
	hrisSrv := httptest.NewServer(hris)
	t.Cleanup(hrisSrv.Close)
	dir, err := scimtest.New(scimtest.Options{Token: "s3cret"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = dir.Close() })
	refuse := "E0009"
	dir.SetBulk(bulk)
	bulks := 0
	dirSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/Bulk") {
			bulks++
			body, _ := io.ReadAll(r.Body)
			refuseInBulk(t, dir, w, r, body, refuse)
			return
		}
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/Users") {
			body, _ := io.ReadAll(r.Body)
			if bytes.Contains(body, []byte(`"externalId":"`+refuse+`"`)) {
				w.Header().Set("Content-Type", "application/scim+json")
				w.WriteHeader(http.StatusBadRequest)
				_, _ = w.Write([]byte(refusal))
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		dir.ServeHTTP(w, r)
	}))
	t.Cleanup(dirSrv.Close)
	setSecret(t, "HRSYNC_SECRET_TEST_SCIM_TOKEN", "s3cret")

	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "hrsync.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	acts := &activities.Activities{Store: st, Connectors: registry.New(nil, nil),
		Now: func() time.Time { return now }}
	cfg := integration.Config{ID: integrationID,
		Source: integration.Endpoint{Kind: "demo", URL: hrisSrv.URL},
		Target: integration.Endpoint{Kind: "scim", URL: dirSrv.URL + "/scim/v2", CredentialRef: "env:HRSYNC_SECRET_TEST_SCIM_TOKEN"},
	}
	var ts testsuite.WorkflowTestSuite
	newEnv := func() *testsuite.TestActivityEnvironment {
		env := ts.NewTestActivityEnvironment()
		env.RegisterActivity(acts)
		return env
	}
	env := newEnv()
	var fetched activities.FetchResult
	require.NoError(t, run(t, env, acts.Fetch, activities.FetchInput{IntegrationID: integrationID, SyncID: "s1",
		Source: cfg.Source}, &fetched))
	var plan activities.PlanResult
	require.NoError(t, run(t, newEnv(), acts.Plan, activities.PlanInput{IntegrationID: integrationID, SyncID: "s1",
		SnapshotID: "s1", Config: cfg}, &plan))
	var applied activities.ApplyResult
	require.NoError(t, run(t, newEnv(), acts.Apply, activities.ApplyInput{PlanID: "s1", Target: cfg.Target}, &applied))
	var committed activities.CommitResult
	require.NoError(t, run(t, newEnv(), acts.Commit, activities.CommitInput{IntegrationID: integrationID,
		SyncID: "s1", PlanID: "s1", Outcome: activities.OutcomeApplied}, &committed))

	require.Equal(t, 1, committed.Failed)
	report, err := st.GetReport(ctx, committed.ReportID)
	require.NoError(t, err)
	require.Len(t, report.Failures, 1)
	require.Equal(t, refuse, report.Failures[0].EmployeeID)
	require.Contains(t, report.Failures[0].Error, "400 Bad Request (invalidValue): title is longer than 64 characters")
	active := 0
	for _, e := range hris.Employees() {
		if e.Status == roster.StatusActive {
			active++
		}
	}
	require.Len(t, dir.Users(), active-1, "everyone else is in the directory")
	_, found := dir.UserByExternalID(refuse)
	require.False(t, found)
	if bulk {
		require.Equal(t, 2, bulks, "one Bulk request creates the users, one links their managers")
	} else {
		require.Zero(t, bulks)
	}
}
