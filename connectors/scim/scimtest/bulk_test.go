package scimtest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// bulkBody is a BulkRequest; failOnErrors 0 leaves it out.
func bulkBody(failOnErrors int, ops ...map[string]any) map[string]any {
	list := make([]any, len(ops))
	for i, o := range ops {
		list[i] = o
	}
	b := map[string]any{"schemas": []any{bulkRequestSchema}, "Operations": list}
	if failOnErrors > 0 {
		b["failOnErrors"] = failOnErrors
	}
	return b
}

// bulkOpBody is one bulk operation; empty fields are left out.
func bulkOpBody(method, path, bulkID, version string, data any) map[string]any {
	m := map[string]any{"method": method, "path": path}
	if bulkID != "" {
		m["bulkId"] = bulkID
	}
	if version != "" {
		m["version"] = version
	}
	if data != nil {
		m["data"] = data
	}
	return m
}

// bulk POSTs a BulkRequest and returns the response's operations.
func (e *env) bulk(body map[string]any) []map[string]any {
	e.t.Helper()
	resp := e.do(http.MethodPost, "/Bulk", body).requireStatus(e.t, http.StatusOK).obj(e.t)
	require.Equal(e.t, []any{bulkResponseSchema}, resp["schemas"])
	var out []map[string]any
	for _, o := range resp["Operations"].([]any) {
		out = append(out, o.(map[string]any))
	}
	return out
}

// idOf is the user id at the end of a location.
func idOf(location string) string { return location[strings.LastIndex(location, "/")+1:] }

func TestBulkCreatesManagerAndReport(t *testing.T) {
	e := newEnv(t, Options{})
	report := newUser("rep", map[string]any{
		"externalId":     "E2",
		enterpriseSchema: ent("manager", map[string]any{"value": "bulkId:m1"}),
	})
	manager := newUser("mgr", map[string]any{"externalId": "E1", "displayName": "The Manager"})
	// The report comes first: it waits for the POST it refers to.
	res := e.bulk(bulkBody(0,
		bulkOpBody("POST", "/Users", "r1", "", report),
		bulkOpBody("POST", "/Users", "m1", "", manager),
	))
	require.Len(t, res, 2)
	require.Equal(t, "r1", res[0]["bulkId"])
	require.Equal(t, "m1", res[1]["bulkId"])
	for _, r := range res {
		require.Equal(t, "POST", r["method"])
		require.Equal(t, "201", r["status"])
		require.Equal(t, `W/"1"`, r["version"])
		require.True(t, strings.HasPrefix(r["location"].(string), e.base+"/Users/"))
	}
	mgrID := idOf(res[1]["location"].(string))
	rep, ok := e.srv.UserByExternalID("E2")
	require.True(t, ok)
	require.Equal(t, idOf(res[0]["location"].(string)), rep.ID)
	require.Equal(t, mgrID, dig(rep.Resource, enterpriseSchema, "manager", "value"))
	require.Equal(t, "The Manager", dig(rep.Resource, enterpriseSchema, "manager", "displayName"))
	users := e.srv.Users()
	require.Equal(t, "mgr", users[0].UserName, "the manager was created first")

	// In request order, and with PUT, PATCH and DELETE referring by bulkId.
	res = e.bulk(bulkBody(0,
		bulkOpBody("POST", "/Users", "m2", "", newUser("mgr2", nil)),
		bulkOpBody("POST", "/Users", "r2", "", newUser("rep2", map[string]any{enterpriseSchema: ent("manager", map[string]any{"value": "bulkId:m2"})})),
		bulkOpBody("PATCH", "/Users/bulkId:m2", "", `W/"1"`, patchBody(op("replace", "title", "Boss"))),
		bulkOpBody("PUT", "/Users/"+rep.ID, "", rep.Version, newUser("rep", map[string]any{"externalId": "E2", "title": "Rep",
			enterpriseSchema: ent("manager", map[string]any{"value": "bulkId:m2"})})),
		bulkOpBody("DELETE", "/Users/"+mgrID, "", "", nil),
	))
	require.Len(t, res, 5)
	require.Equal(t, []string{"201", "201", "200", "200", "204"},
		[]string{res[0]["status"].(string), res[1]["status"].(string), res[2]["status"].(string), res[3]["status"].(string), res[4]["status"].(string)})
	m2 := idOf(res[0]["location"].(string))
	require.Equal(t, e.base+"/Users/"+m2, res[2]["location"])
	require.Equal(t, `W/"2"`, res[2]["version"])
	require.Equal(t, "Boss", e.get(m2)["title"])
	rep, _ = e.srv.UserByExternalID("E2")
	require.Equal(t, "Rep", rep.Resource["title"])
	require.Equal(t, m2, dig(rep.Resource, enterpriseSchema, "manager", "value"))
	require.NotContains(t, res[4], "version")
	e.do(http.MethodGet, "/Users/"+mgrID, nil).requireError(t, http.StatusNotFound, "")
}

