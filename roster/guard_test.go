package roster

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// directoryOf returns n active, linked users.
func directoryOf(n int) []User {
	users := make([]User, n)
	for i := range users {
		users[i] = User{TargetID: fmt.Sprint("u", i), Active: true, Employee: Employee{ID: fmt.Sprint("E", i)}}
	}
	return users
}

// planWith returns a plan deactivating n people.
func planWith(n int) DiffResult {
	var r DiffResult
	for i := 0; i < n; i++ {
		r.Changes = append(r.Changes, Change{Op: OpDeactivate, EmployeeID: fmt.Sprint("E", i)})
	}
	return r
}

func TestGuard(t *testing.T) {
	tests := []struct {
		name          string
		sourceCount   int
		directory     int
		deactivations int
		want          []string
	}{
		{"nothing to guard", 100, 100, 0, nil},
		{"20% exactly is allowed", 80, 100, 20, nil},
		{"21% is blocked", 79, 100, 21, []string{BlockMassChange}},
		{"small team: 4 of 10 is under the minimum", 6, 10, 4, nil},
		{"small team: 5 of 10 is blocked", 5, 10, 5, []string{BlockMassChange}},
		{"empty fetch against a directory is blocked", 0, 10, 10, []string{BlockEmptySource, BlockMassChange}},
		{"empty fetch against an empty directory is fine", 0, 0, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blocks := Guard(GuardInput{SourceCount: tt.sourceCount, Directory: directoryOf(tt.directory),
				Plan: planWith(tt.deactivations), Policy: DefaultMassChangePolicy})
			var codes []string
			for _, b := range blocks {
				codes = append(codes, b.Code)
			}
			require.Equal(t, tt.want, codes)
		})
	}
}

func TestGuardMessageSaysHowMany(t *testing.T) {
	blocks := Guard(GuardInput{SourceCount: 70, Directory: directoryOf(100), Plan: planWith(30),
		Policy: DefaultMassChangePolicy})
	require.Len(t, blocks, 1)
	require.Equal(t, "the run would deactivate 30 of 100 users (30%, limit 20%)", blocks[0].Message)
}
