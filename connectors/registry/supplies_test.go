package registry

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/roster"
)

func TestSupplies(t *testing.T) {
	_, known := Supplies(integration.Endpoint{Kind: "csv"})
	require.False(t, known, "a CSV file names its own columns")

	merge, known := Supplies(integration.Endpoint{Kind: "merge"})
	require.True(t, known)
	require.Contains(t, merge.Names, "workEmail")
	require.Contains(t, merge.Names, roster.ValueStatusRaw)
	require.NotContains(t, merge.Names, "id", "the id is no value")
	require.NotContains(t, merge.Names, "department", "Merge's Employee has no department")

	bamboo, _ := Supplies(integration.Endpoint{Kind: "bamboohr"})
	require.Equal(t, []string{"restricted."}, bamboo.Prefixes)

	demo, _ := Supplies(integration.Endpoint{Kind: "demo"})
	require.Equal(t, []string{"custom."}, demo.Prefixes)

	jl, _ := Supplies(integration.Endpoint{Kind: "justlogin"})
	require.Contains(t, jl.Names, "fullName")
	require.NotContains(t, jl.Names, "exitDate")
	jl, _ = Supplies(integration.Endpoint{Kind: "justlogin", ExitDateField: "custom.lastDay"})
	require.Contains(t, jl.Names, "exitDate")
}

func TestCheckMappingSources(t *testing.T) {
	cfg := integration.Config{Source: integration.Endpoint{Kind: "bamboohr"}}
	cfg.Mapping = []roster.MapRule{{To: roster.FieldDepartment, From: []string{"departmnt"}},
		{To: roster.CustomField("hidden"), From: []string{"restricted.department"}}}
	require.EqualError(t, CheckMappingSources(cfg),
		`mapping[0].from: "departmnt" is not a field bamboohr supplies; did you mean "department"?`)

	cfg.Source.Kind = "csv"
	require.NoError(t, CheckMappingSources(cfg), "a CSV file's columns are not known in advance")
}