func TestBulkErrors(t *testing.T) {
	e := newEnv(t, Options{})
	e.create(newUser("taken", nil))
	res := e.bulk(bulkBody(0,
		bulkOpBody("POST", "/Users", "a", "", newUser("taken", nil)),
		bulkOpBody("POST", "/Users", "b", "", newUser("b", map[string]any{enterpriseSchema: ent("manager", map[string]any{"value": "bulkId:a"})})),
		bulkOpBody("POST", "/Users", "c", "", newUser("c", map[string]any{enterpriseSchema: ent("manager", map[string]any{"value": "bulkId:zzz"})})),
		bulkOpBody("POST", "/Users", "", "", newUser("d", nil)),
		bulkOpBody("PUT", "/Users/nope", "", "", newUser("e", nil)),
		bulkOpBody("GET", "/Users", "", "", nil),
		bulkOpBody("POST", "/Groups", "g", "", map[string]any{}),
		bulkOpBody("POST", "/Users", "x", "", newUser("x", map[string]any{enterpriseSchema: ent("manager", map[string]any{"value": "bulkId:y"})})),
		bulkOpBody("POST", "/Users", "y", "", newUser("y", map[string]any{enterpriseSchema: ent("manager", map[string]any{"value": "bulkId:x"})})),
		bulkOpBody("POST", "/Users", "ok", "", newUser("fine", nil)),
	))
	status := map[string]string{}
	for i, r := range res {
		key, _ := r["bulkId"].(string)
		if key == "" {
			key = r["method"].(string) + itoa(i)
		}
		status[key] = r["status"].(string)
		if r["status"] != "201" {
			resp := r["response"].(map[string]any)
			require.Equal(t, []any{errorSchema}, resp["schemas"])
			require.Equal(t, r["status"], resp["status"])
		}
	}
	require.Equal(t, "409", status["a"], "uniqueness")
	require.Equal(t, "uniqueness", dig(res[0], "response", "scimType"))
	require.Equal(t, "409", status["b"], "refers to a failed POST")
	require.Equal(t, "409", status["c"], "refers to an unknown bulkId")
	require.Equal(t, "400", status["POST3"], "POST without bulkId")
	require.Equal(t, "404", status["PUT4"])
	require.Equal(t, "400", status["GET5"])
	require.Equal(t, "404", status["g"])
	require.Equal(t, "409", status["x"], "circular")
	require.Equal(t, "409", status["y"], "circular")
	require.Equal(t, "201", status["ok"])
	require.Len(t, e.srv.Users(), 2)
}

