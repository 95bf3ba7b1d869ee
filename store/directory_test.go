package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
)

func TestDirectoryStateKeepsDriftFoundAfterAReconcileBegan(t *testing.T) {
	each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		_, err := s.GetDirectoryState(ctx, "acme")
		require.True(t, errors.Is(err, store.ErrNotFound), "never reconciled")

		t0 := time.Date(2026, time.December, 3, 9, 0, 0, 0, time.UTC)
		require.NoError(t, s.MarkDrift(ctx, "acme", "user u1 was deleted in the directory", t0))
		st, err := s.GetDirectoryState(ctx, "acme")
		require.NoError(t, err)
		require.Equal(t, "user u1 was deleted in the directory", st.Drift)
		require.True(t, st.ReconciledAt.IsZero())

		// A reconcile planned after the drift repairs it.
		require.NoError(t, s.RecordReconcile(ctx, "acme", "scim https://dir.test", t0.Add(time.Second), 3))
		st, err = s.GetDirectoryState(ctx, "acme")
		require.NoError(t, err)
		require.Empty(t, st.Drift)
		require.Equal(t, "scim https://dir.test", st.Directory)
		require.Equal(t, 3, st.NotManaged)
		require.True(t, st.ReconciledAt.Equal(t0.Add(time.Second)))

		// Drift found while the next reconcile was applied (after its plan
		// was made, a tenth of a second later) is kept for the run after.
		planned := t0.Add(time.Minute)
		require.NoError(t, s.MarkDrift(ctx, "acme", "user u2 was changed (412)", planned.Add(100*time.Millisecond)))
		require.NoError(t, s.RecordReconcile(ctx, "acme", "scim https://dir.test", planned, 2))
		st, err = s.GetDirectoryState(ctx, "acme")
		require.NoError(t, err)
		require.Equal(t, "user u2 was changed (412)", st.Drift)
		require.True(t, st.ReconciledAt.Equal(planned))

		_, err = s.Purge(ctx, "acme")
		require.NoError(t, err)
		_, err = s.GetDirectoryState(ctx, "acme")
		require.True(t, errors.Is(err, store.ErrNotFound), "purged with the integration")
	})
}

func TestKnownUsersAreTheOwnedUsersAsLastWritten(t *testing.T) {
	each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		dir := "scim https://dir.test"
		changes := []roster.Change{
			{Op: roster.OpCreate, EmployeeID: "E2", Employee: emp("E2")},
			{Op: roster.OpDeactivate, EmployeeID: "E1", TargetID: "u1", Employee: emp("E1"), Inactive: true},
			{Op: roster.OpCreate, EmployeeID: "E3", Employee: emp("E3")},
		}
		require.NoError(t, s.SavePlan(ctx, store.Plan{ID: "p1", IntegrationID: "acme", SyncID: "s1", SnapshotID: "s1",
			Directory: dir}, changes))
		require.NoError(t, s.RecordOutcomes(ctx, "p1", []store.Outcome{
			{Seq: 0, Status: store.StatusApplied, TargetID: "u2"},
			{Seq: 1, Status: store.StatusApplied, TargetID: "u1"},
			{Seq: 2, Status: store.StatusFailed, TargetID: "", Error: "refused"},
		}))
		require.NoError(t, s.PromoteApplied(ctx, "acme", "p1"))

		users, err := s.KnownUsers(ctx, "acme", dir)
		require.NoError(t, err)
		require.Len(t, users, 2, "the failed create wrote nothing")
		require.Equal(t, "u1", users[0].TargetID, "ordered by HRIS id")
		require.False(t, users[0].Active, "a deactivated user is inactive, whatever the HRIS status")
		require.Equal(t, roster.StatusInactive, users[0].Employee.Status)
		require.Equal(t, "u2", users[1].TargetID)
		require.True(t, users[1].Active)
		require.Equal(t, emp("E2"), users[1].Employee)

		other, err := s.KnownUsers(ctx, "acme", "scim https://elsewhere.test")
		require.NoError(t, err)
		require.Empty(t, other, "another directory's users are not these")

		// A user deleted in the directory is forgotten.
		require.NoError(t, s.Disown(ctx, dir, "u2"))
		users, err = s.KnownUsers(ctx, "acme", dir)
		require.NoError(t, err)
		require.Len(t, users, 1)
	})
}

