package roster

import (
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSelected(t *testing.T) {
	r := Rules{Fields: FieldSelection{Exclude: []Field{FieldWorkPhone, FieldFirstName, FieldEmployeeNumber, CustomField("shoe")}}}
	tests := []struct {
		name  string
		rules Rules
		field Field
		want  bool
	}{
		{"not excluded", r, FieldDepartment, true},
		{"excluded", r, FieldWorkPhone, false},
		{"custom excluded", r, CustomField("shoe"), false},
		{"custom not excluded", r, CustomField("hat"), true},
		{"mandatory stays selected", r, FieldFirstName, true},
		{"employee number optional by default", r, FieldEmployeeNumber, false},
		{"employee number mandatory when required", Rules{Fields: r.Fields, RequireEmployeeNumber: true}, FieldEmployeeNumber, true},
		{"id always", Rules{Fields: FieldSelection{Exclude: []Field{FieldID}}}, FieldID, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.rules.Selected(tt.field))
		})
	}
}

func TestMandatoryFields(t *testing.T) {
	tests := []struct {
		name  string
		rules Rules
		want  []Field
	}{
		{"default", Rules{}, []Field{FieldFirstName, FieldWorkEmail, FieldStatus}},
		{"employee number required", Rules{RequireEmployeeNumber: true},
			[]Field{FieldFirstName, FieldWorkEmail, FieldStatus, FieldEmployeeNumber}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.rules.MandatoryFields())
		})
	}
}

func TestWithDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   Rules
		want Rules
	}{
		{"zero", Rules{}, Rules{Hierarchy: HierarchyBlock, Vanished: VanishedFormer,
			Privacy: PrivacyPolicy{Threshold: 2}, MassChange: DefaultMassChangePolicy}},
		{"set values kept", Rules{Hierarchy: HierarchySkip, Vanished: VanishedDeactivate,
			Privacy: PrivacyPolicy{Threshold: -1}, MassChange: MassChangePolicy{MaxDeactivatePercent: 50}},
			Rules{Hierarchy: HierarchySkip, Vanished: VanishedDeactivate,
				Privacy: PrivacyPolicy{Threshold: -1}, MassChange: MassChangePolicy{MaxDeactivatePercent: 50,
					MaxClearPercent: 10, MinClears: 5, MaxUpdatePercent: 30, MinUpdates: 50}}},
		{"mass-change limits defaulted one by one", Rules{MassChange: MassChangePolicy{MaxUpdatePercent: 60, MinClears: 2}},
			Rules{Hierarchy: HierarchyBlock, Vanished: VanishedFormer, Privacy: PrivacyPolicy{Threshold: 2},
				MassChange: MassChangePolicy{MaxDeactivatePercent: 20, MinDeactivations: 5,
					MaxClearPercent: 10, MinClears: 2, MaxUpdatePercent: 60, MinUpdates: 50}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.in.WithDefaults())
		})
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name  string
		rules Rules
		want  []string // every line of the joined error; nil for none
	}{
		{"zero rules are valid", Rules{}, nil},
		{"a full valid config", Rules{
			Fields:      FieldSelection{Exclude: []Field{FieldWorkPhone, CustomField("shoe")}},
			Mapping:     []MapRule{{To: FieldFirstName, From: []string{"given"}}, {To: CustomField("team"), Default: "none"}},
			DateFormats: DateFormats{DateOfBirth: "DD/MM/YYYY", DateOfJoining: "DD MMM YYYY"},
			Filters: []Filter{{Field: FieldEmploymentType, Op: OpIn, Values: []string{"contractor"}, Action: FilterExclude},
				{Field: FieldLocation, Op: OpNotEmpty, Action: FilterInclude}},
			MaxDaysBeforeStart: 30, Hierarchy: HierarchySkip, Vanished: VanishedDeactivate,
			Privacy: PrivacyPolicy{Threshold: 3}, MassChange: MassChangePolicy{MaxDeactivatePercent: 100},
		}, nil},
		{"mandatory unselected", Rules{Fields: FieldSelection{Exclude: []Field{FieldFirstName, FieldID}}}, []string{
			"fields.exclude: firstName is mandatory and cannot be unselected",
			"fields.exclude: id is mandatory and cannot be unselected",
		}},
		{"employee number mandatory when required", Rules{RequireEmployeeNumber: true,
			Fields: FieldSelection{Exclude: []Field{FieldEmployeeNumber}}}, []string{
			"fields.exclude: employeeNumber is mandatory and cannot be unselected",
		}},
		{"unknown fields", Rules{
			Fields:  FieldSelection{Exclude: []Field{"shoeSize", "custom."}},
			Mapping: []MapRule{{To: "nickname", From: []string{"x"}}, {To: FieldID, From: []string{"x"}}},
			Filters: []Filter{{Field: "grade", Op: OpEmpty, Action: FilterInclude}},
		}, []string{
			`fields.exclude: unknown field "shoeSize"`,
			`fields.exclude: unknown field "custom."`,
			`mapping[0].to: unknown field "nickname"`,
			"mapping[1].to: the HRIS id cannot be a mapping target",
			`filters[0].field: unknown field "grade"`,
		}},
		{"mapping rules", Rules{Mapping: []MapRule{
			{To: FieldJobTitle},
			{To: FieldDepartment, From: []string{"dept"}},
			{To: FieldDepartment, Default: "Ops"},
			{To: FieldLocation, From: []string{"site", " "}},
		}}, []string{
			"mapping[0]: needs from or default",
			"mapping[2].to: department is already mapped by mapping[1]",
			"mapping[3].from[1]: empty source field name",
		}},
		{"date formats", Rules{DateFormats: DateFormats{DateOfBirth: "dd/mm/yyyy", ExitDate: "YY-MM-DD"}}, []string{
			`dateFormats.dateOfBirth: unknown date format "dd/mm/yyyy" (supported: ` + strings.Join(DateFormatNames, ", ") + ")",
			`dateFormats.exitDate: unknown date format "YY-MM-DD" (supported: ` + strings.Join(DateFormatNames, ", ") + ")",
		}},
		{"filters", Rules{Filters: []Filter{
			{Field: FieldDepartment, Op: "like", Values: []string{"x"}, Action: "drop"},
			{Field: FieldDepartment, Op: OpIn, Action: FilterInclude},
			{Field: FieldDepartment, Op: OpContains, Values: nil, Action: FilterExclude},
		}}, []string{
			`filters[0].op: unknown operator "like" (equals, notEquals, in, notIn, contains, empty or notEmpty)`,
			`filters[0].action: unknown action "drop" (include or exclude)`,
			"filters[1].values: in needs at least one value",
			"filters[2].values: contains needs at least one value",
		}},
		{"filter on an unselected field", Rules{
			Fields:  FieldSelection{Exclude: []Field{FieldEmploymentType}},
			Filters: []Filter{{Field: FieldEmploymentType, Op: OpEquals, Values: []string{"contractor"}, Action: FilterExclude}},
		}, []string{"filters[0].field: employmentType is not selected, so the filter cannot see it"}},
		{"policies", Rules{Hierarchy: "ignore", Vanished: "delete", MaxDaysBeforeStart: -1,
			Privacy: PrivacyPolicy{Threshold: 4}}, []string{
			`hierarchy: unknown policy "ignore" (block or skip)`,
			`vanished: unknown policy "delete" (former or deactivate)`,
			"maxDaysBeforeStart: must not be negative",
			"privacy.threshold: 4 is more than the 3 identity attributes (name, date of birth, work email)",
		}},
		{"mass change percent zero with a minimum", Rules{MassChange: MassChangePolicy{MinDeactivations: 10}}, []string{
			"massChange.maxDeactivatePercent: must be above 0 and at most 100",
		}},
		{"mass change out of range", Rules{MassChange: MassChangePolicy{MaxDeactivatePercent: 101, MinDeactivations: -1}}, []string{
			"massChange.maxDeactivatePercent: must be above 0 and at most 100",
			"massChange.minDeactivations: must not be negative",
		}},
		{"update and clear limits alone are fine", Rules{MassChange: MassChangePolicy{MaxUpdatePercent: 50, MinClears: 1}}, nil},
		{"update and clear limits out of range", Rules{MassChange: MassChangePolicy{MaxClearPercent: -1,
			MaxUpdatePercent: 101, MinClears: -1, MinUpdates: -2}}, []string{
			"massChange.maxClearPercent: must be between 0 (the default) and 100",
			"massChange.maxUpdatePercent: must be between 0 (the default) and 100",
			"massChange.minClears: must not be negative",
			"massChange.minUpdates: must not be negative",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireErrorLines(t, tt.want, tt.rules.Check())
		})
	}
}

