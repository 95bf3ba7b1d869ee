package bamboohrtest

import "time"

// Employee is one person in the fake BambooHR, named by the API's field
// names. Dates are YYYY-MM-DD; an empty string is an unset value.
type Employee struct {
	// ID is the employeeId, a numeric string.
	ID string
	// FirstName is the legal first name.
	FirstName string
	// LastName is the family name.
	LastName string
	// PreferredName is the name the person goes by, often empty.
	PreferredName string
	// WorkEmail is the work address.
	WorkEmail string
	// JobTitleName is the job title.
	JobTitleName string
	// DepartmentName is the department.
	DepartmentName string
	// LocationName is the office.
	LocationName string
	// EmploymentStatusName is e.g. "Full-Time" or "Contractor".
	EmploymentStatusName string
	// HireDate is the date of joining.
	HireDate string
	// TerminationDate is the last day, set for leavers. The list endpoint
	// never returns it; GET /api/v1/employees/{id} does.
	TerminationDate string
	// ReportsToID is the employeeId of the manager; empty at the top.
	ReportsToID string
	// Status is "Active" or "Inactive", or any other text to test how
	// clients treat an unknown value.
	Status string
	// Restricted lists API field names the key may not read: the API
	// answers them as null and names them in _restrictedFields.
	Restricted []string
	// LastChanged is when the employee last changed; the changed endpoint
	// compares it with since.
	LastChanged time.Time
	// Raw holds values served in place of the API fields it names, as
	// given, by the list and by GET /api/v1/employees/{id}: a number where
	// text is documented, an object, a list — what real accounts' custom
	// and mistyped fields send.
	Raw map[string]any
}

// entry is an employee with the server's bookkeeping.
type entry struct {
	emp     Employee
	num     int // numeric id, the list's sort key
	version int // bumped on every change; cursors check it
	created time.Time
	deleted bool
}

// field returns the employee's value of the API field name, and false for
// a name the server does not know.
func (e Employee) field(name string) (string, bool) {
	switch name {
	case "employeeId", "id":
		return e.ID, true
	case "firstName":
		return e.FirstName, true
	case "lastName":
		return e.LastName, true
	case "preferredName":
		return e.PreferredName, true
	case "photoUrl":
		return "https://images.example.invalid/" + e.ID + ".jpg", true
	case "workEmail":
		return e.WorkEmail, true
	case "jobTitleName", "jobTitle":
		return e.JobTitleName, true
	case "departmentName", "department":
		return e.DepartmentName, true
	case "locationName", "location":
		return e.LocationName, true
	case "employmentStatusName", "employmentStatus":
		return e.EmploymentStatusName, true
	case "hireDate":
		return e.HireDate, true
	case "terminationDate":
		return e.TerminationDate, true
	case "reportsToId":
		return e.ReportsToID, true
	case "status":
		return e.Status, true
	}
	return "", false
}
