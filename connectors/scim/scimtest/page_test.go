package scimtest

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPage(t *testing.T) {
	e := newEnv(t, Options{})
	boss := e.create(newUser("boss", map[string]any{"active": true,
		"name": map[string]any{"formatted": "Cara Boss"}}))["id"].(string)
	time.Sleep(3 * time.Millisecond)
	e.create(newUser("ann", map[string]any{"active": true,
		"name":           map[string]any{"givenName": "Ann", "familyName": "Lee"},
		"emails":         []any{map[string]any{"type": "work", "value": "ann@corp.com"}, map[string]any{"type": "home", "value": "ann@home.net"}},
		enterpriseSchema: ent("department", "R&D", "manager", map[string]any{"value": boss}),
	}))
	time.Sleep(3 * time.Millisecond)
	e.create(newUser("<script>alert(1)</script>", map[string]any{"active": false}))

	r := e.send(http.MethodGet, e.url+"/", "", nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, "text/html; charset=utf-8", r.header.Get("Content-Type"))
	page := string(r.body)
	require.Contains(t, page, "2 active, 1 inactive")
	require.Contains(t, page, "Ann Lee")
	require.Contains(t, page, "ann@corp.com")
	require.NotContains(t, page, "ann@home.net", "work emails only")
	require.Contains(t, page, "<td>Cara Boss</td><td>R&amp;D</td>", "the manager by name, then the department")
	require.NotContains(t, page, "<script>alert")
	require.Contains(t, page, "&lt;script&gt;")
	// Newest changes first.
	require.Less(t, strings.Index(page, "&lt;script&gt;"), strings.Index(page, "Ann Lee"))
	require.Less(t, strings.Index(page, "Ann Lee"), strings.Index(page, "<td>Cara Boss</td><td>boss</td>"))

	require.Equal(t, http.StatusMethodNotAllowed, e.send(http.MethodPost, e.url+"/", "", "x").status)
}
