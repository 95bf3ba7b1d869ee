package operator

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/sdk/temporal"

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
	// Retrying is set while a step keeps failing and is being retried:
	// the HRIS or the directory unreachable, or answering only errors.
	Retrying *Retrying `json:"retrying,omitempty"`
}

// Retrying says what a step that keeps failing is waiting for.
type Retrying struct {
	// System is what the step could not reach: "HRIS" or "directory".
	System string `json:"system"`
	// Step is the activity retried: Fetch, Plan, Apply or Commit.
	Step string `json:"step"`
	// Since is when the step first failed, as the step recorded it, else
	// when it was first scheduled.
	Since time.Time `json:"since"`
	// Tries counts the attempts so far.
	Tries int `json:"tries"`
	// NextAt is when the next attempt starts, when one is waiting.
	NextAt *time.Time `json:"nextAt,omitempty"`
	// GiveUpAt is when the outage policy ends the run.
	GiveUpAt *time.Time `json:"giveUpAt,omitempty"`
	// LastError is the last attempt's failure, cut to one sentence.
	LastError string `json:"lastError"`
}

// String is the retry as status shows it.
func (r Retrying) String() string {
	s := fmt.Sprintf("%s unreachable since %s, %d tries", r.System, r.Since.Local().Format("15:04"), r.Tries)
	if r.NextAt != nil {
		s += ", next at " + r.NextAt.Local().Format("15:04:05")
	}
	if r.GiveUpAt != nil {
		s += ", gives up at " + r.GiveUpAt.Local().Format("2006-01-02 15:04")
	}
	return s + ", last error: " + r.LastError
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
		if r := o.retrying(pa); r != nil && (p.Retrying == nil || r.Tries > p.Retrying.Tries) {
			p.Retrying = r
		}
	}
	parts.addFinished(&p)
	return p, nil
}

// maxLastError bounds the last error status shows.
const maxLastError = 200

// retrying is the retry a pending activity is in, nil when its last
// attempt did not fail.
func (o *Operator) retrying(pa *workflowpb.PendingActivityInfo) *Retrying {
	last := pa.GetLastFailure()
	if pa.GetAttempt() < 2 || last == nil {
		return nil
	}
	step := pa.GetActivityType().GetName()
	r := &Retrying{System: "directory", Step: step, Tries: int(pa.GetAttempt()) - 1,
		Since: pa.GetScheduledTime().AsTime(), LastError: oneLine(o.failureMessage(last), maxLastError)}
	if pa.GetState() == enumspb.PENDING_ACTIVITY_STATE_STARTED {
		r.Tries++
	}
	if step == "Fetch" {
		r.System = "HRIS"
	}
	if t := pa.GetNextAttemptScheduleTime(); t != nil && pa.GetState() == enumspb.PENDING_ACTIVITY_STATE_SCHEDULED {
		next := t.AsTime()
		r.NextAt = &next
	}
	if t := pa.GetExpirationTime(); t != nil && !t.AsTime().IsZero() {
		end := t.AsTime()
		r.GiveUpAt = &end
	}
	if since := o.failingSince(pa); !since.IsZero() {
		r.Since = since
	}
	return r
}

// failureMessage reads a failure's message, decrypting it when the payload
// codec sealed it.
func (o *Operator) failureMessage(f *failurepb.Failure) string {
	fc := temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{DataConverter: o.dc})
	var appErr *temporal.ApplicationError
	if err := fc.FailureToError(f); errors.As(err, &appErr) {
		return appErr.Message()
	} else if err != nil {
		return err.Error()
	}
	return f.GetMessage()
}

// failingSince is when the step's first failing attempt recorded that it
// failed, zero when it did not say.
func (o *Operator) failingSince(pa *workflowpb.PendingActivityInfo) time.Time {
	details := pa.GetHeartbeatDetails()
	if len(details.GetPayloads()) == 0 {
		return time.Time{}
	}
	var since struct{ FailingSince time.Time }
	if o.dc.FromPayloads(details, &since) != nil {
		return time.Time{}
	}
	return since.FailingSince
}

// oneLine is msg on one line, cut to n characters.
func oneLine(msg string, n int) string {
	r := []rune(strings.Join(strings.Fields(msg), " "))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
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

// Retrying is the retry status shows for sync workflowID ("directory
// unreachable since 10:42, 7 tries, …"), "" when no step is retrying.
func (o *Operator) Retrying(ctx context.Context, workflowID string) (string, error) {
	p, err := o.Progress(ctx, workflowID)
	if err != nil || p.Retrying == nil {
		return "", err
	}
	return p.Retrying.String(), nil
}
