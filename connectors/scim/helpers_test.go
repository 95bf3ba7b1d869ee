package scim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/scim"
	"github.com/hrsync/hrsync/connectors/scim/scimtest"
	"github.com/hrsync/hrsync/roster"
	"github.com/stretchr/testify/require"
)

// token is the bearer token every test server expects.
const token = "t0ken"

// features picks the optional SCIM features a test server offers.
type features struct {
	patch, bulk, etags bool
}

// startServer runs a scimtest service provider on a real 127.0.0.1 server
// and returns it with its SCIM base URL.
func startServer(t *testing.T, opts scimtest.Options, f features) (*scimtest.Server, string) {
	t.Helper()
	opts.DBPath = filepath.Join(t.TempDir(), "scim.db")
	if opts.Token == "" {
		opts.Token = token
	}
	srv, err := scimtest.New(opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	srv.SetPatch(f.patch)
	srv.SetBulk(f.bulk)
	srv.SetETags(f.etags)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return srv, hs.URL + "/scim/v2"
}

// newClient returns a client for base with the test token, adjusted by mod.
func newClient(t *testing.T, base string, mod func(*scim.Config)) *scim.Client {
	t.Helper()
	cfg := scim.Config{BaseURL: base, Token: token, PageSize: 50}
	if mod != nil {
		mod(&cfg)
	}
	c, err := scim.New(cfg)
	require.NoError(t, err)
	return c
}

// setup starts a server with features f and returns it with a client.
func setup(t *testing.T, f features) (*scimtest.Server, *scim.Client) {
	t.Helper()
	srv, base := startServer(t, scimtest.Options{}, f)
	return srv, newClient(t, base, nil)
}

// day builds a calendar date.
func day(t *testing.T, y int, m time.Month, d int) roster.Date {
	t.Helper()
	date, err := roster.NewDate(y, m, d)
	require.NoError(t, err)
	return date
}

// fullEmployee has a value for every field hrsync writes, and custom keys
// that would clash with named attributes or break a filter if the mapping
// were naive.
func fullEmployee(t *testing.T, id string) roster.Employee {
	return roster.Employee{
		ID:             id,
		EmployeeNumber: "N-" + id,
		FirstName:      "Ada",
		LastName:       "Lovelace",
		PreferredName:  "Addie",
		WorkEmail:      "ada." + id + "@example.com",
		PersonalEmail:  "ada." + id + "@home.example",
		WorkPhone:      "+44 20 7946 0000",
		DateOfBirth:    day(t, 1990, time.January, 2),
		DateOfJoining:  day(t, 2020, time.March, 4),
		ExitDate:       day(t, 2031, time.May, 6),
		Status:         roster.StatusActive,
		Department:     "Engineering",
		JobTitle:       "Engineer",
		Location:       "London",
		EmploymentType: "full-time",
		Custom: map[string]string{
			"costCentre":   "CC-1",
			"dateOfBirth":  "not the real one",
			"a.b":          "dotted",
			`say "hi" \ o`: "quoted",
			"CostCentre":   "case differs",
		},
	}
}

// listAll walks every page of the directory.
func listAll(t *testing.T, c connectors.Target) []roster.User {
	t.Helper()
	var all []roster.User
	cursor := ""
	for range 1000 {
		page, err := c.ListUsers(context.Background(), cursor)
		require.NoError(t, err)
		all = append(all, page.Users...)
		if page.Next == "" {
			return all
		}
		cursor = page.Next
	}
	t.Fatal("paging did not end")
	return nil
}

// find returns the listed user with SCIM id id.
func find(t *testing.T, c connectors.Target, id string) roster.User {
	t.Helper()
	for _, u := range listAll(t, c) {
		if u.TargetID == id {
			return u
		}
	}
	t.Fatalf("user %s not listed", id)
	return roster.User{}
}

// requests counts the requests the server saw by "METHOD path-prefix".
func requests(srv *scimtest.Server, method, pathPrefix string) (n int, statuses []int) {
	for _, r := range srv.Requests() {
		if r.Method == method && strings.Contains(r.Path, pathPrefix) {
			n++
			statuses = append(statuses, r.Status)
		}
	}
	return n, statuses
}

// rawPost POSTs body to base+path with the test token, as another system
// writing to the directory would, and returns the status and answer.
func rawPost(t *testing.T, base, path string, body any) (int, map[string]any) {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(b))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// roundTripFunc adapts a function to http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

// RoundTrip calls f.
func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
