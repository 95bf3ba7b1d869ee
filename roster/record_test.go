package roster

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMinimize(t *testing.T) {
	// fake marks what it digests, so the test sees exactly what went in.
	fake := func(v string) string { return "k1:" + v }
	rec := Record{ID: "E1", Values: map[string]string{
		"firstName": "Ada", "workEmail": "ada@x.test", "dateOfBirth": "31/12/1990",
		"birth_date": "1990-12-31", "ssn": "123-45-6789", "custom.team": "Core",
	}}
	noDOB := Rules{Fields: FieldSelection{Exclude: []Field{FieldDateOfBirth}},
		DateFormats: DateFormats{DateOfBirth: "DD/MM/YYYY"}}
	tests := []struct {
		name   string
		rules  Rules
		digest Digest
		want   Record
	}{
		{name: "selected fields are kept, unknown ones dropped", rules: Rules{}, digest: fake,
			want: Record{ID: "E1", Values: map[string]string{"firstName": "Ada", "workEmail": "ada@x.test",
				"dateOfBirth": "31/12/1990", "custom.team": "Core"}}},
		{name: "an unsent date of birth becomes a digest of the calendar date", rules: noDOB, digest: fake,
			want: Record{ID: "E1", Values: map[string]string{"firstName": "Ada", "workEmail": "ada@x.test",
				"custom.team": "Core"}, DateOfBirthDigest: "k1:1990-12-31"}},
		{name: "without a digest an unsent date of birth is dropped", rules: noDOB,
			want: Record{ID: "E1", Values: map[string]string{"firstName": "Ada", "workEmail": "ada@x.test",
				"custom.team": "Core"}}},
		{name: "with the privacy check off nothing is digested",
			rules: Rules{Fields: noDOB.Fields, Privacy: PrivacyPolicy{Threshold: -1}}, digest: fake,
			want: Record{ID: "E1", Values: map[string]string{"firstName": "Ada", "workEmail": "ada@x.test",
				"custom.team": "Core"}}},
		{name: "a mapped date of birth is digested from its source field, which is dropped",
			rules:  Rules{Fields: noDOB.Fields, Mapping: []MapRule{{To: FieldDateOfBirth, From: []string{"birth_date"}}}},
			digest: fake,
			want: Record{ID: "E1", Values: map[string]string{"firstName": "Ada", "workEmail": "ada@x.test",
				"custom.team": "Core"}, DateOfBirthDigest: "k1:1990-12-31"}},
		{name: "a date that does not read is digested as written", rules: Rules{Fields: noDOB.Fields}, digest: fake,
			want: Record{ID: "E1", Values: map[string]string{"firstName": "Ada", "workEmail": "ada@x.test",
				"custom.team": "Core"}, DateOfBirthDigest: "k1:31/12/1990"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.rules.Minimize(rec, tt.digest))
		})
	}
}

func TestNormalizeCarriesTheDigest(t *testing.T) {
	r := Rules{Fields: FieldSelection{Exclude: []Field{FieldDateOfBirth}}}
	e, problems := r.Normalize(Record{ID: "E1", Values: map[string]string{"firstName": "Ada", "dateOfBirth": "1990-12-31"},
		DateOfBirthDigest: "k1:abc"})
	require.Empty(t, problems)
	require.Equal(t, "k1:abc", e.DateOfBirthDigest)
	require.True(t, e.DateOfBirth.IsZero(), "an unselected date of birth is never read")
}

func TestMinimizeKeepsTheStatusWordAndWhatCouldNotBeRead(t *testing.T) {
	rec := Record{ID: "E1", Values: map[string]string{"firstName": "Ada", "statusRaw": "On Leave", "vendor": "x"},
		Unreadable: map[string]string{"workPhone": "an object", "dateOfBirth": "a number", "vendor": "an array",
			WholeRecord: "not an object"}}
	tests := []struct {
		name  string
		rules Rules
		want  Record
	}{
		{"the status word and the unreadable fields the rules read",
			Rules{Fields: FieldSelection{Exclude: []Field{FieldDateOfBirth}}, Privacy: PrivacyPolicy{Threshold: -1}},
			Record{ID: "E1", Values: map[string]string{"firstName": "Ada", "statusRaw": "On Leave"},
				Unreadable: map[string]string{"workPhone": "an object", WholeRecord: "not an object"}}},
		{"a mapped status has no word of the connector's",
			Rules{Mapping: []MapRule{{To: FieldStatus, From: []string{"vendor"}}}},
			Record{ID: "E1", Values: map[string]string{"firstName": "Ada", "vendor": "x"},
				Unreadable: map[string]string{"workPhone": "an object", "dateOfBirth": "a number", "vendor": "an array",
					WholeRecord: "not an object"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.rules.Minimize(rec, nil))
		})
	}
}
