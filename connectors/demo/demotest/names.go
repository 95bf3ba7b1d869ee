package demotest

// The built-in lists generated employees are drawn from. Names are ASCII so
// work emails can be made from them directly.
var (
	firstNames = []string{
		"Aisha", "Alexander", "Amara", "Ana", "Benjamin", "Carlos", "Chen", "Daniel",
		"Elizabeth", "Emeka", "Fatima", "Freya", "Gabriel", "Hana", "Ines", "Ivan",
		"Jennifer", "Jonas", "Katherine", "Kofi", "Lars", "Leila", "Lucas", "Mei",
		"Mohammed", "Nadia", "Noah", "Olivia", "Priya", "Rafael", "Robert", "Rosa",
		"Samantha", "Sanjay", "Sofia", "Tariq", "Thomas", "Valentina", "William", "Yuki",
	}
	lastNames = []string{
		"Adeyemi", "Andersen", "Baker", "Brown", "Castillo", "Chowdhury", "Costa", "Dubois",
		"Eriksson", "Fernandes", "Garcia", "Haddad", "Ivanova", "Jensen", "Kaur", "Kim",
		"Kowalski", "Lee", "Martin", "Mensah", "Moreau", "Muller", "Nakamura", "Novak",
		"O'Brien", "Okafor", "Patel", "Rossi", "Santos", "Schmidt", "Silva", "Singh",
		"Smith-Jones", "Tanaka", "Nguyen", "Van der Berg", "Walker", "Wang", "Yilmaz", "Zhang",
	}
	// nicknames are preferred names some people with these first names go by.
	nicknames = map[string]string{
		"Alexander": "Alex", "Benjamin": "Ben", "Elizabeth": "Liz", "Jennifer": "Jen",
		"Katherine": "Kate", "Robert": "Rob", "Samantha": "Sam", "William": "Will",
	}
	locations       = []string{"London", "New York", "Berlin", "Singapore", "Toronto", "Lisbon", "Remote"}
	tShirtSizes     = []string{"XS", "S", "M", "L", "XL", "XXL"}
	personalDomains = []string{"mail.example", "inbox.example", "post.example"}
)

// Employment types, with full-time the most common.
const (
	fullTime   = "full-time"
	partTime   = "part-time"
	contractor = "contractor"
)

// department is one part of the generated organisation.
type department struct {
	name   string
	code   string   // used in the cost centre
	head   string   // title of the department's head
	lead   string   // title of anyone else with reports
	titles []string // titles of everyone else
}

// executive is the CEO's department.
var executive = department{name: "Executive", code: "EXE", head: "Chief Executive Officer"}

// departments are the departments below the CEO, each with a head.
var departments = []department{
	{"Engineering", "ENG", "VP Engineering", "Engineering Manager",
		[]string{"Software Engineer", "Senior Software Engineer", "Staff Engineer", "QA Engineer", "Site Reliability Engineer"}},
	{"Sales", "SAL", "VP Sales", "Sales Manager",
		[]string{"Account Executive", "Sales Development Representative", "Solutions Engineer"}},
	{"Marketing", "MKT", "VP Marketing", "Marketing Manager",
		[]string{"Content Marketer", "Product Marketing Manager", "Designer"}},
	{"Finance", "FIN", "Chief Financial Officer", "Finance Manager",
		[]string{"Accountant", "Financial Analyst", "Payroll Specialist"}},
	{"People", "PPL", "Head of People", "People Partner Lead",
		[]string{"People Partner", "Recruiter", "HR Coordinator"}},
	{"Customer Success", "CSM", "VP Customer Success", "Support Manager",
		[]string{"Customer Success Manager", "Support Engineer", "Onboarding Specialist"}},
	{"Operations", "OPS", "Chief Operating Officer", "Operations Manager",
		[]string{"Operations Analyst", "IT Administrator", "Office Manager"}},
}
