package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/operator"
	"github.com/hrsync/hrsync/roster"
)

func TestPrintReview(t *testing.T) {
	r := operator.Review{IntegrationID: "acme", PlanID: "integration/acme/sync/3",
		Planned: map[roster.Op]int{roster.OpUpdate: 1, roster.OpDeactivate: 1},
		Changes: []operator.ReviewChange{
			{EmployeeID: "E1", Op: roster.OpUpdate, Reason: "changed in the HRIS", Fields: []roster.ReviewField{
				{Field: roster.FieldJobTitle, Old: "Engineer", New: "=Lead"},
				{Field: roster.FieldWorkEmail, Identity: true},
			}},
			{EmployeeID: "E2", Op: roster.OpDeactivate, Reason: "inactive in the HRIS"},
		}}
	var out bytes.Buffer
	printReview(&out, r)
	text := out.String()
	require.Contains(t, text, "plan integration/acme/sync/3: update 1, deactivate 1")
	require.Regexp(t, `E1\s+update\s+changed in the HRIS\s+jobTitle: "Engineer" → "=Lead"`, text)
	require.Regexp(t, `\n\s+workEmail: changed\n`, text)
	require.Regexp(t, `E2\s+deactivate\s+inactive in the HRIS`, text)
	require.Contains(t, text, "starter approve acme --plan integration/acme/sync/3")

	require.Equal(t, [][]string{
		{"employeeId", "operation", "reason", "field", "old", "new"},
		{"E1", "update", "changed in the HRIS", "jobTitle", "Engineer", "=Lead"},
		{"E1", "update", "changed in the HRIS", "workEmail", "", "changed"},
		{"E2", "deactivate", "inactive in the HRIS", "", "", ""},
	}, reviewRows(r))
}

func TestSyncRefusesReviewWithApprove(t *testing.T) {
	_, err := starter("sync", "acme", "--review", "--approve")
	require.ErrorContains(t, err, "choose one")
}
