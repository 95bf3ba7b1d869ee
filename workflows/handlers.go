package workflows

import (
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/hrsync/hrsync/integration"
)

// errRemoved refuses any request to an integration being removed.
var errRemoved = errors.New("the integration is being removed")

// registerHandlers registers the status query and the updates. Validators
// refuse bad requests before they touch history.
func (w *integrationImpl) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandlerWithOptions(ctx, QueryStatus, func() (IntegrationStatus, error) {
		return w.status(), nil
	}, workflow.QueryHandlerOptions{Description: "The integration's configuration, state, current and last sync, and next run"}); err != nil {
		return err
	}
	updates := []struct {
		name, description  string
		handler, validator any
	}{
		{UpdateSyncNow, "Start a sync now (or right after the one running)", w.syncNow, w.validateActive},
		{UpdatePause, "Stop scheduled syncs until resumed", w.pause, w.validatePause},
		{UpdateResume, "Resume scheduled syncs, and lift a quarantine", w.resume, w.validateResume},
		{UpdateConfig, "Replace the integration's configuration", w.updateConfig, w.validateConfig},
		{UpdateRemove, "End the integration and purge its stored data", w.remove, w.validateRemove},
		{UpdateApprove, `Let the sync that waits go ahead: {"by": "your name"}, optionally "planId"`, w.approve, w.validateApprove},
		{UpdateReject, `Discard the sync that waits: {"by": "your name", "reason": "why"}`, w.reject, w.validateReject},
	}
	for _, u := range updates {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, u.name, u.handler, workflow.UpdateHandlerOptions{
			Validator: u.validator, Description: u.description,
		}); err != nil {
			return fmt.Errorf("unable to register update %s: %w", u.name, err)
		}
	}
	return nil
}

func (w *integrationImpl) validateActive(SyncRequest) error {
	if w.removing {
		return errRemoved
	}
	return nil
}

// syncNow asks for a run now; while one runs, the request waits for it.
func (w *integrationImpl) syncNow(ctx workflow.Context, req SyncRequest) (SyncNowResult, error) {
	queued := w.current != nil
	pending := w.state.Requested != nil
	switch {
	case !pending:
		w.state.Requested = &req
	case req.Approve:
		// A pending request becomes an approving one.
		w.state.Requested.Approve = true
	}
	if req.Review {
		// Any request for review makes the pending run wait for one.
		w.state.Requested.Review = true
	}
	if req.Reconcile {
		w.state.Requested.Reconcile = true
	}
	if pending && w.state.Requested.Employee != req.Employee {
		// Requests for different employees, or for one and for everyone,
		// make one full run, which covers them all under every guard.
		w.state.Requested.Employee = ""
	}
	// A running sync has already been counted, so the next run is Syncs+1
	// either way.
	n := w.state.Syncs + 1
	w.logger.Info("Sync requested", "By", req.By, "Queued", queued)
	return SyncNowResult{WorkflowID: SyncWorkflowID(w.cfg.ID, n), Number: n, Queued: queued}, nil
}

func (w *integrationImpl) validatePause(PauseRequest) error {
	switch {
	case w.removing:
		return errRemoved
	case w.state.Quarantined != "":
		return errors.New("the integration is already paused: an outage quarantined it until resumed")
	case w.state.Paused:
		return errors.New("the integration is already paused")
	}
	return nil
}

func (w *integrationImpl) pause(ctx workflow.Context, req PauseRequest) (IntegrationStatus, error) {
	w.state.Paused = true
	w.wake++
	w.refreshNextRun(ctx)
	w.logger.Info("Integration paused", "By", req.By)
	return w.status(), nil
}

func (w *integrationImpl) validateResume(ResumeRequest) error {
	switch {
	case w.removing:
		return errRemoved
	case !w.state.Paused && w.state.Quarantined == "":
		return errors.New("the integration is not paused")
	}
	return nil
}

