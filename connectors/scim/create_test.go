package scim_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/scim"
	"github.com/hrsync/hrsync/connectors/scim/scimtest"
	"github.com/hrsync/hrsync/roster"
	"github.com/stretchr/testify/require"
)

func TestCreateRoundTripsEveryField(t *testing.T) {
	for name, f := range map[string]features{"patch": {patch: true}, "put": {}, "etags": {patch: true, etags: true}} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			srv, c := setup(t, f)
			e := fullEmployee(t, "E1")
			id, err := c.CreateUser(ctx, e)
			require.NoError(t, err)
			require.NotEmpty(t, id)

			u := find(t, c, id)
			require.Equal(t, roster.User{TargetID: id, Active: true, Employee: e}, u)

			got, found, err := c.FindByExternalID(ctx, "E1")
			require.NoError(t, err)
			require.True(t, found)
			require.Equal(t, u, got)

			stored, ok := srv.UserByExternalID("E1")
			require.True(t, ok)
			require.Equal(t, e.WorkEmail, stored.UserName)
			require.True(t, stored.Active)
			require.Equal(t, "Addie Lovelace", stored.Resource["displayName"])
			name := stored.Resource["name"].(map[string]any)
			require.Equal(t, "Ada Lovelace", name["formatted"])
		})
	}
}

func TestCreateMinimalEmployee(t *testing.T) {
	ctx := context.Background()
	_, c := setup(t, features{patch: true})
	e := roster.Employee{ID: "E2", FirstName: "Bo", WorkEmail: "bo@example.com", Status: roster.StatusActive}
	id, err := c.CreateUser(ctx, e)
	require.NoError(t, err)
	require.Equal(t, roster.User{TargetID: id, Active: true, Employee: e}, find(t, c, id))
}

func TestCreateRefusesWhatCannotBeAUser(t *testing.T) {
	ctx := context.Background()
	srv, c := setup(t, features{patch: true})
	_, err := c.CreateUser(ctx, roster.Employee{ID: "E3", FirstName: "No Email"})
	require.True(t, connectors.IsPermanent(err))
	require.Contains(t, err.Error(), "E3")
	require.Contains(t, err.Error(), "workEmail")
	_, err = c.CreateUser(ctx, roster.Employee{WorkEmail: "x@example.com"})
	require.True(t, connectors.IsPermanent(err))
	require.Empty(t, srv.Users())

	byNumber, err := scim.New(scim.Config{BaseURL: "http://127.0.0.1:1/scim/v2", Token: "x", UserNameFrom: roster.FieldEmployeeNumber})
	require.NoError(t, err)
	body, err := byNumber.UserData(roster.Employee{ID: "E4", EmployeeNumber: "0042", WorkEmail: "w@example.com"})
	require.NoError(t, err)
	require.Equal(t, "0042", body["userName"])
}

func TestCreateIsIdempotent(t *testing.T) {
	ctx := context.Background()
	srv, c := setup(t, features{patch: true})
	e := fullEmployee(t, "E1")
	id, err := c.CreateUser(ctx, e)
	require.NoError(t, err)

	// A retried create finds the user by externalId and writes e over it.
	e.JobTitle = "Principal Engineer"
	again, err := c.CreateUser(ctx, e)
	require.NoError(t, err)
	require.Equal(t, id, again)
	require.Len(t, srv.Users(), 1)
	require.Equal(t, e, find(t, c, id).Employee)
	n, _ := requests(srv, http.MethodPost, "/Users")
	require.Equal(t, 1, n, "the second create must not POST")
}

func TestCreateConflictLinksUnlinkedUser(t *testing.T) {
	ctx := context.Background()
	for name, f := range map[string]features{"patch": {patch: true}, "put": {}} {
		t.Run(name, func(t *testing.T) {
			srv, base := startServer(t, scimtest.Options{}, f)
			c := newClient(t, base, nil)
			e := fullEmployee(t, "E1")
			status, body := rawPost(t, base, "/Users", map[string]any{
				"schemas":  []string{scim.CoreSchema},
				"userName": e.WorkEmail,
				"title":    "set by someone else",
				"locale":   "en-GB",
			})
			require.Equal(t, http.StatusCreated, status)
			existing := body["id"].(string)

			id, err := c.CreateUser(ctx, e)
			require.NoError(t, err)
			require.Equal(t, existing, id)
			_, statuses := requests(srv, http.MethodPost, "/Users")
			require.Contains(t, statuses, http.StatusConflict)
			require.Len(t, srv.Users(), 1)
			stored, ok := srv.UserByExternalID("E1")
			require.True(t, ok)
			require.Equal(t, existing, stored.ID)
			require.Equal(t, "en-GB", stored.Resource["locale"], "attributes hrsync does not manage are kept")
			require.Equal(t, e, find(t, c, id).Employee)
		})
	}
}

func TestCreateConflictWithAnotherEmployeeIsPermanent(t *testing.T) {
	ctx := context.Background()
	srv, c := setup(t, features{patch: true})
	first := fullEmployee(t, "E1")
	_, err := c.CreateUser(ctx, first)
	require.NoError(t, err)

	second := fullEmployee(t, "E2")
	second.WorkEmail = first.WorkEmail
	_, err = c.CreateUser(ctx, second)
	require.Error(t, err)
	require.True(t, connectors.IsPermanent(err))
	require.Contains(t, err.Error(), "userName already belongs to another user")
	require.Contains(t, err.Error(), "E1")
	require.Contains(t, err.Error(), "E2")
	require.NotContains(t, err.Error(), first.WorkEmail)
	require.NotContains(t, err.Error(), "Lovelace")
	var se *scim.SCIMError
	require.True(t, errors.As(err, &se))
	require.Equal(t, http.StatusConflict, se.Status)
	require.Equal(t, "uniqueness", se.ScimType)
	require.Len(t, srv.Users(), 1)
}

// A directory that answers a create without the user's id cannot be helped
// by sending it again: the error is permanent for that employee.
func TestCreateAnsweredWithoutAnIDIsPermanent(t *testing.T) {
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/ServiceProviderConfig":
			w.WriteHeader(http.StatusNotFound)
		case r.Method == http.MethodGet && r.URL.Path == "/Users":
			w.Header().Set("Content-Type", "application/scim+json")
			_, _ = w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}`))
		case r.Method == http.MethodPost:
			posts.Add(1)
			w.Header().Set("Content-Type", "application/scim+json")
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a@x.test"}`))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(srv.Close)
	c, err := scim.New(scim.Config{BaseURL: srv.URL, Token: "t"})
	require.NoError(t, err)
	_, err = c.CreateUser(context.Background(), roster.Employee{ID: "E1", FirstName: "A", WorkEmail: "a@x.test",
		Status: roster.StatusActive})
	require.Error(t, err)
	require.True(t, connectors.IsPermanent(err), err)
	require.ErrorContains(t, err, "answered without the user's id")
	require.EqualValues(t, 1, posts.Load())
}
