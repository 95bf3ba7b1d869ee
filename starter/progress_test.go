package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/operator"
)

func TestDescribeProgress(t *testing.T) {
	tests := []struct {
		p    operator.Progress
		want string
	}{
		{operator.Progress{Status: "Planning"}, "Planning"},
		{operator.Progress{Status: "Fetching", FetchedRecords: 1200, FetchedPages: 12}, "Fetching   1200 records in 12 pages"},
		{operator.Progress{Status: "Applying", Applied: 15, Total: 30, ApplyPass: 1},
			"Applying   [###############---------------] 15/30 writing users"},
		{operator.Progress{Status: "Applying", Applied: 30, Total: 30, ApplyPass: 2},
			"Applying   [##############################] 30/30 linking managers"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, describeProgress(tt.p))
	}
}

func TestProgressOffATerminalIsALinePerPhase(t *testing.T) {
	var b bytes.Buffer
	pp := newProgressPrinter(&b)
	require.False(t, pp.tty)
	for _, p := range []operator.Progress{{Status: "Fetching", FetchedPages: 1, FetchedRecords: 50},
		{Status: "Fetching", FetchedPages: 2, FetchedRecords: 100}, {Status: "Applying", Applied: 1, Total: 4, ApplyPass: 1},
		{Status: "Applying", Applied: 3, Total: 4, ApplyPass: 1}, {Status: "Completed"}} {
		pp.show(p)
	}
	pp.done()
	require.Equal(t, "  Fetching   50 records in 1 pages\n  Applying   [#######-----------------------] 1/4 writing users\n  Completed\n", b.String())
}
