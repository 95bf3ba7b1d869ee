package bamboohr

import (
	"strconv"
	"strings"

	"github.com/hrsync/hrsync/roster"
)

// Field names of BambooHR's API that the mapping treats specially.
const (
	fieldID              = "employeeId"
	fieldStatus          = "status"
	fieldTerminationDate = "terminationDate"
	fieldRestricted      = "_restrictedFields"
)

// StatusRawValue is the record value holding a status that is neither
// Active nor Inactive.
const StatusRawValue = "statusRaw"

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

// recordOf turns one employee of the list into a Record.
func recordOf(raw map[string]any, names map[string]roster.Field) roster.Record {
	rec := roster.Record{ID: text(raw[fieldID]), Values: map[string]string{}}
	for name, f := range names {
		if f == roster.FieldID || f == roster.FieldStatus {
			continue
		}
		if v := text(raw[name]); v != "" && v != unsetDate {
			rec.Values[string(f)] = v
		}
	}
	switch status := text(raw[fieldStatus]); {
	case strings.EqualFold(status, "active"):
		rec.Values[string(roster.FieldStatus)] = string(roster.StatusActive)
	case strings.EqualFold(status, "inactive"):
		rec.Values[string(roster.FieldStatus)] = string(roster.StatusInactive)
	case status != "":
		rec.Values[StatusRawValue] = status
	}
	if list, ok := raw[fieldRestricted].([]any); ok {
		for _, item := range list {
			name := text(item)
			if name == "" {
				continue
			}
			key := name
			if f, ok := names[name]; ok {
				key = string(f)
				delete(rec.Values, key)
			}
			rec.Values[RestrictedPrefix+key] = "true"
		}
	}
	return rec
}

// text is a JSON value as text: strings trimmed, numbers without exponent,
// anything else (null, objects) empty.
func text(v any) string {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}
