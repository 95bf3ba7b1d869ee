package justlogintest

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"time"
)

// User is one person in the fake company, in JustLogin's terms.
type User struct {
	UserGUID     string
	CompanyGUID  string
	EmployeeID   string
	UserName     string
	Email        string
	FullName     string
	CreatedDate  string
	ModifiedDate string
	JoinDate     string
	DateOfBirth  string
	Gender       string
	// ManagerGUID is the manager's userGuid; "" for none.
	ManagerGUID string
	Department  *Department
	Employment  *Employment
	IsActive    bool
	// Extra holds fields the public docs do not show but an account may
	// have, such as an exit date; they are sent as top-level fields.
	Extra map[string]any
	// Raw holds values served in place of the documented fields it names,
	// as given: a number where text is documented, a string for the
	// isActive flag, null for an include — what real accounts send.
	Raw map[string]any
}

// Department is the department include.
type Department struct {
	DepartmentGUID string `json:"departmentGuid"`
	Name           string `json:"name"`
}

// Employment is the employment include. EmploymentStatus is an employment
// type, such as "Full Time".
type Employment struct {
	Designation      string `json:"designation"`
	DesignationCode  string `json:"designationCode"`
	EmploymentStatus string `json:"employmentStatus"`
	JobGradeID       int    `json:"jobGradeId"`
	JobGrade         string `json:"jobGrade"`
	ConfirmationDate string `json:"confirmationDate"`
}

// clone returns a deep copy of u.
func (u User) clone() User {
	if u.Department != nil {
		d := *u.Department
		u.Department = &d
	}
	if u.Employment != nil {
		e := *u.Employment
		u.Employment = &e
	}
	u.Extra = maps.Clone(u.Extra)
	u.Raw = maps.Clone(u.Raw)
	return u
}

// Users returns a copy of every user, in the API's order.
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, len(s.users))
	for i, u := range s.users {
		out[i] = u.clone()
	}
	return out
}

// Update applies fn to the user with guid id and reports whether there is
// one.
func (s *Server) Update(id string, fn func(*User)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.users {
		if s.users[i].UserGUID == id {
			fn(&s.users[i])
			return true
		}
	}
	return false
}

var (
	givenNames  = []string{"Wei Ming", "Siti", "Arjun", "Mei Ling", "Daniel", "Nur Aisyah", "Rajesh", "Hui Min", "Marcus", "Priya"}
	familyNames = []string{"Tan", "Lim", "Lee", "Ng", "Wong", "Rahman", "Kumar", "Chua", "Goh", "Pillai"}
	departments = []string{"Sales", "Finance", "Engineering", "Operations", "People"}
	jobs        = []struct{ title, code string }{{"Sales Executive", "SE"}, {"Accountant", "ACC"}, {"Software Engineer", "SWE"}, {"Operations Lead", "OL"}, {"HR Manager", "HRM"}}
	types       = []string{"Full Time", "Full Time", "Full Time", "Part Time", "Contract", "Intern"}
)

// generate makes n users from seed: the first heads the company, every
// other reports to someone earlier, and about one in six has left.
func generate(n int, seed int64) []User {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6a4c))
	company := hexID(rng)
	deptIDs := make([]string, len(departments))
	for i := range deptIDs {
		deptIDs[i] = hexID(rng)
	}
	base := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	users := make([]User, n)
	for i := range users {
		first, last := givenNames[rng.IntN(len(givenNames))], familyNames[rng.IntN(len(familyNames))]
		login := fmt.Sprintf("user%03d@example.org", i+1)
		join := base.AddDate(0, 0, rng.IntN(3000))
		d, j := rng.IntN(len(departments)), rng.IntN(len(jobs))
		u := User{
			UserGUID: hexID(rng), CompanyGUID: company, EmployeeID: fmt.Sprintf("E%03d", i+1),
			UserName: login, Email: login, FullName: last + " " + first,
			CreatedDate: join.AddDate(0, 0, -7).Format(time.DateOnly), ModifiedDate: join.AddDate(0, 1, 0).Format(time.DateOnly),
			JoinDate:    join.Format(time.DateOnly),
			DateOfBirth: time.Date(1965+rng.IntN(38), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC).Format(time.DateOnly),
			Gender:      []string{"Female", "Male"}[rng.IntN(2)],
			Department:  &Department{DepartmentGUID: deptIDs[d], Name: departments[d]},
			Employment: &Employment{Designation: jobs[j].title, DesignationCode: jobs[j].code,
				EmploymentStatus: types[rng.IntN(len(types))], JobGradeID: 3800 + rng.IntN(10), JobGrade: "Grade " + fmt.Sprint(1+rng.IntN(5)),
				ConfirmationDate: join.AddDate(0, 3, 0).Format("2006-01-02") + "T23:59:59.997"},
			IsActive: i == 0 || rng.IntN(6) != 0,
		}
		if i > 0 {
			u.ManagerGUID = users[rng.IntN(i)].UserGUID
		}
		users[i] = u
	}
	return users
}

// hexID returns a userGuid-style id: 32 upper-case hex digits.
func hexID(rng *rand.Rand) string {
	return fmt.Sprintf("%016X%016X", rng.Uint64(), rng.Uint64())
}
