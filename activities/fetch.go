package activities

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/activity"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/roster"
)

// FetchInput names the sync whose roster to fetch and where from.
type FetchInput struct {
	IntegrationID string
	SyncID        string
	// SnapshotID names the snapshot to write; empty means SyncID.
	SnapshotID string
	Source     integration.Endpoint
	// Rules decide which source fields are kept; the rest are dropped
	// before anything is stored.
	Rules roster.Rules
}

// FetchResult points at the staged snapshot the fetch wrote.
type FetchResult struct {
	SnapshotID string
	Records    int
	Pages      int
}

// fetchProgress is the heartbeat of a fetch: where to resume after a retry.
type fetchProgress struct {
	Cursor  string
	Records int
	Pages   int
}

// Fetch pages through the source and streams every record into a staged
// snapshot in the store. It heartbeats its cursor after each page, so a
// retried attempt resumes where the last one stopped and writes each record
// exactly once.
func (a *Activities) Fetch(ctx context.Context, in FetchInput) (FetchResult, error) {
	res, err := a.fetch(ctx, in)
	return res, classify(err)
}

func (a *Activities) fetch(ctx context.Context, in FetchInput) (FetchResult, error) {
	var p fetchProgress
	if activity.HasHeartbeatDetails(ctx) {
		if err := activity.GetHeartbeatDetails(ctx, &p); err != nil {
			return FetchResult{}, fmt.Errorf("unable to read fetch progress: %w", err)
		}
	}
	src, err := a.source(in.Source)
	if err != nil {
		return FetchResult{}, err
	}
	// A source that can say so is asked first whether its data may be
	// read: a roster still being synced must not look like mass departures.
	if checker, ok := src.(connectors.Checker); ok && p.Pages == 0 {
		if err := checker.Check(ctx); err != nil {
			return FetchResult{}, fmt.Errorf("%s source is not ready: %w", in.Source.Kind, err)
		}
	}
	snapshotID := in.SnapshotID
	if snapshotID == "" {
		snapshotID = in.SyncID
	}
	if err := a.Store.BeginSnapshot(ctx, snapshotID, in.IntegrationID, in.SyncID, p.Records); err != nil {
		return FetchResult{}, err
	}
	// An attempt that already fetched and heartbeated the last page (Pages > 0
	// with no cursor left) has nothing more to fetch; the empty cursor would
	// otherwise start the roster over on top of the stored records.
	for p.Pages == 0 || p.Cursor != "" {
		page, err := src.FetchPage(ctx, p.Cursor)
		if err != nil {
			return FetchResult{}, fmt.Errorf("unable to fetch page %d from %s source: %w", p.Pages+1, in.Source.Kind, err)
		}
		records := make([]roster.Record, len(page.Records))
		for i, r := range page.Records {
			records[i] = in.Rules.Minimize(r)
		}
		if err := a.Store.AppendRecords(ctx, snapshotID, p.Records, records); err != nil {
			return FetchResult{}, err
		}
		p.Records += len(records)
		p.Pages++
		p.Cursor = page.Next
		activity.RecordHeartbeat(ctx, p)
	}
	if err := a.Store.FinishSnapshot(ctx, snapshotID, p.Records); err != nil {
		return FetchResult{}, err
	}
	return FetchResult{SnapshotID: snapshotID, Records: p.Records, Pages: p.Pages}, nil
}
