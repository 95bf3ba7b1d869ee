package scim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/scim"
	"github.com/hrsync/hrsync/connectors/scim/scimtest"
	"github.com/hrsync/hrsync/roster"
	"github.com/stretchr/testify/require"
)

// sent is one request a client made.
type sent struct {
	Method, Path string
	Body         []byte
}

// recorder is an http.Client that records every request it sends.
type recorder struct {
	mu   sync.Mutex
	reqs []sent
}

// client returns the recording http.Client.
func (rec *recorder) client() *http.Client {
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		var body []byte
		if r.Body != nil {
			body, _ = io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, sent{Method: r.Method, Path: r.URL.Path, Body: body})
		rec.mu.Unlock()
		return http.DefaultTransport.RoundTrip(r)
	})}
}

// count is how many requests went to a path ending in suffix.
func (rec *recorder) count(method, suffix string) int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	n := 0
	for _, r := range rec.reqs {
		if r.Method == method && strings.HasSuffix(r.Path, suffix) {
			n++
		}
	}
	return n
}

// bodies are the bodies sent with method.
func (rec *recorder) bodies(method string) []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var out []string
	for _, r := range rec.reqs {
		if r.Method == method {
			out = append(out, string(r.Body))
		}
	}
	return out
}

// discoveryCalls counts the requests to the three discovery endpoints.
func (rec *recorder) discoveryCalls() int {
	return rec.count(http.MethodGet, "/ServiceProviderConfig") + rec.count(http.MethodGet, "/ResourceTypes") +
		rec.count(http.MethodGet, "/Schemas")
}

// editDiscovery serves h, answering GET /ResourceTypes and /Schemas with
// status instead when status[endpoint] is set, and otherwise passing the
// decoded answer through edit (when not nil).
func editDiscovery(h http.Handler, status map[string]int, edit func(endpoint string, body map[string]any)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		endpoint := path.Base(r.URL.Path)
		if r.Method != http.MethodGet || (endpoint != "ResourceTypes" && endpoint != "Schemas") {
			h.ServeHTTP(w, r)
			return
		}
		if code := status[endpoint]; code != 0 {
			w.Header().Set("Content-Type", "application/scim+json")
			w.WriteHeader(code)
			_, _ = w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"` +
				http.StatusText(code) + `"}`))
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		var body map[string]any
		if edit != nil && json.Unmarshal(rec.Body.Bytes(), &body) == nil {
			edit(endpoint, body)
			b, _ := json.Marshal(body)
			rec.Body = bytes.NewBuffer(b)
		}
		w.Header().Set("Content-Type", "application/scim+json")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// withoutSchemas drops the schemas (and User extensions) named by urns
// from a discovery answer.
func withoutSchemas(urns ...string) func(string, map[string]any) {
	drop := func(v any) bool {
		id, _ := v.(string)
		return slices.Contains(urns, id)
	}
	return func(endpoint string, body map[string]any) {
		list, _ := body["Resources"].([]any)
		var kept []any
		for _, x := range list {
			m := x.(map[string]any)
			if endpoint == "Schemas" && drop(m["id"]) {
				continue
			}
			if exts, ok := m["schemaExtensions"].([]any); ok {
				m["schemaExtensions"] = slices.DeleteFunc(exts, func(e any) bool { return drop(e.(map[string]any)["schema"]) })
			}
			kept = append(kept, m)
		}
		body["Resources"] = kept
	}
}

// serve runs h on a test server and returns its SCIM base URL.
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	return hs.URL + "/scim/v2"
}

