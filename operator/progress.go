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
	// 2 links managers), over every part of the pass; a part that has
	// finished counts as the size of an average running one.
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
	var parts applyParts
	for _, pa := range desc.GetPendingActivities() {
		o.addHeartbeat(&p, &parts, pa)
	}
	parts.addFinished(&p)
	return p, nil
}

// applyParts tracks the parallel parts of an apply pass seen pending.
type applyParts struct {
	seen, of, total int
}

// addFinished counts the parts of the pass no longer pending as done,
// each the size of an average running part: the parts of a pass are
// shares of one plan, of much the same size.
func (a applyParts) addFinished(p *Progress) {
	if a.seen == 0 || a.of <= a.seen {
		return
	}
	finished := (a.of - a.seen) * a.total / a.seen
	p.Applied += finished
	p.Total += finished
}

// addHeartbeat folds a pending activity's last heartbeat into p.
func (o *Operator) addHeartbeat(p *Progress, parts *applyParts, pa *workflowpb.PendingActivityInfo) {
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
		if o.dc.FromPayloads(details, &a) == nil && a.Pass >= p.ApplyPass {
			if a.Pass > p.ApplyPass {
				p.Applied, p.Total, *parts = 0, 0, applyParts{}
			}
			p.Applied += a.Done
			p.Total += a.Total
			p.ApplyPass = a.Pass
			parts.seen++
			parts.total += a.Total
			parts.of = max(parts.of, a.Part.Of)
		}
	}
}
