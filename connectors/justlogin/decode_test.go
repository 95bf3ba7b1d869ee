package justlogin

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/hrsync/hrsync/connectors/justlogin/justlogintest"
	"github.com/hrsync/hrsync/roster"
)

// TestLooselyTypedUsersAreRead serves users shaped like JustLogin's Get
// Employee example but loosely typed, as accounts send them: a number
// for employeeId, the isActive flag as a string, null includes.
func TestLooselyTypedUsersAreRead(t *testing.T) {
	f := newFixture(t, justlogintest.Options{Users: 4, Seed: 8})
	users := f.srv.Users()
	u := users[2]
	f.srv.Update(u.UserGUID, func(u *justlogintest.User) {
		u.Raw = map[string]any{"employeeId": 4, "isActive": "False", "department": nil, "manager": nil,
			"employment": map[string]any{"designation": "Engineer", "employmentStatus": "Full Time", "jobGradeId": "3"},
			"joinDate":   "2019-07-01T00:00:00", "dayOfBirth": "10"}
	})
	got, _ := pullAll(t, f.source(t))
	require.Len(t, got, 4)
	assert.Equal(t, roster.Record{ID: u.UserGUID, Values: map[string]string{
		"employeeNumber": "4", "workEmail": u.Email, "dateOfBirth": u.DateOfBirth, "dateOfJoining": "2019-07-01T00:00:00",
		"fullName": u.FullName, "userName": u.UserName, "modifiedDate": u.ModifiedDate, "status": "inactive",
		"jobTitle": "Engineer", "employmentType": "Full Time",
	}}, got[2])
	assert.Equal(t, expected(users[:1], ""), got[:1], "the others are read as ever")
}

// TestAFieldThatCannotBeReadIsThatUsersProblem serves values no reading
// makes text of: the user is kept with what could be read, and what could
// not is named.
func TestAFieldThatCannotBeReadIsThatUsersProblem(t *testing.T) {
	f := newFixture(t, justlogintest.Options{Users: 3, Seed: 8})
	u := f.srv.Users()[1]
	f.srv.Update(u.UserGUID, func(u *justlogintest.User) {
		u.Extra = map[string]any{"resignationDate": map[string]any{"date": "2024-05-31"}}
		u.Raw = map[string]any{"email": []any{"a@x.test", "b@x.test"}, "isActive": "maybe",
			"employment": []any{"Engineer"}, "department": map[string]any{"name": map[string]any{"en": "Sales"}}}
	})
	f.cfg.ExitDateField = "resignationDate"
	got, _ := pullAll(t, f.source(t))
	require.Len(t, got, 3)
	assert.Equal(t, u.UserGUID, got[1].ID)
	assert.Equal(t, map[string]string{
		"workEmail":      "email holds a list, not text",
		"status":         `isActive holds "maybe", not true or false`,
		"jobTitle":       "employment holds a list, not an object",
		"employmentType": "employment holds a list, not an object",
		"department":     "department.name holds an object, not text",
		"exitDate":       "resignationDate holds an object, not text",
	}, got[1].Unreadable)
	assert.Equal(t, u.FullName, got[1].Values["fullName"])
}

// TestAUserThatIsNoObjectIsARecordWithoutAnID serves a list with things
// other than user objects: the page is read all the same.
func TestAUserThatIsNoObjectIsARecordWithoutAnID(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Pagination", `{"TotalCount":"4","HasNext":false}`)
		_, _ = w.Write([]byte(`[
			{"userGuid": "a1", "employeeId": 1, "isActive": 1},
			42,
			{"userGuid": {"id": "b2"}, "isActive": true},
			{"fullName": "No Guid", "isActive": true}
		]`))
	}))
	t.Cleanup(ts.Close)
	store := &memStore{tok: &oauth2.Token{AccessToken: "at", TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)}}
	s, err := New(Config{APIBaseURL: ts.URL, ClientID: "c", ClientSecret: "s", Tokens: store, HTTPClient: ts.Client(),
		PerMinute: 60000})
	require.NoError(t, err)

	page, err := s.FetchPage(context.Background(), "")
	require.NoError(t, err)
	assert.Equal(t, []roster.Record{
		{ID: "a1", Values: map[string]string{"employeeNumber": "1", "status": "active"}},
		{Values: map[string]string{}, Unreadable: map[string]string{"": "user 2 of the page is a number, not a user object"}},
		{Values: map[string]string{}, Unreadable: map[string]string{"": "user 3 of the page: userGuid holds an object, not text"}},
		{Values: map[string]string{"fullName": "No Guid", "status": "active"}},
	}, page.Records)
	assert.Empty(t, page.Next)
}
