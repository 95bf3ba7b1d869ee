package bamboohr_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/bamboohr"
	"github.com/hrsync/hrsync/connectors/bamboohr/bamboohrtest"
	"github.com/hrsync/hrsync/roster"
)

func TestFullPullEqualsTheFakeMapped(t *testing.T) {
	srv, src := start(t, bamboohrtest.Options{Employees: 57, Seed: 7}, bamboohr.Config{PageSize: 10})
	recs, pages := pullAll(t, src)
	assert.Equal(t, 6, pages)

	emps := srv.Employees()
	want := make([]roster.Record, len(emps))
	for i, e := range emps {
		want[i] = expected(e)
	}
	assert.Equal(t, want, recs)
}

func TestIncrementalPullReturnsExactlyTheChanged(t *testing.T) {
	srv, src := start(t, bamboohrtest.Options{Employees: 40, Seed: 3}, bamboohr.Config{PageSize: 1})
	since := time.Now()
	srv.Update("131", func(e *bamboohrtest.Employee) { e.JobTitleName = "Staff Engineer" })
	srv.Update("105", func(e *bamboohrtest.Employee) { e.LastName = "Renamed" })
	srv.Delete("120")

	var recs []roster.Record
	cursor, pages := "", 0
	for {
		page, err := src.FetchChangedPage(context.Background(), since, cursor)
		require.NoError(t, err)
		recs, pages = append(recs, page.Records...), pages+1
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	assert.Equal(t, 2, pages)
	require.Len(t, recs, 2)
	assert.Equal(t, "105", recs[0].ID)
	assert.Equal(t, "Renamed", recs[0].Values["lastName"])
	assert.Equal(t, "131", recs[1].ID)
	assert.Equal(t, "Staff Engineer", recs[1].Values["jobTitle"])

	page, err := src.FetchChangedPage(context.Background(), time.Now().Add(time.Hour), "")
	require.NoError(t, err)
	assert.Empty(t, page.Records)
	assert.Empty(t, page.Next)
}

func TestLeaversAreInactiveWithExitDate(t *testing.T) {
	srv, src := start(t, bamboohrtest.Options{Employees: 60, Seed: 11}, bamboohr.Config{})
	srv.Terminate("140", "2026-03-31")
	got := byID(first(pullAll(t, src)))

	leavers := 0
	for _, e := range srv.Employees() {
		if e.Status != "Inactive" {
			continue
		}
		leavers++
		assert.Equal(t, "inactive", got[e.ID].Values["status"], e.ID)
		assert.Equal(t, e.TerminationDate, got[e.ID].Values["exitDate"], e.ID)
	}
	assert.Greater(t, leavers, 2)
	assert.Equal(t, "2026-03-31", got["140"].Values["exitDate"])
	assert.Empty(t, got["100"].Values["exitDate"], "active people have no exit date")
}

func TestManagersAreReportsToID(t *testing.T) {
	srv, src := start(t, bamboohrtest.Options{Employees: 30, Seed: 5}, bamboohr.Config{})
	got := byID(first(pullAll(t, src)))
	managed := 0
	for _, e := range srv.Employees() {
		assert.Equal(t, e.ReportsToID, got[e.ID].Values["managerId"], e.ID)
		if e.ReportsToID != "" {
			managed++
			assert.Contains(t, got, e.ReportsToID, "manager is in the roster")
		}
	}
	assert.Equal(t, 29, managed)
	assert.NotContains(t, got["100"].Values, "managerId")
}

func TestUnknownStatusIsEmptyWithStatusRaw(t *testing.T) {
	_, src := start(t, bamboohrtest.Options{Employees: 10, Seed: 1}, bamboohr.Config{})
	got := byID(first(pullAll(t, src)))
	rec := got["109"]
	assert.NotContains(t, rec.Values, "status")
	assert.Equal(t, bamboohrtest.UnknownStatus, rec.Values[roster.ValueStatusRaw])
}

func TestRestrictedFieldsStayEmptyAndAreMarked(t *testing.T) {
	srv, src := start(t, bamboohrtest.Options{Employees: 5, Seed: 1}, bamboohr.Config{})
	srv.Update("102", func(e *bamboohrtest.Employee) { e.Restricted = []string{"workEmail", "hireDate"} })
	rec := byID(first(pullAll(t, src)))["102"]
	assert.NotContains(t, rec.Values, "workEmail")
	assert.NotContains(t, rec.Values, "dateOfJoining")
	assert.Equal(t, "true", rec.Values["restricted.workEmail"])
	assert.Equal(t, "true", rec.Values["restricted.dateOfJoining"])
	assert.NotEmpty(t, rec.Values["firstName"])
}

func TestThrottling(t *testing.T) {
	for _, tc := range []struct {
		name      string
		throttle  string
		status    int
		wantAfter bool
	}{
		{"old 503", "503", http.StatusServiceUnavailable, false},
		{"new 429 with Retry-After", "429", http.StatusTooManyRequests, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Two employees, both active: one page is one request, within
			// the fake's burst of one.
			srv, src := start(t, bamboohrtest.Options{Employees: 2, PerMinute: 60, Throttle: tc.throttle}, bamboohr.Config{})
			_, err := src.FetchPage(context.Background(), "")
			require.NoError(t, err)
			_, err = src.FetchPage(context.Background(), "") // over the fake's burst of one
			require.Error(t, err)
			assert.Contains(t, err.Error(), http.StatusText(tc.status))
			assert.False(t, connectors.IsPermanent(err), "throttling is retried")
			assert.Equal(t, tc.wantAfter, connectors.RetryAfter(err) > 0)
			assert.Equal(t, 1, srv.Throttled())

			srv.FailNext(1, tc.status, time.Duration(map[bool]int{true: 7}[tc.wantAfter])*time.Second)
			_, err = src.FetchPage(context.Background(), "")
			require.Error(t, err)
			assert.False(t, connectors.IsPermanent(err))
			if tc.wantAfter {
				assert.Equal(t, 7*time.Second, connectors.RetryAfter(err))
			}
		})
	}
}

