package roster

import (
	"fmt"
	"strings"
	"time"
)

// DateFormat is one way a source writes calendar dates, such as DD/MM/YYYY.
// The zero DateFormat is YYYY-MM-DD.
type DateFormat struct {
	name  string
	order dateOrder
	sep   string // between the parts; " " for the month-name format
	named bool   // the month is written as an English name
}

// dateOrder is the order of a format's day, month and year.
type dateOrder int

const (
	orderYMD dateOrder = iota
	orderDMY
	orderMDY
)

// DateFormatNames lists the supported date formats; the first is the default.
var DateFormatNames = []string{
	"YYYY-MM-DD", "DD/MM/YYYY", "MM/DD/YYYY", "DD-MM-YYYY", "DD MMM YYYY", "DD.MM.YYYY", "YYYY/MM/DD",
}

var dateFormats = []DateFormat{
	{name: "YYYY-MM-DD", order: orderYMD, sep: "-"},
	{name: "DD/MM/YYYY", order: orderDMY, sep: "/"},
	{name: "MM/DD/YYYY", order: orderMDY, sep: "/"},
	{name: "DD-MM-YYYY", order: orderDMY, sep: "-"},
	{name: "DD MMM YYYY", order: orderDMY, sep: " ", named: true},
	{name: "DD.MM.YYYY", order: orderDMY, sep: "."},
	{name: "YYYY/MM/DD", order: orderYMD, sep: "/"},
}

// ParseDateFormat returns the format called name; "" is YYYY-MM-DD.
func ParseDateFormat(name string) (DateFormat, error) {
	if name == "" {
		return dateFormats[0], nil
	}
	for _, f := range dateFormats {
		if f.name == name {
			return f, nil
		}
	}
	return DateFormat{}, fmt.Errorf("unknown date format %q (supported: %s)", name, strings.Join(DateFormatNames, ", "))
}

// String returns the format's name.
func (f DateFormat) String() string { return f.norm().name }

// norm makes the zero DateFormat the default.
func (f DateFormat) norm() DateFormat {
	if f.name == "" {
		return dateFormats[0]
	}
	return f
}

// Parse reads s, surrounding space ignored; "" is the zero Date. Day and
// month may have one or two digits, the year has four. Under YYYY-MM-DD an
// RFC 3339 date-time is accepted too, and its calendar date is taken as
// written before the 'T', never converted between zones: HRIS APIs (Merge,
// for one) send date-only fields such as a date of birth as date-times, and
// moving them to another zone would shift them by a day.
//
// A value in ISO 8601 (YYYY-MM-DD, or a date-time) is read whatever the
// chosen format: HRIS APIs send dates that way, and no supported format can
// be mistaken for it, so the chosen format matters for text exports and for
// what hrsync writes.
func (f DateFormat) Parse(s string) (Date, error) {
	d, err := f.parse(s)
	if err != nil && f.norm() != (DateFormat{}).norm() {
		if iso, isoErr := (DateFormat{}).parse(s); isoErr == nil {
			return iso, nil
		}
	}
	return d, err
}

// parse reads s in exactly format f.
func (f DateFormat) parse(s string) (Date, error) {
	f = f.norm()
	s = strings.TrimSpace(s)
	if s == "" {
		return Date{}, nil
	}
	datePart := s
	if f.order == orderYMD && f.sep == "-" {
		if before, clock, ok := strings.Cut(s, "T"); ok {
			if !validClock(clock) {
				return Date{}, &dateError{value: s, format: f.name}
			}
			datePart = before
		}
	}
	y, m, d, ok := f.split(datePart)
	if !ok {
		return Date{}, &dateError{value: s, format: f.name}
	}
	date, err := NewDate(y, m, d)
	if err != nil {
		return Date{}, &dateError{value: s, format: f.name, err: err}
	}
	return date, nil
}

// Format writes d in the format, zero-padded; the zero Date is "".
func (f DateFormat) Format(d Date) string {
	if d.IsZero() {
		return ""
	}
	f = f.norm()
	day, year := fmt.Sprintf("%02d", d.Day), fmt.Sprintf("%04d", d.Year)
	month := fmt.Sprintf("%02d", int(d.Month))
	if f.named {
		month = d.Month.String()[:3]
	}
	switch f.order {
	case orderDMY:
		return day + f.sep + month + f.sep + year
	case orderMDY:
		return month + f.sep + day + f.sep + year
	}
	return year + f.sep + month + f.sep + day
}