func TestNormalize(t *testing.T) {
	full := Record{ID: "E1", Values: map[string]string{
		"employeeNumber": " 0001 ", "firstName": " Ada ", "lastName": "Lovelace", "preferredName": "Ada",
		"workEmail": "ada@x.test", "personalEmail": "ada@home.test", "workPhone": "+44 1",
		"dateOfBirth": "1815-12-10", "dateOfJoining": "2024-02-29", "exitDate": "",
		"status": "Active", "managerId": "E0", "department": "Eng", "jobTitle": "Analyst",
		"location": "London", "employmentType": "employee", "custom.shoe": "38", "custom.hat": " ",
		"vendorOnly": "ignored",
	}}
	want := Employee{ID: "E1", EmployeeNumber: "0001", FirstName: "Ada", LastName: "Lovelace", PreferredName: "Ada",
		WorkEmail: "ada@x.test", PersonalEmail: "ada@home.test", WorkPhone: "+44 1",
		DateOfBirth: Date{1815, 12, 10}, DateOfJoining: Date{2024, 2, 29}, Status: StatusActive, ManagerID: "E0",
		Department: "Eng", JobTitle: "Analyst", Location: "London", EmploymentType: "employee",
		Custom: map[string]string{"shoe": "38"}}

	tests := []struct {
		name     string
		rules    Rules
		rec      Record
		want     Employee
		problems []Problem
	}{
		{"identity mapping", Rules{}, full, want, nil},
		{"unselected fields stay empty", Rules{Fields: FieldSelection{Exclude: []Field{FieldDateOfBirth, FieldWorkPhone, CustomField("shoe")}}},
			full, func() Employee {
				e := want
				e.DateOfBirth, e.WorkPhone, e.Custom = Date{}, "", nil
				return e
			}(), nil},
		{"unselected field is never read, even when malformed",
			Rules{Fields: FieldSelection{Exclude: []Field{FieldDateOfBirth}}},
			Record{ID: "E2", Values: map[string]string{"firstName": "B", "dateOfBirth": "garbage"}},
			Employee{ID: "E2", FirstName: "B"}, nil},
		{"mapping joins trimmed non-empty values",
			Rules{Mapping: []MapRule{{To: FieldFirstName, From: []string{"given", "middle", "second"}}}},
			Record{ID: "E3", Values: map[string]string{"given": " Mary ", "middle": " ", "second": "Jane", "firstName": "ignored"}},
			Employee{ID: "E3", FirstName: "Mary Jane"}, nil},
		{"mapping with separator",
			Rules{Mapping: []MapRule{{To: FieldLocation, From: []string{"city", "country"}, Separator: ", "}}},
			Record{ID: "E4", Values: map[string]string{"city": "Lyon", "country": "France"}},
			Employee{ID: "E4", Location: "Lyon, France"}, nil},
		{"mapping default when sources empty",
			Rules{Mapping: []MapRule{{To: FieldDepartment, From: []string{"dept"}, Default: " Unassigned "}}},
			Record{ID: "E5", Values: map[string]string{"dept": "  ", "department": "ignored"}},
			Employee{ID: "E5", Department: "Unassigned"}, nil},
		{"mapping to a custom field not in the record",
			Rules{Mapping: []MapRule{{To: CustomField("cost"), From: []string{"cc"}}, {To: CustomField("flag"), Default: "y"}}},
			Record{ID: "E6", Values: map[string]string{"cc": "42"}},
			Employee{ID: "E6", Custom: map[string]string{"cost": "42", "flag": "y"}}, nil},
		{"mapping to an unselected field is not applied",
			Rules{Fields: FieldSelection{Exclude: []Field{FieldJobTitle}}, Mapping: []MapRule{{To: FieldJobTitle, Default: "x"}}},
			Record{ID: "E7"}, Employee{ID: "E7"}, nil},
		{"29 February in a day-first format",
			Rules{DateFormats: DateFormats{DateOfBirth: "DD/MM/YYYY", DateOfJoining: "DD MMM YYYY", ExitDate: "MM/DD/YYYY"}},
			Record{ID: "E8", Values: map[string]string{"dateOfBirth": "29/02/1996", "dateOfJoining": "29 feb 2024", "exitDate": "2/28/2025"}},
			Employee{ID: "E8", DateOfBirth: Date{1996, 2, 29}, DateOfJoining: Date{2024, 2, 29}, ExitDate: Date{2025, 2, 28}}, nil},
		{"29 February of a common year is a problem",
			Rules{DateFormats: DateFormats{DateOfBirth: "DD/MM/YYYY", DateOfJoining: "DD/MM/YYYY"}},
			Record{ID: "E9", Values: map[string]string{"dateOfBirth": "29/02/1997", "dateOfJoining": "29/02/2023"}},
			Employee{ID: "E9", Unreadable: []Field{FieldDateOfBirth, FieldDateOfJoining}}, []Problem{
				{EmployeeID: "E9", Field: FieldDateOfBirth, Code: CodeInvalidDate,
					Message: "dateOfBirth is not a calendar date (format DD/MM/YYYY)"},
				{EmployeeID: "E9", Field: FieldDateOfJoining, Code: CodeInvalidDate,
					Message: `dateOfJoining "29/02/2023" is not a calendar date (format DD/MM/YYYY)`},
			}},
		{"wrong date shape; date of birth not echoed",
			Rules{},
			Record{ID: "E10", Values: map[string]string{"dateOfBirth": "10/12/1815", "exitDate": "soon"}},
			Employee{ID: "E10", Unreadable: []Field{FieldDateOfBirth, FieldExitDate}}, []Problem{
				{EmployeeID: "E10", Field: FieldDateOfBirth, Code: CodeInvalidDate,
					Message: "dateOfBirth is not a date in the format YYYY-MM-DD"},
				{EmployeeID: "E10", Field: FieldExitDate, Code: CodeInvalidDate,
					Message: `exitDate "soon" is not a date in the format YYYY-MM-DD`},
			}},
		{"ISO date-time keeps the written date",
			Rules{},
			Record{ID: "E11", Values: map[string]string{"dateOfBirth": "1990-01-01T23:30:00-08:00"}},
			Employee{ID: "E11", DateOfBirth: Date{1990, 1, 1}}, nil},
		{"unknown date format is a problem",
			Rules{DateFormats: DateFormats{ExitDate: "YY"}},
			Record{ID: "E12", Values: map[string]string{"exitDate": "2024-01-01"}},
			Employee{ID: "E12", Unreadable: []Field{FieldExitDate}}, []Problem{{EmployeeID: "E12", Field: FieldExitDate, Code: CodeInvalidDate,
				Message: `exitDate: unknown date format "YY" (supported: ` + strings.Join(DateFormatNames, ", ") + ")"}}},
		{"status upper case", Rules{}, Record{ID: "E13", Values: map[string]string{"status": " INACTIVE "}},
			Employee{ID: "E13", Status: StatusInactive}, nil},
		{"status unknown", Rules{}, Record{ID: "E14", Values: map[string]string{"status": "on leave"}},
			Employee{ID: "E14", Unreadable: []Field{FieldStatus}}, []Problem{{EmployeeID: "E14", Field: FieldStatus,
				Code: CodeInvalidStatus, Message: `status "on leave" is not active or inactive, nor in the source's statusMap`}}},
		{"status mapped with a default", Rules{Mapping: []MapRule{{To: FieldStatus, From: []string{"state"}, Default: "active"}}},
			Record{ID: "E15"}, Employee{ID: "E15", Status: StatusActive}, nil},
		{"nil values", Rules{}, Record{ID: "E16"}, Employee{ID: "E16"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems := tt.rules.Normalize(tt.rec)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.problems, problems)
		})
	}
}

