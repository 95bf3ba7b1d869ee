package scimtest

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestETags(t *testing.T) {
	e := newEnv(t, Options{})
	r := e.do(http.MethodPost, "/Users", newUser("ann", map[string]any{"title": "A"})).requireStatus(t, http.StatusCreated)
	id, v1 := r.obj(t)["id"].(string), r.header.Get("ETag")
	require.Equal(t, `W/"1"`, v1)

	// If-None-Match on GET.
	r = e.do(http.MethodGet, "/Users/"+id, nil, "If-None-Match", v1)
	require.Equal(t, http.StatusNotModified, r.status)
	require.Empty(t, r.body)
	require.Equal(t, v1, r.header.Get("ETag"))
	e.do(http.MethodGet, "/Users/"+id, nil, "If-None-Match", `W/"0"`).requireStatus(t, http.StatusOK)
	require.Equal(t, http.StatusNotModified, e.do(http.MethodGet, "/Users/"+id, nil, "If-None-Match", "*").status)

	// If-Match on PUT, PATCH and DELETE.
	stale := `W/"7"`
	require.Contains(t, e.do(http.MethodPut, "/Users/"+id, newUser("ann", nil), "If-Match", stale).
		requireError(t, http.StatusPreconditionFailed, ""), "Resource changed")
	e.do(http.MethodPatch, "/Users/"+id, patchBody(op("replace", "title", "B")), "If-Match", stale).
		requireError(t, http.StatusPreconditionFailed, "")
	e.do(http.MethodDelete, "/Users/"+id, nil, "If-Match", stale).requireError(t, http.StatusPreconditionFailed, "")
	require.Equal(t, "A", e.get(id)["title"])

	r = e.do(http.MethodPatch, "/Users/"+id, patchBody(op("replace", "title", "B")), "If-Match", v1).requireStatus(t, http.StatusOK)
	v2 := r.header.Get("ETag")
	require.Equal(t, `W/"2"`, v2)
	require.Equal(t, v2, dig(r.obj(t), "meta", "version"))
	// Strong or weak, a listed tag matches.
	r = e.do(http.MethodPut, "/Users/"+id, newUser("ann", map[string]any{"title": "C"}), "If-Match", `"x", "2"`).requireStatus(t, http.StatusOK)
	v3 := r.header.Get("ETag")
	require.Equal(t, `W/"3"`, v3)
	e.do(http.MethodPut, "/Users/"+id, newUser("ann", map[string]any{"title": "D"}), "If-Match", "*").requireStatus(t, http.StatusOK)
	e.do(http.MethodDelete, "/Users/nope", nil, "If-Match", "*").requireError(t, http.StatusNotFound, "")

	// BumpVersion changes the version behind the client's back.
	u := e.get(id)
	v := u["meta"].(map[string]any)["version"].(string)
	require.NoError(t, e.srv.BumpVersion(id))
	e.do(http.MethodPatch, "/Users/"+id, patchBody(op("replace", "title", "E")), "If-Match", v).
		requireError(t, http.StatusPreconditionFailed, "")
	after := e.get(id)
	require.NotEqual(t, v, dig(after, "meta", "version"))
	require.Equal(t, "D", after["title"], "a bump changes no attribute")
	require.Error(t, e.srv.BumpVersion("nope"))

	e.do(http.MethodDelete, "/Users/"+id, nil, "If-Match", dig(after, "meta", "version").(string)).requireStatus(t, http.StatusNoContent)
}

func TestETagsOff(t *testing.T) {
	e := newEnv(t, Options{})
	e.srv.SetETags(false)
	r := e.do(http.MethodPost, "/Users", newUser("ann", nil)).requireStatus(t, http.StatusCreated)
	require.Empty(t, r.header.Get("ETag"))
	u := r.obj(t)
	id := u["id"].(string)
	require.NotContains(t, u["meta"], "version")

	r = e.do(http.MethodGet, "/Users/"+id, nil, "If-None-Match", "*").requireStatus(t, http.StatusOK)
	require.Empty(t, r.header.Get("ETag"))
	r = e.do(http.MethodPatch, "/Users/"+id, patchBody(op("replace", "title", "B")), "If-Match", `W/"42"`).requireStatus(t, http.StatusOK)
	require.Empty(t, r.header.Get("ETag"))
	require.NotContains(t, r.obj(t)["meta"], "version")
	e.do(http.MethodPut, "/Users/"+id, newUser("ann", nil), "If-Match", `W/"42"`).requireStatus(t, http.StatusOK)
	require.NotContains(t, e.srv.Users()[0].Resource["meta"], "version")
	require.Equal(t, `W/"3"`, e.srv.Users()[0].Version, "versions are still kept")

	e.srv.SetETags(true)
	r = e.do(http.MethodGet, "/Users/"+id, nil).requireStatus(t, http.StatusOK)
	require.Equal(t, `W/"3"`, r.header.Get("ETag"))
	e.do(http.MethodDelete, "/Users/"+id, nil, "If-Match", `W/"42"`).requireError(t, http.StatusPreconditionFailed, "")
}