// split cuts s into year, month and day by the format's shape.
func (f DateFormat) split(s string) (int, time.Month, int, bool) {
	var parts []string
	if f.named {
		parts = strings.Fields(s)
	} else {
		parts = strings.Split(s, f.sep)
	}
	if len(parts) != 3 {
		return 0, 0, 0, false
	}
	var ys, ms, ds string
	switch f.order {
	case orderDMY:
		ds, ms, ys = parts[0], parts[1], parts[2]
	case orderMDY:
		ms, ds, ys = parts[0], parts[1], parts[2]
	default:
		ys, ms, ds = parts[0], parts[1], parts[2]
	}
	y, yok := digits(ys, 4, 4)
	d, dok := digits(ds, 1, 2)
	var m int
	var mok bool
	if f.named {
		m, mok = monthByName(ms)
	} else {
		m, mok = digits(ms, 1, 2)
	}
	return y, time.Month(m), d, yok && mok && dok
}

// digits reads s as a decimal of min to max ASCII digits.
func digits(s string, minLen, maxLen int) (int, bool) {
	if len(s) < minLen || len(s) > maxLen {
		return 0, false
	}
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// monthByName reads an English month name or its three-letter
// abbreviation, ignoring case.
func monthByName(s string) (int, bool) {
	for m := time.January; m <= time.December; m++ {
		name := m.String()
		if strings.EqualFold(s, name) || strings.EqualFold(s, name[:3]) {
			return int(m), true
		}
	}
	return 0, false
}

// validClock reports whether clock is the time-of-day and zone part of an
// RFC 3339 date-time (offset optional, as ISO 8601 local times omit it).
func validClock(clock string) bool {
	for _, layout := range []string{"15:04:05Z07:00", "15:04:05", "15:04Z07:00", "15:04"} {
		// Fractional seconds after the seconds are accepted by time.Parse.
		if _, err := time.Parse("2006-01-02T"+layout, "2000-01-01T"+clock); err == nil {
			return true
		}
	}
	return false
}

// dateError says a value does not read as a date in a format. It does not
// itself hide the value; redacted gives the message without it.
type dateError struct {
	value  string
	format string
	err    error // NewDate's refusal when the shape was right
}

func (e *dateError) Error() string { return fmt.Sprintf("%q %s", e.value, e.what()) }

func (e *dateError) Unwrap() error { return e.err }

// what describes the failure without the value.
func (e *dateError) what() string {
	if e.err != nil {
		return "is not a calendar date (format " + e.format + ")"
	}
	return "is not a date in the format " + e.format
}

// DayMonthSwapped names f with its day and month exchanged, such as
// MM/DD/YYYY for DD/MM/YYYY: the format a column written in f could be
// mistaken for. It is "" for formats that cannot be mistaken that way (the
// year first, or the month by name).
func (f DateFormat) DayMonthSwapped() string {
	f = f.norm()
	switch {
	case f.named || f.order == orderYMD:
		return ""
	case f.order == orderDMY:
		return "MM" + f.sep + "DD" + f.sep + "YYYY"
	}
	return "DD" + f.sep + "MM" + f.sep + "YYYY"
}

// DayMonthAmbiguous reports whether dates written as values in format f
// leave their day and month undecided: f writes both as numbers, no value
// has a day above 12 (which would settle which is which), and at least one
// value would read as another date with the two swapped. Empty values, ISO
// 8601 dates (read as such whatever the format) and values that do not
// read in f are left out.
func (f DateFormat) DayMonthAmbiguous(values []string) bool {
	if f.DayMonthSwapped() == "" {
		return false
	}
	differs := false
	for _, v := range values {
		if _, err := (DateFormat{}).parse(v); err == nil {
			continue // ISO, or empty
		}
		d, err := f.parse(v)
		switch {
		case err != nil:
			continue
		case d.Day > 12:
			return false
		case d.Day != int(d.Month):
			differs = true
		}
	}
	return differs
}

// AmbiguousDates lists the selected date fields whose values in records,
// read in each field's configured format, leave day and month undecided
// (see DateFormat.DayMonthAmbiguous), in catalogue order: nothing in the
// data confirms the format, so a preview asks the administrator to check.
func (r Rules) AmbiguousDates(records []Record) []Field {
	var out []Field
	for _, f := range dateFields {
		format, err := ParseDateFormat(r.dateFormatName(f))
		if err != nil || !r.Selected(f) || format.DayMonthSwapped() == "" {
			continue
		}
		values := make([]string, 0, len(records))
		for _, rec := range records {
			values = append(values, r.value(rec, f))
		}
		if format.DayMonthAmbiguous(values) {
			out = append(out, f)
		}
	}
	return out
}
