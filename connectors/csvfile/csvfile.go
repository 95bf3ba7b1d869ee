// Package csvfile reads employees from a CSV export with a header row. The
// header names are the source's field names: columns named like catalogue
// fields (firstName, workEmail, dateOfJoining, custom.<key>, …) map by
// themselves, and the integration's mapping picks up any others. Dates stay
// the text the file holds; the integration's date formats read them, and
// the status column's words go through the source's statusMap.
//
// A row with more or fewer values than the header has columns is that
// employee's problem — kept with its id, held back as unreadable — not the
// file's; a broken quote, after which rows cannot be told apart, fails the
// fetch as a permanent error.
package csvfile

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/roster"
)

// Config says which file to read and how.
type Config struct {
	// Path is the CSV file.
	Path string
	// IDColumn names the column holding the HRIS id; default "id".
	IDColumn string
	// PageSize is how many rows a page holds; default 500.
	PageSize int
	// Comma is the separator; default ','.
	Comma rune
}

// Source reads one CSV file.
type Source struct {
	cfg Config
}

var _ connectors.Source = (*Source)(nil)

// New returns a Source for cfg.
func New(cfg Config) (*Source, error) {
	if cfg.Path == "" {
		return nil, connectors.Permanent(errors.New("csv: a file path is required"))
	}
	if cfg.IDColumn == "" {
		cfg.IDColumn = "id"
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = 500
	}
	if cfg.Comma == 0 {
		cfg.Comma = ','
	}
	return &Source{cfg: cfg}, nil
}

// FetchPage returns the rows after the row number in cursor ("" is the
// first row after the header). The file is read afresh for each page, so a
// retried fetch sees the same rows.
func (s *Source) FetchPage(ctx context.Context, cursor string) (connectors.Page, error) {
	skip := 0
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil || n < 0 {
			return connectors.Page{}, connectors.Permanent(fmt.Errorf("csv: bad cursor %q", cursor))
		}
		skip = n
	}
	f, err := os.Open(s.cfg.Path)
	if err != nil {
		return connectors.Page{}, connectors.Permanent(fmt.Errorf("csv: unable to open the file: %w", err))
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = s.cfg.Comma
	r.FieldsPerRecord = -1 // a row of the wrong length is that row's problem
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return connectors.Page{}, nil
	}
	if err != nil {
		return connectors.Page{}, connectors.Permanent(fmt.Errorf("csv: unable to read the header row: %w", err))
	}
	idCol, err := s.checkHeader(header)
	if err != nil {
		return connectors.Page{}, err
	}
	var page connectors.Page
	for row := 0; ; row++ {
		if err := ctx.Err(); err != nil {
			return connectors.Page{}, err
		}
		values, err := r.Read()
		if errors.Is(err, io.EOF) {
			return page, nil
		}
		if err != nil {
			// A broken quote leaves no telling where rows begin and end.
			return connectors.Page{}, connectors.Permanent(fmt.Errorf("csv: row %d: %w", row+2, err))
		}
		if row < skip {
			continue
		}
		if len(page.Records) == s.cfg.PageSize {
			page.Next = strconv.Itoa(row)
			return page, nil
		}
		line, _ := r.FieldPos(0)
		page.Records = append(page.Records, recordOf(header, idCol, values, line))
	}
}

// recordOf makes the record of one row, which starts on line. A row whose
// number of values is not the header's cannot be trusted column by column
// (a stray comma shifts every value after it): it is kept, with the id its
// id column holds if it has one, as a record that could not be read.
func recordOf(header []string, idCol int, values []string, line int) roster.Record {
	rec := roster.Record{Values: map[string]string{}}
	if idCol < len(values) {
		rec.ID = strings.TrimSpace(values[idCol])
	}
	if len(values) != len(header) {
		rec.Unreadable = map[string]string{roster.WholeRecord: fmt.Sprintf(
			"line %d has %d values; the header row has %d columns", line, len(values), len(header))}
		return rec
	}
	for i, v := range values {
		if i != idCol && strings.TrimSpace(v) != "" {
			rec.Values[header[i]] = strings.TrimSpace(v)
		}
	}
	return rec
}

// checkHeader refuses a header without the id column or with a repeated or
// blank name, and returns the id column's index.
func (s *Source) checkHeader(header []string) (int, error) {
	idCol := -1
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		header[i] = h
		switch {
		case h == "":
			return 0, connectors.Permanent(fmt.Errorf("csv: column %d has no name in the header row", i+1))
		case seen[h]:
			return 0, connectors.Permanent(fmt.Errorf("csv: column %q appears twice in the header row", h))
		}
		seen[h] = true
		if h == s.cfg.IDColumn {
			idCol = i
		}
	}
	if idCol < 0 {
		return 0, connectors.Permanent(fmt.Errorf("csv: the header row has no %q column", s.cfg.IDColumn))
	}
	return idCol, nil
}
