package scim_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/scim"
	"github.com/hrsync/hrsync/connectors/scim/scimtest"
	"github.com/hrsync/hrsync/roster"
	"github.com/stretchr/testify/require"
)

// bulkPost is a Bulk POST of e under bulkID.
func bulkPost(t *testing.T, c *scim.Client, e roster.Employee, bulkID string) scim.BulkOp {
	t.Helper()
	data, err := c.UserData(e)
	require.NoError(t, err)
	return scim.BulkOp{Method: http.MethodPost, Path: "/Users", BulkID: bulkID, Data: data}
}

func TestBulkSplitsByMaxOperationsAndResolvesBulkIDs(t *testing.T) {
	ctx := context.Background()
	srv, base := startServer(t, scimtest.Options{BulkMaxOperations: 2}, features{patch: true, bulk: true, etags: true})
	c := newClient(t, base, nil)
	maxOps, maxBytes, ok, err := c.BulkSupported(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, 2, maxOps)
	require.Positive(t, maxBytes)

	boss, report, other := fullEmployee(t, "B1"), fullEmployee(t, "R1"), fullEmployee(t, "R2")
	dup := fullEmployee(t, "D1")
	dup.WorkEmail = boss.WorkEmail
	ops := []scim.BulkOp{
		bulkPost(t, c, boss, "boss"),
		bulkPost(t, c, report, "report"),
		// In the second request: both references are to the first one's.
		{Method: http.MethodPatch, Path: "/Users/bulkId:report", Data: scim.ManagerData("bulkId:boss")},
		bulkPost(t, c, other, "other"),
		// In the same request as the POST it names.
		{Method: http.MethodPatch, Path: "/Users/bulkId:other", Data: scim.ManagerData("bulkId:boss")},
		bulkPost(t, c, dup, "dup"),
	}
	results, err := c.Bulk(ctx, ops)
	require.NoError(t, err)
	require.Len(t, results, len(ops))
	n, _ := requests(srv, http.MethodPost, "/Bulk")
	require.Equal(t, 3, n, "6 operations at most 2 a request")

	for i, r := range results[:5] {
		require.NoError(t, r.Err, "op %d", i)
		require.Equal(t, ops[i].BulkID, r.BulkID)
	}
	require.Equal(t, http.StatusCreated, results[0].Status)
	require.NotEmpty(t, results[0].ID)
	require.NotEmpty(t, results[0].Location)
	stored, ok := srv.UserByExternalID("B1")
	require.True(t, ok)
	require.Equal(t, stored.ID, results[0].ID)

	require.Equal(t, results[0].ID, find(t, c, results[1].ID).ManagerTargetID)
	require.Equal(t, results[0].ID, find(t, c, results[3].ID).ManagerTargetID)
	require.Equal(t, report, find(t, c, results[1].ID).Employee)

	// The duplicate fails alone, permanently, with the server's error.
	dupErr := results[5].Err
	require.Error(t, dupErr)
	require.Equal(t, http.StatusConflict, results[5].Status)
	require.True(t, connectors.IsPermanent(dupErr))
	var se *scim.SCIMError
	require.True(t, errors.As(dupErr, &se))
	require.Equal(t, "uniqueness", se.ScimType)
	require.NotContains(t, dupErr.Error(), boss.WorkEmail)
	require.Len(t, srv.Users(), 3)

	// Versions from bulk answers serve later conditional writes.
	require.NoError(t, c.SetActive(ctx, results[1].ID, false))
}

func TestBulkSplitsByPayloadSize(t *testing.T) {
	ctx := context.Background()
	srv, base := startServer(t, scimtest.Options{BulkMaxOperations: 100, BulkMaxPayloadSize: 2500}, features{patch: true, bulk: true})
	c := newClient(t, base, nil)
	var ops []scim.BulkOp
	for _, id := range []string{"E1", "E2", "E3", "E4", "E5"} {
		ops = append(ops, bulkPost(t, c, fullEmployee(t, id), id))
	}
	huge := fullEmployee(t, "BIG")
	huge.Custom = map[string]string{"blob": strings.Repeat("x", 3000)}
	ops = append(ops, bulkPost(t, c, huge, "big"))

	results, err := c.Bulk(ctx, ops)
	require.NoError(t, err)
	for i, r := range results[:5] {
		require.NoError(t, r.Err, "op %d", i)
		require.Equal(t, http.StatusCreated, r.Status)
	}
	require.True(t, connectors.IsPermanent(results[5].Err), "an operation too big for any request fails alone")
	require.Contains(t, results[5].Err.Error(), "maxPayloadSize")
	n, statuses := requests(srv, http.MethodPost, "/Bulk")
	require.Greater(t, n, 1)
	for _, s := range statuses {
		require.Equal(t, http.StatusOK, s, "no request exceeded the limit")
	}
	require.Len(t, srv.Users(), 5)
}

func TestBulkOff(t *testing.T) {
	ctx := context.Background()
	_, c := setup(t, features{patch: true})
	_, _, ok, err := c.BulkSupported(ctx)
	require.NoError(t, err)
	require.False(t, ok)
	_, err = c.Bulk(ctx, []scim.BulkOp{bulkPost(t, c, fullEmployee(t, "E1"), "e1")})
	require.True(t, connectors.IsPermanent(err))
}
