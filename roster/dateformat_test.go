package roster

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseDateFormat(t *testing.T) {
	tests := []struct {
		name    string
		want    string
		wantErr string
	}{
		{"", "YYYY-MM-DD", ""},
		{"YYYY-MM-DD", "YYYY-MM-DD", ""},
		{"DD/MM/YYYY", "DD/MM/YYYY", ""},
		{"MM/DD/YYYY", "MM/DD/YYYY", ""},
		{"DD-MM-YYYY", "DD-MM-YYYY", ""},
		{"DD MMM YYYY", "DD MMM YYYY", ""},
		{"DD.MM.YYYY", "DD.MM.YYYY", ""},
		{"YYYY/MM/DD", "YYYY/MM/DD", ""},
		{"dd/mm/yyyy", "", `unknown date format "dd/mm/yyyy" (supported: YYYY-MM-DD, DD/MM/YYYY, MM/DD/YYYY, DD-MM-YYYY, DD MMM YYYY, DD.MM.YYYY, YYYY/MM/DD)`},
		{"D/M/YY", "", "unknown date format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseDateFormat(tt.name)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, f.String())
		})
	}
	require.Len(t, DateFormatNames, len(dateFormats))
	for i, f := range dateFormats {
		require.Equal(t, DateFormatNames[i], f.name)
	}
	require.Equal(t, "YYYY-MM-DD", DateFormat{}.String(), "the zero format is the default")
}

func mustFormat(t *testing.T, name string) DateFormat {
	t.Helper()
	f, err := ParseDateFormat(name)
	require.NoError(t, err)
	return f
}

func TestDateFormatRoundTrip(t *testing.T) {
	d := Date{2024, time.March, 5}
	tests := []struct {
		format string
		text   string
	}{
		{"YYYY-MM-DD", "2024-03-05"},
		{"DD/MM/YYYY", "05/03/2024"},
		{"MM/DD/YYYY", "03/05/2024"},
		{"DD-MM-YYYY", "05-03-2024"},
		{"DD MMM YYYY", "05 Mar 2024"},
		{"DD.MM.YYYY", "05.03.2024"},
		{"YYYY/MM/DD", "2024/03/05"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			f := mustFormat(t, tt.format)
			require.Equal(t, tt.text, f.Format(d))
			got, err := f.Parse(tt.text)
			require.NoError(t, err)
			require.Equal(t, d, got)
			require.Equal(t, "", f.Format(Date{}))
			zero, err := f.Parse("  ")
			require.NoError(t, err)
			require.True(t, zero.IsZero())
		})
	}
}

func TestDateFormatLeapDay(t *testing.T) {
	tests := []struct {
		format, leap, notLeap string
	}{
		{"YYYY-MM-DD", "2024-02-29", "2023-02-29"},
		{"DD/MM/YYYY", "29/02/2024", "29/02/2023"},
		{"MM/DD/YYYY", "02/29/2024", "02/29/2023"},
		{"DD-MM-YYYY", "29-02-2024", "29-02-2023"},
		{"DD MMM YYYY", "29 Feb 2024", "29 Feb 2023"},
		{"DD.MM.YYYY", "29.02.2024", "29.02.2023"},
		{"YYYY/MM/DD", "2024/02/29", "2023/02/29"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			f := mustFormat(t, tt.format)
			got, err := f.Parse(tt.leap)
			require.NoError(t, err)
			require.Equal(t, Date{2024, time.February, 29}, got)

			_, err = f.Parse(tt.notLeap)
			require.EqualError(t, err, `"`+tt.notLeap+`" is not a calendar date (format `+tt.format+`)`)
			require.ErrorContains(t, errors.Unwrap(err), "2023-02-29 is not a calendar date", "wraps NewDate's error")
		})
	}
}

