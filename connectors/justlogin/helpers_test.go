package justlogin

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/justlogin/justlogintest"
	"github.com/hrsync/hrsync/roster"
)

const (
	testClientID     = "hrsync-client"
	testClientSecret = "s3cret"
)

// memStore is a TokenStore in memory that records every save.
type memStore struct {
	mu     sync.Mutex
	tok    *oauth2.Token
	saves  []*oauth2.Token
	onSave func(*oauth2.Token) error
}

func (m *memStore) Load(context.Context) (*oauth2.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tok == nil {
		return nil, nil
	}
	t := *m.tok
	return &t, nil
}

func (m *memStore) Save(_ context.Context, t *oauth2.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.onSave != nil {
		if err := m.onSave(t); err != nil {
			return err
		}
	}
	c := *t
	m.tok = &c
	m.saves = append(m.saves, &c)
	return nil
}

func (m *memStore) saved() []*oauth2.Token {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]*oauth2.Token(nil), m.saves...)
}

// fixture is a fake account, served, and a Source connected to it.
type fixture struct {
	srv   *justlogintest.Server
	url   string
	store *memStore
	cfg   Config
}

func newFixture(t *testing.T, opts justlogintest.Options) *fixture {
	t.Helper()
	opts.ClientID, opts.ClientSecret = testClientID, testClientSecret
	srv := justlogintest.New(opts)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	at, rt := srv.Issue()
	store := &memStore{tok: &oauth2.Token{AccessToken: at, RefreshToken: rt, TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)}}
	cfg := Config{
		APIBaseURL: ts.URL, AuthURL: justlogintest.AuthURL(ts.URL), TokenURL: justlogintest.TokenURL(ts.URL),
		ClientID: testClientID, ClientSecret: testClientSecret, Tokens: store,
		PerMinute: 60000, PageSize: 10, HTTPClient: ts.Client(),
	}
	return &fixture{srv: srv, url: ts.URL, store: store, cfg: cfg}
}

func (f *fixture) source(t *testing.T) *Source {
	t.Helper()
	s, err := New(f.cfg)
	require.NoError(t, err)
	return s
}

// pullAll walks every page and returns the records and the page count.
func pullAll(t *testing.T, s *Source) ([]roster.Record, int) {
	t.Helper()
	var all []roster.Record
	cursor, pages := "", 0
	for {
		p, err := s.FetchPage(context.Background(), cursor)
		require.NoError(t, err)
		all = append(all, p.Records...)
		pages++
		if p.Next == "" {
			return all, pages
		}
		require.Less(t, pages, 1000, "paging does not end")
		cursor = p.Next
	}
}

// expected maps the fake's users the way the connector should.
func expected(users []justlogintest.User, exitField string) []roster.Record {
	out := make([]roster.Record, 0, len(users))
	for _, u := range users {
		v := map[string]string{
			"employeeNumber": u.EmployeeID, "workEmail": u.Email, "dateOfBirth": u.DateOfBirth,
			"dateOfJoining": u.JoinDate, "fullName": u.FullName, "userName": u.UserName,
			"modifiedDate": u.ModifiedDate, "status": "inactive",
			"department": u.Department.Name, "jobTitle": u.Employment.Designation,
			"employmentType": u.Employment.EmploymentStatus,
		}
		if u.IsActive {
			v["status"] = "active"
		}
		if u.ManagerGUID != "" {
			v["managerId"] = u.ManagerGUID
		}
		if s, ok := u.Extra[exitField].(string); ok && exitField != "" {
			v["exitDate"] = s[:10]
		}
		out = append(out, roster.Record{ID: u.UserGUID, Values: v})
	}
	return out
}

// requireBadCredential asserts err asks for reconnecting and is permanent.
func requireBadCredential(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, connectors.ErrBadCredential)
	require.True(t, connectors.IsPermanent(err), "want permanent: %v", err)
}
