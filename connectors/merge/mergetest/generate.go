package mergetest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

var (
	firstNames = []string{"Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Tim", "Margaret", "Linus"}
	lastNames  = []string{"Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Perlman", "Berners-Lee", "Hamilton", "Torvalds"}
	titles     = []string{"Engineer", "Designer", "Analyst", "Recruiter", "Accountant", "Support Specialist"}
)

// modifiedBase is when generated employees were last synced by Merge: well
// in the past, so any Update is later.
var modifiedBase = time.Date(2026, 1, 5, 3, 0, 0, 0, time.UTC)

// generate makes n deterministic employees: the first heads the company and
// everyone else reports up a tree of at most four reports each. Every sixth
// is INACTIVE with a termination date, every ninth has a hire date but no
// start date; with three or more, the last is PENDING (starting in 30 days)
// and the one before carries the raw vendor status "On Leave".
func generate(n int, seed int64) []Employee {
	rng := rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x6d65726765))
	ids := make([]string, n)
	for i := range ids {
		ids[i] = uuid(rng)
	}
	company := uuid(rng)
	out := make([]Employee, n)
	for i := range out {
		out[i] = employee(rng, i, ids, company)
	}
	if n >= 3 {
		out[n-1].EmploymentStatus = "PENDING"
		start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 30)
		out[n-1].StartDate, out[n-1].HireDate = isoDate(start), isoDate(start.AddDate(0, 0, -14))
		out[n-1].TerminationDate = ""
		out[n-2].EmploymentStatus = "On Leave"
		out[n-2].TerminationDate = ""
	}
	sortByID(out)
	return out
}

// employee makes the i-th employee.
func employee(rng *rand.Rand, i int, ids []string, company string) Employee {
	first, last := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
	start := time.Date(2015+rng.IntN(10), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
	e := Employee{
		ID:                ids[i],
		RemoteID:          fmt.Sprintf("jw-%05d", 1000+i),
		CreatedAt:         modifiedBase.Add(-24 * time.Hour),
		ModifiedAt:        modifiedBase.Add(time.Duration(i) * time.Second),
		EmployeeNumber:    fmt.Sprintf("E%04d", i+1),
		Company:           company,
		FirstName:         first,
		LastName:          last,
		DisplayFullName:   first + " " + last,
		Username:          strings.ToLower(first[:1] + last),
		Groups:            []string{uuid(rng)},
		WorkEmail:         fmt.Sprintf("%s.%s.%d@example.com", strings.ToLower(first), strings.ToLower(last), i),
		PersonalEmail:     fmt.Sprintf("%s%d@mail.example.org", strings.ToLower(first), i),
		MobilePhoneNumber: fmt.Sprintf("+1 555 01%02d", i%100),
		DateOfBirth:       isoDate(time.Date(1965+rng.IntN(35), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)),
		HireDate:          isoDate(start.AddDate(0, 0, -21)),
		StartDate:         isoDate(start),
		RemoteCreatedAt:   isoDate(start.AddDate(0, 0, -21)),
		EmploymentStatus:  "ACTIVE",
		CustomFields:      map[string]any{},
	}
	if i%3 == 1 {
		e.PreferredName = first[:2]
	}
	if i > 0 {
		e.Manager = ids[(i-1)/4]
	}
	if i%9 == 8 {
		e.StartDate = ""
	}
	if i%6 == 5 {
		e.EmploymentStatus = "INACTIVE"
		e.TerminationDate = isoDate(start.AddDate(2, 0, 0))
	}
	e.Employments = employments(rng, i, e)
	return e
}

// employments gives e one job, or two when promoted: the later effective
// one is current, served first so order alone does not tell.
func employments(rng *rand.Rand, i int, e Employee) []Employment {
	kind := "FULL_TIME"
	switch {
	case i%10 == 7:
		kind = "CONTRACTOR"
	case i%8 == 3:
		kind = "PART_TIME"
	}
	title := titles[rng.IntN(len(titles))]
	since := e.StartDate
	if since == "" {
		since = e.HireDate
	}
	job := Employment{ID: uuid(rng), RemoteID: fmt.Sprintf("job-%d-1", i), CreatedAt: e.CreatedAt, ModifiedAt: e.ModifiedAt,
		Employee: e.ID, JobTitle: title, PayRate: float64(50000 + rng.IntN(100000)), PayPeriod: "YEAR",
		PayCurrency: "USD", FLSAStatus: "EXEMPT", EffectiveDate: since, EmploymentType: kind}
	if i%4 != 2 {
		return []Employment{job}
	}
	promoted := job
	promoted.ID, promoted.RemoteID, promoted.JobTitle = uuid(rng), fmt.Sprintf("job-%d-2", i), "Senior "+title
	t, _ := time.Parse(time.RFC3339, since)
	promoted.EffectiveDate = isoDate(t.AddDate(1, 0, 0))
	return []Employment{promoted, job}
}

// uuid returns a random version-4 UUID from rng.
func uuid(rng *rand.Rand) string {
	a, b := rng.Uint64(), rng.Uint64()
	a = a&^0xf000 | 0x4000
	b = b&^(0xc<<60) | 0x8<<60
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", a>>32, a>>16&0xffff, a&0xffff, b>>48, b&0xffffffffffff)
}

// isoDate writes t as Merge writes dates: an ISO 8601 date-time in UTC.
func isoDate(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
