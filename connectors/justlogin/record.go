package justlogin

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/hrsync/hrsync/roster"
)

// user is the documented part of a v3 user object.
type user struct {
	UserGUID     string `json:"userGuid"`
	EmployeeID   string `json:"employeeId"`
	UserName     string `json:"userName"`
	Email        string `json:"email"`
	FullName     string `json:"fullName"`
	JoinDate     string `json:"joinDate"`
	DateOfBirth  string `json:"dateOfBirth"`
	ModifiedDate string `json:"modifiedDate"`
	IsActive     *bool  `json:"isActive"`
	Manager      *struct {
		UserGUID string `json:"userGuid"`
	} `json:"manager"`
	Department *struct {
		Name string `json:"name"`
	} `json:"department"`
	Employment *struct {
		Designation      string `json:"designation"`
		EmploymentStatus string `json:"employmentStatus"`
	} `json:"employment"`
}

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

// recordOf turns one user object into a Record: catalogue names for what
// Fields lists, fullName, userName and modifiedDate under their own names,
// and the exit date from exitField when set. Dates stay YYYY-MM-DD.
func recordOf(raw json.RawMessage, exitField string) (roster.Record, error) {
	var u user
	if err := json.Unmarshal(raw, &u); err != nil {
		return roster.Record{}, fmt.Errorf("unreadable user: %w", err)
	}
	if u.UserGUID == "" {
		return roster.Record{}, errors.New("a user has no userGuid")
	}
	v := map[string]string{}
	set := func(k, val string) {
		if val = strings.TrimSpace(val); val != "" {
			v[k] = val
		}
	}
	set(string(roster.FieldEmployeeNumber), u.EmployeeID)
	set(string(roster.FieldWorkEmail), u.Email)
	set(string(roster.FieldDateOfBirth), u.DateOfBirth)
	set(string(roster.FieldDateOfJoining), u.JoinDate)
	set(valueFullName, u.FullName)
	set(valueUserName, u.UserName)
	set(valueModifiedDate, u.ModifiedDate)
	if u.IsActive != nil {
		set(string(roster.FieldStatus), string(statusOf(*u.IsActive)))
	}
	if u.Manager != nil && u.Manager.UserGUID != u.UserGUID {
		set(string(roster.FieldManagerID), u.Manager.UserGUID)
	}
	if u.Department != nil {
		set(string(roster.FieldDepartment), u.Department.Name)
	}
	if u.Employment != nil {
		set(string(roster.FieldJobTitle), u.Employment.Designation)
		set(string(roster.FieldEmploymentType), u.Employment.EmploymentStatus)
	}
	if exitField != "" {
		exit, err := lookup(raw, exitField)
		if err != nil {
			return roster.Record{}, fmt.Errorf("user %s: exit date field %q: %w", u.UserGUID, exitField, err)
		}
		set(string(roster.FieldExitDate), dateOnly(exit))
	}
	return roster.Record{ID: u.UserGUID, Values: v}, nil
}

// statusOf maps isActive, JustLogin's only status flag.
func statusOf(active bool) roster.Status {
	if active {
		return roster.StatusActive
	}
	return roster.StatusInactive
}

// lookup returns the text at the dotted path in the JSON object raw; a
// missing field or a null is "".
func lookup(raw json.RawMessage, path string) (string, error) {
	cur := raw
	for part := range strings.SplitSeq(path, ".") {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(cur, &obj); err != nil || obj == nil {
			return "", nil
		}
		next, ok := obj[part]
		if !ok {
			return "", nil
		}
		cur = next
	}
	var val any
	if err := json.Unmarshal(cur, &val); err != nil {
		return "", err
	}
	switch val := val.(type) {
	case nil:
		return "", nil
	case string:
		return val, nil
	case float64:
		return strconv.FormatFloat(val, 'f', -1, 64), nil
	}
	return "", fmt.Errorf("holds %s, not a date", strings.TrimSpace(string(cur)))
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
