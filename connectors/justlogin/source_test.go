package justlogin

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/justlogin/justlogintest"
	"github.com/hrsync/hrsync/roster"
)

func TestFullPullEqualsFakeMapped(t *testing.T) {
	f := newFixture(t, justlogintest.Options{Users: 37, Seed: 7})
	got, pages := pullAll(t, f.source(t))
	assert.Equal(t, 4, pages)
	assert.Equal(t, expected(f.srv.Users(), ""), got)
}

func TestServerPageCapFollowsHeader(t *testing.T) {
	// The server returns 4 a page though 10 were asked: x-pagination's
	// HasNext, not the short page, decides.
	f := newFixture(t, justlogintest.Options{Users: 13, Seed: 3, PageLimit: 4})
	got, pages := pullAll(t, f.source(t))
	assert.Equal(t, 4, pages)
	assert.Equal(t, expected(f.srv.Users(), ""), got)
}

func TestLeaversAndManagers(t *testing.T) {
	f := newFixture(t, justlogintest.Options{Users: 30, Seed: 11})
	users := f.srv.Users()
	leaver, boss := users[5].UserGUID, users[0].UserGUID
	require.True(t, f.srv.Update(leaver, func(u *justlogintest.User) { u.IsActive = false; u.ManagerGUID = boss }))
	got, _ := pullAll(t, f.source(t))
	byID := map[string]roster.Record{}
	for _, r := range got {
		byID[r.ID] = r
	}
	require.Len(t, byID, 30, "leavers are included (activeStatus=all)")
	assert.Equal(t, "inactive", byID[leaver].Values["status"])
	assert.Equal(t, boss, byID[leaver].Values["managerId"])
	assert.Equal(t, "active", byID[boss].Values["status"])
	assert.NotContains(t, byID[boss].Values, "managerId", "the head has no manager")
	inactive := 0
	for _, r := range got {
		if r.Values["status"] == "inactive" {
			inactive++
		}
		if m := r.Values["managerId"]; m != "" {
			assert.Contains(t, byID, m, "manager id is a userGuid of the roster")
		}
	}
	assert.Positive(t, inactive)
}

func TestExitDateFromConfiguredField(t *testing.T) {
	f := newFixture(t, justlogintest.Options{Users: 8, Seed: 5})
	users := f.srv.Users()
	f.srv.Update(users[2].UserGUID, func(u *justlogintest.User) {
		u.IsActive = false
		u.Extra = map[string]any{"resignationDate": "2024-05-31T00:00:00"}
	})
	f.srv.Update(users[3].UserGUID, func(u *justlogintest.User) { u.Extra = map[string]any{"resignationDate": nil} })

	got, _ := pullAll(t, f.source(t))
	for _, r := range got {
		assert.NotContains(t, r.Values, "exitDate", "no field configured, no exit date")
	}

	f.cfg.ExitDateField = "resignationDate"
	got, _ = pullAll(t, f.source(t))
	assert.Equal(t, expected(f.srv.Users(), "resignationDate"), got)
	assert.Equal(t, "2024-05-31", got[2].Values["exitDate"])
	assert.NotContains(t, got[3].Values, "exitDate")
}

func TestRateLimitedIsRetryable(t *testing.T) {
	f := newFixture(t, justlogintest.Options{Users: 5})
	s := f.source(t)
	f.srv.FailNext(1, http.StatusTooManyRequests, 7*time.Second)
	_, err := s.FetchPage(context.Background(), "")
	require.Error(t, err)
	assert.False(t, connectors.IsPermanent(err))
	assert.Equal(t, 7*time.Second, connectors.RetryAfter(err))

	p, err := s.FetchPage(context.Background(), "")
	require.NoError(t, err)
	assert.Len(t, p.Records, 5)
}

func TestServerErrorRetryableClientErrorPermanent(t *testing.T) {
	f := newFixture(t, justlogintest.Options{Users: 5})
	s := f.source(t)
	f.srv.FailNext(1, http.StatusBadGateway, 0)
	_, err := s.FetchPage(context.Background(), "")
	require.Error(t, err)
	assert.False(t, connectors.IsPermanent(err))

	_, err = s.FetchPage(context.Background(), "zero")
	assert.True(t, connectors.IsPermanent(err))
}

func TestHasNext(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header string
		page   int
		n      int
		want   bool
	}{
		{"header says more", `{"TotalCount":37,"PageSize":10,"CurrentPage":1,"TotalPages":4,"HasNext":true,"HasPrevious":false}`, 1, 10, true},
		{"header says last", `{"TotalCount":37,"PageSize":7,"CurrentPage":4,"TotalPages":4,"HasNext":false}`, 4, 7, false},
		{"short page trusted to header", `{"HasNext":true}`, 1, 4, true},
		{"total pages only", `{"TotalPages":3}`, 2, 10, true},
		{"no header, full page", "", 1, 10, true},
		{"no header, short page", "", 2, 3, false},
		{"garbled header, short page", "{", 2, 3, false},
		{"empty page ends", `{"HasNext":true}`, 5, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, hasNext(tc.header, tc.page, tc.n, 10))
		})
	}
}

func TestNewValidates(t *testing.T) {
	_, err := New(Config{})
	require.Error(t, err)
	_, err = New(Config{ClientID: "a", ClientSecret: "b", Tokens: &memStore{}, PageSize: 101})
	require.ErrorContains(t, err, "page size")
	c := OAuthConfig(Config{ClientID: "a"})
	assert.Equal(t, DefaultTokenURL, c.Endpoint.TokenURL)
	assert.Equal(t, []string{"openid"}, c.Scopes)
}
