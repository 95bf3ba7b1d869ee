package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/roster"
)

// PreviewWorkflowID is the workflow ID of a preview of integration id; stamp
// makes it unique (the starter uses the time).
func PreviewWorkflowID(id, stamp string) string {
	return fmt.Sprintf("%s%s/preview/%s", integrationPrefix, id, stamp)
}

// PreviewInput starts a PreviewWorkflow.
type PreviewInput struct {
	IntegrationID string
	Config        integration.Config
}

// PreviewResult points at the preview CSV in the store.
type PreviewResult struct {
	ExportID string `json:"exportId"`
	Fetched  int    `json:"fetched"`
	Rows     int    `json:"rows"`
	Flagged  int    `json:"flagged"`
	Excluded int    `json:"excluded"`
	// AmbiguousDates are the date columns whose values read as well with
	// day and month swapped.
	AmbiguousDates []roster.Field `json:"ambiguousDates,omitempty"`
	// Warnings are the fields the directory has no home for, and the
	// columns empty for every employee.
	Warnings []string `json:"warnings,omitempty"`
}

// PreviewWorkflow fetches the HRIS and maps it under the integration's rules
// into the CSV an administrator checks before a first sync. It applies
// nothing and leaves only the CSV behind, for the CLI to collect.
func PreviewWorkflow(ctx workflow.Context, in PreviewInput) (PreviewResult, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Hour,
		HeartbeatTimeout:    heartbeatTimeout,
		RetryPolicy:         retryPolicy,
	})
	id := workflow.GetInfo(ctx).WorkflowExecution.ID
	var fetched activities.FetchResult
	if err := workflow.ExecuteActivity(ctx, a.Fetch, activities.FetchInput{
		IntegrationID: in.IntegrationID, SyncID: id, Source: in.Config.Source, Rules: in.Config.Rules,
	}).Get(ctx, &fetched); err != nil {
		return PreviewResult{}, fmt.Errorf("fetch failed: %w", err)
	}
	var res activities.PreviewResult
	if err := workflow.ExecuteActivity(ctx, a.Preview, activities.PreviewInput{
		IntegrationID: in.IntegrationID, SnapshotID: fetched.SnapshotID, ExportID: id, Config: in.Config,
	}).Get(ctx, &res); err != nil {
		return PreviewResult{}, fmt.Errorf("preview failed: %w", err)
	}
	return PreviewResult{ExportID: res.ExportID, Fetched: fetched.Records, Rows: res.Rows,
		Flagged: res.Flagged, Excluded: res.Excluded, AmbiguousDates: res.AmbiguousDates, Warnings: res.Warnings}, nil
}
