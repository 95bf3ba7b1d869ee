package merge

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/httpx"
)

// syncStatusPath lists the linked account's per-model sync statuses.
const syncStatusPath = "/api/hris/v1/sync-status"

// maxStatusPages bounds the walk over sync-status pages.
const maxStatusPages = 20

// syncStatus is one model's entry of GET /sync-status.
type syncStatus struct {
	ModelName     string `json:"model_name"`
	ModelID       string `json:"model_id"`
	Status        string `json:"status"`
	IsInitialSync bool   `json:"is_initial_sync"`
}

// Check reads GET /api/hris/v1/sync-status and says whether the Employee
// model may be read. DONE and PARTIALLY_SYNCED (some fields or models
// failed, employees were synced) are ready, and so is SYNCING after a
// first sync has finished: Merge serves the previous sync's data meanwhile.
// SYNCING with is_initial_sync (no sync has finished yet), FAILED, PAUSED,
// DISABLED, an unknown status, or no Employee model at all answer an error
// wrapping connectors.ErrNotReady, marked permanent.
func (s *Source) Check(ctx context.Context) error {
	cursor := ""
	for range maxStatusPages {
		q := url.Values{"page_size": {strconv.Itoa(MaxPageSize)}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var body struct {
			Next    *string      `json:"next"`
			Results []syncStatus `json:"results"`
		}
		if _, err := s.c.Do(ctx, httpx.Request{Method: http.MethodGet, Path: syncStatusPath, Query: q}, &body); err != nil {
			return err
		}
		for _, st := range body.Results {
			if st.ModelName == "Employee" || st.ModelID == "hris.Employee" {
				return readiness(st)
			}
		}
		if body.Next == nil || *body.Next == "" {
			break
		}
		cursor = *body.Next
	}
	return notReady("the Employee model is not synced for this linked account")
}

// readiness judges the Employee model's status.
func readiness(st syncStatus) error {
	switch st.Status {
	case "DONE", "PARTIALLY_SYNCED":
		return nil
	case "SYNCING":
		if !st.IsInitialSync {
			return nil
		}
		return notReady("the Employee model is in its initial sync (SYNCING)")
	case "FAILED", "PAUSED", "DISABLED":
		return notReady(fmt.Sprintf("the Employee model's sync is %s", st.Status))
	}
	return notReady(fmt.Sprintf("the Employee model's sync status %q is unknown", st.Status))
}

// notReady is a permanent ErrNotReady saying why.
func notReady(why string) error {
	return connectors.Permanent(fmt.Errorf("merge: %w: %s", connectors.ErrNotReady, why))
}
