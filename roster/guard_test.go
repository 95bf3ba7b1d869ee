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

// codesOf lists the blocks' codes; nil for none.
func codesOf(blocks []Block) []string {
	var codes []string
	for _, b := range blocks {
		codes = append(codes, b.Code)
	}
	return codes
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
			require.Equal(t, tt.want, codesOf(blocks))
		})
	}
}

func TestGuardMessageSaysHowMany(t *testing.T) {
	blocks := Guard(GuardInput{SourceCount: 70, Directory: directoryOf(100), Plan: planWith(30),
		Policy: DefaultMassChangePolicy})
	require.Len(t, blocks, 1)
	require.Equal(t, "the run would deactivate 30 of 100 users (30%, limit 20%)", blocks[0].Message)
}

// updatesOf returns a plan updating the first n users of a directoryOf
// directory; each of the first cleared also loses its department.
func updatesOf(n, cleared int) DiffResult {
	var r DiffResult
	for i := 0; i < n; i++ {
		c := Change{Op: OpUpdate, EmployeeID: fmt.Sprint("E", i), TargetID: fmt.Sprint("u", i),
			Employee: Employee{ID: fmt.Sprint("E", i), JobTitle: "Engineer"}, Fields: []Field{FieldJobTitle}}
		if i < cleared {
			c.Fields = append(c.Fields, FieldDepartment)
		}
		r.Changes = append(r.Changes, c)
	}
	return r
}

func TestGuardClearedFieldsAndMassUpdates(t *testing.T) {
	tests := []struct {
		name      string
		directory int
		updates   int
		cleared   int
		policy    MassChangePolicy
		want      []string
	}{
		{"a few updates", 100, 10, 0, DefaultMassChangePolicy, nil},
		{"10% cleared is allowed", 100, 10, 10, DefaultMassChangePolicy, nil},
		{"11% cleared is blocked", 100, 11, 11, DefaultMassChangePolicy, []string{BlockFieldCleared}},
		{"small team: 4 of 10 cleared is under the minimum", 10, 4, 4, DefaultMassChangePolicy, nil},
		{"small team: 5 of 10 cleared is blocked", 10, 5, 5, DefaultMassChangePolicy, []string{BlockFieldCleared}},
		{"30% updated is allowed", 1000, 300, 0, DefaultMassChangePolicy, nil},
		{"31% updated is blocked", 1000, 310, 0, DefaultMassChangePolicy, []string{BlockMassUpdate}},
		{"small team: 49 of 60 updated is under the minimum", 60, 49, 0, DefaultMassChangePolicy, nil},
		{"small team: 50 of 60 updated is blocked", 60, 50, 0, DefaultMassChangePolicy, []string{BlockMassUpdate}},
		{"both", 200, 193, 193, DefaultMassChangePolicy, []string{BlockFieldCleared, BlockMassUpdate}},
		{"raised limits", 200, 193, 193, MassChangePolicy{MaxClearPercent: 100, MaxUpdatePercent: 100}, nil},
		{"zero policy takes the defaults", 100, 11, 11, MassChangePolicy{}, []string{BlockFieldCleared}},
		{"no managed users: nothing to compare with", 0, 0, 0, DefaultMassChangePolicy, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blocks := Guard(GuardInput{SourceCount: tt.directory, Directory: directoryOf(tt.directory),
				Plan: updatesOf(tt.updates, tt.cleared), Policy: tt.policy})
			require.Equal(t, tt.want, codesOf(blocks))
		})
	}
}

// Only updates of users the integration manages count: an adopted user is
// not yet among them, and an inactive one is not counted either.
func TestGuardCountsManagedUsersOnly(t *testing.T) {
	directory := directoryOf(10)
	directory[0].Active = false
	plan := updatesOf(5, 5)
	plan.Changes = append(plan.Changes, Change{Op: OpUpdate, EmployeeID: "X", TargetID: "elsewhere",
		Fields: []Field{FieldDepartment}})
	require.Empty(t, Guard(GuardInput{SourceCount: 10, Directory: directory, Plan: plan, Policy: DefaultMassChangePolicy}),
		"4 managed users lose their department; the minimum is 5")
}

// A block names fields and counts, never a value, one sentence per field.
func TestGuardClearedMessages(t *testing.T) {
	plan := updatesOf(7720, 0)
	for i := range plan.Changes[:2953] {
		c := &plan.Changes[i]
		c.Fields = append(c.Fields, FieldDepartment, CustomField("costCenter"))
		if i < 1000 {
			c.Fields = append(c.Fields, FieldWorkPhone)
		}
	}
	directory := directoryOf(7720)
	blocks := Guard(GuardInput{SourceCount: 7720, Directory: directory, Plan: plan, Policy: DefaultMassChangePolicy})
	require.Equal(t, []Block{
		{Code: BlockFieldCleared, Message: "workPhone would be cleared for 1,000 of 7,720 users (13%, limit 10%)"},
		{Code: BlockFieldCleared, Message: "department would be cleared for 2,953 of 7,720 users (38%, limit 10%)"},
		{Code: BlockFieldCleared, Message: "custom.costCenter would be cleared for 2,953 of 7,720 users (38%, limit 10%)"},
		{Code: BlockMassUpdate, Message: "7,720 of 7,720 users (100%) would be updated (limit 30%)"},
	}, blocks)

	blocks = Guard(GuardInput{SourceCount: 7720, Directory: directory, Plan: updatesOf(2953, 0),
		Policy: DefaultMassChangePolicy})
	require.Equal(t, []Block{{Code: BlockMassUpdate, Message: "2,953 of 7,720 users (38%) would be updated (limit 30%)"}}, blocks)
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 7720: "7,720",
		123456: "123,456", 1234567: "1,234,567"} {
		require.Equal(t, want, thousands(n))
	}
}
