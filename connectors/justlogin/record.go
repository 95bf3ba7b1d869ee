package justlogin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/hrsync/hrsync/connectors/jsontext"
	"github.com/hrsync/hrsync/roster"
)

// Fields says which JustLogin attribute each catalogue field is read from.
// Names the public docs do not give are absent: first and last name (only
// fullName exists; it is delivered as "fullName" for a mapping rule),
// phones, personal email and location. exitDate comes from
// Config.ExitDateField when the account has one.
func Fields() map[roster.Field]string {
	return map[roster.Field]string{
		roster.FieldID:             "userGuid",
		roster.FieldEmployeeNumber: "employeeId",
		roster.FieldWorkEmail:      "email",
		roster.FieldDateOfBirth:    "dateOfBirth",
		roster.FieldDateOfJoining:  "joinDate",
		roster.FieldStatus:         "isActive",
		roster.FieldManagerID:      "manager.userGuid",
		roster.FieldDepartment:     "department.name",
		roster.FieldJobTitle:       "employment.designation",
		roster.FieldEmploymentType: "employment.employmentStatus",
	}
}

// Names under which values with no catalogue field are delivered.
const (
	valueFullName     = "fullName"
	valueUserName     = "userName"
	valueModifiedDate = "modifiedDate"
)

// ExtraValues lists the names of the values delivered with no catalogue
// field, which a mapping rule may read (fullName into firstName, say).
func ExtraValues() []string { return []string{valueFullName, valueUserName, valueModifiedDate} }

// recordAt reads users[i] of a page into a Record: catalogue names for
// what Fields lists, fullName, userName and modifiedDate under their own
// names, and the exit date from exitField when set. Dates stay
// YYYY-MM-DD. Every field is read tolerantly (see jsontext.Text): one
// that still cannot be read is named in the record's Unreadable under the
// field it feeds, and a user that is no object, or whose userGuid cannot
// be read, is an unreadable record without an id.
func recordAt(raw json.RawMessage, i int, exitField string) roster.Record {
	var u map[string]json.RawMessage
	if err := json.Unmarshal(raw, &u); err != nil || u == nil {
		return roster.Record{Values: map[string]string{}, Unreadable: map[string]string{
			roster.WholeRecord: fmt.Sprintf("user %d of the page is %s, not a user object", i+1, jsontext.Kind(raw))}}
	}
	guid, bad := jsontext.Text(u["userGuid"])
	if bad != "" {
		return roster.Record{Values: map[string]string{}, Unreadable: map[string]string{
			roster.WholeRecord: fmt.Sprintf("user %d of the page: userGuid %s", i+1, bad)}}
	}
	rec := roster.Record{ID: strings.TrimSpace(guid), Values: map[string]string{}}
	// set records val under k, or why it could not be read.
	set := func(k, val, why string) {
		switch val = strings.TrimSpace(val); {
		case why != "":
			if rec.Unreadable == nil {
				rec.Unreadable = map[string]string{}
			}
			rec.Unreadable[k] = why
		case val != "":
			rec.Values[k] = val
		}
	}
	field := func(k, name string) {
		v, bad := jsontext.Text(u[name])
		set(k, v, named(name, bad))
	}
	field(string(roster.FieldEmployeeNumber), "employeeId")
	field(string(roster.FieldWorkEmail), "email")
	field(string(roster.FieldDateOfBirth), "dateOfBirth")
	field(string(roster.FieldDateOfJoining), "joinDate")
	field(valueFullName, "fullName")
	field(valueUserName, "userName")
	field(valueModifiedDate, "modifiedDate")
	if active, ok, bad := jsontext.Flag(u["isActive"]); ok || bad != "" {
		set(string(roster.FieldStatus), string(statusOf(active)), named("isActive", bad))
	}
	if m, why := member(u, "manager", "userGuid"); !strings.EqualFold(strings.TrimSpace(m), rec.ID) {
		set(string(roster.FieldManagerID), m, why)
	}
	dept, why := member(u, "department", "name")
	set(string(roster.FieldDepartment), dept, why)
	title, why := member(u, "employment", "designation")
	set(string(roster.FieldJobTitle), title, why)
	kind, why := member(u, "employment", "employmentStatus")
	set(string(roster.FieldEmploymentType), kind, why)
	if exitField != "" {
		exit, bad := lookup(raw, exitField)
		set(string(roster.FieldExitDate), dateOnly(exit), named(exitField, bad))
	}
	return rec
}

// named puts the field's name before why it cannot be read; no why is "".
func named(name, bad string) string {
	if bad == "" {
		return ""
	}
	return name + " " + bad
}

// member reads the text of key in user u's include object. null or
// nothing is no value, and a bare string is taken as that value (an API
// that sends the include flattened); why names what else cannot be read.
func member(u map[string]json.RawMessage, include, key string) (val, why string) {
	raw := bytes.TrimSpace(u[include])
	if len(raw) == 0 || raw[0] != '{' {
		if s, bad := jsontext.Text(raw); bad == "" && (len(raw) == 0 || raw[0] == '"' || raw[0] == 'n') {
			return s, ""
		}
		return "", include + " holds " + jsontext.Kind(raw) + ", not an object"
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return "", include + " is not a readable object"
	}
	v, bad := jsontext.Text(obj[key])
	return v, named(include+"."+key, bad)
}

// statusOf maps isActive, JustLogin's only status flag.
func statusOf(active bool) roster.Status {
	if active {
		return roster.StatusActive
	}
	return roster.StatusInactive
}

// lookup returns the text at the dotted path in the JSON object raw; a
// missing field or a null is "". bad says why a value there cannot be read
// as text.
func lookup(raw json.RawMessage, path string) (s, bad string) {
	cur := raw
	for part := range strings.SplitSeq(path, ".") {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(cur, &obj); err != nil || obj == nil {
			return "", ""
		}
		next, ok := obj[part]
		if !ok {
			return "", ""
		}
		cur = next
	}
	if s, bad = jsontext.Text(cur); s == "true" || s == "false" {
		return "", "holds a boolean, not a date"
	}
	return s, bad
}

// isoDateTime is a date with a time, as JustLogin writes confirmationDate
// ("2022-12-31T23:59:59.997").
var isoDateTime = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}`)

// dateOnly cuts the time off an ISO date-time so every JustLogin date
// reads as YYYY-MM-DD; any other text is left as it is.
func dateOnly(s string) string {
	if m := isoDateTime.FindStringSubmatch(strings.TrimSpace(s)); m != nil {
		return m[1]
	}
	return s
}
