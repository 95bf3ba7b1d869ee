package roster

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckSources(t *testing.T) {
	merge := SourceFields{Source: "merge", Names: []string{"department", "firstName", "lastName", "workEmail", "statusRaw"}}
	demo := SourceFields{Source: "demo", Names: []string{"firstName", "lastName"}, Prefixes: []string{"custom."}}
	tests := []struct {
		name    string
		src     SourceFields
		mapping []MapRule
		want    []string
	}{
		{"no mapping", merge, nil, nil},
		{"known names", merge, []MapRule{{To: "custom.fullName", From: []string{"firstName", "lastName"}},
			{To: FieldStatus, From: []string{"statusRaw"}}}, nil},
		{"a default alone reads nothing", merge, []MapRule{{To: FieldLocation, Default: "Remote"}}, nil},
		{"a slip is refused with the name meant", merge, []MapRule{{To: FieldDepartment, From: []string{"departmnt"}}}, []string{
			`mapping[0].from: "departmnt" is not a field merge supplies; did you mean "department"?`,
		}},
		{"case is a slip too", merge, []MapRule{{To: FieldFirstName, From: []string{"FirstName"}}}, []string{
			`mapping[0].from: "FirstName" is not a field merge supplies; did you mean "firstName"?`,
		}},
		{"nothing close: the names are listed", merge, []MapRule{{To: FieldDepartment, From: []string{"dept"}}}, []string{
			`mapping[0].from: "dept" is not a field merge supplies; it supplies department, firstName, lastName, statusRaw, workEmail`,
		}},
		{"every problem at once, indexed among several", merge, []MapRule{
			{To: FieldDepartment, From: []string{"departmnt"}},
			{To: "custom.fullName", From: []string{"firstName", "lastNme"}},
		}, []string{
			`mapping[0].from: "departmnt" is not a field merge supplies; did you mean "department"?`,
			`mapping[1].from[1]: "lastNme" is not a field merge supplies; did you mean "lastName"?`,
		}},
		{"a family by prefix", demo, []MapRule{{To: "custom.cc", From: []string{"custom.costCenter"}}}, nil},
		{"the prefix alone is no name", demo, []MapRule{{To: "custom.cc", From: []string{"custom."}}}, []string{
			`mapping[0].from: "custom." is not a field demo supplies; it supplies firstName, lastName`,
		}},
		{"empty names are Check's", merge, []MapRule{{To: FieldDepartment, From: []string{" "}}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireErrorLines(t, tt.want, Rules{Mapping: tt.mapping}.CheckSources(tt.src))
		})
	}
}

// requireErrorLines requires err to say want, one line each; nil want
// means no error.
func requireErrorLines(t *testing.T, want []string, err error) {
	t.Helper()
	if want == nil {
		require.NoError(t, err)
		return
	}
	require.Error(t, err)
	require.Equal(t, want, strings.Split(err.Error(), "\n"))
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"abc", "", 3},
		{"department", "department", 0},
		{"departmnt", "department", 1},
		{"kitten", "sitting", 3},
		{"flaw", "lawn", 2},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, editDistance(tt.a, tt.b), "%q → %q", tt.a, tt.b)
		require.Equal(t, tt.want, editDistance(tt.b, tt.a), "%q → %q", tt.b, tt.a)
	}
}
