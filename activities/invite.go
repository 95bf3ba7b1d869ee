package activities

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/notify"
	"github.com/hrsync/hrsync/store"
)

// inviteSettings are what a run invites the users it creates with. Plan
// keeps them with the plan, since Commit, which sends the invitations, is
// given ids only; like the configuration they come from, they hold no
// secrets and no personal data.
type inviteSettings struct {
	Mode     string                `json:"mode"`
	Template notify.InviteTemplate `json:"template"`
	Notify   notify.Config         `json:"notify"`
	Name     string                `json:"name,omitempty"`
}

// inviteSettingsOf encodes cfg's invite settings for the plan; nil when
// its target invites no one.
func inviteSettingsOf(cfg integration.Config) ([]byte, error) {
	if !cfg.Target.Invites() {
		return nil, nil
	}
	s := inviteSettings{Mode: cfg.Target.Invite, Notify: cfg.Notify, Name: cfg.Name}
	if t := cfg.Target.InviteTemplate; t != nil {
		s.Template = *t
	}
	data, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("unable to encode the invite settings: %w", err)
	}
	return data, nil
}

// inviteBatch is how many created users invite reads at a time.
const inviteBatch = 500

// inviteMargin is how long before its attempt's deadline invite stops
// sending and fails the attempt, so the retry goes on from there: long
// enough for one invitation and the store's records.
var inviteMargin = 2*notify.DefaultTimeout + 10*time.Second

// errInvitesLeft fails an attempt that ran out of time with invitations
// still to send; the retry sends the rest.
var errInvitesLeft = errors.New("invitations are still to be sent; the retry sends the rest")

// invite invites the users plan's run created, when its settings say so:
// under first-sync only in the integration's first successful run (no
// earlier run committed applied), under always in every run. Each user is
// invited at most once, ever: its invitation is recorded as pending before
// it is sent and marked after, so neither a retried commit, nor a crash
// between the two, nor a later run sends it again — a send whose outcome
// is unknown stays pending (unconfirmed), and a failed one is reported,
// not retried. The address and name come from the stored plan and go only
// to the SMTP server (and to a webhook configured with IncludePII); the
// report names employees by HRIS id. It returns the run's counts, nil when
// it invites no one.
func (a *Activities) invite(ctx context.Context, in CommitInput, plan store.Plan) (*store.InviteCounts, error) {
	if len(plan.Invite) == 0 {
		return nil, nil
	}
	var s inviteSettings
	if err := json.Unmarshal(plan.Invite, &s); err != nil {
		return nil, fmt.Errorf("unable to decode the invite settings of plan %s: %w", plan.ID, err)
	}
	switch s.Mode {
	case integration.InviteAlways:
	case integration.InviteFirstSync:
		before, err := a.Store.SucceededBefore(ctx, in.IntegrationID, in.SyncID)
		if err != nil || before {
			return nil, err
		}
	default:
		return nil, nil
	}
	notifier := a.Notifier
	if notifier == nil {
		notifier = notify.New(notify.Options{})
	}
	for after := -1; ; {
		created, err := a.Store.CreatedChanges(ctx, plan.ID, after, inviteBatch)
		if err != nil {
			return nil, err
		}
		if len(created) == 0 {
			break
		}
		for _, pc := range created {
			if dl, ok := ctx.Deadline(); ok && time.Until(dl) < inviteMargin {
				return nil, errInvitesLeft
			}
			if err := a.inviteOne(ctx, notifier, in, s, pc); err != nil {
				return nil, err
			}
		}
		after = created[len(created)-1].Seq
	}
	counts, err := a.Store.RunInvites(ctx, in.IntegrationID, in.SyncID)
	if err != nil {
		return nil, err
	}
	return &counts, nil
}

// inviteOne claims the invitation of the user change pc created and, if
// no one had, sends it and records how it went.
func (a *Activities) inviteOne(ctx context.Context, n *notify.Notifier, in CommitInput, s inviteSettings,
	pc store.PlannedChange) error {
	e := pc.Change.Employee
	claimed, err := a.Store.ClaimInvite(ctx, store.Invitation{IntegrationID: in.IntegrationID,
		EmployeeID: pc.Change.EmployeeID, SyncID: in.SyncID, TargetID: pc.TargetID})
	if err != nil || !claimed {
		return err
	}
	res, err := n.Invite(ctx, s.Notify, notify.Invite{
		IntegrationID: in.IntegrationID, IntegrationName: cmp.Or(s.Name, in.IntegrationID),
		SyncWorkflowID: in.SyncID, EmployeeID: pc.Change.EmployeeID, TargetID: pc.TargetID,
		FirstName: e.FirstName, LastName: e.LastName, Email: cmp.Or(e.WorkEmail, e.PersonalEmail),
		Template: s.Template, Time: a.now(),
	})
	status, msg := store.InviteSent, ""
	switch {
	case err == nil:
	case res.Emailed || (s.Notify.Email == nil && res.Webhook >= 200 && res.Webhook < 300):
		// Delivered by one channel; the other's failure is noted.
		msg = err.Error()
	case errors.Is(err, notify.ErrMaybeDelivered):
		status, msg = store.InvitePending, err.Error()
	default:
		status, msg = store.InviteFailed, err.Error()
	}
	if err != nil {
		activity.GetLogger(ctx).Warn("Invitation not confirmed", "IntegrationId", in.IntegrationID,
			"EmployeeId", pc.Change.EmployeeID, "Status", string(status))
	}
	// Recorded even when the attempt is being cancelled: the invitation
	// went, or did not, either way.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return a.Store.FinishInvite(rctx, in.IntegrationID, pc.Change.EmployeeID, status, msg)
}
