package merge

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/hrsync/hrsync/roster"
)

// employee is the part of Merge's Employee common model hrsync reads.
// JSON null leaves a string empty.
type employee struct {
	ID                string            `json:"id"`
	EmployeeNumber    string            `json:"employee_number"`
	FirstName         string            `json:"first_name"`
	LastName          string            `json:"last_name"`
	PreferredName     string            `json:"preferred_name"`
	WorkEmail         string            `json:"work_email"`
	PersonalEmail     string            `json:"personal_email"`
	MobilePhoneNumber string            `json:"mobile_phone_number"`
	DateOfBirth       string            `json:"date_of_birth"`
	HireDate          string            `json:"hire_date"`
	StartDate         string            `json:"start_date"`
	TerminationDate   string            `json:"termination_date"`
	EmploymentStatus  string            `json:"employment_status"`
	RemoteWasDeleted  bool              `json:"remote_was_deleted"`
	Manager           json.RawMessage   `json:"manager"`     // id, or Employee with expand=manager
	Employments       []json.RawMessage `json:"employments"` // ids, or Employments when expanded
}

// employment is the part of an expanded Employment hrsync reads.
type employment struct {
	JobTitle         string `json:"job_title"`
	EmploymentType   string `json:"employment_type"`
	EffectiveDate    string `json:"effective_date"`
	RemoteWasDeleted bool   `json:"remote_was_deleted"`
}

// recordOf turns e into a Record keyed by catalogue field names; now
// decides which employment is current.
func (s *Source) recordOf(e employee, now time.Time) roster.Record {
	rec := roster.Record{ID: e.ID, Values: map[string]string{}}
	set := func(f roster.Field, v string) {
		if strings.TrimSpace(v) != "" {
			rec.Values[string(f)] = v
		}
	}
	set(roster.FieldEmployeeNumber, e.EmployeeNumber)
	set(roster.FieldFirstName, e.FirstName)
	set(roster.FieldLastName, e.LastName)
	set(roster.FieldPreferredName, e.PreferredName)
	set(roster.FieldWorkEmail, e.WorkEmail)
	set(roster.FieldPersonalEmail, e.PersonalEmail)
	set(roster.FieldWorkPhone, e.MobilePhoneNumber)
	set(roster.FieldDateOfBirth, e.DateOfBirth)
	joined := e.StartDate
	if strings.TrimSpace(joined) == "" {
		joined = e.HireDate
	}
	set(roster.FieldDateOfJoining, joined)
	set(roster.FieldExitDate, e.TerminationDate)
	set(roster.FieldManagerID, relationID(e.Manager))
	if job, ok := currentEmployment(e.Employments, now); ok {
		set(roster.FieldJobTitle, job.JobTitle)
		set(roster.FieldEmploymentType, job.EmploymentType)
	}
	status, raw := s.statusOf(e)
	set(roster.FieldStatus, string(status))
	if status == "" {
		set(ValueStatusRaw, raw)
	}
	return rec
}

// relationID reads a relation served as an id or as an expanded object
// with an id; anything else is no relation.
func relationID(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	var id string
	if json.Unmarshal(raw, &id) == nil {
		return id
	}
	var obj struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(raw, &obj) == nil {
		return obj.ID
	}
	return ""
}

// currentEmployment picks, from the expanded employments, the one with
// the latest effective_date not in the future; failing that, the latest
// of all. Deleted employments and bare ids are skipped.
func currentEmployment(raws []json.RawMessage, now time.Time) (employment, bool) {
	var best, future employment
	var bestAt, futureAt time.Time
	found, foundFuture := false, false
	for _, raw := range raws {
		var job employment
		if json.Unmarshal(raw, &job) != nil || job.RemoteWasDeleted {
			continue
		}
		at, _ := time.Parse(time.RFC3339Nano, job.EffectiveDate)
		if at.After(now) {
			if !foundFuture || at.After(futureAt) {
				future, futureAt, foundFuture = job, at, true
			}
			continue
		}
		if !found || at.After(bestAt) {
			best, bestAt, found = job, at, true
		}
	}
	if found {
		return best, true
	}
	return future, foundFuture
}
