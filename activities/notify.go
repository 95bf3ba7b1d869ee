package activities

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/notify"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
)

// NotifyInput names the blocked plan to tell the administrators about.
type NotifyInput struct {
	IntegrationID  string
	SyncWorkflowID string
	PlanID         string
	Config         integration.Config
}

// NotifyResult says who was told.
type NotifyResult struct {
	Emailed []string
	Webhook int
}

// Notify tells the integration's administrators, by email and/or webhook,
// that a sync waits for approval and why. The details come from the stored
// plan; the email carries field names only, the webhook values only when
// configured to.
func (a *Activities) Notify(ctx context.Context, in NotifyInput) (NotifyResult, error) {
	res, err := a.notify(ctx, in)
	return res, classify(err)
}

func (a *Activities) notify(ctx context.Context, in NotifyInput) (NotifyResult, error) {
	plan, err := a.Store.GetPlan(ctx, in.PlanID)
	if err != nil {
		return NotifyResult{}, err
	}
	notice := notify.Notice{
		IntegrationID: in.IntegrationID, IntegrationName: cmp.Or(in.Config.Name, in.IntegrationID),
		SyncWorkflowID: in.SyncWorkflowID, UIURL: a.WebUI.Link(in.SyncWorkflowID),
		PlanID: plan.ID, Planned: map[string]int{}, Time: a.now(),
		ApproveHint: "go run ./starter approve " + in.IntegrationID,
	}
	for op, n := range plan.Counts {
		notice.Planned[string(op)] = n
	}
	for _, b := range plan.Blocks {
		notice.Blocks = append(notice.Blocks, notify.Block{Code: b.Code, Message: b.Message})
	}
	if notice.Held, notice.HeldTotal, err = a.heldOf(ctx, plan); err != nil {
		return NotifyResult{}, err
	}
	return a.send(ctx, in.Config, notice)
}

// heldOf lists the employees plan keeps waiting for the notice: ids,
// codes and reasons, with what changed for those held for review. A block
// that holds no one by name lists the employees its operations concern.
func (a *Activities) heldOf(ctx context.Context, plan store.Plan) ([]notify.Held, int, error) {
	changes, err := a.Store.PlanChanges(ctx, plan.ID)
	if err != nil {
		return nil, 0, err
	}
	list := make([]roster.Change, len(changes))
	for i, c := range changes {
		list[i] = c.Change
	}
	listed, total := heldEmployees(plan.Blocks, plan.Holds, list)
	byID := make(map[string]roster.Hold, len(plan.Holds))
	for _, h := range plan.Holds {
		byID[h.EmployeeID] = h
	}
	held := make([]notify.Held, 0, len(listed))
	for _, e := range listed {
		h := notify.Held{EmployeeID: e.EmployeeID, Code: e.Code, Reason: e.Reason}
		for _, c := range byID[e.EmployeeID].Changes {
			h.Changes = append(h.Changes, notify.FieldChange{Field: string(c.Field), Old: c.Old, New: c.New,
				Digest: c.Digest})
		}
		held = append(held, h)
	}
	return held, total, nil
}

// send delivers notice by the integration's channels; an email with no
// recipients of its own goes to the integration's admins.
func (a *Activities) send(ctx context.Context, c integration.Config, notice notify.Notice) (NotifyResult, error) {
	cfg := c.Notify
	if cfg.Email != nil && len(cfg.Email.To) == 0 {
		email := *cfg.Email
		email.To = c.Admins
		cfg.Email = &email
	}
	notifier := a.Notifier
	if notifier == nil {
		notifier = notify.New(notify.Options{})
	}
	res, err := notifier.Send(ctx, cfg, notice)
	return NotifyResult{Emailed: res.Emailed, Webhook: res.Webhook}, err
}

// IncidentInput says what happened to a sync or an integration: Event is
// notify.EventDelayed, notify.EventQuarantined or notify.EventFailed, and
// Message the one sentence the administrators read.
type IncidentInput struct {
	IntegrationID  string
	SyncWorkflowID string
	Event          string
	Message        string
	Config         integration.Config
}

// Retries reads what a running sync's failing step waits for, as status
// shows it ("directory unreachable since 10:42, 7 tries, next at …, last
// error: …"), or "" when no step is being retried. operator.Operator
// provides it from Temporal's pending activities.
type Retries interface {
	Retrying(ctx context.Context, syncWorkflowID string) (string, error)
}

// retriesTimeout bounds the look-up of a delayed sync's retry: the notice
// goes out without it rather than late.
const retriesTimeout = 10 * time.Second

// NotifyIncident tells the integration's administrators, by email and/or
// webhook, that a sync is delayed by an outage, that it failed, or that an
// outage made the integration quarantine itself. A delayed sync's notice says, when
// Temporal shows it, what its failing step waits for. The notice carries
// ids and one sentence, never personal data.
func (a *Activities) NotifyIncident(ctx context.Context, in IncidentInput) (NotifyResult, error) {
	notice := notify.Notice{Event: in.Event, IntegrationID: in.IntegrationID,
		IntegrationName: cmp.Or(in.Config.Name, in.IntegrationID), SyncWorkflowID: in.SyncWorkflowID,
		UIURL: a.WebUI.Link(in.SyncWorkflowID), Message: in.Message, Time: a.now()}
	switch in.Event {
	case notify.EventDelayed:
		notice.Retrying = a.retrying(ctx, in.SyncWorkflowID)
	case notify.EventQuarantined:
		notice.ResumeHint = "go run ./starter resume " + in.IntegrationID
	case notify.EventFailed:
	default:
		return NotifyResult{}, classify(connectors.Permanent(fmt.Errorf("notify: %q is not an incident event", in.Event)))
	}
	res, err := a.send(ctx, in.Config, notice)
	return res, classify(err)
}

// retrying is what sync syncWorkflowID's failing step waits for, "" when
// unknown. Only a first attempt asks: on a retry this very activity would
// be the step Temporal shows retrying.
func (a *Activities) retrying(ctx context.Context, syncWorkflowID string) string {
	if a.Retries == nil || activity.GetInfo(ctx).Attempt > 1 {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, retriesTimeout)
	defer cancel()
	line, err := a.Retries.Retrying(ctx, syncWorkflowID)
	if err != nil {
		activity.GetLogger(ctx).Warn("Unable to read the delayed sync's retry", "SyncWorkflowId", syncWorkflowID, "Error", err)
		return ""
	}
	return line
}
