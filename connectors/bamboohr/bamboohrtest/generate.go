package bamboohrtest

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// createdAt is when generated employees were created and last changed:
// fixed, so a seed always yields the same roster and a changed query for
// any recent time finds only what a test changed.
var createdAt = time.Date(2025, time.January, 1, 0, 0, 0, 0, time.UTC)

// firstID is the employeeId of the first generated employee.
const firstID = 100

// UnknownStatus is the status of the one generated employee whose status is
// neither Active nor Inactive.
const UnknownStatus = "Suspended"

var (
	firstNames  = []string{"Ada", "Bram", "Chen", "Dana", "Emeka", "Freya", "Goran", "Hana", "Ines", "Jonas", "Kiri", "Lena", "Mateo", "Noor", "Oskar", "Priya"}
	lastNames   = []string{"Okafor", "Lindqvist", "Tanaka", "Moreau", "Silva", "Novak", "Haddad", "Kowalski", "Nguyen", "Fischer", "Rossi", "Byrne"}
	departments = []string{"Engineering", "Sales", "Finance", "People", "Support"}
	titles      = []string{"Engineer", "Account Executive", "Analyst", "Partner", "Specialist"}
	locations   = []string{"London", "Lisbon", "Singapore", "Austin"}
	employments = []string{"Full-Time", "Full-Time", "Part-Time", "Contractor"}
)

// generate makes n employees from seed. The first is the top of the
// hierarchy; everyone else reports to one of the first fifth, so managers
// come before their reports and there are no loops. About one in eight of
// the rest left (Inactive, with a termination date), and the last one, when
// there are at least three, has UnknownStatus.
func generate(n int, seed int64) []*entry {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6268_7268))
	pool := max(1, n/5)
	out := make([]*entry, n)
	for i := range out {
		first, last := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
		d := rng.IntN(len(departments))
		hire := createdAt.AddDate(-10, 0, rng.IntN(3000))
		e := Employee{
			ID:                   strconv.Itoa(firstID + i),
			FirstName:            first,
			LastName:             last,
			WorkEmail:            fmt.Sprintf("%s.%s.%d@example.com", strings.ToLower(first), strings.ToLower(last), firstID+i),
			JobTitleName:         titles[d],
			DepartmentName:       departments[d],
			LocationName:         locations[rng.IntN(len(locations))],
			EmploymentStatusName: employments[rng.IntN(len(employments))],
			HireDate:             hire.Format(time.DateOnly),
			Status:               "Active",
			LastChanged:          createdAt,
		}
		if rng.IntN(4) == 0 {
			e.PreferredName = first[:2]
		}
		if i > 0 {
			e.ReportsToID = strconv.Itoa(firstID + rng.IntN(min(i, pool)))
		}
		switch {
		case n >= 3 && i == n-1:
			e.Status = UnknownStatus
		case i >= pool && rng.IntN(8) == 0:
			e.Status = "Inactive"
			e.TerminationDate = hire.AddDate(0, 0, 30+rng.IntN(600)).Format(time.DateOnly)
		}
		out[i] = &entry{emp: e, num: firstID + i, created: createdAt}
	}
	return out
}
