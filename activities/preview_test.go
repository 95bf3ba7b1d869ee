package activities_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/roster"
)

// TestPreviewFlagsADateColumnThatReadsBothWays: joining dates written
// DD/MM/YYYY with no day above 12 read as well as MM/DD/YYYY, so the
// preview flags the column until one date settles it.
func TestPreviewFlagsADateColumnThatReadsBothWays(t *testing.T) {
	f := newFixture(t, options{})
	require.NoError(t, f.hris.SetRaw("E0001", "dateOfJoining", "03/02/2020"))
	require.NoError(t, f.hris.SetRaw("E0002", "dateOfJoining", "11/12/2019"))
	cfg := f.config
	cfg.Rules = roster.Rules{DateFormats: roster.DateFormats{DateOfJoining: "DD/MM/YYYY", DateOfBirth: "DD/MM/YYYY"}}

	preview := func(id string) (activities.PreviewResult, []string) {
		t.Helper()
		in := f.fetchIn(id)
		in.Rules = cfg.Rules
		var fetched activities.FetchResult
		require.NoError(t, run(t, f.env(), f.acts.Fetch, in, &fetched))
		var res activities.PreviewResult
		require.NoError(t, run(t, f.env(), f.acts.Preview, activities.PreviewInput{
			IntegrationID: integrationID, SnapshotID: id, ExportID: id, Config: cfg}, &res))
		export, err := f.store.GetExport(context.Background(), id)
		require.NoError(t, err)
		rows, err := csv.NewReader(bytes.NewReader(export.Data)).ReadAll()
		require.NoError(t, err)
		return res, rows[0]
	}

	res, header := preview("preview-1")
	require.Equal(t, []roster.Field{roster.FieldDateOfJoining}, res.AmbiguousDates)
	require.Contains(t, header, "dateOfJoining (ambiguous: DD/MM/YYYY or MM/DD/YYYY? no day is above 12)")
	require.Contains(t, header, "dateOfBirth", "ISO dates of birth settle nothing and flag nothing")
	require.Zero(t, res.Flagged, "an ambiguous column holds no one back")

	require.NoError(t, f.hris.SetRaw("E0003", "dateOfJoining", "25/12/2020"))
	res, header = preview("preview-2")
	require.Empty(t, res.AmbiguousDates)
	require.Contains(t, header, "dateOfJoining")
}

// TestPreviewReportsASharedIDOnce: validation reports a shared HRIS id once,
// and the preview shows that one problem on every record of the id.
func TestPreviewReportsASharedIDOnce(t *testing.T) {
	f := newFixture(t, options{})
	ctx := context.Background()
	records := []roster.Record{
		{ID: "E1", Values: map[string]string{"firstName": "Ana", "workEmail": "ana@x.test", "status": "active"}},
		{ID: "E1", Values: map[string]string{"firstName": "Ben", "workEmail": "ben@x.test", "status": "active"}},
		{ID: "E2", Values: map[string]string{"firstName": "Cy", "workEmail": "cy@x.test", "status": "active"}},
	}
	require.NoError(t, f.store.BeginSnapshot(ctx, "preview-dup", integrationID, "preview-dup", 0))
	require.NoError(t, f.store.AppendRecords(ctx, "preview-dup", 0, records))
	var res activities.PreviewResult
	require.NoError(t, run(t, f.env(), f.acts.Preview, activities.PreviewInput{
		IntegrationID: integrationID, SnapshotID: "preview-dup", ExportID: "preview-dup", Config: f.config}, &res))
	require.Equal(t, 2, res.Flagged, "both records of E1")

	export, err := f.store.GetExport(ctx, "preview-dup")
	require.NoError(t, err)
	rows, err := csv.NewReader(bytes.NewReader(export.Data)).ReadAll()
	require.NoError(t, err)
	issues := rows[0][len(rows[0])-1]
	require.Equal(t, "issues", issues)
	for _, r := range rows[1:3] {
		require.Equal(t, "duplicate_id: HRIS id E1 is shared by 2 records", r[len(r)-1])
	}
	require.Empty(t, rows[3][len(rows[3])-1])
}

// TestPreviewWarnsOfAColumnEmptyForEveryone: a mapping reading a field the
// HRIS does not have leaves its column empty for everyone, which the
// preview says, though it holds no one back.
func TestPreviewWarnsOfAColumnEmptyForEveryone(t *testing.T) {
	f := newFixture(t, options{})
	preview := func(id string, rules roster.Rules) activities.PreviewResult {
		t.Helper()
		cfg := f.config
		cfg.Rules = rules
		in := f.fetchIn(id)
		in.Rules = rules
		var fetched activities.FetchResult
		require.NoError(t, run(t, f.env(), f.acts.Fetch, in, &fetched))
		var res activities.PreviewResult
		require.NoError(t, run(t, f.env(), f.acts.Preview, activities.PreviewInput{
			IntegrationID: integrationID, SnapshotID: id, ExportID: id, Config: cfg}, &res))
		return res
	}
	require.Empty(t, preview("preview-1", roster.Rules{}).Warnings, "no leavers: an empty exitDate is no warning")

	res := preview("preview-2", roster.Rules{Mapping: []roster.MapRule{{To: roster.FieldDepartment, From: []string{"departmnt"}}}})
	require.Equal(t, []string{"department is empty for all 20 employees"}, res.Warnings)
	require.Zero(t, res.Flagged)
}
