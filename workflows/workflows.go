// Package workflows holds hrsync's two workflows: IntegrationWorkflow, one
// long-running entity per integration that owns its schedule and state, and
// SyncWorkflow, one per run, which fetches, plans, waits for approval when a
// guard blocks, applies and commits. Workflow code here does no I/O; every
// side effect is an activity.
package workflows

import (
	"fmt"
	enumspb "go.temporal.io/api/enums/v1"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
)

// TaskQueue is the task queue every hrsync worker polls.
const TaskQueue = "hrsync"

const integrationPrefix = "integration/"

// IntegrationWorkflowID is the workflow ID of integration id.
func IntegrationWorkflowID(id string) string { return integrationPrefix + id }

// IntegrationIDFromWorkflowID is the inverse of IntegrationWorkflowID.
func IntegrationIDFromWorkflowID(workflowID string) (string, bool) {
	id, ok := strings.CutPrefix(workflowID, integrationPrefix)
	if !ok || id == "" || strings.Contains(id, "/") {
		return "", false
	}
	return id, true
}

// SyncWorkflowID is the workflow ID of run n (counting from 1) of integration id.
func SyncWorkflowID(id string, n int) string {
	return fmt.Sprintf("%s%s/sync/%d", integrationPrefix, id, n)
}

// Message names. Updates are validated and refused at once when invalid.
// Approve and reject are updates (refused when they name no one or no run
// waits) and, for older starters, signals of the same names, which ignore a
// decision that names no one.
const (
	UpdateSyncNow = "sync-now"
	UpdatePause   = "pause"
	UpdateResume  = "resume"
	UpdateConfig  = "update-config"
	UpdateRemove  = "remove"
	SignalApprove = "approve"
	SignalReject  = "reject"
	UpdateApprove = "approve"
	UpdateReject  = "reject"
	QueryStatus   = "status"

	// signalSyncBlocked is sent by a SyncWorkflow to its integration when a
	// guard blocks its plan. It is internal: Interceptor keeps it out of
	// the handlers the Web UI offers.
	signalSyncBlocked = "sync-blocked"
)

// Search attributes. They carry only IDs and statuses, never personal data:
// search attributes are stored unencrypted.
var (
	IntegrationIDKey = temporal.NewSearchAttributeKeyKeyword("IntegrationId")
	SyncStatusKey    = temporal.NewSearchAttributeKeyKeyword("SyncStatus")
)

// SearchAttributes lists the custom search attributes hrsync needs
// registered on its namespace, with their types.
func SearchAttributes() map[string]enumspb.IndexedValueType {
	return map[string]enumspb.IndexedValueType{
		IntegrationIDKey.GetName(): enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		SyncStatusKey.GetName():    enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	}
}

// SyncStatus values, as set on both workflows' SyncStatus search attribute.
const (
	StatusIdle             = "Idle"
	StatusPaused           = "Paused"
	StatusFetching         = "Fetching"
	StatusPlanning         = "Planning"
	StatusAwaitingApproval = "AwaitingApproval"
	StatusApplying         = "Applying"
	StatusCompleted        = "Completed"
	StatusCompletedErrors  = "CompletedWithErrors"
	StatusRejected         = "Rejected"
	StatusFailed           = "Failed"
	// StatusReconnect is a run stopped because a credential was refused:
	// the account needs connecting again.
	StatusReconnect = "ReconnectNeeded"
	// StatusSourceNotReady is a run that found the HRIS mid-sync, failed
	// or paused, and changed nothing.
	StatusSourceNotReady = "SourceNotReady"
	StatusCancelled      = "Cancelled"
	StatusRemoved        = "Removed"
	// StatusQuarantined is an integration whose sync gave up after the
	// outage policy's giveUpAfter: scheduled runs wait until an
	// administrator resumes it.
	StatusQuarantined = "Quarantined"
	// StatusAwaitingReview is a run that stopped for review (sync
	// --review, or the integration's review setting) with its plan made,
	// whatever the guards said, until that plan is approved or rejected.
	StatusAwaitingReview = "AwaitingReview"
)

