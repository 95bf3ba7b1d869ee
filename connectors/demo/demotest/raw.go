package demotest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hrsync/hrsync/roster"
)

// SetRaw makes the HRIS serve value for field of employee id in place of the
// validated value, as real HRIS exports carry messy data: a date in another
// format, a duplicate email, a manager who is not on the list. field is a
// JSON field name (custom fields as custom.<key>); an empty value removes
// the override.
func (h *HRIS) SetRaw(id, field, value string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.byID[id]; !ok {
		return errorf(http.StatusNotFound, "no employee %s", id)
	}
	if field == "" || field == "id" {
		return errorf(http.StatusBadRequest, "field: must name a field other than id")
	}
	old := h.raw[id]
	fields := map[string]string{}
	for k, v := range old {
		fields[k] = v
	}
	if value == "" {
		delete(fields, field)
	} else {
		fields[field] = value
	}
	if len(fields) == 0 {
		delete(h.raw, id)
	} else {
		h.raw[id] = fields
	}
	oldAt := h.modified[id]
	h.modified[id] = time.Now().UTC() // what the API serves of id changed
	if err := h.save(); err != nil {
		h.modified[id] = oldAt
		if old == nil {
			delete(h.raw, id)
		} else {
			h.raw[id] = old
		}
		return err
	}
	return nil
}

// DeletedKey marks, in a modified_after listing, the tombstone of an
// employee removed from the HRIS.
const DeletedKey = "deleted"

// served is employee e as the API sends it: its JSON with its modifiedAt
// and any raw values laid over.
func (h *HRIS) served(e roster.Employee) (map[string]any, error) {
	data, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("unable to encode employee %s: %w", e.ID, err)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("unable to encode employee %s: %w", e.ID, err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if at, ok := h.modified[e.ID]; ok {
		out["modifiedAt"] = at.Format(time.RFC3339Nano)
	}
	if t, gone := h.removed[e.ID]; gone {
		out["modifiedAt"] = t.At.Format(time.RFC3339Nano)
		out[DeletedKey] = true
	}
	for field, value := range h.raw[e.ID] {
		if key, ok := strings.CutPrefix(field, "custom."); ok {
			custom, _ := out["custom"].(map[string]any)
			if custom == nil {
				custom = map[string]any{}
			}
			custom[key] = value
			out["custom"] = custom
			continue
		}
		out[field] = value
	}
	return out, nil
}

// handleRaw serves PUT /api/employees/{id}/raw with {"field":…,"value":…}.
func (h *HRIS) handleRaw(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Field string `json:"field"`
		Value string `json:"value"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeError(w, errorf(http.StatusBadRequest, "body: %v", err))
		return
	}
	id := r.PathValue("id")
	if err := h.SetRaw(id, body.Field, body.Value); err != nil {
		writeError(w, err)
		return
	}
	served, err := h.served(h.mustGet(id))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, served)
}

// mustGet returns employee id, which the caller knows exists.
func (h *HRIS) mustGet(id string) roster.Employee {
	e, _ := h.Get(id)
	return e
}

// Remove drops employee id from the HRIS altogether, as when a record is
// deleted or falls out of an export, rather than terminated. A full
// listing no longer shows the employee; a modified_after listing shows
// their tombstone: their last record, inactive and marked deleted.
func (h *HRIS) Remove(id string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	old, ok := h.byID[id]
	if !ok {
		return errorf(http.StatusNotFound, "no employee %s", id)
	}
	oldRaw, oldAt := h.raw[id], h.modified[id]
	delete(h.byID, id)
	h.ids = nil
	delete(h.raw, id)
	delete(h.modified, id)
	h.removed[id] = Tombstone{At: time.Now().UTC(), Employee: old}
	if err := h.save(); err != nil {
		delete(h.removed, id)
		h.byID[id], h.modified[id] = old, oldAt
		if oldRaw != nil {
			h.raw[id] = oldRaw
		}
		return err
	}
	return nil
}

// handleDelete serves DELETE /api/employees/{id}.
func (h *HRIS) handleDelete(w http.ResponseWriter, r *http.Request) {
	if err := h.Remove(r.PathValue("id")); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