func TestSet(t *testing.T) {
	tests := []struct {
		name    string
		start   Employee
		field   Field
		value   string
		want    Employee
		wantErr string
	}{
		{"text field", Employee{}, FieldJobTitle, "Engineer", Employee{JobTitle: "Engineer"}, ""},
		{"employee number", Employee{}, FieldEmployeeNumber, "7", Employee{EmployeeNumber: "7"}, ""},
		{"custom field creates the map", Employee{}, CustomField("shoe"), "38", Employee{Custom: map[string]string{"shoe": "38"}}, ""},
		{"custom field empty leaves it absent", Employee{}, CustomField("shoe"), "", Employee{}, ""},
		{"custom field emptied is removed", Employee{Custom: map[string]string{"shoe": "38", "hat": "M"}},
			CustomField("shoe"), "", Employee{Custom: map[string]string{"hat": "M"}}, ""},
		{"status is made canonical", Employee{}, FieldStatus, "Active", Employee{Status: StatusActive}, ""},
		{"status unknown", Employee{}, FieldStatus, "gone", Employee{}, `status "gone" is not active or inactive`},
		{"date refused", Employee{}, FieldDateOfBirth, "2000-01-01", Employee{}, "dateOfBirth is a date"},
		{"unknown field", Employee{}, "shoeSize", "38", Employee{}, `unknown field "shoeSize"`},
		{"custom without key", Employee{}, "custom.", "38", Employee{}, `unknown field "custom."`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.start
			err := e.Set(tt.field, tt.value)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tt.want, e)
		})
	}
}

