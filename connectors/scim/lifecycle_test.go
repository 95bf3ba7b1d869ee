package scim_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/scim"
	"github.com/hrsync/hrsync/connectors/scim/scimtest"
	"github.com/hrsync/hrsync/roster"
	"github.com/stretchr/testify/require"
)

func TestDeactivateAndReactivate(t *testing.T) {
	ctx := context.Background()
	for name, f := range modes {
		t.Run(name, func(t *testing.T) {
			srv, c := setup(t, f)
			e := fullEmployee(t, "E1")
			id, err := c.CreateUser(ctx, e)
			require.NoError(t, err)

			require.NoError(t, c.SetActive(ctx, id, false))
			stored, _ := srv.UserByExternalID("E1")
			require.False(t, stored.Active)
			u := find(t, c, id)
			require.False(t, u.Active)
			require.Equal(t, roster.StatusInactive, u.Employee.Status)

			require.NoError(t, c.SetActive(ctx, id, false), "deactivating twice is fine")
			require.NoError(t, c.SetActive(ctx, id, true))
			stored, _ = srv.UserByExternalID("E1")
			require.True(t, stored.Active)
			require.Equal(t, roster.User{TargetID: id, Active: true, Employee: e}, find(t, c, id))
		})
	}
}

func TestDeleteOnDeactivate(t *testing.T) {
	ctx := context.Background()
	for name, f := range map[string]features{"plain": {patch: true}, "etags": {patch: true, etags: true}} {
		t.Run(name, func(t *testing.T) {
			srv, base := startServer(t, scimtest.Options{}, f)
			c := newClient(t, base, func(cfg *scim.Config) { cfg.DeleteOnDeactivate = true })
			id, err := c.CreateUser(ctx, fullEmployee(t, "E1"))
			require.NoError(t, err)
			require.NoError(t, c.SetActive(ctx, id, false))
			require.Empty(t, srv.Users())
			n, _ := requests(srv, http.MethodDelete, "/Users/")
			require.Equal(t, 1, n)
			require.NoError(t, c.SetActive(ctx, id, false), "a user already deleted is no error")
			_, found, err := c.FindByExternalID(ctx, "E1")
			require.NoError(t, err)
			require.False(t, found)

			err = c.SetActive(ctx, id, true)
			require.True(t, connectors.IsPermanent(err), "a deleted user cannot be reactivated")
		})
	}
}

func TestSetManager(t *testing.T) {
	ctx := context.Background()
	for name, f := range modes {
		t.Run(name, func(t *testing.T) {
			srv, c := setup(t, f)
			boss, err := c.CreateUser(ctx, fullEmployee(t, "B1"))
			require.NoError(t, err)
			report, err := c.CreateUser(ctx, fullEmployee(t, "R1"))
			require.NoError(t, err)

			require.NoError(t, c.SetManager(ctx, report, connectors.ManagerRef{TargetID: boss, ExternalID: "B1"}))
			u := find(t, c, report)
			require.Equal(t, boss, u.ManagerTargetID)
			require.Empty(t, u.Employee.ManagerID, "the caller resolves the manager's HRIS id")
			require.Equal(t, fullEmployee(t, "R1"), u.Employee)
			stored, _ := srv.UserByExternalID("R1")
			manager := stored.Resource[scim.EnterpriseSchema].(map[string]any)["manager"].(map[string]any)
			require.Equal(t, boss, manager["value"])

			// An update leaves the manager alone.
			e := fullEmployee(t, "R1")
			e.JobTitle = "Lead"
			require.NoError(t, c.UpdateUser(ctx, report, e, []roster.Field{roster.FieldJobTitle}))
			require.Equal(t, boss, find(t, c, report).ManagerTargetID)

			// By HRIS id alone: a manager created just before.
			boss2, err := c.CreateUser(ctx, fullEmployee(t, "B2"))
			require.NoError(t, err)
			require.NoError(t, c.SetManager(ctx, report, connectors.ManagerRef{ExternalID: "B2"}))
			require.Equal(t, boss2, find(t, c, report).ManagerTargetID)

			require.NoError(t, c.SetManager(ctx, report, connectors.ManagerRef{}))
			require.Empty(t, find(t, c, report).ManagerTargetID)
			require.NoError(t, c.SetManager(ctx, report, connectors.ManagerRef{}), "removing no manager is fine")

			// A manager the directory does not hold.
			err = c.SetManager(ctx, report, connectors.ManagerRef{TargetID: "no-such-user"})
			require.True(t, connectors.IsPermanent(err))
			var se *scim.SCIMError
			require.True(t, errors.As(err, &se))
			require.Equal(t, http.StatusBadRequest, se.Status)
			require.Equal(t, "invalidValue", se.ScimType)

			err = c.SetManager(ctx, report, connectors.ManagerRef{ExternalID: "NOBODY"})
			require.True(t, connectors.IsPermanent(err))
			require.Contains(t, err.Error(), "NOBODY")
		})
	}
}