// ownUsers makes integrationID the owner of one user of directory per HRIS
// id, u-<id>, as a run that found each unchanged would.
func ownUsers(t *testing.T, s *store.Store, integrationID, directory string, ids []string) {
	t.Helper()
	ctx := context.Background()
	changes := make([]roster.Change, len(ids))
	for i, id := range ids {
		changes[i] = change(roster.OpUnchanged, id, "u-"+id)
	}
	planID := integrationID + " " + directory
	require.NoError(t, s.SavePlan(ctx, store.Plan{ID: planID, IntegrationID: integrationID, SyncID: planID,
		Directory: directory}, changes))
	require.NoError(t, s.PromoteApplied(ctx, integrationID, planID))
}

func TestKnownUsersOfAreTheKnownUsersWithThoseIDs(t *testing.T) {
	each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		dir := "scim https://dir.test"
		ids := make([]string, 2500)
		for i := range ids {
			ids[i] = fmt.Sprintf("E%d", i) // E10 sorts before E2
		}
		ownUsers(t, s, "acme", dir, ids)
		// The same HRIS ids elsewhere are not acme's users in dir.
		ownUsers(t, s, "globex", dir, ids[:50])
		ownUsers(t, s, "acme", "scim https://elsewhere.test", ids[:50])

		// Every other id from the end back, some twice, and ids nobody has:
		// more than one batch's worth.
		var ask []string
		want := map[string]bool{}
		for i := len(ids) - 1; i >= 0; i -= 2 {
			ask = append(ask, ids[i])
			want[ids[i]] = true
		}
		ask = append(ask, ids[1], ids[2499], "E-nobody", "")
		want[ids[1]] = true
		for i := range 50 {
			ask = append(ask, fmt.Sprintf("X%d", i))
		}
		require.Greater(t, len(ask), 1200)

		all, err := s.KnownUsers(ctx, "acme", dir)
		require.NoError(t, err)
		require.Len(t, all, len(ids))
		var filtered []roster.User
		for _, u := range all {
			if want[u.Employee.ID] {
				filtered = append(filtered, u)
			}
		}
		got, err := s.KnownUsersOf(ctx, "acme", dir, ask)
		require.NoError(t, err)
		require.Equal(t, filtered, got, "the known users with those ids, once each, in KnownUsers' order")

		none, err := s.KnownUsersOf(ctx, "acme", dir, nil)
		require.NoError(t, err)
		require.Empty(t, none)
		none, err = s.KnownUsersOf(ctx, "acme", dir, []string{"X1"})
		require.NoError(t, err)
		require.Empty(t, none)
	})
}

func TestScanKnownUsersStopsAtAnError(t *testing.T) {
	each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		dir := "scim https://dir.test"
		ownUsers(t, s, "acme", dir, []string{"E1", "E2", "E3", "E4", "E5"})

		var seen []string
		require.NoError(t, s.ScanKnownUsers(ctx, "acme", dir, func(u roster.User) error {
			seen = append(seen, u.Employee.ID)
			return nil
		}))
		require.Equal(t, []string{"E1", "E2", "E3", "E4", "E5"}, seen)

		stop := errors.New("enough")
		seen = nil
		err := s.ScanKnownUsers(ctx, "acme", dir, func(u roster.User) error {
			seen = append(seen, u.Employee.ID)
			if len(seen) == 2 {
				return stop
			}
			return nil
		})
		require.ErrorIs(t, err, stop)
		require.Equal(t, []string{"E1", "E2"}, seen, "nothing after the error")
	})
}

func TestScanKnownEmailsReadsTheKnownUsersIDsAndEmails(t *testing.T) {
	each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		dir := "scim https://dir.test"
		ownUsers(t, s, "acme", dir, []string{"E1", "E2", "E10"})
		ownUsers(t, s, "globex", dir, []string{"E3"})

		all, err := s.KnownUsers(ctx, "acme", dir)
		require.NoError(t, err)
		var want, got []string
		for _, u := range all {
			want = append(want, u.Employee.ID+" "+u.Employee.WorkEmail)
		}
		require.NoError(t, s.ScanKnownEmails(ctx, "acme", dir, func(id, email string) error {
			got = append(got, id+" "+email)
			return nil
		}))
		require.Equal(t, want, got)
		require.Len(t, got, 3)

		stop := errors.New("enough")
		require.ErrorIs(t, s.ScanKnownEmails(ctx, "acme", dir, func(string, string) error { return stop }), stop)
	})
}
