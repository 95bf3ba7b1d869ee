package merge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hrsync/hrsync/connectors/jsontext"
	"github.com/hrsync/hrsync/roster"
)

// employee is the part of Merge's Employee common model hrsync reads. Every
// field is read tolerantly (see text and flag): JSON null leaves a value
// empty, and a value of the wrong type is noted, not fatal.
type employee struct {
	ID                text            `json:"id"`
	EmployeeNumber    text            `json:"employee_number"`
	FirstName         text            `json:"first_name"`
	LastName          text            `json:"last_name"`
	PreferredName     text            `json:"preferred_name"`
	WorkEmail         text            `json:"work_email"`
	PersonalEmail     text            `json:"personal_email"`
	MobilePhoneNumber text            `json:"mobile_phone_number"`
	DateOfBirth       text            `json:"date_of_birth"`
	HireDate          text            `json:"hire_date"`
	StartDate         text            `json:"start_date"`
	TerminationDate   text            `json:"termination_date"`
	EmploymentStatus  text            `json:"employment_status"`
	RemoteWasDeleted  flag            `json:"remote_was_deleted"`
	Manager           json.RawMessage `json:"manager"`     // id, or Employee with expand=manager
	Employments       json.RawMessage `json:"employments"` // ids, or Employments when expanded
}

// employment is the part of an expanded Employment hrsync reads.
type employment struct {
	JobTitle         text `json:"job_title"`
	EmploymentType   text `json:"employment_type"`
	EffectiveDate    text `json:"effective_date"`
	RemoteWasDeleted flag `json:"remote_was_deleted"`
}

// recordAt reads results[i] of a page into a Record keyed by catalogue
// field names; now decides which employment is current. A value that
// cannot be read is noted in Record.Unreadable under the field it feeds,
// naming Merge's field; an element that is not an employee object at all,
// or whose id cannot be read, is an unreadable record without an id.
func recordAt(raw json.RawMessage, i int, now time.Time) roster.Record {
	var e employee
	if err := json.Unmarshal(raw, &e); err != nil || isNull(raw) {
		return roster.Record{Values: map[string]string{}, Unreadable: map[string]string{
			roster.WholeRecord: fmt.Sprintf("results[%d] is %s, not an employee object", i, jsontext.Kind(raw))}}
	}
	if e.ID.bad != "" {
		return roster.Record{Values: map[string]string{}, Unreadable: map[string]string{
			roster.WholeRecord: fmt.Sprintf("results[%d]: id %s", i, e.ID.bad)}}
	}
	return recordOf(e, now)
}

// recordOf turns e into a Record keyed by catalogue field names; now
// decides which employment is current.
func recordOf(e employee, now time.Time) roster.Record {
	rec := roster.Record{ID: strings.TrimSpace(e.ID.s), Values: map[string]string{}}
	set := func(f roster.Field, name string, v text) {
		switch {
		case v.bad != "":
			if rec.Unreadable == nil {
				rec.Unreadable = map[string]string{}
			}
			rec.Unreadable[string(f)] = name + " " + v.bad
		case strings.TrimSpace(v.s) != "":
			rec.Values[string(f)] = v.s
		}
	}
	set(roster.FieldEmployeeNumber, "employee_number", e.EmployeeNumber)
	set(roster.FieldFirstName, "first_name", e.FirstName)
	set(roster.FieldLastName, "last_name", e.LastName)
	set(roster.FieldPreferredName, "preferred_name", e.PreferredName)
	set(roster.FieldWorkEmail, "work_email", e.WorkEmail)
	set(roster.FieldPersonalEmail, "personal_email", e.PersonalEmail)
	set(roster.FieldWorkPhone, "mobile_phone_number", e.MobilePhoneNumber)
	set(roster.FieldDateOfBirth, "date_of_birth", e.DateOfBirth)
	if e.StartDate.bad == "" && strings.TrimSpace(e.StartDate.s) == "" {
		set(roster.FieldDateOfJoining, "hire_date", e.HireDate)
	} else {
		set(roster.FieldDateOfJoining, "start_date", e.StartDate)
	}
	set(roster.FieldExitDate, "termination_date", e.TerminationDate)
	set(roster.FieldManagerID, "manager", relationID(e.Manager))
	if job, bad := currentEmployment(e.Employments, now); bad != "" {
		set(roster.FieldJobTitle, "employments", text{bad: bad})
		set(roster.FieldEmploymentType, "employments", text{bad: bad})
	} else {
		set(roster.FieldJobTitle, "job_title", job.JobTitle)
		set(roster.FieldEmploymentType, "employment_type", job.EmploymentType)
	}
	switch status, raw := statusOf(e); {
	case e.RemoteWasDeleted.bad != "":
		set(roster.FieldStatus, "remote_was_deleted", text{bad: e.RemoteWasDeleted.bad})
	case raw.bad != "":
		set(roster.FieldStatus, "employment_status", raw)
	default:
		set(roster.FieldStatus, "employment_status", text{s: string(status)})
		set(roster.ValueStatusRaw, "employment_status", raw)
	}
	return rec
}

// relationID reads a relation served as an id or as an expanded object
// with an id; null is no relation, anything else cannot be read.
func relationID(raw json.RawMessage) text {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || isNull(raw):
		return text{}
	case raw[0] == '"' || raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'):
		id, _ := jsontext.Text(raw)
		return text{s: id}
	case raw[0] == '{':
		var obj struct {
			ID text `json:"id"`
		}
		if err := json.Unmarshal(raw, &obj); err != nil || obj.ID.bad != "" {
			return text{bad: "holds an object whose id cannot be read"}
		}
		return obj.ID
	}
	return text{bad: "holds " + jsontext.Kind(raw) + ", not an employee id"}
}

// currentEmployment picks, from the expanded employments, the one with
// the latest effective_date not in the future; failing that, the latest
// of all. Deleted employments and bare ids are skipped. bad says why the
// list itself cannot be read (it is neither null nor a list).
func currentEmployment(raw json.RawMessage, now time.Time) (job employment, bad string) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || isNull(raw) {
		return employment{}, ""
	}
	var raws []json.RawMessage
	if raw[0] != '[' || json.Unmarshal(raw, &raws) != nil {
		return employment{}, "holds " + jsontext.Kind(raw) + ", not a list"
	}
	var best, future employment
	var bestAt, futureAt time.Time
	found, foundFuture := false, false
	for _, item := range raws {
		if item = bytes.TrimSpace(item); len(item) == 0 || item[0] != '{' {
			continue // an id: the employment is not expanded
		}
		var job employment
		if json.Unmarshal(item, &job) != nil || job.RemoteWasDeleted.on {
			continue
		}
		at, _ := time.Parse(time.RFC3339Nano, strings.TrimSpace(job.EffectiveDate.s))
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
		return best, ""
	}
	return future, ""
}

// isNull reports whether raw is JSON null.
func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }
