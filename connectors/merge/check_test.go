package merge

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/merge/mergetest"
)

func TestCheckEachSyncStatus(t *testing.T) {
	for status, ready := range map[string]bool{
		mergetest.SyncDone:            true,
		mergetest.SyncPartiallySynced: true,
		mergetest.SyncSyncing:         true, // a resync: the last sync's data is served
		mergetest.SyncFailed:          false,
		mergetest.SyncPaused:          false,
		mergetest.SyncDisabled:        false,
		"SOMETHING_NEW":               false,
	} {
		t.Run(status, func(t *testing.T) {
			fake, base := serve(t, mergetest.Options{Employees: 1})
			fake.SetSyncStatus(status)
			err := source(t, base, nil).Check(context.Background())
			if ready {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, connectors.ErrNotReady)
			assert.True(t, connectors.IsPermanent(err))
			assert.Contains(t, err.Error(), status)
		})
	}
}

func TestCheckInitialSyncIsNotReady(t *testing.T) {
	fake, base := serve(t, mergetest.Options{Employees: 1, InitialSync: true})
	s := source(t, base, nil)

	err := s.Check(context.Background())
	assert.ErrorIs(t, err, connectors.ErrNotReady)
	assert.True(t, connectors.IsPermanent(err))
	assert.Contains(t, err.Error(), "initial sync")

	fake.SetSyncStatus(mergetest.SyncSyncing)
	assert.ErrorIs(t, s.Check(context.Background()), connectors.ErrNotReady, "still the first sync")

	fake.SetSyncStatus(mergetest.SyncDone)
	assert.NoError(t, s.Check(context.Background()))
	fake.SetSyncStatus(mergetest.SyncSyncing)
	assert.NoError(t, s.Check(context.Background()), "later syncs keep the data readable")
}
