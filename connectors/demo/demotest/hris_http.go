package demotest

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/hrsync/hrsync/roster"
)

// employeePage is the body of GET /api/employees.
type employeePage struct {
	Employees []map[string]any `json:"employees"`
	Next      string           `json:"next"`
}

// ServeHTTP serves the HRIS's JSON API under /api/ and a readable page at /.
func (h *HRIS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.handler.ServeHTTP(w, r)
}

// routes builds the HRIS's router behind the token check and fault injection.
func (h *HRIS) routes() {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/employees", methods(map[string]http.HandlerFunc{
		http.MethodGet:  h.handleList,
		http.MethodPost: h.handleCreate,
	}))
	mux.HandleFunc("/api/employees/{id}", methods(map[string]http.HandlerFunc{
		http.MethodGet:    h.handleGet,
		http.MethodPatch:  h.handlePatch,
		http.MethodDelete: h.handleDelete,
	}))
	mux.HandleFunc("/api/employees/{id}/terminate", methods(map[string]http.HandlerFunc{
		http.MethodPost: h.handleTerminate,
	}))
	mux.HandleFunc("/api/employees/{id}/raw", methods(map[string]http.HandlerFunc{
		http.MethodPut: h.handleRaw,
	}))
	mux.HandleFunc("/{$}", methods(map[string]http.HandlerFunc{http.MethodGet: h.handlePage}))
	mux.HandleFunc("/", notFound)
	h.handler = guard(h.opts.Token, &h.faults, mux)
}

// handleList serves GET /api/employees?cursor=&limit=&modified_after=:
// everyone, or with modified_after only those modified at or after it,
// paged alike.
func (h *HRIS) handleList(w http.ResponseWriter, r *http.Request) {
	limit, err := parseLimit(r, h.opts.PageSize)
	if err != nil {
		writeError(w, err)
		return
	}
	since, err := parseSince(r)
	if err != nil {
		writeError(w, err)
		return
	}
	page, next, err := h.page(r.URL.Query().Get("cursor"), limit, since)
	if err != nil {
		writeError(w, err)
		return
	}
	served := make([]map[string]any, len(page))
	for i, e := range page {
		if served[i], err = h.served(e); err != nil {
			writeError(w, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, employeePage{Employees: served, Next: next})
}

// handleGet serves GET /api/employees/{id}.
func (h *HRIS) handleGet(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	e, ok := h.Get(id)
	if !ok {
		writeError(w, errorf(http.StatusNotFound, "no employee %s", id))
		return
	}
	served, err := h.served(e)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, served)
}

// handleCreate serves POST /api/employees.
func (h *HRIS) handleCreate(w http.ResponseWriter, r *http.Request) {
	body, err := decodeObject(r, false)
	if err != nil {
		writeError(w, err)
		return
	}
	var e roster.Employee
	if err := mergeEmployee(&e, body); err != nil {
		writeError(w, err)
		return
	}
	stored, err := h.add(e)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, stored)
}

// handlePatch serves PATCH /api/employees/{id}: a JSON merge of the fields
// present in the body.
func (h *HRIS) handlePatch(w http.ResponseWriter, r *http.Request) {
	body, err := decodeObject(r, false)
	if err != nil {
		writeError(w, err)
		return
	}
	stored, err := h.update(r.PathValue("id"), func(e *roster.Employee) error {
		return mergeEmployee(e, body)
	})
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, stored)
}

// handleTerminate serves POST /api/employees/{id}/terminate with an optional
// {"exitDate":"YYYY-MM-DD"}; the exit date defaults to today.
func (h *HRIS) handleTerminate(w http.ResponseWriter, r *http.Request) {
	body, err := decodeObject(r, true)
	if err != nil {
		writeError(w, err)
		return
	}
	var exit roster.Date
	for key, raw := range body {
		if key != string(roster.FieldExitDate) {
			writeError(w, errorf(http.StatusBadRequest, "%s: unknown field", key))
			return
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			writeError(w, errorf(http.StatusBadRequest, "exitDate: must be a YYYY-MM-DD string"))
			return
		}
		if exit, err = roster.ParseISODate(strings.TrimSpace(s)); err != nil {
			writeError(w, errorf(http.StatusBadRequest, "exitDate: must be a YYYY-MM-DD date"))
			return
		}
	}
	stored, err := h.terminate(r.PathValue("id"), exit)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, stored)
}
