package demotest

import (
	"fmt"
	"testing"

	"github.com/hrsync/hrsync/roster"
	"github.com/stretchr/testify/require"
)

func TestGenerateIsDeterministic(t *testing.T) {
	require.Equal(t, generate(200, 7), generate(200, 7))
	require.NotEqual(t, generate(200, 7), generate(200, 8))
}

func TestGenerateMakesAPlausibleRoster(t *testing.T) {
	emps := generate(500, 42)
	require.Len(t, emps, 500)

	byID := map[string]roster.Employee{}
	emails := map[string]bool{}
	inactive := 0
	for i, e := range emps {
		require.Equal(t, fmt.Sprintf("E%04d", i+1), e.ID)
		byID[e.ID] = e
		email := roster.NormalEmail(e.WorkEmail)
		require.False(t, emails[email], "duplicate work email for %s", e.ID)
		emails[email] = true
		require.Regexp(t, `^[a-z]+\.[a-z]+[0-9]*@demo\.example$`, e.WorkEmail)
		require.NotEmpty(t, e.FirstName)
		require.NotEmpty(t, e.LastName)
		require.NotEmpty(t, e.PersonalEmail)
		require.NotEmpty(t, e.WorkPhone)
		require.NotEmpty(t, e.Department)
		require.NotEmpty(t, e.JobTitle)
		require.NotEmpty(t, e.Location)
		require.NotEmpty(t, e.EmploymentType)
		require.False(t, e.DateOfBirth.IsZero())
		require.True(t, e.DateOfBirth.Before(e.DateOfJoining))
		require.NotEmpty(t, e.Custom["tShirtSize"])
		require.NotEmpty(t, e.Custom["costCenter"])
		if e.Status == roster.StatusInactive {
			inactive++
			require.True(t, e.ExitDate.After(e.DateOfJoining), e.ID)
		} else {
			require.Equal(t, roster.StatusActive, e.Status)
			require.True(t, e.ExitDate.IsZero())
		}
	}
	require.Positive(t, inactive, "some leavers are generated")
	require.Less(t, inactive, 50)

	require.Empty(t, emps[0].ManagerID, "the CEO has no manager")
	for _, e := range emps[1:] {
		require.NotEmpty(t, e.ManagerID, e.ID)
		require.Less(t, e.ManagerID, e.ID, "managers are earlier employees")
		seen := map[string]bool{}
		for m := e.ManagerID; m != ""; m = byID[m].ManagerID {
			require.Contains(t, byID, m, "manager of %s exists", e.ID)
			require.False(t, seen[m], "reporting loop above %s", e.ID)
			seen[m] = true
		}
	}
}

func TestGenerateSmallRosters(t *testing.T) {
	require.Empty(t, generate(0, 1))
	one := generate(1, 1)
	require.Len(t, one, 1)
	require.Empty(t, one[0].ManagerID)
	require.Len(t, generate(3, 1), 3)
}

func TestGeneratedEmployeesPassTheHRISRules(t *testing.T) {
	h, err := NewHRIS(HRISOptions{Employees: 300, Seed: 3})
	require.NoError(t, err)
	for _, e := range h.Employees() {
		require.NoError(t, h.Update(e.ID, func(*roster.Employee) {}), e.ID)
	}
}

func TestGeneratedManagersAreNotContractors(t *testing.T) {
	for _, seed := range []int64{1, 2, 7, 42} {
		people := generate(300, seed)
		manages := map[string]bool{}
		for _, e := range people {
			manages[e.ManagerID] = true
		}
		for _, e := range people {
			if manages[e.ID] {
				require.NotEqual(t, contractor, e.EmploymentType, "seed %d: %s manages people", seed, e.ID)
			}
		}
	}
}
