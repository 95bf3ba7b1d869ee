package roster

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestChangeReview(t *testing.T) {
	was := emp("E1", "alice@x.test", func(e *Employee) {
		e.Department, e.JobTitle, e.DateOfBirth = "Ops", "Engineer", Date{1990, 1, 2}
	})
	now := emp("E1", "alice.smith@x.test", func(e *Employee) {
		e.LastName, e.Department, e.JobTitle, e.DateOfBirth = "Smith", "R&D", "Lead", Date{1990, 2, 1}
	})
	t.Run("update shows old and new of other fields, identity fields only as changed", func(t *testing.T) {
		got := Diff(DiffInput{Source: []Employee{now}, Directory: []User{user("u1", true, was)},
			Owned: map[string]string{"u1": "E1"}, Today: today})
		require.Len(t, got.Changes, 1)
		c := got.Changes[0]
		require.Equal(t, OpUpdate, c.Op)
		require.Equal(t, map[Field]string{FieldDepartment: "Ops", FieldJobTitle: "Engineer"}, c.Before)
		require.ElementsMatch(t, []ReviewField{
			{Field: FieldLastName, Identity: true},
			{Field: FieldWorkEmail, Identity: true},
			{Field: FieldDateOfBirth, Identity: true},
			{Field: FieldDepartment, Old: "Ops", New: "R&D"},
			{Field: FieldJobTitle, Old: "Engineer", New: "Lead"},
		}, c.Review())
		data, err := json.Marshal(c)
		require.NoError(t, err)
		for _, v := range []string{"alice@x.test", "1990-01-02"} {
			require.NotContains(t, string(data), v, "a change keeps no identity value from before")
		}
	})
	t.Run("create shows new values of other fields only", func(t *testing.T) {
		got := Diff(DiffInput{Source: []Employee{now}, Today: today})
		require.Len(t, got.Changes, 1)
		for _, f := range got.Changes[0].Review() {
			if IsIdentity(f.Field) {
				require.Equal(t, ReviewField{Field: f.Field, Identity: true}, f)
				continue
			}
			require.Empty(t, f.Old)
			require.Equal(t, now.Get(f.Field), f.New)
		}
	})
	t.Run("reactivation keeps the value before", func(t *testing.T) {
		got := Diff(DiffInput{Source: []Employee{emp("E1", "alice@x.test", func(e *Employee) { e.Department = "R&D" })},
			Directory: []User{user("u1", false, emp("E1", "alice@x.test", func(e *Employee) { e.Department = "Ops" }))},
			Owned:     map[string]string{"u1": "E1"}, Today: today})
		require.Equal(t, OpReactivate, got.Changes[0].Op)
		require.Equal(t, []ReviewField{{Field: FieldDepartment, Old: "Ops", New: "R&D"}}, got.Changes[0].Review())
	})
}

func TestIsIdentity(t *testing.T) {
	for _, f := range []Field{FieldFirstName, FieldLastName, FieldPreferredName, FieldWorkEmail, FieldPersonalEmail, FieldDateOfBirth} {
		require.True(t, IsIdentity(f), f)
	}
	for _, f := range []Field{FieldDepartment, FieldJobTitle, FieldManagerID, FieldExitDate, CustomField("team")} {
		require.False(t, IsIdentity(f), f)
	}
}
