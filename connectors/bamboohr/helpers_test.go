package bamboohr_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors/bamboohr"
	"github.com/hrsync/hrsync/connectors/bamboohr/bamboohrtest"
	"github.com/hrsync/hrsync/roster"
)

// start serves a fake with opts and returns it with a Source for cfg
// pointed at it. cfg's key defaults to the fake's and its rate to no cap.
func start(t *testing.T, opts bamboohrtest.Options, cfg bamboohr.Config) (*bamboohrtest.Server, *bamboohr.Source) {
	t.Helper()
	if opts.APIKey == "" {
		opts.APIKey = "secret-key"
	}
	srv := bamboohrtest.New(opts)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	cfg.BaseURL, cfg.HTTPClient = ts.URL, ts.Client()
	if cfg.APIKey == "" {
		cfg.APIKey = opts.APIKey
	}
	if cfg.PerMinute == 0 {
		cfg.PerMinute = -1
	}
	src, err := bamboohr.New(cfg)
	require.NoError(t, err)
	return srv, src
}

// pullAll reads every page and returns the records and the page count.
func pullAll(t *testing.T, src *bamboohr.Source) ([]roster.Record, int) {
	t.Helper()
	var recs []roster.Record
	cursor, pages := "", 0
	for {
		page, err := src.FetchPage(context.Background(), cursor)
		require.NoError(t, err)
		recs, pages = append(recs, page.Records...), pages+1
		if cursor = page.Next; cursor == "" {
			return recs, pages
		}
		require.Less(t, pages, 1000, "the pull never ends")
	}
}

// expected is the record the connector should make of e, written out
// independently of the connector's mapping. It ignores restrictions.
func expected(e bamboohrtest.Employee) roster.Record {
	v := map[string]string{}
	set := func(k, val string) {
		if val != "" {
			v[k] = val
		}
	}
	set("firstName", e.FirstName)
	set("lastName", e.LastName)
	set("preferredName", e.PreferredName)
	set("workEmail", e.WorkEmail)
	set("jobTitle", e.JobTitleName)
	set("department", e.DepartmentName)
	set("location", e.LocationName)
	set("employmentType", e.EmploymentStatusName)
	set("dateOfJoining", e.HireDate)
	set("managerId", e.ReportsToID)
	switch e.Status {
	case "Active":
		v["status"] = "active"
	case "Inactive":
		v["status"] = "inactive"
		set("exitDate", e.TerminationDate)
	default:
		v["statusRaw"] = e.Status
		set("exitDate", e.TerminationDate)
	}
	return roster.Record{ID: e.ID, Values: v}
}

// byID indexes records by id.
func byID(recs []roster.Record) map[string]roster.Record {
	out := make(map[string]roster.Record, len(recs))
	for _, r := range recs {
		out[r.ID] = r
	}
	return out
}
