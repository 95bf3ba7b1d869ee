// Package roster holds hrsync's domain rules: the canonical employee record,
// the field catalogue, and how a source roster is compared with a directory.
// It does no I/O and knows nothing of Temporal, so every rule is table-tested.
package roster

import (
	"slices"
	"strings"
)

// Status is an employee's employment status in canonical form.
type Status string

// The canonical statuses. Every vendor value is mapped onto one of these
// explicitly — by its connector, or by the source's status map — and an
// unknown value is an error, never "active" by accident.
const (
	StatusActive   Status = "active"
	StatusInactive Status = "inactive"
)

// Employee is one person as hrsync understands them, whatever system they came
// from. ID is the HRIS's own identifier; in the directory it is the user's
// externalId, the key every later sync matches on.
type Employee struct {
	ID             string            `json:"id"`
	EmployeeNumber string            `json:"employeeNumber,omitempty"`
	FirstName      string            `json:"firstName,omitempty"`
	LastName       string            `json:"lastName,omitempty"`
	PreferredName  string            `json:"preferredName,omitempty"`
	WorkEmail      string            `json:"workEmail,omitempty"`
	PersonalEmail  string            `json:"personalEmail,omitempty"`
	WorkPhone      string            `json:"workPhone,omitempty"`
	DateOfBirth    Date              `json:"dateOfBirth"`
	DateOfJoining  Date              `json:"dateOfJoining"`
	ExitDate       Date              `json:"exitDate"`
	Status         Status            `json:"status,omitempty"`
	ManagerID      string            `json:"managerId,omitempty"`
	Department     string            `json:"department,omitempty"`
	JobTitle       string            `json:"jobTitle,omitempty"`
	Location       string            `json:"location,omitempty"`
	EmploymentType string            `json:"employmentType,omitempty"`
	Custom         map[string]string `json:"custom,omitempty"`
	// DateOfBirthDigest is the keyed digest of a date of birth that is
	// compared but not synced. It is never written to the directory.
	DateOfBirthDigest string `json:"dateOfBirthDigest,omitempty"`
	// Unreadable lists the fields whose source value Normalize could not
	// read and has reported; they are left unset, and Validate does not
	// report them again (as missing, say). It is never stored.
	Unreadable []Field `json:"-"`
}

// Field names one attribute of an Employee. Custom fields are named
// "custom.<key>".
type Field string

// The field catalogue.
const (
	FieldID             Field = "id"
	FieldEmployeeNumber Field = "employeeNumber"
	FieldFirstName      Field = "firstName"
	FieldLastName       Field = "lastName"
	FieldPreferredName  Field = "preferredName"
	FieldWorkEmail      Field = "workEmail"
	FieldPersonalEmail  Field = "personalEmail"
	FieldWorkPhone      Field = "workPhone"
	FieldDateOfBirth    Field = "dateOfBirth"
	FieldDateOfJoining  Field = "dateOfJoining"
	FieldExitDate       Field = "exitDate"
	FieldStatus         Field = "status"
	FieldManagerID      Field = "managerId"
	FieldDepartment     Field = "department"
	FieldJobTitle       Field = "jobTitle"
	FieldLocation       Field = "location"
	FieldEmploymentType Field = "employmentType"
)

// customPrefix starts the name of every custom field.
const customPrefix = "custom."

// CustomField names the custom attribute key.
func CustomField(key string) Field { return Field(customPrefix + key) }

// Catalogue lists the standard fields in display order. Custom fields follow
// them, sorted by key, wherever a record's fields are listed.
var Catalogue = []Field{
	FieldID, FieldEmployeeNumber, FieldFirstName, FieldLastName, FieldPreferredName, FieldWorkEmail,
	FieldPersonalEmail, FieldWorkPhone, FieldDateOfBirth, FieldDateOfJoining,
	FieldExitDate, FieldStatus, FieldManagerID, FieldDepartment, FieldJobTitle,
	FieldLocation, FieldEmploymentType,
}

// Get returns the value of field f as text: dates as YYYY-MM-DD, an unset
// value as "".
func (e Employee) Get(f Field) string {
	switch f {
	case FieldID:
		return e.ID
	case FieldEmployeeNumber:
		return e.EmployeeNumber
	case FieldFirstName:
		return e.FirstName
	case FieldLastName:
		return e.LastName
	case FieldPreferredName:
		return e.PreferredName
	case FieldWorkEmail:
		return e.WorkEmail
	case FieldPersonalEmail:
		return e.PersonalEmail
	case FieldWorkPhone:
		return e.WorkPhone
	case FieldDateOfBirth:
		return e.DateOfBirth.String()
	case FieldDateOfJoining:
		return e.DateOfJoining.String()
	case FieldExitDate:
		return e.ExitDate.String()
	case FieldStatus:
		return string(e.Status)
	case FieldManagerID:
		return e.ManagerID
	case FieldDepartment:
		return e.Department
	case FieldJobTitle:
		return e.JobTitle
	case FieldLocation:
		return e.Location
	case FieldEmploymentType:
		return e.EmploymentType
	}
	if key, ok := strings.CutPrefix(string(f), customPrefix); ok {
		return e.Custom[key]
	}
	return ""
}

// Fields lists the catalogue fields followed by e's custom fields in key
// order, so every walk over a record is deterministic.
func (e Employee) Fields() []Field {
	fields := slices.Clone(Catalogue)
	keys := make([]string, 0, len(e.Custom))
	for k := range e.Custom {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fields = append(fields, CustomField(k))
	}
	return fields
}

// DisplayName is how the person is addressed: preferred name (or first name)
// and last name.
func (e Employee) DisplayName() string {
	first := e.PreferredName
	if first == "" {
		first = e.FirstName
	}
	return strings.TrimSpace(first + " " + e.LastName)
}

// NormalEmail folds an email address for comparison: trimmed and lower-cased.
func NormalEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// IsCustom reports whether f names a custom field ("custom.<key>").
func IsCustom(f Field) bool {
	return strings.HasPrefix(string(f), customPrefix) && len(f) > len(customPrefix)
}

// Leaver reports whether e has left as of today: their status is inactive,
// or their exit date is on or before today and not before their date of
// joining (an exit date before it belongs to an earlier employment, or is a
// mistake, and deactivates no one). The zero today judges by status alone.
func (e Employee) Leaver(today Date) bool {
	if e.Status == StatusInactive {
		return true
	}
	if today.IsZero() || e.ExitDate.IsZero() || e.ExitDate.After(today) {
		return false
	}
	return e.DateOfJoining.IsZero() || !e.ExitDate.Before(e.DateOfJoining)
}