func TestServerErrorIsRetryable(t *testing.T) {
	srv, src := start(t, bamboohrtest.Options{Employees: 5}, bamboohr.Config{})
	srv.FailNext(1, http.StatusInternalServerError, 0)
	_, err := src.FetchPage(context.Background(), "")
	require.Error(t, err)
	assert.False(t, connectors.IsPermanent(err))
	_, err = src.FetchPage(context.Background(), "")
	require.NoError(t, err)
}

func TestBadAPIKeyIsAPermanentCredentialError(t *testing.T) {
	_, src := start(t, bamboohrtest.Options{Employees: 5}, bamboohr.Config{APIKey: "wrong"})
	_, err := src.FetchPage(context.Background(), "")
	require.Error(t, err)
	assert.True(t, errors.Is(err, connectors.ErrBadCredential))
	assert.True(t, connectors.IsPermanent(err))
	assert.NotContains(t, err.Error(), "wrong")

	_, err = src.FetchChangedPage(context.Background(), time.Now(), "")
	assert.True(t, errors.Is(err, connectors.ErrBadCredential))
}

func TestBadPageIsPermanentForThatCursor(t *testing.T) {
	srv, src := start(t, bamboohrtest.Options{Employees: 20}, bamboohr.Config{PageSize: 5})
	page, err := src.FetchPage(context.Background(), "")
	require.NoError(t, err)
	require.NotEmpty(t, page.Next)
	boundary := page.Records[len(page.Records)-1].ID
	srv.Update(boundary, func(e *bamboohrtest.Employee) { e.LocationName = "Remote" })

	_, err = src.FetchPage(context.Background(), page.Next)
	require.Error(t, err)
	assert.True(t, connectors.IsPermanent(err))
	assert.False(t, errors.Is(err, connectors.ErrBadCredential))
	assert.Contains(t, err.Error(), "BadPage")

	recs, _ := pullAll(t, src) // a restart from the first page succeeds
	assert.Len(t, recs, 20)
}

func TestLimiterKeepsAHealthyPullUnderTheRate(t *testing.T) {
	opts := bamboohrtest.Options{Employees: 25, Seed: 2, PerMinute: 1200}

	srv, src := start(t, opts, bamboohr.Config{PageSize: 1})
	for range 40 { // no client limit: the fake throttles
		_, _ = src.FetchPage(context.Background(), "")
	}
	assert.Positive(t, srv.Throttled(), "an unlimited client goes over the fake's rate")

	srv, src = start(t, opts, bamboohr.Config{PageSize: 1, PerMinute: 1000})
	recs, _ := pullAll(t, src)
	assert.Len(t, recs, 25)
	assert.Zero(t, srv.Throttled(), "the limiter keeps the pull under the fake's rate")
	assert.GreaterOrEqual(t, srv.Requests(), 25)
}

func TestNewRejectsIncompleteConfig(t *testing.T) {
	for name, cfg := range map[string]bamboohr.Config{
		"no URL":       {APIKey: "k"},
		"bad URL":      {BaseURL: "acme.bamboohr.com", APIKey: "k"},
		"no key":       {BaseURL: "https://acme.bamboohr.com"},
		"page too big": {BaseURL: "https://acme.bamboohr.com", APIKey: "k", PageSize: 101},
	} {
		_, err := bamboohr.New(cfg)
		assert.Error(t, err, name)
	}
	_, err := bamboohr.New(bamboohr.Config{BaseURL: "https://acme.bamboohr.com/", APIKey: "k"})
	assert.NoError(t, err)
}

func TestFieldsNameTheMappedCatalogue(t *testing.T) {
	f := bamboohr.Fields()
	assert.Equal(t, "reportsToId", f[roster.FieldManagerID])
	assert.Equal(t, "terminationDate", f[roster.FieldExitDate])
	assert.Equal(t, "employmentStatusName", f[roster.FieldEmploymentType])
	assert.Equal(t, "hireDate", f[roster.FieldDateOfJoining])
}

// first returns the records of a pull.
func first(recs []roster.Record, _ int) []roster.Record { return recs }
