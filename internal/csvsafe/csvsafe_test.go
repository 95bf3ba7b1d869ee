package csvsafe

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"Alice", "Alice"},
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"+1-555-0100", "'+1-555-0100"},
		{"-2", "'-2"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tcmd", "'\tcmd"},
		{"\rcmd", "'\rcmd"},
		{"a=b", "a=b"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, Cell(tt.in), "%q", tt.in)
	}
}

func TestWrite(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, Write(&b, [][]string{{"id", "name"}, {"E1", "=1+1"}, {"E2", "O'Brien, Jr."}}))
	require.Equal(t, "id,name\nE1,'=1+1\nE2,\"O'Brien, Jr.\"\n", b.String())
}
