package activities

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/internal/csvsafe"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
)

// PreviewInput names a fetched snapshot to preview under an integration's
// rules.
type PreviewInput struct {
	IntegrationID string
	SnapshotID    string
	// ExportID names the CSV the preview writes to the store.
	ExportID string
	Config   integration.Config
}

// PreviewResult says where the preview CSV is and what it found.
type PreviewResult struct {
	ExportID string
	Rows     int
	Flagged  int
	Excluded int
	// AmbiguousDates lists the date columns whose every value reads as
	// well with day and month swapped: nothing in the data confirms the
	// chosen format. Their headers in the CSV say so too.
	AmbiguousDates []roster.Field `json:",omitempty"`
	// Warnings are what a sync could not do for everyone: fields the
	// directory has no home for, and columns empty for every employee.
	Warnings []string `json:",omitempty"`
}

// Preview writes the CSV an administrator checks before a first sync: one
// row per employee with the selected fields under their mapped names and in
// the chosen date formats, and columns flagging who is left out and every
// validation problem, duplicates included. A date column whose values all
// read as well with day and month swapped is flagged in its header.
// Nothing is applied. The snapshot
// it read is deleted; the CSV waits in the store for the CLI to collect it.
func (a *Activities) Preview(ctx context.Context, in PreviewInput) (PreviewResult, error) {
	res, err := a.preview(ctx, in)
	return res, classify(err)
}

func (a *Activities) preview(ctx context.Context, in PreviewInput) (PreviewResult, error) {
	defer startKeepAlive(ctx).stop()
	cfg := in.Config.WithDefaults()
	rules := cfg.Rules.WithDefaults()
	records, err := a.Store.SnapshotRecords(ctx, in.SnapshotID)
	if err != nil {
		return PreviewResult{}, err
	}
	today, err := a.today(cfg.Schedule.TimeZone)
	if err != nil {
		return PreviewResult{}, err
	}
	ambiguous := rules.AmbiguousDates(records)
	prep := prepare(records, rules, today)
	warnings := a.previewWarnings(ctx, in.IntegrationID, cfg.Target, rules, prep.employees)
	issues := map[string][]string{} // by HRIS id: every record of a shared id shows its one duplicate_id
	for _, p := range prep.problems {
		issues[p.EmployeeID] = append(issues[p.EmployeeID], p.Code+": "+p.Message)
	}

	supplied, known := a.Connectors.Fields(cfg.Source.Kind)
	if !known {
		supplied = nil
	}
	columns, err := previewColumns(prep.employees, rules, supplied)
	if err != nil {
		return PreviewResult{}, err
	}
	header := []string{"id"}
	for _, c := range columns {
		header = append(header, c.header(ambiguous))
	}
	rows := [][]string{append(header, "excluded", "issues")}
	res := PreviewResult{ExportID: in.ExportID, AmbiguousDates: ambiguous, Warnings: warnings}
	for _, e := range prep.employees {
		row := []string{e.ID}
		for _, c := range columns {
			row = append(row, c.value(e))
		}
		row = append(row, prep.excluded[e.ID], strings.Join(issues[e.ID], "; "))
		rows = append(rows, row)
		if len(issues[e.ID]) > 0 {
			res.Flagged++
		}
	}
	res.Rows, res.Excluded = len(prep.employees), len(prep.excluded)
	res.Warnings = append(res.Warnings, emptyColumnWarnings(columns, prep.employees)...)

	var buf bytes.Buffer
	if err := csvsafe.Write(&buf, rows); err != nil {
		return PreviewResult{}, err
	}
	if err := a.Store.SaveExport(ctx, store.Export{ID: in.ExportID, IntegrationID: in.IntegrationID,
		Kind: "preview", Data: buf.Bytes()}); err != nil {
		return PreviewResult{}, err
	}
	if err := a.Store.DeleteSnapshot(ctx, in.SnapshotID); err != nil {
		return PreviewResult{}, err
	}
	return res, nil
}