// newDirectory returns a scimtest server with PATCH (and nothing else
// optional) and opts.
func newDirectory(t *testing.T, opts scimtest.Options) *scimtest.Server {
	t.Helper()
	if opts.Token == "" {
		opts.Token = token
	}
	srv, err := scimtest.New(opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	srv.SetBulk(false)
	srv.SetETags(false)
	return srv
}

// customFields are the fields that live in the custom extension.
var customFields = []roster.Field{roster.FieldDateOfBirth, roster.FieldDateOfJoining, roster.FieldExitDate,
	roster.FieldLocation, roster.FieldEmploymentType}

func TestDescribe(t *testing.T) {
	enterprise := []roster.Field{roster.FieldEmployeeNumber, roster.FieldManagerID, roster.FieldDepartment}
	readOnlyTitle := func(endpoint string, body map[string]any) {
		if endpoint != "Schemas" {
			return
		}
		for _, x := range body["Resources"].([]any) {
			for _, a := range x.(map[string]any)["attributes"].([]any) {
				if m := a.(map[string]any); m["name"] == "title" {
					m["mutability"] = "readOnly"
				}
			}
		}
	}
	for _, tt := range []struct {
		name     string
		opts     scimtest.Options
		status   map[string]int
		edit     func(string, map[string]any)
		unstored []roster.Field
		noCustom bool
	}{
		{name: "full schemas"},
		{name: "core and enterprise only", opts: scimtest.Options{CoreAndEnterpriseOnly: true},
			unstored: customFields, noCustom: true},
		{name: "no /Schemas", opts: scimtest.Options{CoreAndEnterpriseOnly: true},
			status: map[string]int{"Schemas": http.StatusNotFound}, unstored: customFields, noCustom: true},
		{name: "no /ResourceTypes", opts: scimtest.Options{CoreAndEnterpriseOnly: true},
			status: map[string]int{"ResourceTypes": http.StatusNotImplemented}, unstored: customFields, noCustom: true},
		{name: "no discovery", opts: scimtest.Options{CoreAndEnterpriseOnly: true},
			status: map[string]int{"ResourceTypes": http.StatusNotFound, "Schemas": http.StatusForbidden}},
		{name: "core only", edit: withoutSchemas(scim.EnterpriseSchema, scimtest.CustomSchema, scimtest.LegacyCustomSchema),
			unstored: append(slices.Clone(customFields), enterprise...), noCustom: true},
		{name: "readOnly attribute", edit: readOnlyTitle, unstored: []roster.Field{roster.FieldJobTitle}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			srv := newDirectory(t, tt.opts)
			var rec recorder
			c := newClient(t, serve(t, editDiscovery(srv, tt.status, tt.edit)),
				func(cfg *scim.Config) { cfg.HTTPClient = rec.client() })
			d, err := c.Describe(ctx)
			require.NoError(t, err)
			var want []string
			for _, f := range roster.Catalogue {
				if slices.Contains(tt.unstored, f) {
					want = append(want, string(f))
				}
			}
			var got []string
			for _, f := range d.Unstored {
				got = append(got, string(f))
			}
			require.Equal(t, want, got)
			require.Equal(t, tt.noCustom, d.NoCustomFields)
			require.Equal(t, !tt.noCustom, d.Stores("custom.costCentre"))
			require.NotEmpty(t, d.Detail)
			require.Equal(t, 3, rec.discoveryCalls(), "each discovery endpoint is read once")

			again, err := c.Describe(ctx)
			require.NoError(t, err)
			require.Equal(t, d, again)
			_, err = c.ListUsers(ctx, "")
			require.NoError(t, err)
			require.Equal(t, 3, rec.discoveryCalls(), "a second Describe and a list ask nothing again")
		})
	}
}

func TestDescribeRetryableFailures(t *testing.T) {
	ctx := context.Background()
	srv := newDirectory(t, scimtest.Options{})
	status := map[string]int{"Schemas": http.StatusInternalServerError}
	var mu sync.Mutex
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		s := map[string]int{}
		for k, v := range status {
			s[k] = v
		}
		mu.Unlock()
		editDiscovery(srv, s, nil).ServeHTTP(w, r)
	})
	c := newClient(t, serve(t, h), nil)
	_, err := c.Describe(ctx)
	require.Error(t, err)
	require.False(t, connectors.IsPermanent(err), "a failing /Schemas is retried: %v", err)

	mu.Lock()
	status = map[string]int{"ResourceTypes": http.StatusTooManyRequests}
	mu.Unlock()
	_, err = c.Describe(ctx)
	require.Error(t, err)
	require.False(t, connectors.IsPermanent(err))

	mu.Lock()
	status = nil
	mu.Unlock()
	d, err := c.Describe(ctx)
	require.NoError(t, err)
	require.Empty(t, d.Unstored)

	srv.FailNext(1, http.StatusServiceUnavailable, 0)
	_, err = newClient(t, serve(t, srv), nil).Describe(ctx)
	require.Error(t, err, "the features are needed")
	require.False(t, connectors.IsPermanent(err))
}

