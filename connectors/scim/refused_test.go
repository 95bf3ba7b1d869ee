package scim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/scim"
	"github.com/hrsync/hrsync/connectors/scim/scimtest"
	"github.com/hrsync/hrsync/roster"
	"github.com/stretchr/testify/require"
)

// refused returns the *RefusedError in err, failing the test when there is
// none or err is not permanent.
func refused(t *testing.T, err error) *scim.RefusedError {
	t.Helper()
	require.Error(t, err)
	require.True(t, connectors.IsPermanent(err), "%v", err)
	var re *scim.RefusedError
	require.True(t, errors.As(err, &re), "%v", err)
	return re
}

func TestUpdateLeavesOutWhatTheDirectoryRefuses(t *testing.T) {
	ctx := context.Background()
	for name, etags := range map[string]bool{"patch": false, "patch+etags": true} {
		t.Run(name, func(t *testing.T) {
			srv := newDirectory(t, scimtest.Options{CoreAndEnterpriseOnly: true})
			srv.SetETags(etags)
			// No Describe: the client sends what it always sent, and learns.
			c := newClient(t, serve(t, srv), nil)
			e := fullEmployee(t, "E1")
			id, err := c.CreateUser(ctx, e)
			require.NoError(t, err, "a POST's unknown extension is dropped without a word")

			e.JobTitle, e.Location, e.Status = "Lead", "Paris", roster.StatusInactive
			err = c.UpdateUser(ctx, id, e, []roster.Field{roster.FieldJobTitle, roster.FieldLocation, roster.FieldStatus, roster.FieldDateOfBirth})
			re := refused(t, err)
			urn := scim.DefaultCustomSchema
			require.Equal(t, id, re.TargetID)
			require.ElementsMatch(t, []string{urn + ":location", urn + ":dateOfBirth"}, re.Paths)
			require.ElementsMatch(t, []roster.Field{roster.FieldLocation, roster.FieldDateOfBirth}, re.Fields)
			require.NotNil(t, re.Err)
			require.Equal(t, "invalidPath", re.Err.ScimType)
			require.Contains(t, err.Error(), urn+":location")

			stored, _ := srv.UserByExternalID("E1")
			require.False(t, stored.Active, "the leaver is deactivated all the same")
			require.Equal(t, "Lead", stored.Resource["title"])
			_, statuses := requests(srv, http.MethodPatch, "/Users/"+id)
			require.Equal(t, []int{400, 400, 200}, statuses, "one retry per refused path")

			// The same client sends an invalid path no more, and still says
			// it was not written.
			e.JobTitle = "CTO"
			re = refused(t, c.UpdateUser(ctx, id, e, []roster.Field{roster.FieldJobTitle, roster.FieldLocation}))
			require.Equal(t, []string{urn + ":location"}, re.Paths)
			require.Nil(t, re.Err)
			_, statuses = requests(srv, http.MethodPatch, "/Users/"+id)
			require.Equal(t, []int{400, 400, 200, 200}, statuses)
			stored, _ = srv.UserByExternalID("E1")
			require.Equal(t, "CTO", stored.Resource["title"])
		})
	}
}

// refusePhones serves srv, refusing with 400 invalidValue and a detail
// that names no path every PATCH that sets a phone number.
func refusePhones(srv *scimtest.Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			if strings.Contains(string(body), "phoneNumbers") {
				w.Header().Set("Content-Type", "application/scim+json")
				w.WriteHeader(http.StatusBadRequest)
				_ = json.NewEncoder(w).Encode(map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:Error"},
					"status": "400", "scimType": "invalidValue", "detail": "A value is not in the expected format."})
				return
			}
		}
		srv.ServeHTTP(w, r)
	})
}

func TestUnnamedRefusalIsNarrowedOneOperationAtATime(t *testing.T) {
	ctx := context.Background()
	for name, etags := range map[string]bool{"patch": false, "patch+etags": true} {
		t.Run(name, func(t *testing.T) {
			srv := newDirectory(t, scimtest.Options{})
			srv.SetETags(etags)
			c := newClient(t, serve(t, refusePhones(srv)), nil)
			e := fullEmployee(t, "E1")
			e.WorkPhone = ""
			id, err := c.CreateUser(ctx, e)
			require.NoError(t, err)

			e.WorkPhone, e.Department, e.Status = "+1 555 0100", "Research", roster.StatusInactive
			fields := []roster.Field{roster.FieldWorkPhone, roster.FieldDepartment, roster.FieldStatus}
			re := refused(t, c.UpdateUser(ctx, id, e, fields))
			require.Equal(t, []string{"phoneNumbers"}, re.Paths)
			require.Equal(t, []roster.Field{roster.FieldWorkPhone}, re.Fields)
			require.Equal(t, "invalidValue", re.Err.ScimType)

			stored, _ := srv.UserByExternalID("E1")
			require.False(t, stored.Active)
			u := find(t, c, id)
			require.Equal(t, "Research", u.Employee.Department)
			require.Empty(t, u.Employee.WorkPhone)
			// The whole PATCH, then externalId, phone, department and active
			// one by one; an invalid value is not remembered as a path.
			_, statuses := requests(srv, http.MethodPatch, "/Users/"+id)
			require.Equal(t, []int{200, 200, 200}, statuses, "the server saw all but the refused")
			require.Error(t, c.UpdateUser(ctx, id, e, fields))
		})
	}
}

func TestOtherBadRequestsAreNotRetried(t *testing.T) {
	ctx := context.Background()
	patches := 0
	hs := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/ServiceProviderConfig"):
			_, _ = w.Write([]byte(`{"patch":{"supported":true}}`))
		case r.Method == http.MethodGet:
			_, _ = w.Write([]byte(`{"id":"u1","userName":"a@example.com","externalId":"E1"}`))
		default:
			patches++
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"status":"400","scimType":"invalidSyntax","detail":"Request is unparsable"}`))
		}
	}))
	c := newClient(t, hs, nil)
	e := roster.Employee{ID: "E1", WorkEmail: "a@example.com", JobTitle: "x", Location: "y"}
	err := c.UpdateUser(ctx, "u1", e, []roster.Field{roster.FieldJobTitle, roster.FieldLocation})
	require.True(t, connectors.IsPermanent(err))
	var re *scim.RefusedError
	require.False(t, errors.As(err, &re))
	require.Equal(t, 1, patches)
}

func TestManagerPathRefused(t *testing.T) {
	ctx := context.Background()
	srv := newDirectory(t, scimtest.Options{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch {
			w.Header().Set("Content-Type", "application/scim+json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"status":"400","scimType":"invalidPath","detail":"Invalid path '` + scim.EnterpriseSchema + `:manager' for 'replace' op"}`))
			return
		}
		srv.ServeHTTP(w, r)
	})
	c := newClient(t, serve(t, h), nil)
	boss, err := c.CreateUser(ctx, fullEmployee(t, "E1"))
	require.NoError(t, err)
	report := fullEmployee(t, "E2")
	report.WorkEmail = "two@example.com"
	id, err := c.CreateUser(ctx, report)
	require.NoError(t, err)
	re := refused(t, c.SetManager(ctx, id, connectors.ManagerRef{TargetID: boss}))
	require.Equal(t, []roster.Field{roster.FieldManagerID}, re.Fields)
}
