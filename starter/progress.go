package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/hrsync/hrsync/operator"
)

// progressPrinter shows a running sync's progress: on a terminal, a bar
// redrawn in place; elsewhere (a log, a pipe), one plain line per phase.
type progressPrinter struct {
	w          io.Writer
	tty        bool
	lastStatus string
}

func newProgressPrinter(w io.Writer) *progressPrinter {
	f, ok := w.(*os.File)
	return &progressPrinter{w: w, tty: ok && term.IsTerminal(int(f.Fd()))}
}

// show draws p.
func (pp *progressPrinter) show(p operator.Progress) {
	if pp.tty {
		fmt.Fprintf(pp.w, "\r\033[K  %s", describeProgress(p))
		return
	}
	if p.Status != "" && p.Status != pp.lastStatus {
		fmt.Fprintf(pp.w, "  %s\n", describeProgress(p))
		pp.lastStatus = p.Status
	}
}

// done ends the bar's line.
func (pp *progressPrinter) done() {
	if pp.tty {
		fmt.Fprintln(pp.w)
	}
}

// barWidth is how many cells the bar has.
const barWidth = 30

// describeProgress writes p in one line.
func describeProgress(p operator.Progress) string {
	switch {
	case p.Retrying != nil && p.Total == 0:
		return fmt.Sprintf("%-10s retrying: %s", p.Status, p.Retrying)
	case p.Total > 0:
		filled := barWidth * p.Applied / p.Total
		what := "writing users"
		if p.ApplyPass == 2 {
			what = "linking managers"
		}
		return fmt.Sprintf("%-10s [%s%s] %d/%d %s", p.Status, strings.Repeat("#", filled),
			strings.Repeat("-", barWidth-filled), p.Applied, p.Total, what)
	case p.FetchedPages > 0:
		return fmt.Sprintf("%-10s %d records in %d pages", p.Status, p.FetchedRecords, p.FetchedPages)
	}
	return p.Status
}
