package csvfile

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/roster"
)

func write(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "employees.csv")
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

func fetchAll(t *testing.T, s *Source) []roster.Record {
	t.Helper()
	var all []roster.Record
	cursor := ""
	for range 100 {
		page, err := s.FetchPage(context.Background(), cursor)
		require.NoError(t, err)
		all = append(all, page.Records...)
		if page.Next == "" {
			return all
		}
		cursor = page.Next
	}
	t.Fatal("paging did not end")
	return nil
}

func TestReadsEveryRowAcrossPages(t *testing.T) {
	path := write(t, "\ufeffid,firstName,lastName,workEmail,dateOfJoining,Dept,custom.badge\n"+
		"E1,Ana,Lim,ana@x.test,03/02/2024,Sales,\n"+
		"E2,Ben,\"Ong, Jr.\",ben@x.test,2024-02-29,R&D,B-7\n"+
		"E3, Cy ,Tan,cy@x.test,,Ops,\n")
	for _, size := range []int{1, 2, 3, 10} {
		s, err := New(Config{Path: path, PageSize: size})
		require.NoError(t, err)
		got := fetchAll(t, s)
		require.Equal(t, []roster.Record{
			{ID: "E1", Values: map[string]string{"firstName": "Ana", "lastName": "Lim", "workEmail": "ana@x.test",
				"dateOfJoining": "03/02/2024", "Dept": "Sales"}},
			{ID: "E2", Values: map[string]string{"firstName": "Ben", "lastName": "Ong, Jr.", "workEmail": "ben@x.test",
				"dateOfJoining": "2024-02-29", "Dept": "R&D", "custom.badge": "B-7"}},
			{ID: "E3", Values: map[string]string{"firstName": "Cy", "lastName": "Tan", "workEmail": "cy@x.test", "Dept": "Ops"}},
		}, got, "page size %d", size)
	}
}

func TestBadFilesAreClearPermanentErrors(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"no id column", "name,email\nA,a@x\n", `the header row has no "id" column`},
		{"repeated column", "id,email,email\n1,a,b\n", `column "email" appears twice`},
		{"blank column", "id,,email\n1,a,b\n", "column 2 has no name"},
		{"broken quote", "id,email\n1,a@x\n2,\"b@x\n", "row 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(Config{Path: write(t, tt.body)})
			require.NoError(t, err)
			_, err = s.FetchPage(context.Background(), "")
			require.ErrorContains(t, err, tt.want)
			require.True(t, connectors.IsPermanent(err))
		})
	}
	s, err := New(Config{Path: filepath.Join(t.TempDir(), "missing.csv")})
	require.NoError(t, err)
	_, err = s.FetchPage(context.Background(), "")
	require.True(t, connectors.IsPermanent(err))
}

func TestIDColumnAndSeparator(t *testing.T) {
	s, err := New(Config{Path: write(t, "EmployeeID;firstName\n 42 ;Dee\n"), IDColumn: "EmployeeID", Comma: ';'})
	require.NoError(t, err)
	require.Equal(t, []roster.Record{{ID: "42", Values: map[string]string{"firstName": "Dee"}}}, fetchAll(t, s))
}

func TestEmptyFileIsAnEmptyRoster(t *testing.T) {
	s, err := New(Config{Path: write(t, "")})
	require.NoError(t, err)
	require.Empty(t, fetchAll(t, s))
}

func TestARowOfTheWrongLengthIsThatEmployeesProblem(t *testing.T) {
	path := write(t, "id,firstName,lastName,workEmail\n"+
		"E1,Ana,Lim,ana@x.test\n"+
		"E2,Ben,Ong, Jr.,ben@x.test\n"+
		"E3,Cy\n"+
		"\"E4\",\"Di\",\"Multi\nline\",di@x.test\n"+
		"E5,Ed,Ng,ed@x.test\n")
	s, err := New(Config{Path: path})
	require.NoError(t, err)
	require.Equal(t, []roster.Record{
		{ID: "E1", Values: map[string]string{"firstName": "Ana", "lastName": "Lim", "workEmail": "ana@x.test"}},
		{ID: "E2", Values: map[string]string{},
			Unreadable: map[string]string{roster.WholeRecord: "line 3 has 5 values; the header row has 4 columns"}},
		{ID: "E3", Values: map[string]string{},
			Unreadable: map[string]string{roster.WholeRecord: "line 4 has 2 values; the header row has 4 columns"}},
		{ID: "E4", Values: map[string]string{"firstName": "Di", "lastName": "Multi\nline", "workEmail": "di@x.test"}},
		{ID: "E5", Values: map[string]string{"firstName": "Ed", "lastName": "Ng", "workEmail": "ed@x.test"}},
	}, fetchAll(t, s))

	e, problems := roster.Rules{}.Normalize(fetchAll(t, s)[1])
	require.Equal(t, "E2", e.ID)
	require.Equal(t, []roster.Problem{{EmployeeID: "E2", Code: roster.CodeUnreadable,
		Message: "the record could not be read: line 3 has 5 values; the header row has 4 columns"}}, problems)
}

func TestStatusWordsAreLeftToTheStatusMap(t *testing.T) {
	s, err := New(Config{Path: write(t, "id,firstName,workEmail,status\nE1,Ana,ana@x.test,Terminated\nE2,Ben,ben@x.test,On Leave\n")})
	require.NoError(t, err)
	rules := roster.Rules{StatusMap: map[string]roster.Status{"terminated": roster.StatusInactive}}
	var got []roster.Status
	var problems []roster.Problem
	for _, rec := range fetchAll(t, s) {
		e, p := rules.Normalize(rec)
		got, problems = append(got, e.Status), append(problems, p...)
	}
	require.Equal(t, []roster.Status{roster.StatusInactive, ""}, got)
	require.Equal(t, []roster.Problem{{EmployeeID: "E2", Field: roster.FieldStatus, Code: roster.CodeInvalidStatus,
		Message: `status "On Leave" is not active or inactive, nor in the source's statusMap`}}, problems)
}
