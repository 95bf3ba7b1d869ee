package scim

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/roster"
)

// CreateUser adds e as a new user linked to e.ID (active unless e is
// inactive, with no manager) and returns its SCIM id. It is idempotent: a
// user already linked to e.ID is updated to e instead. When the POST
// conflicts (409) on a userName held by a user that is unlinked or linked
// to e.ID, that user is linked and updated; one linked to another HRIS id
// is a permanent error. When the directory refuses some attributes of
// such an update, the user's id comes with a *RefusedError.
func (c *Client) CreateUser(ctx context.Context, e roster.Employee) (string, error) {
	body, err := c.userData(e)
	if err != nil {
		return "", err
	}
	if u, found, err := c.FindByExternalID(ctx, e.ID); err != nil {
		return "", err
	} else if found {
		return u.TargetID, c.UpdateUser(ctx, u.TargetID, e, createFields(e))
	}
	var out resource
	h, err := c.do(ctx, http.MethodPost, "/Users", nil, "", body, &out)
	var se *SCIMError
	if errors.As(err, &se) && se.Status == http.StatusConflict {
		return c.adopt(ctx, e, getString(body, "userName"), err)
	}
	if err != nil {
		return "", err
	}
	id := out.id()
	if id == "" {
		// Sending it again cannot help: the next run finds the user by
		// its externalId, if the directory made one.
		return "", connectors.Permanent(fmt.Errorf("scim: POST /Users: employee %s: the directory answered without the user's id", e.ID))
	}
	c.remember(id, h, out)
	return id, nil
}

// adopt handles a create that conflicted: the user holding userName (or,
// failing that, one a concurrent create linked to e.ID) is linked to e.ID
// and updated to e, unless it is linked to another HRIS id. conflict is
// the 409, returned when no such user can be found.
func (c *Client) adopt(ctx context.Context, e roster.Employee, userName string, conflict error) (string, error) {
	u, found, err := c.FindByUserName(ctx, userName)
	if err != nil {
		return "", err
	}
	if !found {
		if u, found, err = c.FindByExternalID(ctx, e.ID); err != nil {
			return "", err
		}
	}
	if !found {
		return "", conflict
	}
	if u.Employee.ID != "" && u.Employee.ID != e.ID {
		var se *SCIMError
		errors.As(conflict, &se)
		return "", connectors.Permanent(fmt.Errorf(
			"scim: create employee %s: userName already belongs to another user (SCIM id %s, HRIS id %s): %w",
			e.ID, u.TargetID, u.Employee.ID, se))
	}
	if u.Employee.ID == "" {
		c.drift.note("creating employee %s met user %s, which the directory already held (409)", e.ID, u.TargetID)
	}
	return u.TargetID, c.UpdateUser(ctx, u.TargetID, e, createFields(e))
}
