package demotest

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hrsync/hrsync/roster"
)

// HRISOptions configures a demo HRIS.
type HRISOptions struct {
	// Employees is how many employees to generate when there is no state
	// file: 0 means 200, a negative number means none.
	Employees int
	// Seed makes the generated roster; the same seed gives the same people.
	Seed int64
	// StatePath is the JSON file the HRIS keeps its state in; "" keeps it in
	// memory only.
	StatePath string
	// PageSize is the page size when a request names none: 0 means 50, and
	// it is at most 500.
	PageSize int
	// Token, when set, is the bearer token every request must carry.
	Token string
}

// HRIS is the demo source of employees: an in-process HTTP server holding a
// roster that tests and people in dev mode can change. It is safe for
// concurrent use.
type HRIS struct {
	opts    HRISOptions
	faults  faults
	handler http.Handler

	mu   sync.Mutex
	byID map[string]roster.Employee
	// ids is every id in order, built when a listing needs it; nil after a
	// change that adds or removes an employee.
	ids []string
	// raw holds values served in place of an employee's validated ones.
	raw map[string]map[string]string
	// modified is when each employee was last created, changed or
	// terminated (or had a raw value set), in UTC, by id: what
	// modified_after filters on.
	modified map[string]time.Time
	// removed keeps the last record of each employee removed (see Remove)
	// and when, as a tombstone a modified_after listing shows.
	removed map[string]Tombstone
}

// Tombstone is an employee removed from the HRIS: their last record and
// when they went.
type Tombstone struct {
	At       time.Time       `json:"at"`
	Employee roster.Employee `json:"employee"`
}

// hrisState is what the state file holds.
type hrisState struct {
	Employees []roster.Employee            `json:"employees"`
	Raw       map[string]map[string]string `json:"raw,omitempty"`
	// Modified is when each employee was last modified; an employee
	// missing from it counts as modified when the state is loaded.
	Modified map[string]time.Time `json:"modified,omitempty"`
	// Removed are the tombstones of the employees removed.
	Removed map[string]Tombstone `json:"removed,omitempty"`
}

// NewHRIS loads the HRIS's state from opts.StatePath, or generates a roster
// (and saves it) when there is none yet. Generated employees, and loaded
// ones whose modification time the state does not hold, count as modified
// now.
func NewHRIS(opts HRISOptions) (*HRIS, error) {
	switch {
	case opts.Employees == 0:
		opts.Employees = 200
	case opts.Employees < 0:
		opts.Employees = 0
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 50
	}
	opts.PageSize = min(opts.PageSize, maxLimit)
	h := &HRIS{opts: opts, byID: map[string]roster.Employee{}, raw: map[string]map[string]string{},
		modified: map[string]time.Time{}, removed: map[string]Tombstone{}}
	at := time.Now().UTC()

	var st hrisState
	found := false
	if opts.StatePath != "" {
		var err error
		if found, err = loadState(opts.StatePath, &st); err != nil {
			return nil, err
		}
	}
	if !found {
		st.Employees = generate(opts.Employees, opts.Seed)
	}
	for _, e := range st.Employees {
		h.byID[e.ID] = e
		h.modified[e.ID] = at
		if t, ok := st.Modified[e.ID]; ok && !t.IsZero() {
			h.modified[e.ID] = t.UTC()
		}
	}
	for id, fields := range st.Raw {
		h.raw[id] = fields
	}
	for id, t := range st.Removed {
		h.removed[id] = t
	}
	if !found {
		if err := h.save(); err != nil {
			return nil, err
		}
	}
	h.routes()
	return h, nil
}

// FailNext makes the next n API requests answer with status instead, with
// Retry-After: 1 on a 429 or 503, so callers' retries can be tested.
func (h *HRIS) FailNext(n, status int) { h.faults.set(n, status) }

// Employees returns every employee, terminated ones included, ordered by id.
func (h *HRIS) Employees() []roster.Employee {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.sorted()
}

// Get returns the employee with id, and false when there is none.
func (h *HRIS) Get(id string) (roster.Employee, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	e, ok := h.byID[id]
	return clone(e), ok
}

// Add stores a new employee. An empty id gets the next free E####; an id
// already taken, or missing required fields, is an error.
func (h *HRIS) Add(e roster.Employee) error {
	_, err := h.add(e)
	return err
}

// Update changes the employee with id through fn; the result must still be
// a valid employee with the same id.
func (h *HRIS) Update(id string, fn func(*roster.Employee)) error {
	_, err := h.update(id, func(e *roster.Employee) error {
		fn(e)
		return nil
	})
	return err
}

// Terminate marks the employee inactive with the given exit date; a zero
// date means today.
func (h *HRIS) Terminate(id string, exitDate roster.Date) error {
	_, err := h.terminate(id, exitDate)
	return err
}

// add validates and stores e, returning it as stored.
func (h *HRIS) add(e roster.Employee) (roster.Employee, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	e = clone(e)
	if e.ID == "" {
		e.ID = h.nextID()
	}
	if _, ok := h.byID[e.ID]; ok {
		return roster.Employee{}, errorf(http.StatusConflict, "employee %s already exists", e.ID)
	}
	if err := h.validate(&e); err != nil {
		return roster.Employee{}, err
	}
	return e, h.put(e)
}

