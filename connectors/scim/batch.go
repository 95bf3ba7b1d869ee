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
// that conflicts on userName is adopted as CreateUser adopts it; removing
// a manager the user does not have is no error.
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
	bulk := make([]BulkResult, len(writes))
	var ops []BulkOp
	var idx []int
	flush := func() error {
		if len(ops) == 0 {
			return nil
		}
		res, err := c.Bulk(ctx, ops)
		if err != nil {
			return err
		}
		for j, i := range idx {
			bulk[i] = res[j]
		}
		ops, idx = ops[:0], idx[:0]
		return nil
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
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	out := make([]connectors.WriteResult, len(writes))
	for i, w := range writes {
		r := bulk[i]
		out[i] = connectors.WriteResult{TargetID: r.ID, Err: r.Err}
		if w.Kind != connectors.WriteCreate {
			out[i].TargetID = w.TargetID
		}
		var se *SCIMError
		switch {
		case r.Err == nil:
		case w.Kind == connectors.WriteCreate && r.Status == http.StatusConflict:
			userName := w.Employee.Get(c.cfg.UserNameFrom)
			out[i].TargetID, out[i].Err = c.adopt(ctx, w.Employee, userName, r.Err)
		case w.Kind == connectors.WriteManager && w.Manager == (connectors.ManagerRef{}) &&
			errors.As(r.Err, &se) && se.Status == http.StatusBadRequest && se.ScimType == "noTarget":
			out[i].Err = nil // no manager to remove
		case w.Kind == connectors.WriteActive && !w.Active && c.cfg.DeleteOnDeactivate && r.Status == http.StatusNotFound:
			out[i].Err = nil // already gone
		}
		if out[i].Err != nil && !connectors.IsPermanent(out[i].Err) {
			// A throttled or failing operation fails the batch, so it is
			// retried with the rest rather than recorded as refused.
			return nil, out[i].Err
		}
	}
	return out, nil
}

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

// writeEach makes the writes one request at a time.
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
			return nil, err
		}
		out[i] = connectors.WriteResult{TargetID: id, Err: err}
	}
	return out, nil
}
