package operator

import (
	"context"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"

	"github.com/hrsync/hrsync/activities"
)

// Progress is how far a sync has got, read from Temporal while it runs.
type Progress struct {
	// Status is the run's SyncStatus (Fetching, Applying, …).
	Status string `json:"status"`
	// Running is false once the run has ended.
	Running bool `json:"running"`
	// FetchedRecords and FetchedPages count what the fetch has read.
	FetchedRecords int `json:"fetchedRecords,omitempty"`
	FetchedPages   int `json:"fetchedPages,omitempty"`
	// Applied of Total changes are done in pass ApplyPass (1 writes users,
	// 2 links managers).
	Applied   int `json:"applied,omitempty"`
	Total     int `json:"total,omitempty"`
	ApplyPass int `json:"applyPass,omitempty"`
}

// Progress reads how far sync workflowID has got: its phase, and the last
// heartbeat of the fetch or apply under way.
func (o *Operator) Progress(ctx context.Context, workflowID string) (Progress, error) {
	desc, err := o.c.DescribeWorkflowExecution(ctx, workflowID, "")
	if err != nil {
		return Progress{}, fmt.Errorf("unable to look up sync %s: %w", workflowID, err)
	}
	info := desc.GetWorkflowExecutionInfo()
	p := Progress{Status: syncStatusOf(info.GetSearchAttributes()),
		Running: info.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING}
	for _, pa := range desc.GetPendingActivities() {
		o.addHeartbeat(&p, pa)
	}
	return p, nil
}

// addHeartbeat folds a pending activity's last heartbeat into p.
func (o *Operator) addHeartbeat(p *Progress, pa *workflowpb.PendingActivityInfo) {
	details := pa.GetHeartbeatDetails()
	if len(details.GetPayloads()) == 0 {
		return
	}
	switch pa.GetActivityType().GetName() {
	case "Fetch":
		var f activities.FetchProgress
		if o.dc.FromPayloads(details, &f) == nil {
			p.FetchedRecords, p.FetchedPages = f.Records, f.Pages
		}
	case "Apply":
		var a activities.ApplyProgress
		if o.dc.FromPayloads(details, &a) == nil {
			p.Applied, p.Total, p.ApplyPass = a.Done, a.Total, a.Pass
		}
	}
}
