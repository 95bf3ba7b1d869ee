package merge

import (
	"strings"

	"github.com/hrsync/hrsync/roster"
)

// ValueStatusRaw names the Record value that carries an employment_status
// hrsync could not map. The record's status is then left empty, so
// hrsync's validation reports the employee instead of guessing.
const ValueStatusRaw = "statusRaw"

// statusOf maps e's employment_status: a record deleted in the HRIS is
// inactive; otherwise Config.StatusMap is consulted first, then ACTIVE and
// PENDING are active and INACTIVE inactive. It returns "" and the raw
// value when none of these applies, including when Merge sent no status.
func (s *Source) statusOf(e employee) (roster.Status, string) {
	if e.RemoteWasDeleted {
		return roster.StatusInactive, ""
	}
	raw := strings.TrimSpace(e.EmploymentStatus)
	if st, ok := s.statusMap[strings.ToLower(raw)]; ok && raw != "" {
		return st, ""
	}
	switch strings.ToUpper(raw) {
	case "ACTIVE", "PENDING":
		return roster.StatusActive, ""
	case "INACTIVE":
		return roster.StatusInactive, ""
	}
	return "", raw
}
