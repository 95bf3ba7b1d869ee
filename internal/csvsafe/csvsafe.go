// Package csvsafe writes CSV that spreadsheets open as data: a cell that a
// spreadsheet would run as a formula is neutralised.
package csvsafe

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
)

// Cell returns s made safe to open in a spreadsheet: a value starting with
// =, +, -, @, a tab or a carriage return gets a leading apostrophe, which
// spreadsheets show as text instead of evaluating.
func Cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Write writes rows as CSV with every cell passed through Cell.
func Write(w io.Writer, rows [][]string) error {
	cw := csv.NewWriter(w)
	for _, row := range rows {
		safe := make([]string, len(row))
		for i, c := range row {
			safe[i] = Cell(c)
		}
		if err := cw.Write(safe); err != nil {
			return fmt.Errorf("unable to write CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("unable to write CSV: %w", err)
	}
	return nil
}
