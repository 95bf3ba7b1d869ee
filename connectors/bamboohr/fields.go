package bamboohr

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hrsync/hrsync/connectors/jsontext"
	"github.com/hrsync/hrsync/roster"
)

// Field names of BambooHR's API that the mapping treats specially.
const (
	fieldID              = "employeeId"
	fieldStatus          = "status"
	fieldTerminationDate = "terminationDate"
	fieldRestricted      = "_restrictedFields"
)

// RestrictedPrefix starts the record value "restricted.<field>" = "true"
// set for each field BambooHR withheld for permission.
const RestrictedPrefix = "restricted."

// unsetDate is how BambooHR writes a date with no value.
const unsetDate = "0000-00-00"

// listExtras are the fields= asked for on the list, beyond those it always
// returns.
const listExtras = "workEmail,hireDate,departmentName,locationName,employmentStatusName,reportsToId"

// Fields returns where each catalogue field comes from: the BambooHR API
// field name. exitDate comes from GET /api/v1/employees/{id}, the others
// from the list.
func Fields() map[roster.Field]string {
	return map[roster.Field]string{
		roster.FieldID:             fieldID,
		roster.FieldFirstName:      "firstName",
		roster.FieldLastName:       "lastName",
		roster.FieldPreferredName:  "preferredName",
		roster.FieldWorkEmail:      "workEmail",
		roster.FieldJobTitle:       "jobTitleName",
		roster.FieldDepartment:     "departmentName",
		roster.FieldLocation:       "locationName",
		roster.FieldEmploymentType: "employmentStatusName",
		roster.FieldDateOfJoining:  "hireDate",
		roster.FieldExitDate:       fieldTerminationDate,
		roster.FieldManagerID:      "reportsToId",
		roster.FieldStatus:         fieldStatus,
	}
}

// catalogueOf maps a BambooHR field name back to its catalogue field.
func catalogueOf() map[string]roster.Field {
	out := map[string]roster.Field{}
	for f, name := range Fields() {
		out[name] = f
	}
	return out
}

// recordAt reads data[i] of a list page into a Record. A field that
// cannot be read is named in the record's Unreadable under the catalogue
// field it feeds; an item that is no employee object, or whose employeeId
// cannot be read, is an unreadable record without an id. An item with no
// employeeId at all is a record without one, which validation reports.
func recordAt(raw json.RawMessage, i int, names map[string]roster.Field) roster.Record {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return roster.Record{Values: map[string]string{}, Unreadable: map[string]string{
			roster.WholeRecord: fmt.Sprintf("data[%d] is %s, not an employee object", i, jsontext.Kind(raw))}}
	}
	id, bad := jsontext.Text(obj[fieldID])
	if bad != "" {
		return roster.Record{Values: map[string]string{}, Unreadable: map[string]string{
			roster.WholeRecord: fmt.Sprintf("data[%d]: %s %s", i, fieldID, bad)}}
	}
	return recordOf(strings.TrimSpace(id), obj, names)
}

// recordOf turns one employee object of the list, id already read, into a
// Record.
func recordOf(id string, raw map[string]json.RawMessage, names map[string]roster.Field) roster.Record {
	rec := roster.Record{ID: id, Values: map[string]string{}}
	unreadable := func(f roster.Field, name, bad string) {
		if rec.Unreadable == nil {
			rec.Unreadable = map[string]string{}
		}
		rec.Unreadable[string(f)] = name + " " + bad
	}
	for name, f := range names {
		if f == roster.FieldID || f == roster.FieldStatus {
			continue
		}
		v, bad := jsontext.Text(raw[name])
		v = strings.TrimSpace(v)
		switch {
		case bad != "":
			unreadable(f, name, bad)
		case v != "" && v != unsetDate:
			rec.Values[string(f)] = v
		}
	}
	status, bad := jsontext.Text(raw[fieldStatus])
	switch status = strings.TrimSpace(status); {
	case bad != "":
		unreadable(roster.FieldStatus, fieldStatus, bad)
	case strings.EqualFold(status, "active"):
		rec.Values[string(roster.FieldStatus)] = string(roster.StatusActive)
	case strings.EqualFold(status, "inactive"):
		rec.Values[string(roster.FieldStatus)] = string(roster.StatusInactive)
	case status != "":
		rec.Values[roster.ValueStatusRaw] = status
	}
	var restricted []json.RawMessage
	_ = json.Unmarshal(raw[fieldRestricted], &restricted) // anything but a list restricts nothing
	for _, item := range restricted {
		name, _ := jsontext.Text(item)
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		key := name
		if f, ok := names[name]; ok {
			key = string(f)
			delete(rec.Values, key)
			delete(rec.Unreadable, key)
		}
		rec.Values[RestrictedPrefix+key] = "true"
	}
	if len(rec.Unreadable) == 0 {
		rec.Unreadable = nil
	}
	return rec
}