func TestSetCoversEveryTextField(t *testing.T) {
	for _, f := range Catalogue {
		if f == FieldStatus || f == FieldDateOfBirth || f == FieldDateOfJoining || f == FieldExitDate {
			continue
		}
		t.Run(string(f), func(t *testing.T) {
			var e Employee
			require.NoError(t, e.Set(f, "v-"+string(f)))
			require.Equal(t, "v-"+string(f), e.Get(f))
		})
	}
}

func TestExcluded(t *testing.T) {
	today := Date{2026, time.March, 10}
	contractor := Employee{ID: "E1", EmploymentType: " Contractor ", Department: "Sales Ops", Location: "Paris"}
	exclude := func(f Field, op FilterOp, values ...string) Filter {
		return Filter{Field: f, Op: op, Values: values, Action: FilterExclude}
	}
	include := func(f Field, op FilterOp, values ...string) Filter {
		return Filter{Field: f, Op: op, Values: values, Action: FilterInclude}
	}
	tests := []struct {
		name    string
		rules   Rules
		e       Employee
		want    bool
		because string
	}{
		{"no filters", Rules{}, contractor, false, ""},
		{"exclude equals, ignoring case and space", Rules{Filters: []Filter{exclude(FieldEmploymentType, OpEquals, "contractor ")}},
			contractor, true, "filters[0]: employmentType is Contractor"},
		{"exclude equals not matching", Rules{Filters: []Filter{exclude(FieldEmploymentType, OpEquals, "intern")}},
			contractor, false, ""},
		{"exclude in", Rules{Filters: []Filter{exclude(FieldEmploymentType, OpIn, "intern", "CONTRACTOR")}},
			contractor, true, "filters[0]: employmentType is Contractor"},
		{"exclude notIn", Rules{Filters: []Filter{exclude(FieldLocation, OpNotIn, "London", "Berlin")}},
			contractor, true, "filters[0]: location is Paris"},
		{"exclude notEquals not matching", Rules{Filters: []Filter{exclude(FieldLocation, OpNotEquals, "paris")}},
			contractor, false, ""},
		{"exclude contains", Rules{Filters: []Filter{exclude(FieldDepartment, OpContains, "ops")}},
			contractor, true, "filters[0]: department is Sales Ops"},
		{"exclude empty", Rules{Filters: []Filter{exclude(FieldJobTitle, OpEmpty)}},
			contractor, true, "filters[0]: jobTitle is empty"},
		{"exclude notEmpty not matching", Rules{Filters: []Filter{exclude(FieldJobTitle, OpNotEmpty)}},
			contractor, false, ""},
		{"include matching", Rules{Filters: []Filter{include(FieldLocation, OpIn, "paris", "lyon")}},
			contractor, false, ""},
		{"include not matching", Rules{Filters: []Filter{include(FieldLocation, OpEquals, "London")}},
			contractor, true, "filters[0]: location is Paris, which is not included"},
		{"every include must match", Rules{Filters: []Filter{include(FieldLocation, OpEquals, "Paris"),
			include(FieldDepartment, OpContains, "eng")}},
			contractor, true, "filters[1]: department is Sales Ops, which is not included"},
		{"exclude wins over a matching include", Rules{Filters: []Filter{include(FieldLocation, OpEquals, "Paris"),
			exclude(FieldEmploymentType, OpEquals, "contractor")}},
			contractor, true, "filters[1]: employmentType is Contractor"},
		{"custom field", Rules{Filters: []Filter{exclude(CustomField("band"), OpEquals, "x")}},
			Employee{ID: "E2", Custom: map[string]string{"band": "X"}}, true, "filters[0]: custom.band is X"},
		{"starts beyond the horizon", Rules{MaxDaysBeforeStart: 30},
			Employee{ID: "E3", DateOfJoining: Date{2026, time.April, 24}}, true, "starts in 45 days, more than 30"},
		{"starts on the horizon", Rules{MaxDaysBeforeStart: 30},
			Employee{ID: "E4", DateOfJoining: Date{2026, time.April, 9}}, false, ""},
		{"horizon off", Rules{},
			Employee{ID: "E5", DateOfJoining: Date{2027, time.April, 9}}, false, ""},
		{"already started", Rules{MaxDaysBeforeStart: 30},
			Employee{ID: "E6", DateOfJoining: Date{2020, time.January, 1}}, false, ""},
		{"no date of joining", Rules{MaxDaysBeforeStart: 30}, Employee{ID: "E7"}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, because := tt.rules.Excluded(tt.e, today)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.because, because)
		})
	}
}