// update applies fn to a copy of employee id and stores the result.
func (h *HRIS) update(id string, fn func(*roster.Employee) error) (roster.Employee, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	old, ok := h.byID[id]
	if !ok {
		return roster.Employee{}, errorf(http.StatusNotFound, "no employee %s", id)
	}
	e := clone(old)
	if err := fn(&e); err != nil {
		return roster.Employee{}, err
	}
	if e.ID != id {
		return roster.Employee{}, errorf(http.StatusBadRequest, "id: cannot be changed")
	}
	if err := h.validate(&e); err != nil {
		return roster.Employee{}, err
	}
	return e, h.put(e)
}

// terminate sets employee id inactive from exitDate, today when zero.
func (h *HRIS) terminate(id string, exitDate roster.Date) (roster.Employee, error) {
	if exitDate.IsZero() {
		exitDate = roster.DateOf(time.Now())
	}
	return h.update(id, func(e *roster.Employee) error {
		e.Status, e.ExitDate = roster.StatusInactive, exitDate
		return nil
	})
}

// validate checks e against the rest of the roster, filling in defaults.
// The caller holds h.mu.
func (h *HRIS) validate(e *roster.Employee) error {
	switch {
	case !validID(e.ID):
		return errorf(http.StatusBadRequest, "id: must be 1-64 letters, digits, '-' or '_'")
	case e.FirstName == "":
		return errorf(http.StatusBadRequest, "firstName: required")
	}
	if err := checkEmail(e.WorkEmail); err != nil {
		return err
	}
	if err := checkStatus(e); err != nil {
		return err
	}
	if !e.ExitDate.IsZero() && e.ExitDate.Before(e.DateOfJoining) {
		return errorf(http.StatusBadRequest, "exitDate: before dateOfJoining")
	}
	for m, hops := e.ManagerID, 0; m != ""; hops++ {
		if m == e.ID || hops > len(h.byID) {
			return errorf(http.StatusBadRequest, "managerId: would make a reporting loop")
		}
		mgr, ok := h.byID[m]
		if !ok {
			return errorf(http.StatusBadRequest, "managerId: no employee %s", m)
		}
		m = mgr.ManagerID
	}
	return nil
}

// put stores e as modified now and saves, undoing the change if the save
// fails. The caller holds h.mu.
func (h *HRIS) put(e roster.Employee) error {
	old, had := h.byID[e.ID]
	oldAt := h.modified[e.ID]
	tomb, wasRemoved := h.removed[e.ID]
	h.byID[e.ID] = e
	h.modified[e.ID] = time.Now().UTC()
	delete(h.removed, e.ID)
	h.ids = nil
	if err := h.save(); err != nil {
		if wasRemoved {
			h.removed[e.ID] = tomb
		}
		if had {
			h.byID[e.ID], h.modified[e.ID] = old, oldAt
		} else {
			delete(h.byID, e.ID)
			delete(h.modified, e.ID)
		}
		return err
	}
	return nil
}

// save writes the state file, if there is one. The caller holds h.mu.
func (h *HRIS) save() error {
	if h.opts.StatePath == "" {
		return nil
	}
	return saveState(h.opts.StatePath, hrisState{Employees: h.sorted(), Raw: h.raw, Modified: h.modified,
		Removed: h.removed})
}

// sorted lists copies of the employees ordered by id. The caller holds h.mu.
func (h *HRIS) sorted() []roster.Employee {
	out := make([]roster.Employee, 0, len(h.byID))
	for _, e := range h.byID {
		out = append(out, clone(e))
	}
	slices.SortFunc(out, func(a, b roster.Employee) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// page returns up to limit copies of the employees after cursor, in id
// order, and the next cursor. A non-zero since keeps only the employees
// modified at or after it: a pull that asks from the instant the previous
// one started must not miss a change made in that very instant, and
// listing an unchanged employee again is harmless. Such a listing also
// shows the employees removed since, by their tombstones: their last
// record, inactive (see served), as Merge lists a deleted employee.
func (h *HRIS) page(cursor string, limit int, since time.Time) ([]roster.Employee, string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ids == nil {
		h.ids = slices.Sorted(maps.Keys(h.byID))
	}
	all := h.ids
	var keep func(string) bool
	if !since.IsZero() {
		keep = func(id string) bool {
			if t, gone := h.removed[id]; gone {
				return !t.At.Before(since)
			}
			return !h.modified[id].Before(since)
		}
		if len(h.removed) > 0 {
			all = slices.Sorted(slices.Values(append(slices.Clone(h.ids), slices.Collect(maps.Keys(h.removed))...)))
		}
	}
	ids, next, err := pageWhere(all, func(id string) string { return id }, keep, cursor, limit)
	if err != nil {
		return nil, "", err
	}
	out := make([]roster.Employee, len(ids))
	for i, id := range ids {
		e, ok := h.byID[id]
		if !ok {
			e = h.removed[id].Employee
			e.Status = roster.StatusInactive
		}
		out[i] = clone(e)
	}
	return out, next, nil
}

// nextID is the E#### after the highest one in use. The caller holds h.mu.
func (h *HRIS) nextID() string {
	highest := 0
	for id := range h.byID {
		if n, err := strconv.Atoi(strings.TrimPrefix(id, "E")); err == nil && strings.HasPrefix(id, "E") {
			highest = max(highest, n)
		}
	}
	return fmt.Sprintf("E%04d", highest+1)
}
