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