func TestDateFormatParse(t *testing.T) {
	tests := []struct {
		name    string
		format  string
		in      string
		want    Date
		wantErr string
	}{
		{"single-digit day and month", "DD/MM/YYYY", "5/3/2024", Date{2024, 3, 5}, ""},
		{"single-digit ISO", "YYYY-MM-DD", "2024-3-5", Date{2024, 3, 5}, ""},
		{"single-digit dotted", "DD.MM.YYYY", "1.2.2024", Date{2024, 2, 1}, ""},
		{"surrounding space", "DD/MM/YYYY", "  05/03/2024\t", Date{2024, 3, 5}, ""},
		{"ambiguous read as day first", "DD/MM/YYYY", "03/04/2024", Date{2024, time.April, 3}, ""},
		{"ambiguous read as month first", "MM/DD/YYYY", "03/04/2024", Date{2024, time.March, 4}, ""},
		{"31 April refused", "DD/MM/YYYY", "31/04/2024", Date{}, `"31/04/2024" is not a calendar date (format DD/MM/YYYY)`},
		{"31 February refused", "DD/MM/YYYY", "31/02/2024", Date{}, "is not a calendar date"},
		{"month 13 refused", "MM/DD/YYYY", "13/01/2024", Date{}, "is not a calendar date"},
		{"day 0 refused", "YYYY-MM-DD", "2024-01-00", Date{}, "is not a calendar date"},
		{"garbage", "DD/MM/YYYY", "soon", Date{}, `"soon" is not a date in the format DD/MM/YYYY`},
		{"wrong separator", "DD/MM/YYYY", "05-03-2024", Date{}, "is not a date in the format DD/MM/YYYY"},
		{"ISO is read under any format", "DD/MM/YYYY", "2024-03-05", Date{2024, 3, 5}, ""},
		{"an ISO date-time too", "DD MMM YYYY", "2024-02-29T23:30:00-08:00", Date{2024, 2, 29}, ""},
		{"an impossible ISO date is still refused", "DD/MM/YYYY", "2023-02-29", Date{}, "is not a date in the format DD/MM/YYYY"},
		{"two-digit year", "DD/MM/YYYY", "05/03/24", Date{}, "is not a date in the format DD/MM/YYYY"},
		{"two-digit year ISO", "YYYY-MM-DD", "24-03-05", Date{}, "is not a date in the format YYYY-MM-DD"},
		{"three-digit day", "DD.MM.YYYY", "005.03.2024", Date{}, "is not a date in the format"},
		{"sign refused", "DD/MM/YYYY", "+5/03/2024", Date{}, "is not a date in the format"},
		{"too many parts", "YYYY/MM/DD", "2024/03/05/01", Date{}, "is not a date in the format"},
		{"inner space refused", "DD/MM/YYYY", "05/ 03/2024", Date{}, "is not a date in the format"},
		{"month name abbreviated", "DD MMM YYYY", "05 Mar 2024", Date{2024, 3, 5}, ""},
		{"month name full, lower case", "DD MMM YYYY", "5 march 2024", Date{2024, 3, 5}, ""},
		{"month name upper case", "DD MMM YYYY", "5 SEP 2024", Date{2024, 9, 5}, ""},
		{"month name full, upper case", "DD MMM YYYY", "30 SEPTEMBER 2024", Date{2024, 9, 30}, ""},
		{"month name misspelt", "DD MMM YYYY", "5 Mrach 2024", Date{}, "is not a date in the format DD MMM YYYY"},
		{"month number under a name format", "DD MMM YYYY", "05 03 2024", Date{}, "is not a date in the format DD MMM YYYY"},
		{"month name under a number format", "DD/MM/YYYY", "05/Mar/2024", Date{}, "is not a date in the format"},
		{"date-time UTC", "YYYY-MM-DD", "2024-02-29T00:00:00Z", Date{2024, 2, 29}, ""},
		{"date-time late, west of UTC, not shifted", "YYYY-MM-DD", "2024-02-29T23:30:00-08:00", Date{2024, 2, 29}, ""},
		{"date-time early, east of UTC, not shifted", "YYYY-MM-DD", "2024-03-01T00:30:00+05:30", Date{2024, 3, 1}, ""},
		{"date-time with fraction", "YYYY-MM-DD", "2024-02-29T00:00:00.000Z", Date{2024, 2, 29}, ""},
		{"date-time without zone", "YYYY-MM-DD", "2024-02-29T08:00:00", Date{2024, 2, 29}, ""},
		{"date-time impossible date", "YYYY-MM-DD", "2023-02-29T00:00:00Z", Date{}, "is not a calendar date"},
		{"date-time bad clock", "YYYY-MM-DD", "2024-02-29T25:00:00Z", Date{}, "is not a date in the format YYYY-MM-DD"},
		{"date-time empty clock", "YYYY-MM-DD", "2024-02-29T", Date{}, "is not a date in the format YYYY-MM-DD"},
		{"date-time only under ISO", "YYYY/MM/DD", "2024/02/29T00:00:00Z", Date{}, "is not a date in the format YYYY/MM/DD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := mustFormat(t, tt.format).Parse(tt.in)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				require.True(t, got.IsZero())
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestDayMonthSwapped(t *testing.T) {
	tests := []struct{ format, want string }{
		{"DD/MM/YYYY", "MM/DD/YYYY"},
		{"MM/DD/YYYY", "DD/MM/YYYY"},
		{"DD-MM-YYYY", "MM-DD-YYYY"},
		{"DD.MM.YYYY", "MM.DD.YYYY"},
		{"DD MMM YYYY", ""},
		{"YYYY-MM-DD", ""},
		{"YYYY/MM/DD", ""},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			require.Equal(t, tt.want, mustFormat(t, tt.format).DayMonthSwapped())
		})
	}
}

func TestDayMonthAmbiguous(t *testing.T) {
	tests := []struct {
		name   string
		format string
		values []string
		want   bool
	}{
		{"every day 12 or less", "DD/MM/YYYY", []string{"03/02/2024", "12/11/1990", "01/12/2000"}, true},
		{"one day above 12 settles it", "DD/MM/YYYY", []string{"03/02/2024", "13/11/1990"}, false},
		{"month first, every day 12 or less", "MM/DD/YYYY", []string{"2/3/2024", "11/12/1990"}, true},
		{"month first, a day above 12", "MM/DD/YYYY", []string{"2/3/2024", "11/30/1990"}, false},
		{"day and month equal read the same either way", "DD.MM.YYYY", []string{"05.05.2020", "12.12.2012"}, false},
		{"empty, ISO and unreadable values are left out", "DD-MM-YYYY",
			[]string{"", "2024-02-29", "1990-12-31T00:00:00Z", "31-31-2020", "soon", "04-03-2021"}, true},
		{"nothing to go on", "DD/MM/YYYY", []string{"", "2024-12-31"}, false},
		{"no values", "DD/MM/YYYY", nil, false},
		{"a month by name cannot be mistaken", "DD MMM YYYY", []string{"03 Feb 2024"}, false},
		{"year first cannot be mistaken", "YYYY/MM/DD", []string{"2024/02/03"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, mustFormat(t, tt.format).DayMonthAmbiguous(tt.values))
		})
	}
}