// resume lets scheduled runs go on again, and lifts a quarantine.
func (w *integrationImpl) resume(ctx workflow.Context, req ResumeRequest) (IntegrationStatus, error) {
	quarantined := w.state.Quarantined != ""
	w.state.Paused, w.state.Quarantined = false, ""
	w.wake++
	w.refreshNextRun(ctx)
	w.logger.Info("Integration resumed", "By", req.By, "WasQuarantined", quarantined)
	return w.status(), nil
}

func (w *integrationImpl) validateConfig(cfg integration.Config) error {
	if w.removing {
		return errRemoved
	}
	if cfg.ID != w.cfg.ID {
		return fmt.Errorf("id: %q cannot change to %q; create a new integration instead", w.cfg.ID, cfg.ID)
	}
	return cfg.WithDefaults().Validate()
}

// updateConfig replaces the configuration; the next run uses it and the
// schedule is recomputed at once.
func (w *integrationImpl) updateConfig(ctx workflow.Context, cfg integration.Config) (IntegrationStatus, error) {
	w.cfg = cfg.WithDefaults()
	w.wake++
	w.refreshNextRun(ctx)
	w.logger.Info("Integration configuration updated")
	return w.status(), nil
}

func (w *integrationImpl) validateRemove(RemoveRequest) error {
	if w.removing {
		return errRemoved
	}
	return nil
}

// remove cancels any running sync, purges the stored data and ends the
// integration.
func (w *integrationImpl) remove(ctx workflow.Context, req RemoveRequest) (RemoveResult, error) {
	w.removing = true
	w.logger.Info("Integration removal requested", "By", req.By)
	if w.current != nil {
		w.current.cancel()
	}
	if err := workflow.Await(ctx, func() bool { return w.current == nil }); err != nil {
		return RemoveResult{}, err
	}
	res, err := w.purge(ctx)
	if err != nil {
		w.removing = false
		return RemoveResult{}, fmt.Errorf("unable to purge stored data: %w", err)
	}
	w.purged = res.Purged
	w.removed = true
	return RemoveResult{Purged: res.Purged, KeptCredentials: res.Kept}, nil
}

// validateDecision refuses a decision that names no one, or that has no run
// to apply to.
func (w *integrationImpl) validateDecision(by string) error {
	switch {
	case w.removing:
		return errRemoved
	case strings.TrimSpace(by) == "":
		return errUnnamed
	case w.current == nil || w.current.info.Blocked == nil:
		return errors.New("no sync is awaiting approval")
	}
	return nil
}

func (w *integrationImpl) validateApprove(ap Approval) error {
	if err := w.validateDecision(ap.By); err != nil {
		return err
	}
	b := w.current.info.Blocked
	if ap.PlanID != "" && ap.PlanID != b.PlanID {
		return fmt.Errorf("plan %s is not the one waiting (%s)", ap.PlanID, b.PlanID)
	}
	if b.Review && ap.PlanID == "" {
		return fmt.Errorf("a review approves one plan: name it, \"planId\": %q (see `starter review %s`)", b.PlanID, w.cfg.ID)
	}
	return nil
}

func (w *integrationImpl) validateReject(rj Rejection) error { return w.validateDecision(rj.By) }

// approve lets the waiting run go ahead and returns what it was waiting with.
func (w *integrationImpl) approve(ctx workflow.Context, ap Approval) (BlockedSync, error) {
	w.logger.Info("Approval received", "By", ap.By)
	return w.decide(ctx, SignalApprove, ap)
}

// reject discards the waiting run and returns what it was waiting with.
func (w *integrationImpl) reject(ctx workflow.Context, rj Rejection) (BlockedSync, error) {
	w.logger.Info("Rejection received", "By", rj.By)
	return w.decide(ctx, SignalReject, rj)
}

// decide passes a validated decision to the waiting run.
func (w *integrationImpl) decide(ctx workflow.Context, name string, decision any) (BlockedSync, error) {
	if w.current == nil || w.current.info.Blocked == nil {
		return BlockedSync{}, errors.New("no sync is awaiting approval")
	}
	blocked := *w.current.info.Blocked
	if err := w.forward(ctx, name, decision); err != nil {
		return BlockedSync{}, err
	}
	return blocked, nil
}
