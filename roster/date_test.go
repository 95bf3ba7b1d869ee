package roster

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseISODate(t *testing.T) {
	tests := []struct {
		in      string
		want    Date
		wantErr string
	}{
		{"2024-02-29", Date{2024, time.February, 29}, ""},
		{"", Date{}, ""},
		{"2023-02-29", Date{}, "not a YYYY-MM-DD date"},
		{"29/02/2024", Date{}, "not a YYYY-MM-DD date"},
		{"2024-2-9", Date{}, "not a YYYY-MM-DD date"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseISODate(tt.in)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.in, got.String())
		})
	}
}

func TestDateOfKeepsTheLocalCalendarDay(t *testing.T) {
	sg, err := time.LoadLocation("Asia/Singapore")
	require.NoError(t, err)
	// 20:00 UTC on 31 Dec is already 1 Jan in Singapore.
	instant := time.Date(2025, 12, 31, 20, 0, 0, 0, time.UTC)
	require.Equal(t, Date{2026, time.January, 1}, DateOf(instant.In(sg)))
	require.Equal(t, Date{2025, time.December, 31}, DateOf(instant))
}

func TestDateCompare(t *testing.T) {
	tests := []struct {
		a, b Date
		want int
	}{
		{Date{2024, 5, 1}, Date{2024, 5, 1}, 0},
		{Date{2024, 5, 1}, Date{2024, 5, 2}, -1},
		{Date{2024, 6, 1}, Date{2024, 5, 30}, 1},
		{Date{2023, 12, 31}, Date{2024, 1, 1}, -1},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.a.Compare(tt.b), "%s vs %s", tt.a, tt.b)
	}
}

func TestNewDateRefusesImpossibleDates(t *testing.T) {
	_, err := NewDate(2025, time.April, 31)
	require.ErrorContains(t, err, "2025-04-31 is not a calendar date")
	d, err := NewDate(2025, time.April, 30)
	require.NoError(t, err)
	require.Equal(t, "2025-04-30", d.String())
}

func TestDateJSONRoundTrip(t *testing.T) {
	e := Employee{ID: "E1", DateOfBirth: Date{1990, time.July, 4}}
	data, err := json.Marshal(e)
	require.NoError(t, err)
	require.Contains(t, string(data), `"dateOfBirth":"1990-07-04"`)
	require.Contains(t, string(data), `"exitDate":""`)
	var back Employee
	require.NoError(t, json.Unmarshal(data, &back))
	require.Equal(t, e, back)
	require.Error(t, json.Unmarshal([]byte(`{"dateOfBirth":"04/07/1990"}`), &back))
}
