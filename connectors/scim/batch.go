package scim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/hrsync/hrsync/connectors"
)

var _ connectors.BatchTarget = (*Client)(nil)

// WriteBatch makes writes through POST /Bulk when the service provider
// supports it (and PATCH), and one request per write otherwise. A create
// that conflicts on userName (or externalId) is adopted as CreateUser
// adopts it, so a batch sent again after its answer was lost makes no
// duplicate; removing a manager the user does not have is no error.
//
// A write that failed for a passing reason — its operation answered 429 or
// 5xx, its request failed once others had been answered, its adoption
// failed — comes back with that error, not marked permanent, and may be
// sent again on its own; the writes that were made are not to be sent
// again. Only when no request was answered at all does the batch fail as
// a whole.
func (c *Client) WriteBatch(ctx context.Context, writes []connectors.Write) ([]connectors.WriteResult, error) {
	f, err := c.features(ctx)
	if err != nil {
		return nil, err
	}
	if !f.bulk || !f.patch {
		return c.writeEach(ctx, writes)
	}
	// Writes refused before sending keep their error; the rest go in
	// requests of at most maxOperations, so bulkIds stay within one request.
	// After a request fails as a whole, no more are sent.
	bulk := make([]BulkResult, len(writes))
	var ops []BulkOp
	var idx []int
	var failed error
	answered := false
	flush := func() {
		if len(ops) == 0 {
			return
		}
		var res []BulkResult
		if failed == nil {
			res, failed = c.Bulk(ctx, ops)
		}
		for j, i := range idx {
			if j < len(res) {
				bulk[i] = res[j]
			} else {
				bulk[i] = BulkResult{BulkID: ops[j].BulkID, Err: unanswered(i, ops[j], failed)}
			}
			var ue *unansweredError
			answered = answered || !errors.As(bulk[i].Err, &ue)
		}
		ops, idx = ops[:0], idx[:0]
	}
	for i, w := range writes {
		if w.Kind == connectors.WriteManager && w.Manager == (connectors.ManagerRef{}) && !c.currentView().managerHome() {
			continue // no manager attribute, so no manager to remove
		}
		op, err := c.bulkOpOf(w, i)
		if err != nil {
			bulk[i] = BulkResult{Err: err}
			continue
		}
		ops, idx = append(ops, op), append(idx, i)
		if f.bulkMaxOps > 0 && len(ops) == f.bulkMaxOps {
			flush()
		}
	}
	flush()
	if failed != nil && !answered {
		return nil, failed
	}
	out := make([]connectors.WriteResult, len(writes))
	adoptFailures, lastAdoptErr := 0, error(nil)
	for i, w := range writes {
		r := bulk[i]
		out[i] = connectors.WriteResult{TargetID: r.ID, Err: r.Err}
		if w.Kind != connectors.WriteCreate {
			out[i].TargetID = w.TargetID
		}
		var se *SCIMError
		switch {
		case r.Err == nil:
		case w.Kind == connectors.WriteCreate && r.Status == http.StatusConflict && adoptFailures >= maxAdoptFailures:
			out[i].Err = fmt.Errorf("scim: create employee %s: conflict not resolved, after %d adoptions in a row failed: %w",
				w.Employee.ID, adoptFailures, lastAdoptErr)
			out[i].TargetID = ""
		case w.Kind == connectors.WriteCreate && r.Status == http.StatusConflict:
			userName := w.Employee.Get(c.cfg.UserNameFrom)
			out[i].TargetID, out[i].Err = c.adopt(ctx, w.Employee, userName, r.Err)
			if out[i].Err != nil && !connectors.IsPermanent(out[i].Err) {
				adoptFailures, lastAdoptErr = adoptFailures+1, out[i].Err
			} else {
				adoptFailures = 0
			}
		case w.Kind == connectors.WriteManager && w.Manager == (connectors.ManagerRef{}) &&
			errors.As(r.Err, &se) && se.Status == http.StatusBadRequest && se.ScimType == "noTarget":
			out[i].Err = nil // no manager to remove
		case w.Kind == connectors.WriteActive && !w.Active && c.cfg.DeleteOnDeactivate && r.Status == http.StatusNotFound:
			out[i].Err = nil // already gone
		}
	}
	return out, nil
}

// maxAdoptFailures is how many adoptions in a row may fail for a passing
// reason before a batch stops trying the rest, which come back to be sent
// again: a directory that is down is not asked hundreds of times.
const maxAdoptFailures = 3

// bulkOpOf is the Bulk operation of write i, or the permanent error that
// keeps it from being sent.
func (c *Client) bulkOpOf(w connectors.Write, i int) (BulkOp, error) {
	switch w.Kind {
	case connectors.WriteCreate:
		e := w.Employee
		e.ManagerID = ""
		data, err := c.userData(e)
		if err != nil {
			return BulkOp{}, err
		}
		return BulkOp{Method: http.MethodPost, Path: "/Users", BulkID: strconv.Itoa(i), Data: data}, nil
	case connectors.WriteActive:
		if !w.Active && c.cfg.DeleteOnDeactivate {
			return BulkOp{Method: http.MethodDelete, Path: userPath(w.TargetID)}, nil
		}
		return BulkOp{Method: http.MethodPatch, Path: userPath(w.TargetID),
			Data: newPatch(patchOp{Op: "replace", Path: "active", Value: w.Active})}, nil
	case connectors.WriteManager:
		if !c.currentView().managerHome() && w.Manager != (connectors.ManagerRef{}) {
			return BulkOp{}, errNoManagerHome(w.TargetID)
		}
		if w.Manager.TargetID == "" && w.Manager.ExternalID != "" {
			return BulkOp{}, connectors.Permanent(fmt.Errorf("scim: manager %s of user %s has no SCIM id", w.Manager.ExternalID, w.TargetID))
		}
		return BulkOp{Method: http.MethodPatch, Path: userPath(w.TargetID), Data: ManagerData(w.Manager.TargetID)}, nil
	}
	return BulkOp{}, connectors.Permanent(fmt.Errorf("scim: unknown write kind %d", w.Kind))
}

// writeEach makes the writes one request at a time. A write that fails
// for a passing reason stops it: that write and those after it come back
// with the error, to be sent again; when it is the first, the batch fails
// as a whole.
func (c *Client) writeEach(ctx context.Context, writes []connectors.Write) ([]connectors.WriteResult, error) {
	out := make([]connectors.WriteResult, len(writes))
	for i, w := range writes {
		var id string
		var err error
		switch w.Kind {
		case connectors.WriteCreate:
			id, err = c.CreateUser(ctx, w.Employee)
		case connectors.WriteActive:
			id, err = w.TargetID, c.SetActive(ctx, w.TargetID, w.Active)
		case connectors.WriteManager:
			id, err = w.TargetID, c.SetManager(ctx, w.TargetID, w.Manager)
		default:
			err = connectors.Permanent(fmt.Errorf("scim: unknown write kind %d", w.Kind))
		}
		if err != nil && !connectors.IsPermanent(err) {
			if i == 0 {
				return nil, err
			}
			out[i].Err = err
			for j := i + 1; j < len(writes); j++ {
				out[j].Err = fmt.Errorf("scim: write %d not sent after write %d failed: %w", j, i, err)
			}
			return out, nil
		}
		out[i] = connectors.WriteResult{TargetID: id, Err: err}
	}
	return out, nil
}
