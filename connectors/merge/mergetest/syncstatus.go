package mergetest

import (
	"net/http"
	"time"
)

// syncStatus is one model's SyncStatus.
type syncStatus struct {
	ModelName        string     `json:"model_name"`
	ModelID          string     `json:"model_id"`
	LastSyncStart    *time.Time `json:"last_sync_start"`
	NextSyncStart    *time.Time `json:"next_sync_start"`
	LastSyncResult   *string    `json:"last_sync_result"`
	LastSyncFinished *time.Time `json:"last_sync_finished"`
	Status           string     `json:"status"`
	IsInitialSync    bool       `json:"is_initial_sync"`
	SelectiveSync    *string    `json:"selective_sync_configurations_usage"`
}

// handleSyncStatus serves GET /sync-status: the Employee model's status as
// set, and the other HRIS models done.
func (s *Server) handleSyncStatus(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	status, initial, last := s.syncStatus, s.initialSync, s.lastSync
	s.mu.Unlock()
	now := time.Now().UTC()
	next := now.Add(time.Hour)
	done := SyncDone
	model := func(name, st string, initial bool) syncStatus {
		ss := syncStatus{ModelName: name, ModelID: "hris." + name, NextSyncStart: &next, Status: st, IsInitialSync: initial}
		ss.LastSyncStart = &last
		if !initial {
			finished := last.Add(time.Minute)
			ss.LastSyncFinished, ss.LastSyncResult = &finished, &done
		}
		return ss
	}
	page := listPage{Results: []any{
		model("Company", SyncDone, false),
		model("Employee", status, initial),
		model("Employment", SyncDone, false),
		model("Group", SyncDone, false),
		model("Location", SyncDone, false),
	}}
	writeJSON(w, http.StatusOK, page)
}
