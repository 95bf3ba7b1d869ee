package demotest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hrsync/hrsync/roster"
)

// Generated employees joined between these dates, and leavers left by
// exitBy; fixed so a seed always yields the same roster whatever the day.
var (
	firstJoin = time.Date(2012, time.January, 1, 0, 0, 0, 0, time.UTC)
	lastJoin  = time.Date(2025, time.June, 30, 0, 0, 0, 0, time.UTC)
	exitBy    = time.Date(2025, time.December, 31, 0, 0, 0, 0, time.UTC)
)

// leaverShare is the share of people without reports generated as leavers.
const leaverShare = 0.04

// generate makes n employees deterministically from seed: E0001 is the CEO,
// the next ones head each department, and everyone else reports to an
// earlier member of their department, so the hierarchy has no loops. Ids
// follow joining order and work emails are unique.
func generate(n int, seed int64) []roster.Employee {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6872_7379_6e63))
	joins := make([]time.Time, n)
	for i := range joins {
		joins[i] = firstJoin.AddDate(0, 0, rng.IntN(int(lastJoin.Sub(firstJoin).Hours()/24)+1))
	}
	slices.SortFunc(joins, func(a, b time.Time) int { return a.Compare(b) })

	out := make([]roster.Employee, n)
	emails := map[string]int{}
	members := map[string][]int{} // department name → indexes, in id order
	deptOf := make([]department, n)
	for i := range out {
		var d department
		e := person(rng, joins[i], emails)
		e.ID = fmt.Sprintf("E%04d", i+1)
		e.EmployeeNumber = fmt.Sprintf("EMP-%05d", 10000+i+1)
		switch {
		case i == 0:
			d, e.JobTitle = executive, executive.head
		case i <= len(departments):
			d = departments[i-1]
			e.JobTitle, e.ManagerID = d.head, out[0].ID
		default:
			d = departments[rng.IntN(len(departments))]
			m := members[d.name]
			e.JobTitle = d.titles[rng.IntN(len(d.titles))]
			e.ManagerID = out[m[rng.IntN(len(m)/4+1)]].ID
		}
		e.Department = d.name
		e.Custom["costCenter"] = "CC-" + d.code
		members[d.name] = append(members[d.name], i)
		deptOf[i] = d
		out[i] = e
	}

	hasReports := map[string]bool{}
	for _, e := range out {
		hasReports[e.ManagerID] = true
	}
	for i := range out {
		e := &out[i]
		if hasReports[e.ID] && e.EmploymentType == contractor {
			// Managers are staff: contractors manage no one.
			e.EmploymentType = "full-time"
		}
		switch {
		case i <= len(departments):
		case hasReports[e.ID]:
			e.JobTitle = deptOf[i].lead
		case rng.Float64() < leaverShare:
			exit := joins[i].AddDate(0, 0, 60+rng.IntN(900))
			if exit.After(exitBy) {
				exit = exitBy
			}
			e.Status, e.ExitDate = roster.StatusInactive, roster.DateOf(exit)
		}
	}
	return out
}

// person makes one employee's personal details; ids and the organisation
// are the caller's.
func person(rng *rand.Rand, joined time.Time, emails map[string]int) roster.Employee {
	first := firstNames[rng.IntN(len(firstNames))]
	last := lastNames[rng.IntN(len(lastNames))]
	age := 21 + rng.IntN(40)
	dob := time.Date(joined.Year()-age, time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)

	local := emailLocal(first) + "." + emailLocal(last)
	emails[local]++
	if k := emails[local]; k > 1 {
		local += strconv.Itoa(k)
	}
	e := roster.Employee{
		FirstName:     first,
		LastName:      last,
		WorkEmail:     local + "@demo.example",
		PersonalEmail: emailLocal(first) + emailLocal(last) + strconv.Itoa(dob.Year()%100) + "@" + personalDomains[rng.IntN(len(personalDomains))],
		WorkPhone:     fmt.Sprintf("+1-555-%03d-%04d", 100+rng.IntN(900), rng.IntN(10000)),
		DateOfBirth:   roster.DateOf(dob),
		DateOfJoining: roster.DateOf(joined),
		Status:        roster.StatusActive,
		Location:      locations[rng.IntN(len(locations))],
		Custom:        map[string]string{"tShirtSize": tShirtSizes[rng.IntN(len(tShirtSizes))]},
	}
	if nick, ok := nicknames[first]; ok && rng.IntN(2) == 0 {
		e.PreferredName = nick
	}
	switch r := rng.IntN(100); {
	case r < 85:
		e.EmploymentType = fullTime
	case r < 93:
		e.EmploymentType = partTime
	default:
		e.EmploymentType = contractor
	}
	return e
}

// emailLocal folds a name into an email local part: lower-case letters only.
func emailLocal(name string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		if r >= 'a' && r <= 'z' {
			return r
		}
		return -1
	}, name)
}
