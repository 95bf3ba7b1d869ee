package scimlibtest_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors/scim/scimlibtest"
)

func TestPaging(t *testing.T) {
	s := scimlibtest.Start(t, scimlibtest.Options{MaxResults: 3})
	for i := 1; i <= 5; i++ {
		create(t, s, user(map[string]any{"userName": fmt.Sprintf("u%d", i)}))
	}
	for _, tc := range []struct {
		query        string
		names        []string
		startIndex   float64
		itemsPerPage float64
	}{
		{"startIndex=1&count=2", []string{"u1", "u2"}, 1, 2},
		{"startIndex=3&count=2", []string{"u3", "u4"}, 3, 2},
		// The library's itemsPerPage is the count asked for (or its
		// default), not the number of Resources on the page.
		{"startIndex=5&count=2", []string{"u5"}, 5, 2},
		{"startIndex=9&count=2", []string{}, 9, 2},
		// No count: MaxResults; a larger count is cut down to it.
		{"", []string{"u1", "u2", "u3"}, 1, 3},
		{"count=100", []string{"u1", "u2", "u3"}, 1, 3},
		// count=0 (and a negative count) asks for totalResults alone; a
		// startIndex below 1 means 1.
		{"count=0", []string{}, 1, 0},
		{"count=-1", []string{}, 1, 0},
		{"startIndex=0&count=1", []string{"u1"}, 1, 1},
		{"startIndex=-4&count=1", []string{"u1"}, 1, 1},
	} {
		t.Run(tc.query, func(t *testing.T) {
			lr := list(t, s, "", tc.query)
			require.Equal(t, tc.names, userNames(t, lr))
			require.Equal(t, float64(5), lr["totalResults"])
			require.Equal(t, tc.startIndex, lr["startIndex"])
			require.Equal(t, tc.itemsPerPage, lr["itemsPerPage"])
		})
	}

	// Paging applies to the filtered list.
	lr := list(t, s, `userName sw "u"`, "startIndex=4&count=3")
	require.Equal(t, []string{"u4", "u5"}, userNames(t, lr))
	require.Equal(t, float64(5), lr["totalResults"])

	// A count that is no integer is a 400 without a scimType.
	e := call(t, s, http.MethodGet, "/Users?count=abc", nil).err(t, http.StatusBadRequest)
	require.Equal(t, scimError{Status: "400", Detail: "Bad Request. Invalid parameter provided in request: count."}, e)
	e = call(t, s, http.MethodGet, "/Users?count=x&startIndex=y", nil).err(t, http.StatusBadRequest)
	require.Equal(t, scimError{Status: "400", Detail: "Bad Request. Invalid parameters provided in request: count, startIndex."}, e)

	// sortBy, attributes and excludedAttributes are ignored.
	lr = list(t, s, "", "sortBy=userName&sortOrder=descending&count=1&attributes=id")
	require.Equal(t, []string{"u1"}, userNames(t, lr))
	lr = list(t, s, "", "count=1&excludedAttributes=userName")
	require.Equal(t, []string{"u1"}, userNames(t, lr))
}
