package merge

import "github.com/hrsync/hrsync/roster"

// Fields declares what the connector supplies: catalogue field → the Merge
// Employee field it comes from. department and location are not supplied.
func Fields() map[roster.Field]string {
	return map[roster.Field]string{
		roster.FieldID:             "id",
		roster.FieldEmployeeNumber: "employee_number",
		roster.FieldFirstName:      "first_name",
		roster.FieldLastName:       "last_name",
		roster.FieldPreferredName:  "preferred_name",
		roster.FieldWorkEmail:      "work_email",
		roster.FieldPersonalEmail:  "personal_email",
		roster.FieldWorkPhone:      "mobile_phone_number",
		roster.FieldDateOfBirth:    "date_of_birth",
		roster.FieldDateOfJoining:  "start_date (hire_date when empty)",
		roster.FieldExitDate:       "termination_date",
		roster.FieldStatus:         "employment_status (remote_was_deleted → inactive)",
		roster.FieldManagerID:      "manager",
		roster.FieldJobTitle:       "employments[current].job_title",
		roster.FieldEmploymentType: "employments[current].employment_type",
	}
}
