package roster

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkDiff100k plans a re-sync of 100,000 employees against a full
// directory where 1% changed, 1% left and 1% are new.
func BenchmarkDiff100k(b *testing.B) {
	const n = 100_000
	source := make([]Employee, 0, n+n/100)
	directory := make([]User, 0, n)
	for i := range n {
		e := Employee{ID: fmt.Sprintf("E%06d", i), FirstName: "F", LastName: fmt.Sprint("L", i),
			WorkEmail: fmt.Sprintf("e%d@x.test", i), Status: StatusActive, Department: "Ops",
			DateOfJoining: Date{2020, time.January, 1 + i%28}, ManagerID: fmt.Sprintf("E%06d", i/10)}
		directory = append(directory, User{TargetID: fmt.Sprint("u", i), Active: true, Employee: e})
		switch {
		case i%100 == 1:
			e.Department = "Sales"
		case i%100 == 2:
			continue // left
		}
		source = append(source, e)
	}
	for i := range n / 100 {
		source = append(source, Employee{ID: fmt.Sprintf("N%06d", i), FirstName: "New", WorkEmail: fmt.Sprintf("n%d@x.test", i),
			Status: StatusActive})
	}
	today := Date{2026, time.March, 10}
	owned := make(map[string]string, len(directory))
	for _, u := range directory {
		owned[u.TargetID] = u.Employee.ID
	}
	b.ResetTimer()
	for range b.N {
		res := Diff(DiffInput{Source: source, Directory: directory, Owned: owned, Today: today})
		if c := res.Counts(); c[OpUpdate] != n/100 || c[OpDeactivate] != n/100 || c[OpCreate] != n/100 {
			b.Fatalf("unexpected plan %v", c)
		}
	}
}
