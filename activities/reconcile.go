package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/store"
)

// defaultReconcileDays is how often a run lists the whole directory when
// the target does not say.
const defaultReconcileDays = 7

// Why a plan reconciles: compares the HRIS with the directory as it is.
const (
	ReconcileAsked     = "asked for"
	ReconcileFirst     = "first run against this directory"
	ReconcileDue       = "due"
	ReconcileAlways    = "every run reconciles"
	ReconcileDriftNote = "a write found the directory changed: "
)

// known is how a plan sees the directory: a reconcile, and why, or ("")
// the users as hrsync last wrote them.
type known struct {
	reconcile string
	// notManaged is what the last reconcile counted of the users the
	// integration does not own, for a plan that does not list them.
	notManaged int
}

// knownDirectory decides whether the plan reconciles — lists the live
// directory — or compares with the users the integration owns as it last
// wrote them, which is enough while nobody else edits them and costs no
// request. A reconcile runs when asked, against a directory never
// reconciled, once target's reconcileDays have passed since the last one,
// and when a write found the directory changed behind hrsync's back.
func (a *Activities) knownDirectory(ctx context.Context, in PlanInput, target integration.Endpoint, dirKey string) (known, error) {
	days := target.ReconcileDays
	if days == 0 {
		days = defaultReconcileDays
	}
	state, err := a.Store.GetDirectoryState(ctx, in.IntegrationID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return known{reconcile: ReconcileFirst}, nil
	case err != nil:
		return known{}, err
	case in.Reconcile:
		return known{reconcile: ReconcileAsked}, nil
	case days < 0:
		return known{reconcile: ReconcileAlways}, nil
	case state.Drift != "":
		return known{reconcile: ReconcileDriftNote + state.Drift}, nil
	case state.Directory != dirKey || state.ReconciledAt.IsZero():
		return known{reconcile: ReconcileFirst}, nil
	case a.now().Sub(state.ReconciledAt) >= time.Duration(days)*24*time.Hour:
		return known{reconcile: fmt.Sprintf("%s: the last was %s", ReconcileDue, state.ReconciledAt.Format(time.RFC3339))}, nil
	}
	return known{notManaged: state.NotManaged}, nil
}
