package merge

import (
	"strings"

	"github.com/hrsync/hrsync/roster"
)

// statusOf reads e's employment_status. A record deleted in the HRIS is
// inactive whatever it says; otherwise ACTIVE and PENDING are active and
// INACTIVE inactive, and any other word (Merge passes a vendor's own
// through when it has no clear mapping) is left to the rules' status map.
// raw is the word as Merge sent it, delivered as statusRaw so that the
// status map may override these readings too; it is empty for a deleted
// record, which no map makes active.
func statusOf(e employee) (roster.Status, text) {
	if e.RemoteWasDeleted.on {
		return roster.StatusInactive, text{}
	}
	raw := e.EmploymentStatus
	raw.s = strings.TrimSpace(raw.s)
	switch strings.ToUpper(raw.s) {
	case "ACTIVE", "PENDING":
		return roster.StatusActive, raw
	case "INACTIVE":
		return roster.StatusInactive, raw
	}
	return "", raw
}
