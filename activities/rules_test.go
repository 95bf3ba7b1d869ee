package activities_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/internal/keys"
	"github.com/hrsync/hrsync/notify"
	"github.com/hrsync/hrsync/notify/smtptest"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
)

func TestFetchStoresOnlySelectedFields(t *testing.T) {
	f := newFixture(t, options{})
	in := f.fetchIn("sync-1")
	in.Rules = roster.Rules{
		Fields:  roster.FieldSelection{Exclude: []roster.Field{roster.FieldPersonalEmail, roster.FieldDateOfBirth, "custom.tShirtSize"}},
		Mapping: []roster.MapRule{{To: "custom.fullName", From: []string{"firstName", "lastName"}}},
	}
	var res activities.FetchResult
	require.NoError(t, run(t, f.env(), f.acts.Fetch, in, &res))

	records, err := f.store.SnapshotRecords(context.Background(), "sync-1")
	require.NoError(t, err)
	require.Len(t, records, 20)
	for _, r := range records {
		for _, gone := range []string{"personalEmail", "dateOfBirth", "custom.tShirtSize"} {
			require.NotContains(t, r.Values, gone, "an unselected field reached the store")
		}
		require.NotEmpty(t, r.Values["firstName"], "a mapping's sources are kept")
		require.NotEmpty(t, r.Values["custom.costCenter"])
	}
}

func TestAnUnsentDateOfBirthIsKeptOnlyAsADigest(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, options{})
	key, err := keys.NewKey("store-1")
	require.NoError(t, err)
	f.acts.IdentityKeys = &keys.Keyring{Current: key}
	f.config.Rules = roster.Rules{Fields: roster.FieldSelection{Exclude: []roster.Field{roster.FieldDateOfBirth}}}
	f.sync("sync-1")

	// Neither the snapshot, the applied roster nor the directory holds a
	// date of birth; the store keeps a digest for each employee instead.
	records, err := f.store.SnapshotRecords(ctx, "sync-1")
	require.NoError(t, err)
	raw, err := json.Marshal(records)
	require.NoError(t, err)
	applied, err := f.store.Applied(ctx, integrationID)
	require.NoError(t, err)
	require.NotEmpty(t, applied)
	appliedRaw, err := json.Marshal(applied)
	require.NoError(t, err)
	for _, e := range f.hris.Employees() {
		require.False(t, e.DateOfBirth.IsZero())
		dob := e.DateOfBirth.String()
		require.NotContains(t, string(raw), dob, "employee %s's date of birth reached the snapshot", e.ID)
		require.NotContains(t, string(appliedRaw), dob, "employee %s's date of birth reached the applied roster", e.ID)
	}
	for _, r := range records {
		require.NotContains(t, r.Values, "dateOfBirth")
		require.Regexp(t, `^store-1:[A-Za-z0-9_-]+$`, r.DateOfBirthDigest, r.ID)
	}
	for _, e := range applied {
		require.NotEmpty(t, e.DateOfBirthDigest, e.ID)
	}
	for _, u := range f.dir.Users() {
		require.True(t, u.Employee.DateOfBirth.IsZero(), "user %s was sent a date of birth", u.TargetID)
		require.Empty(t, u.Employee.DateOfBirthDigest)
	}

	// A new name with a new date of birth waits for review; a new date of
	// birth alone has nothing to send and passes.
	shift := func(d roster.Date, days int) roster.Date {
		return roster.DateOf(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).AddDate(0, 0, days))
	}
	renamed, reborn := f.leaf(), "E0003"
	before, _ := f.hris.Get(renamed)
	require.NoError(t, f.hris.Update(renamed, func(e *roster.Employee) {
		e.LastName = "Renamed"
		e.DateOfBirth = shift(e.DateOfBirth, 1)
	}))
	require.NoError(t, f.hris.Update(reborn, func(e *roster.Employee) { e.DateOfBirth = shift(e.DateOfBirth, -400) }))
	f.fetch("sync-2")
	p := f.plan("sync-2")
	require.Len(t, p.Blocks, 1)
	require.Equal(t, roster.BlockPrivacy, p.Blocks[0].Code)
	plan, err := f.store.GetPlan(ctx, p.PlanID)
	require.NoError(t, err)
	require.Equal(t, []roster.Hold{{EmployeeID: renamed, Code: roster.HoldIdentityChange, Reason: "name, date of birth changed",
		Changes: []roster.FieldChange{{Field: roster.FieldLastName, Old: before.LastName, New: "Renamed"},
			{Field: roster.FieldDateOfBirth, Digest: true}}}}, plan.Holds)
	require.Equal(t, roster.OpUnchanged, f.changes(p.PlanID)[reborn].Change.Op)
}

