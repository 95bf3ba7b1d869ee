package demotest

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/hrsync/hrsync/roster"
)

// customKey is the JSON key holding an employee's custom fields.
const customKey = "custom"

// textField points at e's text-valued field f, or is nil for any other field.
func textField(e *roster.Employee, f roster.Field) *string {
	switch f {
	case roster.FieldID:
		return &e.ID
	case roster.FieldEmployeeNumber:
		return &e.EmployeeNumber
	case roster.FieldFirstName:
		return &e.FirstName
	case roster.FieldLastName:
		return &e.LastName
	case roster.FieldPreferredName:
		return &e.PreferredName
	case roster.FieldWorkEmail:
		return &e.WorkEmail
	case roster.FieldPersonalEmail:
		return &e.PersonalEmail
	case roster.FieldWorkPhone:
		return &e.WorkPhone
	case roster.FieldStatus:
		return (*string)(&e.Status)
	case roster.FieldManagerID:
		return &e.ManagerID
	case roster.FieldDepartment:
		return &e.Department
	case roster.FieldJobTitle:
		return &e.JobTitle
	case roster.FieldLocation:
		return &e.Location
	case roster.FieldEmploymentType:
		return &e.EmploymentType
	}
	return nil
}

// dateField points at e's date field f, or is nil for any other field.
func dateField(e *roster.Employee, f roster.Field) *roster.Date {
	switch f {
	case roster.FieldDateOfBirth:
		return &e.DateOfBirth
	case roster.FieldDateOfJoining:
		return &e.DateOfJoining
	case roster.FieldExitDate:
		return &e.ExitDate
	}
	return nil
}

// mergeEmployee applies a JSON merge patch to e: every key present sets its
// field, null clears it, and "custom" merges key by key (a null value
// removing that key). Unknown keys and values of the wrong type are errors
// naming the key.
func mergeEmployee(e *roster.Employee, patch map[string]json.RawMessage) error {
	for _, key := range slices.Sorted(maps.Keys(patch)) {
		raw := patch[key]
		if key == customKey {
			if err := mergeCustom(e, raw); err != nil {
				return err
			}
			continue
		}
		f := roster.Field(key)
		if p := textField(e, f); p != nil {
			var s *string
			if err := json.Unmarshal(raw, &s); err != nil {
				return errorf(http.StatusBadRequest, "%s: must be a string", key)
			}
			*p = ""
			if s != nil {
				*p = strings.TrimSpace(*s)
			}
			continue
		}
		if p := dateField(e, f); p != nil {
			var s *string
			if err := json.Unmarshal(raw, &s); err != nil {
				return errorf(http.StatusBadRequest, "%s: must be a YYYY-MM-DD string", key)
			}
			*p = roster.Date{}
			if s != nil {
				d, err := roster.ParseISODate(strings.TrimSpace(*s))
				if err != nil {
					return errorf(http.StatusBadRequest, "%s: must be a YYYY-MM-DD date", key)
				}
				*p = d
			}
			continue
		}
		return errorf(http.StatusBadRequest, "%s: unknown field", key)
	}
	return nil
}

// mergeCustom merges the raw "custom" object into e.Custom.
func mergeCustom(e *roster.Employee, raw json.RawMessage) error {
	var custom map[string]*string
	if err := json.Unmarshal(raw, &custom); err != nil {
		return errorf(http.StatusBadRequest, "custom: must be an object of strings")
	}
	if custom == nil {
		e.Custom = nil
		return nil
	}
	for k, v := range custom {
		if strings.TrimSpace(k) == "" {
			return errorf(http.StatusBadRequest, "custom: keys must not be blank")
		}
		if v == nil {
			delete(e.Custom, k)
			continue
		}
		if e.Custom == nil {
			e.Custom = map[string]string{}
		}
		e.Custom[k] = *v
	}
	if len(e.Custom) == 0 {
		e.Custom = nil
	}
	return nil
}

// copyField sets field f of dst to its value in src. A custom field absent
// from src is removed from dst. An unknown field is an error.
func copyField(dst *roster.Employee, src roster.Employee, f roster.Field) error {
	if p := textField(dst, f); p != nil {
		*p = *textField(&src, f)
		return nil
	}
	if p := dateField(dst, f); p != nil {
		*p = *dateField(&src, f)
		return nil
	}
	key, ok := strings.CutPrefix(string(f), customKey+".")
	if !ok || key == "" {
		return errorf(http.StatusBadRequest, "fields: unknown field %q", f)
	}
	if v, ok := src.Custom[key]; ok {
		if dst.Custom == nil {
			dst.Custom = map[string]string{}
		}
		dst.Custom[key] = v
		return nil
	}
	delete(dst.Custom, key)
	if len(dst.Custom) == 0 {
		dst.Custom = nil
	}
	return nil
}

// clone copies e deeply enough that changing the copy leaves e alone.
func clone(e roster.Employee) roster.Employee {
	e.Custom = maps.Clone(e.Custom)
	return e
}

// validID reports whether id is usable in a URL path: 1 to 64 letters,
// digits, '-' or '_'.
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_'
		if !ok {
			return false
		}
	}
	return true
}

// checkEmail requires a plausible work email.
func checkEmail(email string) error {
	if email == "" {
		return errorf(http.StatusBadRequest, "workEmail: required")
	}
	at := strings.IndexByte(email, '@')
	if at < 1 || at == len(email)-1 || strings.ContainsAny(email, " \t") {
		return errorf(http.StatusBadRequest, "workEmail: not an email address")
	}
	return nil
}

// checkStatus defaults an empty status to active and refuses unknown ones.
func checkStatus(e *roster.Employee) error {
	switch e.Status {
	case "":
		e.Status = roster.StatusActive
	case roster.StatusActive, roster.StatusInactive:
	default:
		return errorf(http.StatusBadRequest, "status: must be %q or %q", roster.StatusActive, roster.StatusInactive)
	}
	return nil
}
