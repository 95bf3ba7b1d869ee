package mergetest

import "time"

// Employee is one employee in Merge's Employee common model. Empty strings
// are served as JSON null, the way Merge serves absent values. Dates are
// ISO 8601 date-times, as Merge sends them.
type Employee struct {
	ID                string         `json:"id"`
	RemoteID          string         `json:"remote_id"`
	CreatedAt         time.Time      `json:"created_at"`
	ModifiedAt        time.Time      `json:"modified_at"`
	EmployeeNumber    string         `json:"employee_number"`
	Company           string         `json:"company"`
	FirstName         string         `json:"first_name"`
	LastName          string         `json:"last_name"`
	PreferredName     string         `json:"preferred_name"`
	DisplayFullName   string         `json:"display_full_name"`
	Username          string         `json:"username"`
	Groups            []string       `json:"groups"`
	WorkEmail         string         `json:"work_email"`
	PersonalEmail     string         `json:"personal_email"`
	MobilePhoneNumber string         `json:"mobile_phone_number"`
	Employments       []Employment   `json:"employments"`
	HomeLocation      string         `json:"home_location"`
	WorkLocation      string         `json:"work_location"`
	Manager           string         `json:"manager"` // the manager's Merge id
	Team              string         `json:"team"`
	PayGroup          string         `json:"pay_group"`
	DateOfBirth       string         `json:"date_of_birth"`
	HireDate          string         `json:"hire_date"`
	StartDate         string         `json:"start_date"`
	RemoteCreatedAt   string         `json:"remote_created_at"`
	EmploymentStatus  string         `json:"employment_status"` // ACTIVE, PENDING, INACTIVE or a raw vendor value
	TerminationDate   string         `json:"termination_date"`
	Avatar            string         `json:"avatar"`
	CustomFields      map[string]any `json:"custom_fields"`
	RemoteWasDeleted  bool           `json:"remote_was_deleted"`
	// Raw holds values served in place of the fields above, by their JSON
	// names, as given: a number where Merge documents a string, null for a
	// list, an object where text belongs — what real linked accounts send.
	Raw map[string]any `json:"-"`
}

// Employment is one of an employee's Employment objects: a job held from
// EffectiveDate on. Unexpanded, an employee lists only their ids.
type Employment struct {
	ID               string    `json:"id"`
	RemoteID         string    `json:"remote_id"`
	CreatedAt        time.Time `json:"created_at"`
	ModifiedAt       time.Time `json:"modified_at"`
	Employee         string    `json:"employee"`
	JobTitle         string    `json:"job_title"`
	PayRate          float64   `json:"pay_rate"`
	PayPeriod        string    `json:"pay_period"`
	PayCurrency      string    `json:"pay_currency"`
	FLSAStatus       string    `json:"flsa_status"`
	EffectiveDate    string    `json:"effective_date"`
	EmploymentType   string    `json:"employment_type"` // FULL_TIME, PART_TIME, INTERN, CONTRACTOR, FREELANCE
	RemoteWasDeleted bool      `json:"remote_was_deleted"`
}

// Sync statuses of GET /sync-status.
const (
	SyncSyncing         = "SYNCING"
	SyncDone            = "DONE"
	SyncFailed          = "FAILED"
	SyncDisabled        = "DISABLED"
	SyncPaused          = "PAUSED"
	SyncPartiallySynced = "PARTIALLY_SYNCED"
)