func TestDaysBetween(t *testing.T) {
	tests := []struct {
		a, b Date
		want int
	}{
		{Date{2024, 2, 28}, Date{2024, 3, 1}, 2},
		{Date{2023, 2, 28}, Date{2023, 3, 1}, 1},
		{Date{2024, 3, 1}, Date{2024, 2, 28}, -2},
		{Date{2024, 1, 1}, Date{2025, 1, 1}, 366},
		{Date{1, 1, 1}, Date{9999, 12, 31}, 3652058},
	}
	for _, tt := range tests {
		t.Run(tt.a.String()+"→"+tt.b.String(), func(t *testing.T) {
			require.Equal(t, tt.want, daysBetween(tt.a, tt.b))
		})
	}
}

func TestNormalizeStatus(t *testing.T) {
	onLeave := map[string]Status{"On Leave": StatusActive, " terminated ": StatusInactive}
	tests := []struct {
		name    string
		rules   Rules
		values  map[string]string
		want    Status
		problem string
	}{
		{"canonical words in any case", Rules{}, map[string]string{"status": "Inactive"}, StatusInactive, ""},
		{"no status is left to validation", Rules{}, map[string]string{}, "", ""},
		{"a vendor word in the status map, ignoring case and space", Rules{StatusMap: onLeave},
			map[string]string{"status": "TERMINATED"}, StatusInactive, ""},
		{"a vendor word not in the map", Rules{StatusMap: onLeave}, map[string]string{"status": "Suspended"}, "",
			`status "Suspended" is not active or inactive, nor in the source's statusMap`},
		{"the map is looked up before the built-in words", Rules{StatusMap: map[string]Status{"active": StatusInactive}},
			map[string]string{"status": "Active"}, StatusInactive, ""},
		{"a connector's raw word the connector could not read", Rules{StatusMap: onLeave},
			map[string]string{"statusRaw": "on leave"}, StatusActive, ""},
		{"a raw word nobody knows is one problem naming it", Rules{},
			map[string]string{"statusRaw": "On Leave"}, "",
			`status "On Leave" is not active or inactive, nor in the source's statusMap`},
		{"the raw word overrides the connector's reading when mapped", Rules{StatusMap: map[string]Status{"pending": StatusInactive}},
			map[string]string{"status": "active", "statusRaw": "PENDING"}, StatusInactive, ""},
		{"otherwise the connector's reading stands", Rules{StatusMap: onLeave},
			map[string]string{"status": "active", "statusRaw": "PENDING"}, StatusActive, ""},
		{"a mapping rule's value is the word", Rules{StatusMap: onLeave,
			Mapping: []MapRule{{To: FieldStatus, From: []string{"Employment Status"}}}},
			map[string]string{"Employment Status": "On leave", "statusRaw": "ignored"}, StatusActive, ""},
		{"a map to a status that is none", Rules{StatusMap: map[string]Status{"gone": "left"}},
			map[string]string{"status": "Gone"}, "", `status "Gone" is mapped to "left", which is not active or inactive`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, problems := tt.rules.Normalize(Record{ID: "E1", Values: tt.values})
			require.Equal(t, tt.want, e.Status)
			if tt.problem == "" {
				require.Empty(t, problems)
				require.Empty(t, e.Unreadable)
				return
			}
			require.Equal(t, []Problem{{EmployeeID: "E1", Field: FieldStatus, Code: CodeInvalidStatus, Message: tt.problem}}, problems)
			require.Equal(t, []Field{FieldStatus}, e.Unreadable)
		})
	}
}

