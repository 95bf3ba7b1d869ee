package demo_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/demo"
	"github.com/hrsync/hrsync/connectors/demo/demotest"
	"github.com/hrsync/hrsync/roster"
	"github.com/stretchr/testify/require"
)

// startHRIS runs a demo HRIS on a real 127.0.0.1 server.
func startHRIS(t *testing.T, opts demotest.HRISOptions) (*demotest.HRIS, string) {
	t.Helper()
	h, err := demotest.NewHRIS(opts)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, srv.URL
}

// startDirectory runs a demo directory on a real 127.0.0.1 server.
func startDirectory(t *testing.T, opts demotest.DirectoryOptions) (*demotest.Directory, *demo.Target) {
	t.Helper()
	d, err := demotest.NewDirectory(opts)
	require.NoError(t, err)
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	return d, demo.NewTarget(demo.TargetConfig{BaseURL: srv.URL + "/", Token: opts.Token, PageSize: 3})
}

// fetchAll walks every page of src.
func fetchAll(t *testing.T, src connectors.Source) []roster.Record {
	t.Helper()
	var all []roster.Record
	cursor := ""
	for range 1000 {
		page, err := src.FetchPage(context.Background(), cursor)
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

func TestSourceFetchesAllPages(t *testing.T) {
	h, url := startHRIS(t, demotest.HRISOptions{Employees: 61, Seed: 4, Token: "t0k"})
	for _, size := range []int{0, 1, 7, 61, 500} {
		src := demo.NewSource(demo.SourceConfig{BaseURL: url, Token: "t0k", PageSize: size})
		var want []roster.Record
		for _, e := range h.Employees() {
			want = append(want, roster.RecordOf(e))
		}
		require.Equal(t, want, fetchAll(t, src), "page size %d", size)
	}

	_, err := demo.NewSource(demo.SourceConfig{BaseURL: url}).FetchPage(context.Background(), "")
	require.True(t, connectors.IsPermanent(err), "a missing token is permanent")
	var he *demo.HTTPError
	require.ErrorAs(t, err, &he)
	require.Equal(t, http.StatusUnauthorized, he.Status)

	_, err = demo.NewSource(demo.SourceConfig{BaseURL: url, Token: "t0k"}).FetchPage(context.Background(), "garbage!")
	require.True(t, connectors.IsPermanent(err))
	require.Contains(t, err.Error(), "cursor")
}

func TestSourceFetchesChangedPages(t *testing.T) {
	ctx := context.Background()
	h, err := demotest.NewHRIS(demotest.HRISOptions{Employees: 40, Seed: 6, Token: "t0k"})
	require.NoError(t, err)
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.URL.Query().Get("modified_after"))
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	src := demo.NewSource(demo.SourceConfig{BaseURL: srv.URL, Token: "t0k", PageSize: 3})

	time.Sleep(time.Millisecond) // past the roster's generation, however coarse the clock
	since := time.Now().In(time.FixedZone("CET", 3600))
	require.NoError(t, h.Update("E0004", func(e *roster.Employee) { e.JobTitle = "Head of Data" }))
	require.NoError(t, h.Terminate("E0010", roster.Date{Year: 2026, Month: 6, Day: 30}))
	require.NoError(t, h.Add(roster.Employee{FirstName: "Ada", WorkEmail: "ada@demo.example"}))
	require.NoError(t, h.SetRaw("E0020", "custom.badge", "B-20"))
	require.NoError(t, h.Update("E0033", func(e *roster.Employee) { e.Location = "Porto" }))
	changed := []string{"E0004", "E0010", "E0020", "E0033", "E0041"}

	asked = nil
	var got []roster.Record
	cursor := ""
	for pages := 1; ; pages++ {
		require.Less(t, pages, 10, "paging must end")
		page, err := src.FetchChangedPage(ctx, since, cursor)
		require.NoError(t, err)
		require.LessOrEqual(t, len(page.Records), 3)
		got = append(got, page.Records...)
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	require.Len(t, asked, 2)
	for _, q := range asked {
		require.Equal(t, since.UTC().Format(time.RFC3339Nano), q, "modified_after is RFC 3339 in UTC")
	}

	// The changed records are the very ones a full pull reads of them: no
	// modifiedAt among their values.
	var want []roster.Record
	for _, r := range fetchAll(t, src) {
		require.NotContains(t, r.Values, "modifiedAt")
		if slices.Contains(changed, r.ID) {
			want = append(want, r)
		}
	}
	require.Len(t, want, len(changed))
	require.Equal(t, want, got)
	require.Equal(t, "Head of Data", got[0].Values["jobTitle"])
	require.Equal(t, "B-20", got[2].Values["custom.badge"])

	// A zero since lists everyone; nothing changed since now lists no one.
	page, err := src.FetchChangedPage(ctx, time.Time{}, "")
	require.NoError(t, err)
	require.Len(t, page.Records, 3)
	require.NotEmpty(t, page.Next)
	require.Empty(t, asked[len(asked)-1], "a zero since sends no modified_after")
	page, err = src.FetchChangedPage(ctx, time.Now(), "")
	require.NoError(t, err)
	require.Empty(t, page.Records)
	require.Empty(t, page.Next)

	_, err = src.FetchChangedPage(ctx, since, "garbage!")
	require.True(t, connectors.IsPermanent(err))
	require.Contains(t, err.Error(), "cursor")
}

func TestTargetRoundTrip(t *testing.T) {
	ctx := context.Background()
	d, target := startDirectory(t, demotest.DirectoryOptions{Token: "dir"})
	e := roster.Employee{ID: "E0001", FirstName: "Ada", LastName: "Lovelace", WorkEmail: "ada@demo.example",
		Status: roster.StatusActive, Department: "Maths", DateOfJoining: roster.Date{Year: 2020, Month: 1, Day: 6},
		Custom: map[string]string{"tShirtSize": "M"}}

	_, found, err := target.FindByExternalID(ctx, "E0001")
	require.NoError(t, err)
	require.False(t, found)

	id, err := target.CreateUser(ctx, e)
	require.NoError(t, err)
	require.NotEmpty(t, id)
	u, found, err := target.FindByExternalID(ctx, "E0001")
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, roster.User{TargetID: id, Active: true, Employee: e}, u)

	changed := e
	changed.Department, changed.JobTitle, changed.LastName = "Engineering", "Engineer", "King"
	changed.Custom = map[string]string{"tShirtSize": "L"}
	require.NoError(t, target.UpdateUser(ctx, id, changed, []roster.Field{roster.FieldDepartment, roster.CustomField("tShirtSize")}))
	stored, ok := d.Get(id)
	require.True(t, ok)
	require.Equal(t, "Engineering", stored.Employee.Department)
	require.Equal(t, "L", stored.Employee.Custom["tShirtSize"])
	require.Equal(t, "Lovelace", stored.Employee.LastName, "unlisted fields stay")
	require.Empty(t, stored.Employee.JobTitle)

	require.NoError(t, target.SetActive(ctx, id, false))
	stored, _ = d.Get(id)
	require.False(t, stored.Active)
	require.NoError(t, target.SetActive(ctx, id, true))
	stored, _ = d.Get(id)
	require.True(t, stored.Active)

	hand, err := d.Add(roster.User{Active: true, Employee: roster.Employee{FirstName: "Bo", WorkEmail: "bo@demo.example"}})
	require.NoError(t, err)
	bo := roster.Employee{ID: "E0002", FirstName: "Bo", WorkEmail: "bo@demo.example"}
	require.NoError(t, target.UpdateUser(ctx, hand.TargetID, bo, nil), "an update links a hand-made user")
	linked, ok := d.UserByExternalID("E0002")
	require.True(t, ok)
	require.Equal(t, hand.TargetID, linked.TargetID)

	for i := range 5 {
		_, err := target.CreateUser(ctx, roster.Employee{ID: "N" + string(rune('a'+i)), FirstName: "N", WorkEmail: "n" + string(rune('a'+i)) + "@demo.example"})
		require.NoError(t, err)
	}
	var all []roster.User
	cursor := ""
	for {
		page, err := target.ListUsers(ctx, cursor)
		require.NoError(t, err)
		require.LessOrEqual(t, len(page.Users), 3)
		all = append(all, page.Users...)
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	require.Equal(t, d.Users(), all)
}

func TestServerErrorsAreRetryable(t *testing.T) {
	ctx := context.Background()
	d, target := startDirectory(t, demotest.DirectoryOptions{})
	d.FailNext(1, http.StatusServiceUnavailable)
	_, err := target.ListUsers(ctx, "")
	require.Error(t, err)
	require.False(t, connectors.IsPermanent(err))
	var he *demo.HTTPError
	require.ErrorAs(t, err, &he)
	require.Equal(t, http.StatusServiceUnavailable, he.Status)
	require.Equal(t, time.Second, he.RetryAfter)
	require.Equal(t, "/api/users", he.Path)
	require.Contains(t, err.Error(), "GET /api/users")
	require.Contains(t, err.Error(), "503")
	_, err = target.ListUsers(ctx, "")
	require.NoError(t, err, "the failure was only for one request")

	d.FailNext(1, http.StatusTooManyRequests)
	_, err = target.CreateUser(ctx, roster.Employee{ID: "E0001", FirstName: "A", WorkEmail: "a@demo.example"})
	require.False(t, connectors.IsPermanent(err))
	require.ErrorAs(t, err, &he)
	require.Equal(t, http.StatusTooManyRequests, he.Status)
	require.Equal(t, time.Second, he.RetryAfter)

	d.FailNext(1, http.StatusInternalServerError)
	err = target.SetActive(ctx, "u-000001", false)
	require.False(t, connectors.IsPermanent(err))
	require.ErrorAs(t, err, &he)
	require.Zero(t, he.RetryAfter)
}

func TestNetworkErrorsAreRetryable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := demo.NewSource(demo.SourceConfig{BaseURL: url}).FetchPage(context.Background(), "abc")
	require.Error(t, err)
	require.False(t, connectors.IsPermanent(err))
	var he *demo.HTTPError
	require.False(t, errors.As(err, &he))
}

func TestClientErrorsArePermanent(t *testing.T) {
	ctx := context.Background()
	_, target := startDirectory(t, demotest.DirectoryOptions{})
	secret := roster.Employee{ID: "E0009", FirstName: "Secretina", LastName: "Private"}
	_, err := target.CreateUser(ctx, secret)
	require.True(t, connectors.IsPermanent(err))
	var he *demo.HTTPError
	require.ErrorAs(t, err, &he)
	require.Equal(t, http.StatusBadRequest, he.Status)
	require.Contains(t, he.Message, "workEmail")
	require.Contains(t, err.Error(), "POST /api/users")
	require.NotContains(t, err.Error(), "Secretina")

	err = target.UpdateUser(ctx, "u-404", roster.Employee{ID: "E0001", WorkEmail: "a@demo.example"}, []roster.Field{roster.FieldWorkEmail})
	require.True(t, connectors.IsPermanent(err))
	require.ErrorAs(t, err, &he)
	require.Equal(t, http.StatusNotFound, he.Status)
	require.Contains(t, err.Error(), "u-404")

	err = target.UpdateUser(ctx, "u-404", roster.Employee{}, []roster.Field{"shoeSize"})
	require.True(t, connectors.IsPermanent(err))
}

func TestCreateConflictLinksToExistingUser(t *testing.T) {
	ctx := context.Background()
	d, target := startDirectory(t, demotest.DirectoryOptions{})
	e := roster.Employee{ID: "E0001", FirstName: "Ada", WorkEmail: "ada@demo.example"}
	first, err := target.CreateUser(ctx, e)
	require.NoError(t, err)
	again, err := target.CreateUser(ctx, e)
	require.NoError(t, err, "a retried create finds the user it made")
	require.Equal(t, first, again)
	require.Len(t, d.Users(), 1)

	// A different person whose email is taken is a real conflict.
	other := roster.Employee{ID: "E0002", FirstName: "Imposter", WorkEmail: "ADA@demo.example"}
	_, err = target.CreateUser(ctx, other)
	require.True(t, connectors.IsPermanent(err))
	var he *demo.HTTPError
	require.ErrorAs(t, err, &he)
	require.Equal(t, http.StatusConflict, he.Status)
	require.NotContains(t, strings.ToLower(err.Error()), "ada@")
}

func TestCancelledRequestIsRetryable(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	t.Cleanup(slow.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := demo.NewSource(demo.SourceConfig{BaseURL: slow.URL}).FetchPage(ctx, "")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.False(t, connectors.IsPermanent(err))
}