// emptyColumnWarnings warns of each column empty for every employee (of
// two or more): most likely a mapping reading a field the source does not
// have, which a sync would blank for everyone. The exit date is left out;
// it is empty whenever nobody is leaving.
func emptyColumnWarnings(columns []previewColumn, employees []roster.Employee) []string {
	if len(employees) < 2 {
		return nil
	}
	var out []string
	for _, c := range columns {
		if c.field == roster.FieldExitDate {
			continue
		}
		if !slices.ContainsFunc(employees, func(e roster.Employee) bool { return e.Get(c.field) != "" }) {
			out = append(out, fmt.Sprintf("%s is empty for all %d employees", c.field, len(employees)))
		}
	}
	return out
}

// previewColumn is one selected field and how to write it.
type previewColumn struct {
	field  roster.Field
	format *roster.DateFormat
}

// header names the column by its field; a date column whose values leave
// day and month undecided (ambiguous) says so, naming both readings.
func (c previewColumn) header(ambiguous []roster.Field) string {
	if c.format == nil || !slices.Contains(ambiguous, c.field) {
		return string(c.field)
	}
	return fmt.Sprintf("%s (ambiguous: %s or %s? no day is above 12)", c.field, c.format, c.format.DayMonthSwapped())
}

func (c previewColumn) value(e roster.Employee) string {
	if c.format == nil {
		return e.Get(c.field)
	}
	var d roster.Date
	switch c.field {
	case roster.FieldDateOfBirth:
		d = e.DateOfBirth
	case roster.FieldDateOfJoining:
		d = e.DateOfJoining
	case roster.FieldExitDate:
		d = e.ExitDate
	}
	return c.format.Format(d)
}

// previewColumns lists the selected catalogue fields the source can supply
// (or a mapping fills), then the selected custom fields any employee has,
// in key order. supplied nil means the source can supply anything.
func previewColumns(employees []roster.Employee, rules roster.Rules, supplied map[roster.Field]string) ([]previewColumn, error) {
	mapped := map[roster.Field]bool{}
	for _, m := range rules.Mapping {
		mapped[m.To] = true
	}
	formats := map[roster.Field]string{
		roster.FieldDateOfJoining: rules.DateFormats.DateOfJoining,
		roster.FieldDateOfBirth:   rules.DateFormats.DateOfBirth,
		roster.FieldExitDate:      rules.DateFormats.ExitDate,
	}
	var cols []previewColumn
	for _, f := range roster.Catalogue {
		if f == roster.FieldID || !rules.Selected(f) {
			continue
		}
		if _, ok := supplied[f]; supplied != nil && !ok && !mapped[f] {
			continue
		}
		col := previewColumn{field: f}
		if name, isDate := formats[f]; isDate {
			df, err := roster.ParseDateFormat(name)
			if err != nil {
				return nil, connectors.Permanent(fmt.Errorf("date format of %s: %w", f, err))
			}
			col.format = &df
		}
		cols = append(cols, col)
	}
	var custom []roster.Field
	for _, e := range employees {
		for _, f := range e.Fields() {
			if !slices.Contains(roster.Catalogue, f) && !slices.Contains(custom, f) && rules.Selected(f) {
				custom = append(custom, f)
			}
		}
	}
	slices.Sort(custom)
	for _, f := range custom {
		cols = append(cols, previewColumn{field: f})
	}
	return cols, nil
}

// previewWarnings asks the directory what it stores and warns of the
// selected fields it has no home for, as a sync would. A directory that
// cannot be asked is a warning too: a preview needs only the HRIS.
func (a *Activities) previewWarnings(ctx context.Context, integrationID string, e integration.Endpoint,
	rules roster.Rules, employees []roster.Employee) []string {
	tgt, err := a.target(integrationID, e)
	if err == nil {
		var desc connectors.Description
		if desc, _, err = describe(ctx, tgt); err == nil {
			return unstoredWarnings(desc, rules, employees)
		}
	}
	return []string{"the directory could not say which fields it stores: " + err.Error()}
}
