package mergetest

import (
	"sort"
	"strconv"
)

// served renders e as Merge does: nulls for absent values, ids for
// relations unless expanded; then e.Raw's values as they are.
func served(e Employee, ex map[string]bool, byID map[string]Employee) map[string]any {
	m := map[string]any{
		"id":                  e.ID,
		"remote_id":           null(e.RemoteID),
		"created_at":          e.CreatedAt,
		"modified_at":         e.ModifiedAt,
		"employee_number":     null(e.EmployeeNumber),
		"company":             null(e.Company),
		"first_name":          null(e.FirstName),
		"last_name":           null(e.LastName),
		"preferred_name":      null(e.PreferredName),
		"display_full_name":   null(e.DisplayFullName),
		"username":            null(e.Username),
		"groups":              nonNil(e.Groups),
		"work_email":          null(e.WorkEmail),
		"personal_email":      null(e.PersonalEmail),
		"mobile_phone_number": null(e.MobilePhoneNumber),
		"home_location":       null(e.HomeLocation),
		"work_location":       null(e.WorkLocation),
		"manager":             null(e.Manager),
		"team":                null(e.Team),
		"pay_group":           null(e.PayGroup),
		"ssn":                 nil,
		"gender":              nil,
		"ethnicity":           nil,
		"marital_status":      nil,
		"date_of_birth":       null(e.DateOfBirth),
		"hire_date":           null(e.HireDate),
		"start_date":          null(e.StartDate),
		"remote_created_at":   null(e.RemoteCreatedAt),
		"employment_status":   null(e.EmploymentStatus),
		"termination_date":    null(e.TerminationDate),
		"avatar":              null(e.Avatar),
		"custom_fields":       e.CustomFields,
		"remote_was_deleted":  e.RemoteWasDeleted,
		"field_mappings":      map[string]any{},
	}
	jobs := make([]any, 0, len(e.Employments))
	for _, j := range e.Employments {
		if ex["employments"] {
			jobs = append(jobs, j)
		} else {
			jobs = append(jobs, j.ID)
		}
	}
	m["employments"] = jobs
	if mgr, ok := byID[e.Manager]; ok && ex["manager"] {
		m["manager"] = served(mgr, nil, nil)
	}
	for k, v := range e.Raw {
		m[k] = v
	}
	return m
}

// null serves "" as JSON null.
func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nonNil serves a nil list as [].
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// itoa formats n.
func itoa(n int) string { return strconv.Itoa(n) }

// sortByID orders employees the way pages serve them.
func sortByID(es []Employee) {
	sort.Slice(es, func(i, j int) bool { return es[i].ID < es[j].ID })
}
