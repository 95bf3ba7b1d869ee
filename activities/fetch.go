package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
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
	// Incremental is true when only the changes since the previous pull were
	// read; Changed counts them.
	Incremental bool
	Changed     int
}

// FetchProgress is the heartbeat of a fetch: where to resume after a retry,
// and which kind of pull the attempt began, so a retry finishes the same one.
// Operators read it, through Temporal, to show how far a fetch has got.
type FetchProgress struct {
	Cursor  string
	Records int
	Pages   int
	// StartedAt is when the pull began; Since, for an incremental pull, is
	// when the previous one began, and Base its snapshot.
	StartedAt time.Time
	Since     time.Time
	Base      string
	// FailingSince is when the source began failing this fetch, kept
	// across attempts until a page comes through, so status can say how
	// long the HRIS has been unreachable.
	FailingSince time.Time `json:",omitzero"`
	// Seen holds fingerprints of the last cursors this fetch was handed
	// (at most maxSeenCursors), LastPage that of the previous page's
	// records, and Empty how many empty pages in a row named a next page:
	// the loop guards. They ride in the heartbeat so a retry keeps
	// watching for a loop that began before it; a heartbeat written
	// without them starts the watch afresh from its cursor.
	Seen     []string `json:",omitempty"`
	LastPage string   `json:",omitempty"`
	Empty    int      `json:",omitempty"`
}

// Loop guards on the pages of a fetch. A source that hands back a cursor it
// handed before, or the very records of the previous page under a new
// cursor, is looping, and no retry will change that; nor will one that
// sends more records than any roster has.
var maxFetchRecords = 1_000_000

const (
	// maxSeenCursors bounds the cursors remembered: a loop longer than that
	// is still stopped by maxFetchRecords.
	maxSeenCursors = 1000
	// maxEmptyPages is how many empty pages in a row may name a next page.
	maxEmptyPages = 50
)

