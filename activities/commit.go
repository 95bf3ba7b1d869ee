package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
)

// Outcomes a run's report can record.
const (
	OutcomeApplied  = "applied"
	OutcomeRejected = "rejected"
	// OutcomeFailed is a run whose apply stopped part way: the report has
	// what reached the directory, and how much was left.
	OutcomeFailed = "failed"
)

// CommitInput names the run to close.
type CommitInput struct {
	IntegrationID string
	SyncID        string
	PlanID        string
	// Outcome is OutcomeApplied, OutcomeRejected when an administrator
	// discarded the plan and nothing was applied, or OutcomeFailed when the
	// apply stopped part way.
	Outcome string
}

// CommitResult summarises the run's report.
type CommitResult struct {
	ReportID string
	Applied  map[roster.Op]int
	Failed   int
	// Invited counts the users the run created and invited.
	Invited int `json:",omitempty"`
}

// Commit writes the run report from the plan's recorded outcomes and, for an
// applied run, promotes what reached the directory into the integration's
// applied roster. A change that failed keeps the person's previous applied
// state, so the next run plans it again. The users the run created are
// then invited, as the target's invite setting says (see invite), and the
// report counts the invitations.
func (a *Activities) Commit(ctx context.Context, in CommitInput) (CommitResult, error) {
	res, err := a.commit(ctx, in)
	return res, classify(err)
}

func (a *Activities) commit(ctx context.Context, in CommitInput) (CommitResult, error) {
	defer startKeepAlive(ctx).stop()
	plan, err := a.Store.GetPlan(ctx, in.PlanID)
	if err != nil {
		return CommitResult{}, err
	}
	report := store.Report{
		ID: in.SyncID, IntegrationID: in.IntegrationID, SyncID: in.SyncID, PlanID: in.PlanID,
		CreatedAt: a.now().UTC(), Outcome: in.Outcome, Planned: plan.Counts, Applied: map[roster.Op]int{},
		Problems: plan.Problems, Blocks: plan.Blocks, Warnings: plan.Warnings,
		NotManaged: plan.NotManaged,
	}
	if in.Outcome == OutcomeApplied || in.Outcome == OutcomeFailed {
		outcomes, err := a.Store.PlanOutcomes(ctx, in.PlanID)
		if err != nil {
			return CommitResult{}, err
		}
		if outcomes.Unfinished > 0 && in.Outcome == OutcomeApplied {
			return CommitResult{}, connectors.Permanent(
				fmt.Errorf("plan %s still has %d changes to apply", in.PlanID, outcomes.Unfinished))
		}
		report.Applied, report.Failures, report.Unfinished = outcomes.Applied, outcomes.Failures, outcomes.Unfinished
		if plan.Unwritten > 0 {
			report.Applied[roster.OpUnchanged] += plan.Unwritten
		}
		if err := a.Store.PromoteApplied(ctx, in.IntegrationID, in.PlanID); err != nil {
			return CommitResult{}, err
		}
		// A reconcile of everyone, applied, is what incremental runs build
		// on until the next is due.
		if plan.Reconcile && plan.Employee == "" && in.Outcome == OutcomeApplied {
			if err := a.Store.RecordReconcile(ctx, in.IntegrationID, plan.Directory, plan.CreatedAt, plan.NotManaged); err != nil {
				return CommitResult{}, err
			}
		}
		if report.Invites, err = a.invite(ctx, in, plan); err != nil {
			return CommitResult{}, err
		}
	}
	if err := a.Store.SaveReport(ctx, report); err != nil {
		return CommitResult{}, err
	}
	res := CommitResult{ReportID: report.ID, Applied: report.Applied, Failed: len(report.Failures)}
	if report.Invites != nil {
		res.Invited = report.Invites.Sent
	}
	return res, nil
}

// PurgeInput names the integration whose data to delete, and the stored
// credentials ("store:<id>") its endpoints used.
type PurgeInput struct {
	IntegrationID string
	Credentials   []string `json:",omitempty"`
}

// PurgeResult says what was deleted, and which credentials were kept.
type PurgeResult struct {
	Purged store.Purged
	Kept   []KeptCredential `json:",omitempty"`
}

// KeptCredential is a stored credential a removed integration named but
// that was not deleted: another integration uses it, or its users could not
// be told. `starter disconnect` deletes it once nobody does.
type KeptCredential struct {
	Ref    string   `json:"ref"`
	UsedBy []string `json:"usedBy,omitempty"`
	Reason string   `json:"reason,omitempty"`
}

// Purge deletes every snapshot, plan, report, export, applied record and
// ownership of the integration, and the stored credentials it used that no
// other integration names. It runs when an integration is removed. When
// the users of its credentials cannot be told, they are all kept: removing
// an integration must never break another.
func (a *Activities) Purge(ctx context.Context, in PurgeInput) (PurgeResult, error) {
	p, err := a.Store.Purge(ctx, in.IntegrationID)
	if err != nil {
		return PurgeResult{}, classify(err)
	}
	res := PurgeResult{}
	var refs []string
	for _, ref := range in.Credentials {
		if strings.HasPrefix(ref, "store:") && !slices.Contains(refs, ref) {
			refs = append(refs, ref)
		}
	}
	if len(refs) == 0 {
		res.Purged = p
		return res, nil
	}
	users, why := map[string][]string(nil), "nobody can say which integrations use it"
	if a.Users != nil {
		if users, err = a.Users.CredentialUsers(ctx); err != nil {
			users, why = nil, "unable to tell which integrations use it: "+err.Error()
		}
	}
	for _, ref := range refs {
		if users == nil {
			res.Kept = append(res.Kept, KeptCredential{Ref: ref, Reason: why})
			continue
		}
		others := slices.DeleteFunc(slices.Clone(users[ref]), func(id string) bool { return id == in.IntegrationID })
		if len(others) > 0 {
			res.Kept = append(res.Kept, KeptCredential{Ref: ref, UsedBy: others, Reason: "still in use"})
			continue
		}
		id := strings.TrimPrefix(ref, "store:")
		if _, err := a.Store.GetCredential(ctx, id); errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err := a.Store.DeleteCredential(ctx, id); err != nil {
			return PurgeResult{}, classify(err)
		}
		p.Credentials++
	}
	res.Purged = p
	return res, nil
}
