package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
)

// PlanInput names the snapshot to plan from and the integration's settings.
type PlanInput struct {
	IntegrationID string
	SyncID        string
	SnapshotID    string
	Config        integration.Config
}

// PlanResult summarises the stored plan: its ID, what it would do, and the
// reasons it must wait for approval, if any.
type PlanResult struct {
	PlanID         string
	Counts         map[roster.Op]int
	Problems       int
	Blocks         []roster.Block
	DirectoryUsers int
}

// Plan compares the staged snapshot with the directory, evaluates the guards
// and stores the plan. Planning again for the same sync replaces the plan.
func (a *Activities) Plan(ctx context.Context, in PlanInput) (PlanResult, error) {
	res, err := a.plan(ctx, in)
	return res, classify(err)
}

func (a *Activities) plan(ctx context.Context, in PlanInput) (PlanResult, error) {
	cfg := in.Config.WithDefaults()
	snap, err := a.Store.GetSnapshot(ctx, in.SnapshotID)
	if err != nil {
		return PlanResult{}, err
	}
	if !snap.Complete {
		return PlanResult{}, fmt.Errorf("snapshot %s is incomplete: %w", in.SnapshotID, store.ErrNotFound)
	}
	source, err := a.Store.SnapshotRecords(ctx, in.SnapshotID)
	if err != nil {
		return PlanResult{}, err
	}
	tgt, err := a.target(cfg.Target)
	if err != nil {
		return PlanResult{}, err
	}
	directory, err := listDirectory(ctx, tgt)
	if err != nil {
		return PlanResult{}, err
	}
	today, err := a.today(cfg.Schedule.TimeZone)
	if err != nil {
		return PlanResult{}, err
	}
	diff := roster.Diff(roster.DiffInput{Source: source, Directory: directory, Today: today})
	blocks := roster.Guard(roster.GuardInput{
		SourceCount: len(source), Directory: directory, Plan: diff, Policy: cfg.MassChange,
	})
	plan := store.Plan{
		ID: in.SyncID, IntegrationID: in.IntegrationID, SyncID: in.SyncID, SnapshotID: in.SnapshotID,
		Counts: diff.Counts(), Blocks: blocks, Problems: diff.Problems,
	}
	if err := a.Store.SavePlan(ctx, plan, diff.Changes); err != nil {
		return PlanResult{}, err
	}
	return PlanResult{
		PlanID: plan.ID, Counts: plan.Counts, Problems: len(diff.Problems),
		Blocks: blocks, DirectoryUsers: len(directory),
	}, nil
}

// today is the organisation's current calendar date.
func (a *Activities) today(timeZone string) (roster.Date, error) {
	loc, err := time.LoadLocation(timeZone)
	if err != nil {
		return roster.Date{}, fmt.Errorf("time zone %q: %w", timeZone, err)
	}
	return roster.DateOf(a.now().In(loc)), nil
}