// Triggers say why a sync ran.
const (
	TriggerFirst    = "first"
	TriggerSchedule = "schedule"
	TriggerManual   = "manual"
	// TriggerExitDate is a run on the day someone's exit date falls.
	TriggerExitDate = "exit-date"
)

// IntegrationInput starts or continues an IntegrationWorkflow.
type IntegrationInput struct {
	Config integration.Config
	// State is nil on the first run and carried across continue-as-new.
	State *IntegrationState
}

// IntegrationState is what an integration remembers between runs.
type IntegrationState struct {
	CreatedAt time.Time
	Paused    bool
	// Quarantined is why a sync that gave up after the outage limit paused
	// the integration (that run's one-sentence error); resume clears it.
	Quarantined string
	// Syncs counts the syncs started so far; the next is number Syncs+1.
	Syncs         int
	FirstSyncDone bool
	LastSync      *SyncSummary
	// Requested is a sync-now that has not started yet.
	Requested *SyncRequest
	// NextExitDate is the earliest future exit date the last sync saw.
	NextExitDate roster.Date
}

// IntegrationResult is returned when an integration is removed.
type IntegrationResult struct {
	Removed bool
	Purged  store.Purged
}

// SyncRequest asks for a sync outside the schedule.
type SyncRequest struct {
	By string `json:"by,omitempty"`
	// Approve pushes the run through any block, as an administrator who
	// starts a sync by hand and takes responsibility for it.
	Approve bool `json:"approve,omitempty"`
	// Review stops the run once its plan is made, whatever the guards
	// say, until an administrator approves that plan or rejects it.
	Review bool `json:"review,omitempty"`
	// Employee, an HRIS id, makes the run sync that one employee only:
	// everyone else is left as they are (see activities.PlanInput).
	Employee string `json:"employee,omitempty"`
	// Reconcile makes the run compare the HRIS with the directory as it is,
	// listing every user, whenever the last reconcile was.
	Reconcile bool `json:"reconcile,omitempty"`
}

// SyncNowResult says which run a sync-now will be, so a caller can wait for it.
type SyncNowResult struct {
	WorkflowID string `json:"workflowId"`
	Number     int    `json:"number"`
	// Queued is true when another sync is running and this one follows it.
	Queued bool `json:"queued"`
}

