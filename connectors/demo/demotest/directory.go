package demotest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hrsync/hrsync/roster"
)

// DirectoryOptions configures a demo directory.
type DirectoryOptions struct {
	// StatePath is the JSON file the directory keeps its state in; "" keeps
	// it in memory only.
	StatePath string
	// PageSize is the page size when a request names none: 0 means 100, and
	// it is at most 500.
	PageSize int
	// Token, when set, is the bearer token every request must carry.
	Token string
}

// Directory is the demo people platform hrsync keeps in step with the HRIS:
// an in-process HTTP server holding users, each linked to an HRIS employee
// by externalId (the Employee.ID of a roster.User). It is safe for
// concurrent use.
type Directory struct {
	opts    DirectoryOptions
	faults  faults
	handler http.Handler

	mu     sync.Mutex
	nextID int
	users  map[string]userRecord // by target id
}

// userRecord is a stored user and when it last changed.
type userRecord struct {
	roster.User
	Changed time.Time `json:"changed"`
}

// directoryState is what the state file holds.
type directoryState struct {
	NextID int          `json:"nextId"`
	Users  []userRecord `json:"users"`
}

// NewDirectory loads the directory's state from opts.StatePath; without
// one it starts empty.
func NewDirectory(opts DirectoryOptions) (*Directory, error) {
	if opts.PageSize <= 0 {
		opts.PageSize = 100
	}
	opts.PageSize = min(opts.PageSize, maxLimit)
	d := &Directory{opts: opts, nextID: 1, users: map[string]userRecord{}}
	if opts.StatePath != "" {
		var st directoryState
		found, err := loadState(opts.StatePath, &st)
		if err != nil {
			return nil, err
		}
		if found {
			d.nextID = max(st.NextID, 1)
			for _, rec := range st.Users {
				d.users[rec.TargetID] = rec
			}
		} else if err := d.save(); err != nil {
			return nil, err
		}
	}
	d.routes()
	return d, nil
}

// FailNext makes the next n API requests answer with status instead, with
// Retry-After: 1 on a 429 or 503, so callers' retries can be tested.
func (d *Directory) FailNext(n, status int) { d.faults.set(n, status) }

// Users returns every user ordered by target id, which is creation order.
func (d *Directory) Users() []roster.User {
	recs := d.records()
	out := make([]roster.User, len(recs))
	for i, rec := range recs {
		out[i] = rec.User
	}
	return out
}

// Get returns the user with targetID, and false when there is none.
func (d *Directory) Get(targetID string) (roster.User, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	rec, ok := d.users[targetID]
	return cloneUser(rec.User), ok
}

// UserByExternalID returns the user linked to the HRIS id, and false when
// there is none.
func (d *Directory) UserByExternalID(id string) (roster.User, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	rec, ok := d.byExternalID(id)
	return cloneUser(rec.User), ok
}

// Add stores a new user, as an administrator creating one by hand would;
// an empty Employee.ID leaves it unlinked. The directory assigns TargetID
// and the stored user is returned.
func (d *Directory) Add(u roster.User) (roster.User, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	u = cloneUser(u)
	u.TargetID = fmt.Sprintf("u-%06d", d.nextID)
	if err := d.check(&u); err != nil {
		return roster.User{}, err
	}
	d.nextID++
	if err := d.put(u); err != nil {
		d.nextID--
		return roster.User{}, err
	}
	return cloneUser(u), nil
}

// update applies fn to a copy of user targetID and stores the result.
func (d *Directory) update(targetID string, fn func(*roster.User) error) (roster.User, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	rec, ok := d.users[targetID]
	if !ok {
		return roster.User{}, errorf(http.StatusNotFound, "no user %s", targetID)
	}
	u := cloneUser(rec.User)
	if err := fn(&u); err != nil {
		return roster.User{}, err
	}
	u.TargetID = targetID
	if err := d.check(&u); err != nil {
		return roster.User{}, err
	}
	return cloneUser(u), d.put(u)
}

// check validates u and refuses a work email or externalId another user
// already has. The caller holds d.mu.
func (d *Directory) check(u *roster.User) error {
	e := &u.Employee
	if e.ID != "" && !validID(e.ID) {
		return errorf(http.StatusBadRequest, "employee.id: must be 1-64 letters, digits, '-' or '_'")
	}
	if err := checkEmail(e.WorkEmail); err != nil {
		return err
	}
	if e.Status != "" {
		if err := checkStatus(e); err != nil {
			return err
		}
	}
	email := roster.NormalEmail(e.WorkEmail)
	for _, other := range d.users {
		if other.TargetID == u.TargetID {
			continue
		}
		if roster.NormalEmail(other.Employee.WorkEmail) == email {
			return errorf(http.StatusConflict, "workEmail: already the userName of user %s", other.TargetID)
		}
		if e.ID != "" && other.Employee.ID == e.ID {
			return errorf(http.StatusConflict, "externalId %s: already linked to user %s", e.ID, other.TargetID)
		}
	}
	return nil
}

// put stores u as changed now and saves, undoing the change if the save
// fails. The caller holds d.mu.
func (d *Directory) put(u roster.User) error {
	old, had := d.users[u.TargetID]
	d.users[u.TargetID] = userRecord{User: u, Changed: time.Now().UTC()}
	if err := d.save(); err != nil {
		if had {
			d.users[u.TargetID] = old
		} else {
			delete(d.users, u.TargetID)
		}
		return err
	}
	return nil
}

// save writes the state file, if there is one. The caller holds d.mu.
func (d *Directory) save() error {
	if d.opts.StatePath == "" {
		return nil
	}
	return saveState(d.opts.StatePath, directoryState{NextID: d.nextID, Users: d.sorted()})
}

// records lists copies of the stored users ordered by target id.
func (d *Directory) records() []userRecord {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.sorted()
}

// sorted lists copies of the stored users ordered by target id. The caller
// holds d.mu.
func (d *Directory) sorted() []userRecord {
	out := make([]userRecord, 0, len(d.users))
	for _, rec := range d.users {
		rec.User = cloneUser(rec.User)
		out = append(out, rec)
	}
	slices.SortFunc(out, func(a, b userRecord) int { return strings.Compare(a.TargetID, b.TargetID) })
	return out
}

// byExternalID finds the user linked to id. The caller holds d.mu.
func (d *Directory) byExternalID(id string) (userRecord, bool) {
	if id == "" {
		return userRecord{}, false
	}
	for _, rec := range d.users {
		if rec.Employee.ID == id {
			return rec, true
		}
	}
	return userRecord{}, false
}

// cloneUser copies u deeply enough that changing the copy leaves u alone.
func cloneUser(u roster.User) roster.User {
	u.Employee = clone(u.Employee)
	return u
}