// fingerprint is a short, fixed-size stand-in for s.
func fingerprint(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// pageFingerprint is a short, fixed-size stand-in for a page's records:
// their ids and values in order, each record's fields in key order.
func pageFingerprint(records []roster.Record) string {
	h := sha256.New()
	var keys []string
	field := func(k, v string) {
		_, _ = io.WriteString(h, k)
		_, _ = h.Write([]byte{0})
		_, _ = io.WriteString(h, v)
		_, _ = h.Write([]byte{0})
	}
	for _, r := range records {
		field("", r.ID)
		for _, m := range []map[string]string{r.Values, r.Unreadable} {
			keys = keys[:0]
			for k := range m {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				field(k, m[k])
			}
			_, _ = h.Write([]byte{1})
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// shown is cursor as an error message shows it: whole when short.
func shown(cursor string) string {
	if len(cursor) > 40 {
		return fmt.Sprintf("%q…", cursor[:40])
	}
	return fmt.Sprintf("%q", cursor)
}

// guardPage stops a fetch whose source loops: page n (1-based) came back
// as page, fetched at p.Cursor. It records what it saw in p.
func guardPage(kind string, p *FetchProgress, n int, page connectors.Page) error {
	if p.Records+len(page.Records) > maxFetchRecords {
		return connectors.Permanent(fmt.Errorf("the %s HRIS sent more than %d records: its paging loops; page %d",
			kind, maxFetchRecords, n))
	}
	if len(page.Records) == 0 {
		p.LastPage = ""
		if page.Next != "" {
			if p.Empty++; p.Empty > maxEmptyPages {
				return connectors.Permanent(fmt.Errorf("the %s HRIS sent %d empty pages in a row: its paging loops; page %d",
					kind, p.Empty, n))
			}
		}
	} else {
		p.Empty = 0
		sum := pageFingerprint(page.Records)
		if sum == p.LastPage {
			return connectors.Permanent(fmt.Errorf("the %s HRIS sent the same %d records as the page before: its paging loops; page %d",
				kind, len(page.Records), n))
		}
		p.LastPage = sum
	}
	if page.Next == "" {
		return nil
	}
	if p.Cursor != "" && !slices.Contains(p.Seen, fingerprint(p.Cursor)) {
		p.Seen = append(p.Seen, fingerprint(p.Cursor)) // a heartbeat from before the guards
	}
	next := fingerprint(page.Next)
	if page.Next == p.Cursor || slices.Contains(p.Seen, next) {
		return connectors.Permanent(fmt.Errorf("the %s HRIS returned cursor %s twice: its paging loops; page %d",
			kind, shown(page.Next), n))
	}
	p.Seen = append(p.Seen, next)
	if len(p.Seen) > maxSeenCursors {
		// A fresh array: the keep-alive may be sending the old one.
		p.Seen = slices.Clone(p.Seen[len(p.Seen)-maxSeenCursors:])
	}
	return nil
}

// defaultFullPullDays is how often a source that can list its changes is
// read in full all the same.
const defaultFullPullDays = 7

// Fetch pages through the source and streams every record into a staged
// snapshot in the store. It heartbeats its cursor after each page, so a
// retried attempt resumes where the last one stopped and writes each record
// exactly once.
//
// A source that can list its changes is read incrementally between full
// pulls: only what changed since the previous pull began is fetched (from
// when it began, because an API's change markers can lag), and laid over
// the previous snapshot, so the snapshot is always the whole roster. A
// full pull runs every few days, and whenever the rules changed.
func (a *Activities) Fetch(ctx context.Context, in FetchInput) (FetchResult, error) {
	res, err := a.fetch(ctx, in)
	return res, classify(err)
}

func (a *Activities) fetch(ctx context.Context, in FetchInput) (FetchResult, error) {
	var p FetchProgress
	if activity.HasHeartbeatDetails(ctx) {
		if err := activity.GetHeartbeatDetails(ctx, &p); err != nil {
			return FetchResult{}, fmt.Errorf("unable to read fetch progress: %w", err)
		}
	}
	// Heartbeats start before the first request: a cancel reaches an
	// activity only in the answer to one, and a slow readiness check must
	// not look like a lost worker.
	alive := startKeepAlive(ctx, p)
	defer alive.stop()
	src, err := a.source(in.IntegrationID, in.Source)
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
	digestKey := ""
	if a.IdentityKeys != nil {
		digestKey = a.IdentityKeys.Current.ID
	}
	rules, err := rulesDigest(in.Rules, digestKey)
	if err != nil {
		return FetchResult{}, err
	}
	if p.StartedAt.IsZero() {
		p.StartedAt = a.now().UTC()
		p.Since, p.Base, err = a.incrementalBase(ctx, in, src, snapshotID, rules)
		if err != nil {
			return FetchResult{}, err
		}
	}
	digest, err := a.digest(in.IntegrationID)
	if err != nil {
		return FetchResult{}, err
	}
	changed, isChanged := src.(connectors.ChangedSource)
	incremental := p.Base != "" && isChanged

	pageInto := snapshotID
	if incremental {
		pageInto = snapshotID + "/changes"
	}
	if err := a.Store.BeginSnapshot(ctx, pageInto, in.IntegrationID, in.SyncID, p.Records); err != nil {
		return FetchResult{}, err
	}
	alive.progress(p)
	// An attempt that already fetched and heartbeated the last page (Pages > 0
	// with no cursor left) has nothing more to fetch; the empty cursor would
	// otherwise start the roster over on top of the stored records.
	for p.Pages == 0 || p.Cursor != "" {
		page, err := retryRead(ctx, retries, func() (connectors.Page, error) {
			if incremental {
				return changed.FetchChangedPage(ctx, p.Since, p.Cursor)
			}
			return src.FetchPage(ctx, p.Cursor)
		})
		if err != nil {
			if p.FailingSince.IsZero() {
				p.FailingSince = a.now().UTC()
			}
			alive.progress(p)
			return FetchResult{}, fmt.Errorf("unable to fetch page %d from %s source: %w", p.Pages+1, in.Source.Kind, err)
		}
		p.FailingSince = time.Time{}
		if err := guardPage(in.Source.Kind, &p, p.Pages+1, page); err != nil {
			return FetchResult{}, err
		}
		records := make([]roster.Record, len(page.Records))
		for i, r := range page.Records {
			records[i] = in.Rules.Minimize(r, digest)
		}
		if err := a.Store.AppendRecords(ctx, pageInto, p.Records, records); err != nil {
			return FetchResult{}, err
		}
		p.Records += len(records)
		p.Pages++
		p.Cursor = page.Next
		alive.progress(p)
	}

	res := FetchResult{SnapshotID: snapshotID, Records: p.Records, Pages: p.Pages}
	pull := store.Pull{At: p.StartedAt, FullAt: p.StartedAt, RulesDigest: rules}
	if !incremental {
		return res, a.finishPull(ctx, snapshotID, res.Records, pull)
	}
	res.Incremental, res.Changed = true, p.Records
	// A retry after the snapshot was composed must not compose it again:
	// the staged changes may already be gone.
	if snap, err := a.Store.GetSnapshot(ctx, snapshotID); err == nil && snap.Complete && snap.Pull.At.Equal(p.StartedAt) {
		res.Records = snap.Count
	} else {
		base, n, err := a.compose(ctx, in, snapshotID, p.Base, pageInto)
		if err != nil {
			return FetchResult{}, err
		}
		res.Records, pull.FullAt = n, base.Pull.FullAt
		if err := a.finishPull(ctx, snapshotID, n, pull); err != nil {
			return FetchResult{}, err
		}
	}
	return res, a.Store.DeleteSnapshot(ctx, pageInto)
}

// finishPull marks snapshot id complete and records how it was pulled.
func (a *Activities) finishPull(ctx context.Context, id string, count int, pull store.Pull) error {
	if err := a.Store.FinishSnapshot(ctx, id, count); err != nil {
		return err
	}
	return a.Store.RecordPull(ctx, id, pull)
}

// incrementalBase decides whether this pull may be incremental, and if so
// returns since when and the snapshot it builds on.
func (a *Activities) incrementalBase(ctx context.Context, in FetchInput, src connectors.Source, snapshotID,
	digest string) (time.Time, string, error) {
	if _, ok := src.(connectors.ChangedSource); !ok || in.Source.FullPullDays < 0 {
		return time.Time{}, "", nil
	}
	days := in.Source.FullPullDays
	if days == 0 {
		days = defaultFullPullDays
	}
	prev, err := a.Store.LatestPull(ctx, in.IntegrationID, snapshotID)
	if errors.Is(err, store.ErrNotFound) {
		return time.Time{}, "", nil
	}
	if err != nil {
		return time.Time{}, "", err
	}
	if prev.Pull.RulesDigest != digest || a.now().Sub(prev.Pull.FullAt) >= time.Duration(days)*24*time.Hour {
		return time.Time{}, "", nil
	}
	return prev.Pull.At, prev.ID, nil
}

// composeBatch is how many records compose writes at a time.
const composeBatch = 1000

// compose writes snapshot id as the base snapshot with the changes laid
// over it, by HRIS id: a changed employee's record takes the place of the
// old one (the last of several changes wins), and new employees follow,
// in the order they first changed. A change without an id stands for no
// one in the base and is added. Only the changes are held in memory;
// the base streams through in batches, however large the roster.
func (a *Activities) compose(ctx context.Context, in FetchInput, id, baseID, changesID string) (store.Snapshot, int, error) {
	base, err := a.Store.GetSnapshot(ctx, baseID)
	if err != nil {
		return store.Snapshot{}, 0, err
	}
	changes, err := a.Store.SnapshotRecords(ctx, changesID)
	if err != nil {
		return store.Snapshot{}, 0, err
	}
	latest := make(map[string]int, len(changes))
	var added []int // positions in changes of what follows the base
	for i, r := range changes {
		if _, seen := latest[r.ID]; !seen || r.ID == "" {
			added = append(added, i)
		}
		latest[r.ID] = i
	}
	if err := a.Store.BeginSnapshot(ctx, id, in.IntegrationID, in.SyncID, 0); err != nil {
		return store.Snapshot{}, 0, err
	}
	n := 0
	batch := make([]roster.Record, 0, composeBatch)
	flush := func() error {
		if err := a.Store.AppendRecords(ctx, id, n, batch); err != nil {
			return err
		}
		n += len(batch)
		batch = batch[:0]
		return nil
	}
	placed := make(map[string]bool, len(changes))
	err = a.Store.ScanSnapshot(ctx, baseID, func(r roster.Record) error {
		if i, ok := latest[r.ID]; ok && r.ID != "" {
			r = changes[i]
			placed[r.ID] = true
		}
		if batch = append(batch, r); len(batch) == composeBatch {
			return flush()
		}
		return nil
	})
	if err != nil {
		return store.Snapshot{}, 0, err
	}
	for _, i := range added {
		switch r := changes[i]; {
		case r.ID == "":
			batch = append(batch, r)
		case !placed[r.ID]:
			batch = append(batch, changes[latest[r.ID]])
		}
	}
	if err := flush(); err != nil {
		return store.Snapshot{}, 0, err
	}
	return base, n, nil
}

// digest returns the keyed digest of identity values for integrationID, or
// nil when the worker has no identity keys and keeps none.
func (a *Activities) digest(integrationID string) (roster.Digest, error) {
	if a.IdentityKeys == nil {
		return nil, nil
	}
	d, err := a.IdentityKeys.Digester(integrationID)
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("unable to make identity digests: %w", err))
	}
	return d.Digest, nil
}

// recordVersion changes when what sources put in a record does, so a pull
// never builds on records made the old way.
const recordVersion = 2

// rulesDigest fingerprints the rules that decide which fields are kept,
// and the key a date of birth kept as a digest is digested with: a pull
// that begins keeping digests, or makes them with a new key, must not build
// on records that have none or older ones.
func rulesDigest(r roster.Rules, digestKey string) (string, error) {
	if !r.DigestsDateOfBirth() {
		digestKey = ""
	}
	data, err := json.Marshal(struct {
		// Records is how sources write records: 2 since they carry the
		// vendor's own status word for the statusMap.
		Records   int
		Fields    roster.FieldSelection
		Mapping   []roster.MapRule
		DigestKey string `json:",omitempty"`
	}{recordVersion, r.Fields, r.Mapping, digestKey})
	if err != nil {
		return "", fmt.Errorf("unable to fingerprint the rules: %w", err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}