func TestNormalizeUnreadable(t *testing.T) {
	tests := []struct {
		name     string
		rules    Rules
		rec      Record
		want     Employee
		problems []Problem
	}{
		{"an unreadable field is one problem, left unset",
			Rules{},
			Record{ID: "E1", Values: map[string]string{"firstName": "Ada"},
				Unreadable: map[string]string{"workPhone": "mobile_phone_number holds an object, not text"}},
			Employee{ID: "E1", FirstName: "Ada", Unreadable: []Field{FieldWorkPhone}},
			[]Problem{{EmployeeID: "E1", Field: FieldWorkPhone, Code: CodeUnreadable,
				Message: "workPhone could not be read: mobile_phone_number holds an object, not text"}}},
		{"a value longer than any name is that employee's problem, and is not kept",
			Rules{},
			Record{ID: "E7", Values: map[string]string{"firstName": strings.Repeat("A", MaxValueBytes+1), "lastName": "Lee"}},
			Employee{ID: "E7", LastName: "Lee", Unreadable: []Field{FieldFirstName}},
			[]Problem{{EmployeeID: "E7", Field: FieldFirstName, Code: CodeTooLong,
				Message: "firstName is 4097 bytes long; at most 4096 are taken"}}},
		{"an unreadable field that is not selected is no problem",
			Rules{Fields: FieldSelection{Exclude: []Field{FieldWorkPhone}}},
			Record{ID: "E2", Values: map[string]string{"firstName": "Ada"}, Unreadable: map[string]string{"workPhone": "an object"}},
			Employee{ID: "E2", FirstName: "Ada"}, nil},
		{"a field a mapping reads from",
			Rules{Mapping: []MapRule{{To: FieldLocation, From: []string{"city", "country"}}}},
			Record{ID: "E3", Values: map[string]string{"city": "Lyon"}, Unreadable: map[string]string{"country": "an array"}},
			Employee{ID: "E3", Unreadable: []Field{FieldLocation}},
			[]Problem{{EmployeeID: "E3", Field: FieldLocation, Code: CodeUnreadable,
				Message: "location could not be read: country: an array"}}},
		{"an unreadable custom field",
			Rules{},
			Record{ID: "E6", Values: map[string]string{}, Unreadable: map[string]string{"custom.badge": "holds a list, not text"}},
			Employee{ID: "E6", Unreadable: []Field{CustomField("badge")}},
			[]Problem{{EmployeeID: "E6", Field: CustomField("badge"), Code: CodeUnreadable,
				Message: "custom.badge could not be read: holds a list, not text"}}},
		{"an unreadable status word",
			Rules{},
			Record{ID: "E4", Values: map[string]string{}, Unreadable: map[string]string{"statusRaw": "an object"}},
			Employee{ID: "E4", Unreadable: []Field{FieldStatus}},
			[]Problem{{EmployeeID: "E4", Field: FieldStatus, Code: CodeUnreadable,
				Message: "status could not be read: statusRaw: an object"}}},
		{"a record that could not be read at all is one problem",
			Rules{Fields: FieldSelection{Exclude: []Field{FieldWorkPhone}}},
			Record{ID: "E5", Values: map[string]string{"firstName": "Ada"},
				Unreadable: map[string]string{WholeRecord: "row 7 has 12 values for 11 columns", "workPhone": "x"}},
			Employee{ID: "E5", Unreadable: []Field{FieldID, FieldEmployeeNumber, FieldFirstName, FieldLastName,
				FieldPreferredName, FieldWorkEmail, FieldPersonalEmail, FieldDateOfBirth, FieldDateOfJoining, FieldExitDate, FieldStatus,
				FieldManagerID, FieldDepartment, FieldJobTitle, FieldLocation, FieldEmploymentType}},
			[]Problem{{EmployeeID: "E5", Code: CodeUnreadable,
				Message: "the record could not be read: row 7 has 12 values for 11 columns"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems := tt.rules.Normalize(tt.rec)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.problems, problems)
		})
	}
}

