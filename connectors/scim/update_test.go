package scim_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/hrsync/hrsync/connectors/scim"
	"github.com/hrsync/hrsync/connectors/scim/scimtest"
	"github.com/hrsync/hrsync/roster"
	"github.com/stretchr/testify/require"
)

// modes are the ways a provider can take updates.
var modes = map[string]features{"patch": {patch: true}, "put": {}, "patch+etags": {patch: true, etags: true}, "put+etags": {etags: true}}

func TestUpdateUsesPatchOrPutAsAdvertised(t *testing.T) {
	ctx := context.Background()
	for name, f := range map[string]features{"patch": {patch: true}, "put": {}} {
		t.Run(name, func(t *testing.T) {
			srv, c := setup(t, f)
			e := fullEmployee(t, "E1")
			id, err := c.CreateUser(ctx, e)
			require.NoError(t, err)
			e.Department = "Research"
			require.NoError(t, c.UpdateUser(ctx, id, e, []roster.Field{roster.FieldDepartment}))
			require.NoError(t, c.SetActive(ctx, id, false))

			patches, _ := requests(srv, http.MethodPatch, "/Users/")
			puts, _ := requests(srv, http.MethodPut, "/Users/")
			if f.patch {
				require.Equal(t, 2, patches)
				require.Zero(t, puts)
			} else {
				require.Zero(t, patches)
				require.Equal(t, 2, puts)
			}
			spc, _ := requests(srv, http.MethodGet, "/ServiceProviderConfig")
			require.Equal(t, 1, spc, "features are fetched once")
			e.Status = roster.StatusInactive
			require.Equal(t, roster.User{TargetID: id, Employee: e}, find(t, c, id))
		})
	}
}

// changed returns e with field f set to a new value, or cleared.
func changed(t *testing.T, e roster.Employee, f roster.Field, clear bool) roster.Employee {
	t.Helper()
	e.Custom = cloneMap(e.Custom)
	switch f {
	case roster.FieldDateOfBirth:
		e.DateOfBirth = pick(clear, roster.Date{}, day(t, 1991, time.July, 8))
	case roster.FieldDateOfJoining:
		e.DateOfJoining = pick(clear, roster.Date{}, day(t, 2021, time.August, 9))
	case roster.FieldExitDate:
		e.ExitDate = pick(clear, roster.Date{}, day(t, 2032, time.December, 31))
	default:
		require.NoError(t, e.Set(f, pick(clear, "", "new "+string(f)+" value")))
	}
	return e
}

func pick[T any](first bool, a, b T) T {
	if first {
		return a
	}
	return b
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func TestUpdateEachField(t *testing.T) {
	ctx := context.Background()
	fields := []roster.Field{
		roster.FieldEmployeeNumber, roster.FieldFirstName, roster.FieldLastName, roster.FieldPreferredName,
		roster.FieldWorkEmail, roster.FieldPersonalEmail, roster.FieldWorkPhone, roster.FieldDateOfBirth,
		roster.FieldDateOfJoining, roster.FieldExitDate, roster.FieldDepartment, roster.FieldJobTitle,
		roster.FieldLocation, roster.FieldEmploymentType,
		roster.CustomField("costCentre"), roster.CustomField("CostCentre"), roster.CustomField(`say "hi" \ o`),
		roster.CustomField("a.b"), roster.CustomField("dateOfBirth"), roster.CustomField("brand new"),
	}
	for name, f := range modes {
		t.Run(name, func(t *testing.T) {
			srv, c := setup(t, f)
			e := fullEmployee(t, "E1")
			id, err := c.CreateUser(ctx, e)
			require.NoError(t, err)
			for _, field := range fields {
				for _, clear := range []bool{false, true} {
					e = changed(t, e, field, clear)
					require.NoError(t, c.UpdateUser(ctx, id, e, []roster.Field{field}), "%s clear=%v", field, clear)
					got, found, err := c.FindByExternalID(ctx, "E1")
					require.NoError(t, err)
					require.True(t, found)
					require.Equal(t, e, got.Employee, "%s clear=%v", field, clear)
				}
			}
			// Every field is now empty, and the user is still the same one.
			require.Equal(t, roster.Employee{ID: "E1", Status: roster.StatusActive}, find(t, c, id).Employee)
			stored, ok := srv.UserByExternalID("E1")
			require.True(t, ok)
			require.Equal(t, id, stored.ID)
			require.Equal(t, "new workEmail value", stored.UserName, "userName is required: clearing the email keeps the last one")
			require.Len(t, srv.Users(), 1)
		})
	}
}

func TestUpdateWorkEmailRenamesUser(t *testing.T) {
	ctx := context.Background()
	for name, f := range modes {
		t.Run(name, func(t *testing.T) {
			srv, c := setup(t, f)
			e := fullEmployee(t, "E1")
			id, err := c.CreateUser(ctx, e)
			require.NoError(t, err)
			e.WorkEmail = "ada.king@example.com"
			e.FirstName, e.PreferredName = "Augusta", ""
			require.NoError(t, c.UpdateUser(ctx, id, e, []roster.Field{roster.FieldWorkEmail, roster.FieldFirstName, roster.FieldPreferredName}))
			stored, _ := srv.UserByExternalID("E1")
			require.Equal(t, "ada.king@example.com", stored.UserName)
			require.Equal(t, "Augusta Lovelace", stored.Resource["displayName"])
			require.Equal(t, e, find(t, c, id).Employee)
		})
	}
}

func TestUpdateLinksAndKeepsWhatHrsyncDoesNotManage(t *testing.T) {
	ctx := context.Background()
	for name, f := range modes {
		t.Run(name, func(t *testing.T) {
			srv, base := startServer(t, scimtest.Options{}, f)
			c := newClient(t, base, nil)
			status, body := rawPost(t, base, "/Users", map[string]any{
				"schemas":             []string{scim.CoreSchema, scim.EnterpriseSchema},
				"userName":            "grace@example.com",
				"emails":              []any{map[string]any{"value": "grace@example.com", "primary": true}, map[string]any{"value": "g@other.example", "type": "other"}},
				"locale":              "en-US",
				scim.EnterpriseSchema: map[string]any{"costCenter": "CC-9"},
			})
			require.Equal(t, http.StatusCreated, status)
			id := body["id"].(string)

			// Listed before linking: no externalId, the untyped primary
			// email read as the work email so Diff can match it.
			u := find(t, c, id)
			require.Empty(t, u.Employee.ID)
			require.Equal(t, "grace@example.com", u.Employee.WorkEmail)

			e := roster.Employee{ID: "E7", FirstName: "Grace", LastName: "Hopper", WorkEmail: "grace@example.com",
				Department: "Navy", Status: roster.StatusActive}
			require.NoError(t, c.UpdateUser(ctx, id, e, []roster.Field{roster.FieldFirstName, roster.FieldLastName, roster.FieldDepartment}))
			stored, ok := srv.UserByExternalID("E7")
			require.True(t, ok, "the update links the user")
			require.Equal(t, "en-US", stored.Resource["locale"])
			require.Equal(t, "CC-9", stored.Resource[scim.EnterpriseSchema].(map[string]any)["costCenter"])
			require.Len(t, stored.Resource["emails"], 2)
			require.Equal(t, e, find(t, c, id).Employee)
		})
	}
}
