package scimtest

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// createMany creates n users user00, user01, … and returns their ids in
// creation order.
func createMany(e *env, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = e.create(newUser(fmt.Sprintf("user%02d", i), map[string]any{
			"externalId": fmt.Sprintf("E%02d", i), "active": i%3 != 0,
			"emails": work(fmt.Sprintf("user%02d@corp.com", i)),
		}))["id"].(string)
	}
	return ids
}

// ids are the ids of a ListResponse's resources.
func ids(list map[string]any) []string {
	out := []string{}
	for _, r := range list["Resources"].([]any) {
		out = append(out, r.(map[string]any)["id"].(string))
	}
	return out
}

func TestPagingWalksEveryUser(t *testing.T) {
	e := newEnv(t, Options{})
	want := createMany(e, 23)
	for _, count := range []int{1, 7, 200} {
		t.Run(strconv.Itoa(count), func(t *testing.T) {
			var got []string
			for start := 1; ; {
				list := e.list(url.Values{"startIndex": {strconv.Itoa(start)}, "count": {strconv.Itoa(count)}})
				require.Equal(t, []any{listResponseSchema}, list["schemas"])
				require.Equal(t, 23.0, list["totalResults"])
				require.Equal(t, float64(start), list["startIndex"])
				page := ids(list)
				require.Equal(t, float64(len(page)), list["itemsPerPage"])
				require.LessOrEqual(t, len(page), count)
				got = append(got, page...)
				start += len(page)
				if len(page) == 0 || start > 23 {
					break
				}
			}
			require.Equal(t, want, got)
		})
	}
	var stored []string
	for _, u := range e.srv.Users() {
		stored = append(stored, u.ID)
	}
	require.Equal(t, want, stored, "Users() is in creation order too")

	// A filtered walk.
	list := e.list(url.Values{"filter": {"active eq false"}, "startIndex": {"2"}, "count": {"3"}})
	require.Equal(t, 8.0, list["totalResults"])
	require.Equal(t, []string{want[3], want[6], want[9]}, ids(list))
}

func TestPagingEdges(t *testing.T) {
	e := newEnv(t, Options{MaxResults: 5})
	all := createMany(e, 12)

	list := e.list(url.Values{"count": {"0"}})
	require.Equal(t, map[string]any{"schemas": []any{listResponseSchema}, "totalResults": 12.0,
		"itemsPerPage": 0.0, "startIndex": 1.0}, list, "count=0 answers totalResults alone")

	list = e.list(url.Values{"count": {"-3"}})
	require.NotContains(t, list, "Resources", "a negative count is 0")

	list = e.list(nil)
	require.Equal(t, all[:5], ids(list), "no count: a page of MaxResults")
	require.Equal(t, 12.0, list["totalResults"])

	list = e.list(url.Values{"count": {"100"}})
	require.Equal(t, all[:5], ids(list), "count is capped at MaxResults")

	for _, start := range []string{"0", "-5"} {
		list = e.list(url.Values{"startIndex": {start}, "count": {"2"}})
		require.Equal(t, all[:2], ids(list))
		require.Equal(t, 1.0, list["startIndex"])
	}

	list = e.list(url.Values{"startIndex": {"11"}, "count": {"5"}})
	require.Equal(t, all[10:], ids(list))

	list = e.list(url.Values{"startIndex": {"13"}, "count": {"5"}})
	require.Equal(t, []any{}, list["Resources"])
	require.Equal(t, 0.0, list["itemsPerPage"])

	list = e.list(url.Values{"filter": {`userName eq "nobody"`}})
	require.Equal(t, 0.0, list["totalResults"])
	require.Equal(t, []any{}, list["Resources"])

	e.do(http.MethodGet, "/Users?count=ten", nil).requireError(t, http.StatusBadRequest, errInvalidValue)
	e.do(http.MethodGet, "/Users?startIndex=x", nil).requireError(t, http.StatusBadRequest, errInvalidValue)
	// sortBy is ignored: sort.supported is false.
	require.Equal(t, all[:5], ids(e.list(url.Values{"sortBy": {"userName"}, "sortOrder": {"descending"}})))
}