func TestAssumeAsksNothing(t *testing.T) {
	ctx := context.Background()
	srv := newDirectory(t, scimtest.Options{CoreAndEnterpriseOnly: true})
	base := serve(t, srv)
	d, err := newClient(t, base, nil).Describe(ctx)
	require.NoError(t, err)

	var rec recorder
	c := newClient(t, base, func(cfg *scim.Config) { cfg.HTTPClient = rec.client() })
	require.NoError(t, c.Assume(d))
	got, err := c.Describe(ctx)
	require.NoError(t, err)
	require.Equal(t, d, got)
	e := fullEmployee(t, "E1")
	id, err := c.CreateUser(ctx, e)
	require.NoError(t, err)
	e.JobTitle = "Lead"
	require.NoError(t, c.UpdateUser(ctx, id, e, []roster.Field{roster.FieldJobTitle}))
	require.NoError(t, c.SetActive(ctx, id, false))
	_, err = c.ListUsers(ctx, "")
	require.NoError(t, err)
	require.Zero(t, rec.discoveryCalls())
	for _, b := range append(rec.bodies(http.MethodPost), rec.bodies(http.MethodPatch)...) {
		require.NotContains(t, b, scimtest.CustomSchema)
	}

	// Assume refuses what it cannot use.
	c = newClient(t, base, nil)
	require.True(t, connectors.IsPermanent(c.Assume(connectors.Description{Detail: []byte("{")})))
	require.True(t, connectors.IsPermanent(c.Assume(connectors.Description{Detail: []byte(`{"version":99}`)})))
	other := newClient(t, base, func(cfg *scim.Config) { cfg.CustomSchema = "urn:acme:ext:2.0:User" })
	require.True(t, connectors.IsPermanent(other.Assume(d)), "learnt for another custom extension")
}

func TestAssumeWithoutDetailKeepsUnstoredFields(t *testing.T) {
	ctx := context.Background()
	srv, base := startServer(t, scimtest.Options{}, features{patch: true})
	var rec recorder
	c := newClient(t, base, func(cfg *scim.Config) { cfg.HTTPClient = rec.client() })
	require.NoError(t, c.Assume(connectors.Description{Unstored: []roster.Field{roster.FieldLocation}, NoCustomFields: true}))
	id, err := c.CreateUser(ctx, fullEmployee(t, "E1"))
	require.NoError(t, err)
	stored, _ := srv.UserByExternalID("E1")
	ext := stored.Resource[scimtest.CustomSchema].(map[string]any)
	require.NotContains(t, ext, "location")
	require.NotContains(t, ext, "custom")
	require.Equal(t, "1990-01-02", ext["dateOfBirth"])
	u := find(t, c, id)
	require.Empty(t, u.Employee.Location)
	require.Empty(t, u.Employee.Custom)
	require.Zero(t, rec.count(http.MethodGet, "/ResourceTypes")+rec.count(http.MethodGet, "/Schemas"))
}

func TestCoreAndEnterpriseOnlyDirectory(t *testing.T) {
	for name, patch := range map[string]bool{"patch": true, "put": false} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			srv := newDirectory(t, scimtest.Options{CoreAndEnterpriseOnly: true})
			srv.SetPatch(patch)
			var rec recorder
			c := newClient(t, serve(t, srv), func(cfg *scim.Config) { cfg.HTTPClient = rec.client() })
			d, err := c.Describe(ctx)
			require.NoError(t, err)

			e := fullEmployee(t, "E1")
			id, err := c.CreateUser(ctx, e)
			require.NoError(t, err)
			e.Location, e.JobTitle = "Paris", "Lead"
			e.Custom["costCentre"] = "CC-2"
			all := append([]roster.Field{roster.FieldStatus}, e.Fields()...)
			require.NoError(t, c.UpdateUser(ctx, id, e, all))
			for _, m := range []string{http.MethodPost, http.MethodPatch, http.MethodPut} {
				for _, b := range rec.bodies(m) {
					require.NotContains(t, b, "urn:ietf:params:scim:schemas:extension:hrsync", "%s sends no custom extension", m)
					require.NotContains(t, b, "urn:hrsync:", m)
				}
			}
			for _, r := range srv.Requests() {
				require.Less(t, r.Status, 400, "%s %s", r.Method, r.Path)
			}

			// What the directory holds reads back as e, less what it cannot
			// hold: the plan sees no difference to make.
			u := find(t, c, id)
			want := e
			for _, f := range customFields {
				require.False(t, d.Stores(f), f)
			}
			want.DateOfBirth, want.DateOfJoining, want.ExitDate = roster.Date{}, roster.Date{}, roster.Date{}
			want.Location, want.EmploymentType, want.Custom = "", "", nil
			require.Equal(t, want, u.Employee)
			require.Equal(t, "Lead", u.Employee.JobTitle)

			require.NoError(t, c.SetActive(ctx, id, false))
			stored, _ := srv.UserByExternalID("E1")
			require.False(t, stored.Active)
		})
	}
}

