package scim

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/roster"
)

// UpdateUser sets the listed fields of user targetID to e's values and
// links it to e.ID. With PATCH it sends only the attributes whose value
// changes (read from a GET first), plus externalId; without, it PUTs back
// the user as read with the fields applied. The manager is never touched:
// SetManager sets it. When the directory refuses some attributes of a
// PATCH (400 invalidPath, invalidValue, noTarget or mutability, or a
// detail naming their paths), the rest is sent without them and the
// error is a *RefusedError naming them.
func (c *Client) UpdateUser(ctx context.Context, targetID string, e roster.Employee, fields []roster.Field) error {
	if e.ID == "" {
		return connectors.Permanent(fmt.Errorf("scim: update user %s: employee has no HRIS id", targetID))
	}
	f, err := c.features(ctx)
	if err != nil {
		return err
	}
	return c.conditional(ctx, targetID, true, func(cur resource, version string) error {
		if f.patch {
			return c.patchLeniently(ctx, targetID, version, f.etag, c.patchOps(cur, e, fields))
		}
		c.applyFields(cur, e, fields)
		return c.put(ctx, targetID, version, cur)
	})
}

// SetActive activates or deactivates user targetID by replacing active
// (PATCH, or PUT without it). With DeleteOnDeactivate, deactivating
// DELETEs the user instead, and a user already gone is no error.
func (c *Client) SetActive(ctx context.Context, targetID string, active bool) error {
	if !active && c.cfg.DeleteOnDeactivate {
		return c.deleteUser(ctx, targetID)
	}
	f, err := c.features(ctx)
	if err != nil {
		return err
	}
	return c.conditional(ctx, targetID, !f.patch, func(cur resource, version string) error {
		if f.patch {
			return c.patch(ctx, targetID, version, []patchOp{{Op: "replace", Path: "active", Value: active}})
		}
		set(cur, "active", active)
		unset(cur, "meta")
		unset(cur, "groups")
		return c.put(ctx, targetID, version, cur)
	})
}

// SetManager sets the enterprise manager of user targetID to the user that
// manager names (by SCIM id, else looked up by HRIS id), or removes it when
// manager is zero. Only manager.value is sent: $ref and displayName are the
// service provider's to derive. A manager the service provider does not
// know is a permanent error. Setting one where the directory has no
// manager attribute, or refuses its path, is a *RefusedError (removing
// one there is no error).
func (c *Client) SetManager(ctx context.Context, targetID string, manager connectors.ManagerRef) error {
	if !c.currentView().managerHome() {
		if manager == (connectors.ManagerRef{}) {
			return nil
		}
		return errNoManagerHome(targetID)
	}
	managerID := manager.TargetID
	if managerID == "" && manager.ExternalID != "" {
		u, found, err := c.FindByExternalID(ctx, manager.ExternalID)
		if err != nil {
			return err
		}
		if !found {
			return connectors.Permanent(fmt.Errorf("scim: manager %s of user %s is not in the directory", manager.ExternalID, targetID))
		}
		managerID = u.TargetID
	}
	f, err := c.features(ctx)
	if err != nil {
		return err
	}
	return c.conditional(ctx, targetID, !f.patch, func(cur resource, version string) error {
		if f.patch {
			ops := tag(ManagerData(managerID).(patchRequest).Operations, roster.FieldManagerID)
			err := c.patch(ctx, targetID, version, ops)
			var se *SCIMError
			if managerID == "" && errors.As(err, &se) && se.Status == http.StatusBadRequest && se.ScimType == "noTarget" {
				return nil // no manager to remove
			}
			if se, ok := refusal(err, ops); ok && managerID != "" && (se.ScimType == "invalidPath" || se.ScimType == "mutability") {
				return refusedError(targetID, ops, se)
			}
			return err
		}
		if managerID == "" {
			unset(object(cur, EnterpriseSchema), "manager")
		} else {
			set(object(cur, EnterpriseSchema), "manager", map[string]any{"value": managerID})
		}
		cur.tidySchemas(EnterpriseSchema)
		unset(cur, "meta")
		unset(cur, "groups")
		return c.put(ctx, targetID, version, cur)
	})
}

// deleteUser DELETEs user id; one already gone is no error.
func (c *Client) deleteUser(ctx context.Context, id string) error {
	err := c.conditional(ctx, id, false, func(_ resource, version string) error {
		_, err := c.do(ctx, http.MethodDelete, userPath(id), nil, version, nil, nil)
		return err
	})
	var se *SCIMError
	if errors.As(err, &se) && se.Status == http.StatusNotFound {
		err = nil
	}
	if err == nil {
		c.versions.put(id, "")
	}
	return err
}

// conditional runs send with user id's version for If-Match when the
// service provider supports ETags (remembered, or read by a GET), and with
// its current representation when read is true. On 412 it re-reads the
// user and sends once more; a second 412 is a plain, retryable error.
func (c *Client) conditional(ctx context.Context, id string, read bool, send func(cur resource, version string) error) error {
	f, err := c.features(ctx)
	if err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		var cur resource
		version := ""
		if f.etag {
			version = c.versions.get(id)
		}
		if read || (f.etag && version == "") {
			if cur, version, err = c.getUser(ctx, id); err != nil {
				return err
			}
		}
		if !f.etag {
			version = ""
		}
		err = send(cur, version)
		var se *SCIMError
		if !f.etag || !errors.As(err, &se) || se.Status != http.StatusPreconditionFailed {
			return err
		}
		c.versions.put(id, "")
		c.drift.note("user %s was changed in the directory since hrsync last read or wrote it (412)", id)
		if attempt == 2 {
			return se
		}
	}
}

// patch sends ops to user id as one PatchOp and remembers the new version.
func (c *Client) patch(ctx context.Context, id, version string, ops []patchOp) error {
	if len(ops) == 0 {
		return nil
	}
	var out resource
	h, err := c.do(ctx, http.MethodPatch, userPath(id), nil, version, newPatch(ops...), &out)
	if err == nil {
		c.remember(id, h, out)
	}
	return err
}

// put replaces user id with r and remembers the new version.
func (c *Client) put(ctx context.Context, id, version string, r resource) error {
	var out resource
	h, err := c.do(ctx, http.MethodPut, userPath(id), nil, version, r, &out)
	if err == nil {
		c.remember(id, h, out)
	}
	return err
}

// errNoManagerHome is the error for setting the manager of user targetID
// where the directory has no manager attribute: a *RefusedError without
// a request.
func errNoManagerHome(targetID string) error {
	return refusedError(targetID, []patchOp{{Path: managerPath, fields: []roster.Field{roster.FieldManagerID}}}, nil)
}
