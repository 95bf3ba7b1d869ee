package scim_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/roster"
)

func TestWriteBatch(t *testing.T) {
	for _, f := range []features{{patch: true, bulk: true}, {patch: true}} {
		name := map[bool]string{true: "bulk", false: "one request per write"}[f.bulk]
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			srv, c := setup(t, f)
			boss, report := fullEmployee(t, "E1"), fullEmployee(t, "E2")
			report.WorkEmail = "report@example.com"
			report.ManagerID = "E1"
			// E3's userName belongs to a user linked to another HRIS id: the
			// directory's 409 is adopted only for an unlinked user, so this
			// create is refused, alone.
			taken := fullEmployee(t, "E3")
			taken.WorkEmail = "taken@example.com"
			_, err := c.CreateUser(ctx, roster.Employee{ID: "other", WorkEmail: taken.WorkEmail, FirstName: "Old"})
			require.NoError(t, err)
			u, found, err := c.FindByExternalID(ctx, "other")
			require.NoError(t, err)
			require.True(t, found)
			// An employee with no userName is refused before anything is sent.
			bad := roster.Employee{ID: "E4"}

			res, err := c.WriteBatch(ctx, []connectors.Write{
				{Kind: connectors.WriteCreate, Employee: boss},
				{Kind: connectors.WriteCreate, Employee: report},
				{Kind: connectors.WriteCreate, Employee: taken},
				{Kind: connectors.WriteCreate, Employee: bad},
			})
			require.NoError(t, err)
			require.Len(t, res, 4)
			for i := range 2 {
				require.NoError(t, res[i].Err)
				require.NotEmpty(t, res[i].TargetID)
			}
			require.ErrorIs(t, res[2].Err, connectors.ErrPermanent)
			require.ErrorContains(t, res[2].Err, "userName already belongs to another user")
			require.ErrorIs(t, res[3].Err, connectors.ErrPermanent)
			bossID, reportID := res[0].TargetID, res[1].TargetID

			res, err = c.WriteBatch(ctx, []connectors.Write{
				{Kind: connectors.WriteManager, TargetID: reportID, Manager: connectors.ManagerRef{ExternalID: "E1", TargetID: bossID}},
				{Kind: connectors.WriteManager, TargetID: bossID}, // has none to remove
				{Kind: connectors.WriteActive, TargetID: u.TargetID, Active: false},
			})
			require.NoError(t, err)
			for _, r := range res {
				require.NoError(t, r.Err)
			}
			got, found, err := c.FindByExternalID(ctx, "E2")
			require.NoError(t, err)
			require.True(t, found)
			require.Equal(t, bossID, got.ManagerTargetID)
			got, _, err = c.FindByExternalID(ctx, "other")
			require.NoError(t, err)
			require.False(t, got.Active)

			bulks := 0
			for _, r := range srv.Requests() {
				if r.Method == http.MethodPost && r.Path == "/scim/v2/Bulk" {
					bulks++
				}
			}
			if f.bulk {
				require.Equal(t, 2, bulks, "one Bulk request per batch")
			} else {
				require.Zero(t, bulks)
			}
		})
	}
}