func TestBulkFailOnErrors(t *testing.T) {
	e := newEnv(t, Options{})
	e.create(newUser("taken", nil))
	ops := []map[string]any{
		bulkOpBody("POST", "/Users", "1", "", newUser("one", nil)),
		bulkOpBody("POST", "/Users", "2", "", newUser("taken", nil)),
		bulkOpBody("POST", "/Users", "3", "", newUser("three", nil)),
		bulkOpBody("POST", "/Users", "4", "", newUser("TAKEN", nil)),
		bulkOpBody("POST", "/Users", "5", "", newUser("five", nil)),
	}
	res := e.bulk(bulkBody(1, ops...))
	require.Len(t, res, 2, "stops after the first error")
	require.Equal(t, "409", res[1]["status"])
	require.Len(t, e.srv.Users(), 2)

	e2 := newEnv(t, Options{})
	e2.create(newUser("taken", nil))
	res = e2.bulk(bulkBody(2, ops...))
	require.Len(t, res, 4, "stops after the second error")
	require.Len(t, e2.srv.Users(), 3)

	e3 := newEnv(t, Options{})
	e3.create(newUser("taken", nil))
	require.Len(t, e3.bulk(bulkBody(0, ops...)), 5, "without failOnErrors every operation runs")
	require.Len(t, e3.srv.Users(), 4)
}

func TestBulkVersionsAndPatchSwitch(t *testing.T) {
	e := newEnv(t, Options{})
	id := e.create(newUser("ann", nil))["id"].(string)
	res := e.bulk(bulkBody(0,
		bulkOpBody("PATCH", "/Users/"+id, "", `W/"9"`, patchBody(op("replace", "title", "x"))),
		bulkOpBody("DELETE", "/Users/"+id, "", `W/"9"`, nil),
	))
	require.Equal(t, "412", res[0]["status"])
	require.Equal(t, "412", res[1]["status"])
	require.Equal(t, e.base+"/Users/"+id, res[1]["location"])
	require.Contains(t, dig(res[1], "response", "detail"), "Resource changed")

	// PATCH data may also be the bare list of operations.
	res = e.bulk(bulkBody(0, map[string]any{"method": "patch", "path": "/Users/" + id,
		"data": []any{op("replace", "title", "y")}}))
	require.Equal(t, "200", res[0]["status"])
	require.Equal(t, "y", e.get(id)["title"])

	e.srv.SetPatch(false)
	res = e.bulk(bulkBody(0, bulkOpBody("PATCH", "/Users/"+id, "", "", patchBody(op("replace", "title", "z")))))
	require.Equal(t, "501", res[0]["status"])
}

func TestBulkLimits(t *testing.T) {
	e := newEnv(t, Options{BulkMaxOperations: 2, BulkMaxPayloadSize: 600})
	three := bulkBody(0,
		bulkOpBody("POST", "/Users", "1", "", newUser("a", nil)),
		bulkOpBody("POST", "/Users", "2", "", newUser("b", nil)),
		bulkOpBody("POST", "/Users", "3", "", newUser("c", nil)),
	)
	require.Contains(t, e.do(http.MethodPost, "/Bulk", three).requireError(t, http.StatusRequestEntityTooLarge, ""), "maxOperations")
	big := bulkBody(0, bulkOpBody("POST", "/Users", "1", "", newUser(strings.Repeat("x", 700), nil)))
	require.Contains(t, e.do(http.MethodPost, "/Bulk", big).requireError(t, http.StatusRequestEntityTooLarge, ""), "maxPayloadSize")
	require.Empty(t, e.srv.Users())
	require.Len(t, e.bulk(bulkBody(0, bulkOpBody("POST", "/Users", "1", "", newUser("a", nil)))), 1)

	e.do(http.MethodPost, "/Bulk", map[string]any{"Operations": []any{}}).requireError(t, http.StatusBadRequest, errInvalidSyntax)
	e.do(http.MethodPost, "/Bulk", map[string]any{"schemas": []any{bulkRequestSchema}}).requireError(t, http.StatusBadRequest, errInvalidSyntax)
	e.do(http.MethodPost, "/Bulk", map[string]any{"schemas": []any{bulkRequestSchema}, "failOnErrors": 0, "Operations": []any{}}).
		requireError(t, http.StatusBadRequest, errInvalidValue)

	e.srv.SetBulk(false)
	e.do(http.MethodPost, "/Bulk", bulkBody(0)).requireError(t, http.StatusNotImplemented, "")
	e.srv.SetBulk(true)
	require.Empty(t, e.bulk(bulkBody(0)))
}
