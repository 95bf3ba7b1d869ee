package activities

import (
	"context"

	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/notify"
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
		IntegrationID: in.IntegrationID, IntegrationName: in.Config.Name, SyncWorkflowID: in.SyncWorkflowID,
		PlanID: plan.ID, Planned: map[string]int{}, Time: a.now(),
		ApproveHint: "go run ./starter approve " + in.IntegrationID,
	}
	for op, n := range plan.Counts {
		notice.Planned[string(op)] = n
	}
	for _, b := range plan.Blocks {
		notice.Blocks = append(notice.Blocks, notify.Block{Code: b.Code, Message: b.Message})
	}
	for _, h := range plan.Holds {
		held := notify.Held{EmployeeID: h.EmployeeID, Code: h.Code}
		for _, c := range h.Changes {
			held.Changes = append(held.Changes, notify.FieldChange{Field: string(c.Field), Old: c.Old, New: c.New,
				Digest: c.Digest})
		}
		notice.Held = append(notice.Held, held)
	}
	cfg := in.Config.Notify
	if cfg.Email != nil && len(cfg.Email.To) == 0 {
		email := *cfg.Email
		email.To = in.Config.Admins
		cfg.Email = &email
	}
	notifier := a.Notifier
	if notifier == nil {
		notifier = notify.New(notify.Options{})
	}
	res, err := notifier.Send(ctx, cfg, notice)
	return NotifyResult{Emailed: res.Emailed, Webhook: res.Webhook}, err
}