func TestLegacyCustomSchemaIsKeptWhereItIsTheOneListed(t *testing.T) {
	ctx := context.Background()
	srv := newDirectory(t, scimtest.Options{})
	base := serve(t, editDiscovery(srv, nil, withoutSchemas(scimtest.CustomSchema)))
	c := newClient(t, base, nil)
	d, err := c.Describe(ctx)
	require.NoError(t, err)
	require.Empty(t, d.Unstored)
	require.False(t, d.NoCustomFields)
	e := fullEmployee(t, "E1")
	id, err := c.CreateUser(ctx, e)
	require.NoError(t, err)
	stored, _ := srv.UserByExternalID("E1")
	require.Contains(t, stored.Resource, scimtest.LegacyCustomSchema)
	require.NotContains(t, stored.Resource, scimtest.CustomSchema)
	require.Equal(t, e, find(t, c, id).Employee)

	// Another client of the run writes there too, and so does one
	// configured for it; one configured for the new URN keeps it.
	other := newClient(t, base, nil)
	require.NoError(t, other.Assume(d))
	require.Equal(t, e, find(t, other, id).Employee)
	explicit := newClient(t, base, func(cfg *scim.Config) { cfg.CustomSchema = scim.LegacyCustomSchema })
	require.NoError(t, explicit.Assume(d))
	pinned := newClient(t, base, func(cfg *scim.Config) { cfg.CustomSchema = scim.DefaultCustomSchema })
	dp, err := pinned.Describe(ctx)
	require.NoError(t, err)
	require.True(t, dp.NoCustomFields)
}

func TestNoManagerAttribute(t *testing.T) {
	ctx := context.Background()
	srv := newDirectory(t, scimtest.Options{})
	srv.SetBulk(true)
	c := newClient(t, serve(t, editDiscovery(srv, nil, withoutSchemas(scim.EnterpriseSchema))), nil)
	d, err := c.Describe(ctx)
	require.NoError(t, err)
	require.False(t, d.Stores(roster.FieldManagerID))
	boss, err := c.CreateUser(ctx, fullEmployee(t, "E1"))
	require.NoError(t, err)
	report := fullEmployee(t, "E2")
	report.WorkEmail = "two@example.com"
	id, err := c.CreateUser(ctx, report)
	require.NoError(t, err)
	stored, _ := srv.UserByExternalID("E2")
	require.NotContains(t, stored.Resource, scim.EnterpriseSchema)

	err = c.SetManager(ctx, id, connectors.ManagerRef{TargetID: boss})
	require.True(t, connectors.IsPermanent(err))
	require.NoError(t, c.SetManager(ctx, id, connectors.ManagerRef{}), "no manager attribute, no manager to remove")
	res, err := c.WriteBatch(ctx, []connectors.Write{
		{Kind: connectors.WriteManager, TargetID: id, Manager: connectors.ManagerRef{TargetID: boss}},
		{Kind: connectors.WriteManager, TargetID: id},
	})
	require.NoError(t, err)
	require.True(t, connectors.IsPermanent(res[0].Err))
	require.NoError(t, res[1].Err)
	patches, _ := requests(srv, http.MethodPatch, "/Users/")
	bulks, _ := requests(srv, http.MethodPost, "/Bulk")
	require.Zero(t, patches+bulks)
}

func TestBulkCreateOnCoreAndEnterpriseOnlyDirectory(t *testing.T) {
	ctx := context.Background()
	srv := newDirectory(t, scimtest.Options{CoreAndEnterpriseOnly: true})
	srv.SetBulk(true)
	var rec recorder
	c := newClient(t, serve(t, srv), func(cfg *scim.Config) { cfg.HTTPClient = rec.client() })
	_, err := c.Describe(ctx)
	require.NoError(t, err)
	res, err := c.WriteBatch(ctx, []connectors.Write{{Kind: connectors.WriteCreate, Employee: fullEmployee(t, "E1")}})
	require.NoError(t, err)
	require.NoError(t, res[0].Err)
	bodies := rec.bodies(http.MethodPost)
	require.Len(t, bodies, 1)
	require.Contains(t, bodies[0], scim.EnterpriseSchema)
	require.NotContains(t, bodies[0], scimtest.CustomSchema)
}

func TestServiceProviderConfigIsReadOnce(t *testing.T) {
	ctx := context.Background()
	srv, c := setup(t, features{patch: true, bulk: true})
	_, err := c.ListUsers(ctx, "")
	require.NoError(t, err)
	id, err := c.CreateUser(ctx, fullEmployee(t, "E1"))
	require.NoError(t, err)
	_, err = c.Describe(ctx)
	require.NoError(t, err)
	require.NoError(t, c.SetActive(ctx, id, false))
	_, err = c.WriteBatch(ctx, []connectors.Write{{Kind: connectors.WriteActive, TargetID: id, Active: true}})
	require.NoError(t, err)
	spc, _ := requests(srv, http.MethodGet, "/ServiceProviderConfig")
	require.Equal(t, 1, spc)
}