func TestPreviewWritesTheCSVAnAdministratorChecks(t *testing.T) {
	f := newFixture(t, options{})
	ctx := context.Background()
	require.NoError(t, f.hris.SetRaw("E0003", "workEmail", f.hris.Employees()[3].WorkEmail))
	require.NoError(t, f.hris.SetRaw("E0005", "dateOfJoining", "2019-02-29"))
	require.NoError(t, f.hris.SetRaw("E0006", "custom.badge", "=cmd|' /C calc'!A0"))
	cfg := f.config
	cfg.Rules = roster.Rules{
		Fields: roster.FieldSelection{Exclude: []roster.Field{roster.FieldPersonalEmail, roster.FieldWorkPhone}},
		Mapping: []roster.MapRule{
			{To: "custom.fullName", From: []string{"firstName", "lastName"}},
			{To: roster.FieldLocation, From: []string{"location"}, Default: "Remote"},
		},
		DateFormats: roster.DateFormats{DateOfBirth: "DD MMM YYYY", DateOfJoining: "DD/MM/YYYY"},
		Filters:     []roster.Filter{{Field: roster.FieldEmploymentType, Op: roster.OpEquals, Values: []string{"contractor"}, Action: roster.FilterExclude}},
	}
	in := f.fetchIn("preview-1")
	in.Rules = cfg.Rules
	var fetched activities.FetchResult
	require.NoError(t, run(t, f.env(), f.acts.Fetch, in, &fetched))

	var res activities.PreviewResult
	require.NoError(t, run(t, f.env(), f.acts.Preview, activities.PreviewInput{
		IntegrationID: integrationID, SnapshotID: "preview-1", ExportID: "preview-1", Config: cfg}, &res))
	require.Equal(t, 20, res.Rows)
	require.Equal(t, 3, res.Flagged, "two duplicates and one bad date")

	export, err := f.store.GetExport(ctx, "preview-1")
	require.NoError(t, err)
	rows, err := csv.NewReader(bytes.NewReader(export.Data)).ReadAll()
	require.NoError(t, err)
	header := rows[0]
	require.Equal(t, []string{"id", "employeeNumber", "firstName", "lastName", "preferredName", "workEmail",
		"dateOfBirth", "dateOfJoining", "exitDate", "status", "managerId", "department", "jobTitle", "location",
		"employmentType", "custom.badge", "custom.costCenter", "custom.fullName", "custom.tShirtSize", "excluded", "issues"}, header)
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	byID := map[string][]string{}
	for _, r := range rows[1:] {
		byID[r[0]] = r
	}
	e1, _ := f.hris.Get("E0001")
	row := byID["E0001"]
	require.Equal(t, e1.FirstName+" "+e1.LastName, row[col["custom.fullName"]])
	df, err := roster.ParseDateFormat("DD MMM YYYY")
	require.NoError(t, err)
	require.Equal(t, df.Format(e1.DateOfBirth), row[col["dateOfBirth"]])
	require.Regexp(t, `^\d\d/\d\d/\d{4}$`, row[col["dateOfJoining"]])
	require.Contains(t, byID["E0003"][col["issues"]], "duplicate_email: workEmail is also used by E0004")
	require.Contains(t, byID["E0004"][col["issues"]], "duplicate_email")
	require.Contains(t, byID["E0005"][col["issues"]], "invalid_date")
	require.Equal(t, "'=cmd|' /C calc'!A0", byID["E0006"][col["custom.badge"]], "formulas are neutralised")
	for _, e := range f.hris.Employees() {
		if e.EmploymentType == "contractor" {
			require.Equal(t, "filters[0]: employmentType is contractor", byID[e.ID][col["excluded"]])
		}
	}
	_, err = f.store.GetSnapshot(ctx, "preview-1")
	require.ErrorIs(t, err, store.ErrNotFound, "the preview's snapshot is not kept")
}