func TestAmbiguousDates(t *testing.T) {
	records := []Record{
		{ID: "E1", Values: map[string]string{"dateOfBirth": "03/04/1990", "dateOfJoining": "01/02/2020", "start": "25/12/2020",
			"exitDate": "2024-06-30"}},
		{ID: "E2", Values: map[string]string{"dateOfBirth": "11/10/1985", "dateOfJoining": "02/01/2021", "start": "05/01/2021"}},
	}
	dmy := DateFormats{DateOfBirth: "DD/MM/YYYY", DateOfJoining: "DD/MM/YYYY", ExitDate: "DD/MM/YYYY"}
	tests := []struct {
		name  string
		rules Rules
		want  []Field
	}{
		{"every day-first column with no day above 12", Rules{DateFormats: dmy},
			[]Field{FieldDateOfBirth, FieldDateOfJoining}},
		{"ISO formats are never ambiguous", Rules{}, nil},
		{"an unselected field is not read", Rules{DateFormats: dmy, Fields: FieldSelection{Exclude: []Field{FieldDateOfBirth}}},
			[]Field{FieldDateOfJoining}},
		{"a mapping's values are the ones judged", Rules{DateFormats: dmy,
			Mapping: []MapRule{{To: FieldDateOfJoining, From: []string{"start"}}}}, []Field{FieldDateOfBirth}},
		{"an unknown format is Check's to report", Rules{DateFormats: DateFormats{DateOfBirth: "DD/MM/YY"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.rules.AmbiguousDates(records))
		})
	}
}