func TestAttributesProjection(t *testing.T) {
	e := newEnv(t, Options{})
	u := filterFixture(e)["ann"]
	id := u["id"].(string)

	list := e.list(url.Values{"filter": {`userName eq "ann@example.com"`},
		"attributes": {"userName,emails.value," + enterpriseSchema + ":department"}})
	require.Equal(t, map[string]any{
		"schemas":        u["schemas"],
		"id":             id,
		"userName":       "Ann@Example.com",
		"emails":         []any{map[string]any{"value": "ann@corp.com"}, map[string]any{"value": "ann@home.net"}},
		enterpriseSchema: map[string]any{"department": "R&D"},
	}, dig(list, "Resources", 0))

	got := e.do(http.MethodGet, "/Users/"+id+"?attributes=externalId,name.givenName,unknownThing", nil).
		requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, map[string]any{"schemas": u["schemas"], "id": id, "externalId": "E1",
		"name": map[string]any{"givenName": "Ann"}}, got)

	got = e.do(http.MethodGet, "/Users/"+id+"?excludedAttributes=emails,meta,id,name.familyName,"+enterpriseSchema, nil).
		requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, id, got["id"], "id is always returned")
	require.NotContains(t, got, "emails")
	require.NotContains(t, got, "meta")
	require.NotContains(t, got, enterpriseSchema)
	require.Equal(t, map[string]any{"givenName": "Ann"}, got["name"])
	require.Equal(t, "Engineer", got["title"])
}

func TestSearch(t *testing.T) {
	e := newEnv(t, Options{})
	filterFixture(e)
	list := e.do(http.MethodPost, "/Users/.search", map[string]any{
		"schemas": []any{searchRequestSchema}, "filter": `title pr`, "startIndex": 2, "count": 1,
		"attributes": []any{"userName"},
	}).requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, 3.0, list["totalResults"])
	require.Equal(t, []string{"ann"}, names(list))
	require.NotContains(t, dig(list, "Resources", 0), "title")

	list = e.do(http.MethodPost, "/.search", map[string]any{"schemas": []any{searchRequestSchema}}).
		requireStatus(t, http.StatusOK).obj(t)
	require.Equal(t, 4.0, list["totalResults"])

	e.do(http.MethodPost, "/Users/.search", map[string]any{"filter": "title pr"}).requireError(t, http.StatusBadRequest, errInvalidSyntax)
	e.do(http.MethodPost, "/Users/.search", map[string]any{"schemas": []any{searchRequestSchema}, "count": "x"}).
		requireError(t, http.StatusBadRequest, errInvalidValue)
	e.do(http.MethodPost, "/Users/.search", map[string]any{"schemas": []any{searchRequestSchema}, "filter": "title zz"}).
		requireError(t, http.StatusBadRequest, errInvalidFilter)
}

// Paging page after page goes by seq from where the last page ended; a
// user created or deleted in between makes the next page start afresh
// by position, exactly as if nothing had been remembered.
func TestPagingAfterTheDirectoryChanges(t *testing.T) {
	e := newEnv(t, Options{})
	all := createMany(e, 10)
	page := func(start string) map[string]any {
		return e.list(url.Values{"startIndex": {start}, "count": {"3"}})
	}
	require.Equal(t, all[0:3], ids(page("1")))
	require.Equal(t, all[3:6], ids(page("4")))
	_, total, _, known := e.srv.st.pages.lookup(6)
	require.True(t, known, "the next page's start is remembered")
	require.Equal(t, 10, total)

	e.do(http.MethodDelete, "/Users/"+all[1], nil).requireStatus(t, http.StatusNoContent)
	_, _, _, known = e.srv.st.pages.lookup(6)
	require.False(t, known, "a delete forgets every cursor")
	rest := append(append([]string{}, all[:1]...), all[2:]...)
	list := page("4")
	require.Equal(t, rest[3:6], ids(list), "positions after a delete")
	require.Equal(t, 9.0, list["totalResults"])
	require.Equal(t, rest[6:9], ids(page("7")))

	added := e.create(newUser("late", map[string]any{"externalId": "E99"}))["id"].(string)
	list = page("10")
	require.Equal(t, []string{added}, ids(list), "a user created since is listed last")
	require.Equal(t, 10.0, list["totalResults"])

	require.Equal(t, rest[3:6], ids(page("4")), "a page asked for again")
}