func TestNotifyTellsAdminsByEmailAndWebhook(t *testing.T) {
	f := newFixture(t, options{})
	ctx := context.Background()
	smtp, err := smtptest.Start(smtptest.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = smtp.Close() })
	var hook []byte
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hook, _ = io.ReadAll(r.Body)
	}))
	t.Cleanup(web.Close)
	require.NoError(t, f.store.SavePlan(ctx, store.Plan{ID: "sync-9", IntegrationID: integrationID, SyncID: "sync-9",
		SnapshotID: "sync-9", Counts: map[roster.Op]int{roster.OpUpdate: 1},
		Blocks: []roster.Block{{Code: roster.BlockPrivacy, Message: "1 employees' identities changed and wait for review"}},
		Holds: []roster.Hold{{EmployeeID: "E0004", Code: roster.HoldIdentityChange, Reason: "name, date of birth changed",
			Changes: []roster.FieldChange{{Field: roster.FieldLastName, Old: "Lee", New: "Okafor"}}}}}, nil))
	cfg := f.config
	cfg.Admins = []string{"hr-ops@acme.example"}
	cfg.Notify = notify.Config{
		Email:   &notify.EmailConfig{SMTPAddr: smtp.Addr(), From: "hrsync@acme.example"},
		Webhook: &notify.WebhookConfig{URL: web.URL},
	}

	f.acts.WebUI = activities.WebUI{URL: "https://temporal.acme.example/", Namespace: "hr"}
	cfg.Name = ""

	var res activities.NotifyResult
	require.NoError(t, run(t, f.env(), f.acts.Notify, activities.NotifyInput{
		IntegrationID: integrationID, SyncWorkflowID: "integration/acme/sync/9", PlanID: "sync-9", Config: cfg}, &res))

	require.Equal(t, []string{"hr-ops@acme.example"}, res.Emailed, "the admins are the default recipients")
	require.Equal(t, http.StatusOK, res.Webhook)
	msgs := smtp.Messages()
	require.Len(t, msgs, 1)
	require.Contains(t, string(msgs[0].Data), "E0004")
	require.NotContains(t, string(msgs[0].Data), "Okafor", "emails carry field names, not values")
	var payload notify.Payload
	require.NoError(t, json.Unmarshal(hook, &payload))
	require.Equal(t, "sync-9", payload.PlanID)
	require.Equal(t, "E0004", payload.Held[0].EmployeeID)
	require.Equal(t, integrationID, payload.IntegrationName, "an unnamed integration goes by its id")
	require.Equal(t, "https://temporal.acme.example/namespaces/hr/workflows/integration%2Facme%2Fsync%2F9", payload.UIURL)
	_, body, _ := strings.Cut(string(msgs[0].Data), "\r\n\r\n")
	text, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
	require.NoError(t, err)
	require.Contains(t, string(text), "Temporal Web UI: https://temporal.acme.example/namespaces/hr/workflows/integration%2Facme%2Fsync%2F9")
	require.False(t, strings.Contains(string(hook), "Okafor"), "no PII in the webhook unless configured")
}