// TestOneCauseOneProblem normalises and validates one record at a time:
// whatever is wrong with a value is reported once, by whoever saw it first.
func TestOneCauseOneProblem(t *testing.T) {
	base := map[string]string{"firstName": "A", "workEmail": "a@x.test", "status": "active", "managerId": "E0"}
	tests := []struct {
		name   string
		values map[string]string
		bad    map[string]string
		want   []string // codes
	}{
		{"unknown status", map[string]string{"status": "Terminated"}, nil, []string{CodeInvalidStatus}},
		{"unknown raw status", map[string]string{"status": "", "statusRaw": "On Leave"}, nil, []string{CodeInvalidStatus}},
		{"no status at all", map[string]string{"status": ""}, nil, []string{CodeMissingField}},
		{"unreadable work email", map[string]string{"workEmail": ""}, map[string]string{"workEmail": "an object"},
			[]string{CodeUnreadable}},
		{"bad joining date", map[string]string{"dateOfJoining": "soon", "exitDate": "2020-01-01"}, nil,
			[]string{CodeInvalidDate}},
		{"bad exit date", map[string]string{"dateOfJoining": "2020-01-01", "exitDate": "31/02/2020"}, nil,
			[]string{CodeInvalidDate}},
		{"malformed email", map[string]string{"workEmail": "n/a"}, nil, []string{CodeInvalidEmail}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			values := maps.Clone(base)
			maps.Copy(values, tt.values)
			manager := Employee{ID: "E0", FirstName: "M", WorkEmail: "m@x.test", Status: StatusActive}
			e, problems := Rules{}.Normalize(Record{ID: "E1", Values: values, Unreadable: tt.bad})
			problems = append(problems, Rules{}.Validate([]Employee{manager, e}, Date{2026, 3, 10})...)
			var codes []string
			for _, p := range problems {
				codes = append(codes, p.Code)
			}
			require.Equal(t, tt.want, codes)
		})
	}
}

func TestNormalizeRefusesAnAbsurdID(t *testing.T) {
	e, problems := Rules{}.Normalize(Record{ID: strings.Repeat("9", MaxValueBytes+1), Values: map[string]string{"firstName": "Ada"}})
	require.Len(t, problems, 1)
	require.Equal(t, CodeTooLong, problems[0].Code)
	require.Equal(t, FieldID, problems[0].Field)
	require.Len(t, e.ID, 64+len("…"), "only a prefix names the record")
	require.Empty(t, e.FirstName, "nothing of the record is taken")
}