// PauseRequest pauses scheduled syncs.
type PauseRequest struct {
	By     string `json:"by,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// ResumeRequest resumes scheduled syncs.
type ResumeRequest struct {
	By string `json:"by,omitempty"`
}

// RemoveRequest ends an integration and purges its stored data.
type RemoveRequest struct {
	By string `json:"by,omitempty"`
}

// RemoveResult says what removal deleted.
type RemoveResult struct {
	Purged store.Purged `json:"purged"`
	// KeptCredentials are the stored credentials the integration named
	// that other integrations still use, or whose users were unknown.
	KeptCredentials []activities.KeptCredential `json:"keptCredentials,omitempty"`
}

// Approval lets a blocked sync go ahead. PlanID, when set, must be the plan
// the administrator reviewed; an approval for another plan is ignored. A
// run waiting for review takes only an approval naming its plan.
type Approval struct {
	By     string `json:"by,omitempty"`
	PlanID string `json:"planId,omitempty"`
}

// Rejection discards a blocked sync.
type Rejection struct {
	By     string `json:"by,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// SyncInput starts one SyncWorkflow.
type SyncInput struct {
	IntegrationID string
	Number        int
	Trigger       string
	RequestedBy   string
	// Approved means the run goes ahead without waiting on any block.
	Approved bool
	// Review makes the run wait for review once planned (see SyncRequest).
	Review bool
	// Employee limits the run to one employee (see SyncRequest).
	Employee string `json:",omitempty"`
	// Reconcile makes the run list the directory (see SyncRequest).
	Reconcile bool `json:",omitempty"`
	Config    integration.Config
}

// SyncSummary is what one run did, returned by SyncWorkflow and kept as the
// integration's last sync. It holds counts and IDs only.
type SyncSummary struct {
	WorkflowID string            `json:"workflowId"`
	Number     int               `json:"number"`
	Trigger    string            `json:"trigger"`
	Status     string            `json:"status"`
	StartedAt  time.Time         `json:"startedAt"`
	FinishedAt time.Time         `json:"finishedAt"`
	Fetched    int               `json:"fetched"`
	Planned    map[roster.Op]int `json:"planned,omitempty"`
	Applied    map[roster.Op]int `json:"applied,omitempty"`
	Failed     int               `json:"failed"`
	Problems   int               `json:"problems"`
	Blocks     []roster.Block    `json:"blocks,omitempty"`
	ApprovedBy string            `json:"approvedBy,omitempty"`
	RejectedBy string            `json:"rejectedBy,omitempty"`
	PlanID     string            `json:"planId,omitempty"`
	ReportID   string            `json:"reportId,omitempty"`
	Timings    Timings           `json:"timings"`
	Error      string            `json:"error,omitempty"`
	// Held counts employees kept back (validation or review).
	Held int `json:"held"`
	// NextExitDate is the earliest future exit date the run saw; the
	// integration wakes that day to deactivate the person.
	NextExitDate roster.Date `json:"nextExitDate"`
	// Replans counts how often an approved plan was recomputed because the
	// HRIS had changed since it was reviewed.
	Replans int `json:"replans,omitempty"`
	// NotManaged counts the directory users the integration does not own
	// and left alone.
	NotManaged int `json:"notManaged,omitempty"`
	// Warnings are what the run could not do for everyone, said once:
	// fields the directory has no home for.
	Warnings []string `json:"warnings,omitempty"`
	// GaveUp says the run failed because a step kept failing until the
	// outage policy's giveUpAfter; its integration quarantines itself.
	GaveUp bool `json:"gaveUp,omitempty"`
	// Reviewed says the run stopped for review before applying.
	Reviewed bool `json:"reviewed,omitempty"`
	// Employee is the one employee the run synced, if it synced only one.
	Employee string `json:"employee,omitempty"`
	// Reconciled says the run compared the HRIS with the directory as it
	// is, and why; otherwise it compared with the users as hrsync last
	// wrote them.
	Reconciled string `json:"reconciled,omitempty"`
}

// Timings are how long each phase of a run took.
type Timings struct {
	Fetch  time.Duration `json:"fetch"`
	Plan   time.Duration `json:"plan"`
	Wait   time.Duration `json:"wait"`
	Apply  time.Duration `json:"apply"`
	Commit time.Duration `json:"commit"`
}

// BlockedSync is what a blocked run reports to its integration, and what the
// status query shows while it waits.
type BlockedSync struct {
	WorkflowID string            `json:"workflowId"`
	PlanID     string            `json:"planId"`
	Blocks     []roster.Block    `json:"blocks"`
	Planned    map[roster.Op]int `json:"planned"`
	Since      time.Time         `json:"since"`
	// Review says the run waits for review (AwaitingReview), not because a
	// guard blocked it; only an approval naming PlanID lets it go on.
	Review bool `json:"review,omitempty"`
}

// CurrentSync describes the run in progress.
type CurrentSync struct {
	WorkflowID string       `json:"workflowId"`
	Number     int          `json:"number"`
	Trigger    string       `json:"trigger"`
	StartedAt  time.Time    `json:"startedAt"`
	Blocked    *BlockedSync `json:"blocked,omitempty"`
}

// IntegrationStatus is the answer to the status query.
type IntegrationStatus struct {
	ID        string             `json:"id"`
	Name      string             `json:"name,omitempty"`
	Status    string             `json:"status"`
	Paused    bool               `json:"paused"`
	AutoSync  bool               `json:"autoSync"`
	Schedule  string             `json:"schedule"`
	TimeZone  string             `json:"timeZone"`
	NextRunAt *time.Time         `json:"nextRunAt,omitempty"`
	Syncs     int                `json:"syncs"`
	Current   *CurrentSync       `json:"current,omitempty"`
	Requested bool               `json:"syncRequested"`
	LastSync  *SyncSummary       `json:"lastSync,omitempty"`
	Config    integration.Config `json:"config"`
	CreatedAt time.Time          `json:"createdAt"`
	// Quarantined is why an outage paused the integration, until resumed.
	Quarantined string `json:"quarantined,omitempty"`
}
