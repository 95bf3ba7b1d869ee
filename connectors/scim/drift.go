package scim

import (
	"fmt"
	"sync"

	"github.com/hrsync/hrsync/connectors"
)

var _ connectors.DriftReporter = (*Client)(nil)

// driftNotes collects what the client's writes found changed in the
// directory behind hrsync's back, until the caller asks (see Drift).
type driftNotes struct {
	mu    sync.Mutex
	first string
	more  int
}

// note records one finding.
func (d *driftNotes) note(format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.first == "" {
		d.first = fmt.Sprintf(format, args...)
		return
	}
	d.more++
}

// Drift says what the client's writes found changed in the directory since
// it was last asked — a user whose version had moved on (412), a create
// that met a user hrsync did not know of (409) — and forgets it; "" for
// nothing.
func (c *Client) Drift() string {
	c.drift.mu.Lock()
	defer c.drift.mu.Unlock()
	out := c.drift.first
	if c.drift.more > 0 {
		out += fmt.Sprintf(" (and %d more)", c.drift.more)
	}
	c.drift.first, c.drift.more = "", 0
	return out
}
