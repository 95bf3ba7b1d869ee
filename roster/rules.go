package roster

// Record is one employee as the source delivered it: text values keyed by
// field name. Connectors name the values they know by the catalogue's field
// names (firstName, workEmail, custom.<key>, …) and may add others under
// their own names; the administrator's mapping turns a Record into an
// Employee.
type Record struct {
	// ID is the HRIS's identifier of the person; empty when the source
	// could not read it.
	ID string `json:"id"`
	// Values holds the fields the source gave, as text. Dates are in the
	// source's own format; the rules' date formats say how to read them.
	Values map[string]string `json:"values"`
	// Unreadable maps each field the source sent but the connector could
	// not read as text (an object where a name is documented, say) to why,
	// keyed like Values; WholeRecord stands for the record as a whole. Such
	// a field is absent from Values, and Normalize reports it as a problem
	// of this employee when the rules read it.
	Unreadable map[string]string `json:"unreadable,omitempty"`
	// DateOfBirthDigest stands in for a date of birth the privacy check
	// compares but the sync does not send (see Rules.Minimize).
	DateOfBirthDigest string `json:"dateOfBirthDigest,omitempty"`
}

// WholeRecord is the Record.Unreadable key for a record nothing of which
// could be read but, perhaps, its id.
const WholeRecord = ""

// ValueStatusRaw names the Record value holding the vendor's own status
// word, for a connector that reads the status itself (into "status") or
// cannot (leaving "status" empty). The rules' StatusMap is looked up with
// it before the connector's reading is taken.
const ValueStatusRaw = "statusRaw"

// Rules are everything an administrator sets about how records become
// directory users: which fields, how they map, how dates read, who is
// included, and the policies that hold a run back. The zero value means the
// documented defaults.
type Rules struct {
	// Fields says which catalogue fields are synced.
	Fields FieldSelection `json:"fields" yaml:"fields"`
	// Mapping overrides where a target field's value comes from.
	Mapping []MapRule `json:"mapping,omitempty" yaml:"mapping,omitempty"`
	// DateFormats say how the source writes its dates, and how previews
	// and exports write them.
	DateFormats DateFormats `json:"dateFormats" yaml:"dateFormats"`
	// Filters include or exclude records.
	Filters []Filter `json:"filters,omitempty" yaml:"filters,omitempty"`
	// MaxDaysBeforeStart, when above zero, leaves out new hires whose date
	// of joining is more than this many days away.
	MaxDaysBeforeStart int `json:"maxDaysBeforeStart,omitempty" yaml:"maxDaysBeforeStart,omitempty"`
	// Hierarchy says what a manager error does to the run.
	Hierarchy HierarchyPolicy `json:"hierarchy,omitempty" yaml:"hierarchy,omitempty"`
	// Vanished says what happens to a linked user missing from the HRIS.
	Vanished VanishedPolicy `json:"vanished,omitempty" yaml:"vanished,omitempty"`
	// Privacy says which identity changes wait for approval.
	Privacy PrivacyPolicy `json:"privacy" yaml:"privacy"`
	// MassChange bounds the deactivations, updates and cleared fields of
	// one run.
	MassChange MassChangePolicy `json:"massChange" yaml:"massChange"`
	// RequireEmployeeNumber makes the employee number mandatory, for
	// targets that need one.
	RequireEmployeeNumber bool `json:"requireEmployeeNumber,omitempty" yaml:"requireEmployeeNumber,omitempty"`
	// StatusMap maps vendor status words, compared without regard to case
	// or surrounding space, to a canonical status. It is looked up before
	// the words active and inactive, so it may override them. It is not
	// configured here but comes from the source's statusMap (see
	// integration.Config.WithDefaults), so it is never serialised.
	StatusMap map[string]Status `json:"-" yaml:"-"`
}

// FieldSelection lists the fields left out of the sync. Everything else in
// the catalogue, and every custom field, is selected.
type FieldSelection struct {
	Exclude []Field `json:"exclude,omitempty" yaml:"exclude,omitempty"`
}

// MapRule sets where one target field's value comes from.
type MapRule struct {
	// To is the target field: a catalogue field or custom.<key>.
	To Field `json:"to" yaml:"to"`
	// From lists the source fields; the non-empty values of several are
	// joined with Separator.
	From []string `json:"from,omitempty" yaml:"from,omitempty"`
	// Separator joins several values; default one space.
	Separator string `json:"separator,omitempty" yaml:"separator,omitempty"`
	// Default is used when the source fields are all empty.
	Default string `json:"default,omitempty" yaml:"default,omitempty"`
}

// DateFormats name the format of each date field, e.g. "DD/MM/YYYY".
// Empty means YYYY-MM-DD.
type DateFormats struct {
	DateOfJoining string `json:"dateOfJoining,omitempty" yaml:"dateOfJoining,omitempty"`
	DateOfBirth   string `json:"dateOfBirth,omitempty" yaml:"dateOfBirth,omitempty"`
	ExitDate      string `json:"exitDate,omitempty" yaml:"exitDate,omitempty"`
}

// FilterAction says what a matching filter does.
type FilterAction string

// Filter actions.
const (
	FilterInclude FilterAction = "include"
	FilterExclude FilterAction = "exclude"
)

// FilterOp compares a field with a filter's values.
type FilterOp string

// Filter operators. Comparisons ignore case and surrounding space.
const (
	OpEquals    FilterOp = "equals"
	OpNotEquals FilterOp = "notEquals"
	OpIn        FilterOp = "in"
	OpNotIn     FilterOp = "notIn"
	OpContains  FilterOp = "contains"
	OpEmpty     FilterOp = "empty"
	OpNotEmpty  FilterOp = "notEmpty"
)

// Filter includes or excludes records by a mapped field's value. A record
// is left out when any exclude filter matches it, or when there are include
// filters and one of them does not match.
type Filter struct {
	Field  Field        `json:"field" yaml:"field"`
	Op     FilterOp     `json:"op" yaml:"op"`
	Values []string     `json:"values,omitempty" yaml:"values,omitempty"`
	Action FilterAction `json:"action" yaml:"action"`
}

// HierarchyPolicy says what manager errors do.
type HierarchyPolicy string

// Hierarchy policies.
const (
	// HierarchyBlock makes the whole run wait for approval (the default).
	HierarchyBlock HierarchyPolicy = "block"
	// HierarchySkip holds back only the employees concerned.
	HierarchySkip HierarchyPolicy = "skip"
)

// VanishedPolicy says what becomes of a linked user missing from the HRIS.
type VanishedPolicy string

// Vanished policies.
const (
	// VanishedFormer deactivates the user as a former employee whose exit
	// date is the import date (the default).
	VanishedFormer VanishedPolicy = "former"
	// VanishedDeactivate deactivates the user without an exit date.
	VanishedDeactivate VanishedPolicy = "deactivate"
)

// PrivacyPolicy says which identity changes to an existing employee block
// the automated sync.
type PrivacyPolicy struct {
	// Threshold is how many identity attributes (name, date of birth, work
	// email) must change at once to block; default 2. 0 means the default;
	// a negative value turns the identity check off.
	Threshold int `json:"threshold,omitempty" yaml:"threshold,omitempty"`
}
