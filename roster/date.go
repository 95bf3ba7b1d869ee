package roster

import (
	"encoding/json"
	"fmt"
	"time"
)

// Date is a calendar date: a year, month and day with no time of day and no
// time zone. Dates of birth, joining and exit are Dates so that no conversion
// through UTC midnight can ever move them by a day.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// isoLayout is the canonical text form of a Date, used in JSON and storage.
const isoLayout = "2006-01-02"

// NewDate returns the Date for year, month and day, refusing impossible dates
// such as 31 April.
func NewDate(year int, month time.Month, day int) (Date, error) {
	t := time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
	if t.Year() != year || t.Month() != month || t.Day() != day {
		return Date{}, fmt.Errorf("%04d-%02d-%02d is not a calendar date", year, int(month), day)
	}
	return Date{Year: year, Month: month, Day: day}, nil
}

// ParseISODate parses YYYY-MM-DD. The empty string is the zero Date.
func ParseISODate(s string) (Date, error) {
	if s == "" {
		return Date{}, nil
	}
	t, err := time.Parse(isoLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a YYYY-MM-DD date", s)
	}
	return DateOf(t), nil
}

// DateOf returns the calendar date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d == Date{} }

// String formats d as YYYY-MM-DD, or "" when d is unset.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return sign(d.Year - o.Year)
	case d.Month != o.Month:
		return sign(int(d.Month) - int(o.Month))
	default:
		return sign(d.Day - o.Day)
	}
}

// Before reports whether d falls before o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d falls after o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// MarshalJSON writes d as "YYYY-MM-DD", or "" when unset.
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads "YYYY-MM-DD" or "".
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("date must be a string: %w", err)
	}
	parsed, err := ParseISODate(s)
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}
