package scim_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/scim"
	"github.com/hrsync/hrsync/connectors/scim/scimtest"
	"github.com/stretchr/testify/require"
)

// eqFilterRE matches the filters caseSensitive narrows.
var eqFilterRE = regexp.MustCompile(`^(?:(userName|emails\.value) eq "(.*)"|emails\[value eq "(.*)"\])$`)

// caseSensitive serves srv as a server whose eq filters on userName and
// emails compare case-sensitively, which RFC 7643 says they should not.
// With noDotted it refuses emails.value filters (400 invalidFilter), so
// only emails[value eq …] works. It records the filters it saw.
type caseSensitive struct {
	srv      *scimtest.Server
	noDotted bool
	mu       sync.Mutex
	filters  []string
}

// ServeHTTP narrows the answer of a filtered list to exact matches.
func (cs *caseSensitive) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	filter := r.URL.Query().Get("filter")
	m := eqFilterRE.FindStringSubmatch(filter)
	if r.Method != http.MethodGet || m == nil {
		cs.srv.ServeHTTP(w, r)
		return
	}
	cs.mu.Lock()
	cs.filters = append(cs.filters, filter)
	cs.mu.Unlock()
	w.Header().Set("Content-Type", "application/scim+json")
	if cs.noDotted && m[1] == "emails.value" {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"status":"400","scimType":"invalidFilter","detail":"unsupported filter"}`))
		return
	}
	rec := httptest.NewRecorder()
	cs.srv.ServeHTTP(rec, r)
	var body map[string]any
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &body) != nil {
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		return
	}
	value := m[2] + m[3]
	var kept []any
	for _, x := range body["Resources"].([]any) {
		u := x.(map[string]any)
		match := u["userName"] == value
		if m[1] != "userName" {
			match = false
			emails, _ := u["emails"].([]any)
			for _, e := range emails {
				match = match || e.(map[string]any)["value"] == value
			}
		}
		if match {
			kept = append(kept, u)
		}
	}
	body["Resources"], body["totalResults"] = kept, len(kept)
	_ = json.NewEncoder(w).Encode(body)
}

// seen are the filters the server answered.
func (cs *caseSensitive) seen() []string {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return append([]string(nil), cs.filters...)
}

// addUser adds a user another system made, unlinked unless externalID is
// set.
func addUser(t *testing.T, base, userName, email, externalID string) string {
	t.Helper()
	u := map[string]any{"schemas": []string{scim.CoreSchema}, "userName": userName,
		"emails": []any{map[string]any{"type": "work", "value": email}}}
	if externalID != "" {
		u["externalId"] = externalID
	}
	status, body := rawPost(t, base, "/Users", u)
	require.Equal(t, http.StatusCreated, status)
	return body["id"].(string)
}

func TestFindByUserNameOnCaseSensitiveFilters(t *testing.T) {
	ctx := context.Background()
	srv := newDirectory(t, scimtest.Options{})
	cs := &caseSensitive{srv: srv}
	base := serve(t, cs)
	lower := addUser(t, base, "ada@example.com", "ada@example.com", "")
	upper := addUser(t, base, "GRACE@EXAMPLE.COM", "grace@example.com", "")
	exact := addUser(t, base, "Alan@Example.com", "alan@example.com", "")
	c := newClient(t, base, nil)

	for _, tt := range []struct {
		name, userName, id string
		filters            []string
	}{
		{"exact", "Alan@Example.com", exact, []string{`userName eq "Alan@Example.com"`}},
		{"lower-cased", "Ada@Example.COM", lower, []string{`userName eq "Ada@Example.COM"`, `userName eq "ada@example.com"`}},
		{"by email", "grace@example.com", upper, []string{`userName eq "grace@example.com"`, `emails.value eq "grace@example.com"`}},
		{"none", "nobody@example.com", "", []string{`userName eq "nobody@example.com"`, `emails.value eq "nobody@example.com"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := len(cs.seen())
			u, found, err := c.FindByUserName(ctx, tt.userName)
			require.NoError(t, err)
			require.Equal(t, tt.id != "", found)
			require.Equal(t, tt.id, u.TargetID)
			require.Equal(t, tt.filters, cs.seen()[before:])
		})
	}

	// An email filter the server does not take falls back to the other
	// form; a userName that is not an email is never looked up by email.
	cs.noDotted = true
	before := len(cs.seen())
	u, found, err := c.FindByUserName(ctx, "grace@example.com")
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, upper, u.TargetID)
	require.Equal(t, []string{`userName eq "grace@example.com"`, `emails.value eq "grace@example.com"`,
		`emails[value eq "grace@example.com"]`}, cs.seen()[before:])
	before = len(cs.seen())
	_, found, err = c.FindByUserName(ctx, "N0042")
	require.NoError(t, err)
	require.False(t, found)
	require.Equal(t, []string{`userName eq "N0042"`, `userName eq "n0042"`}, cs.seen()[before:])
}

func TestCreateAdoptsCaseVariantUserName(t *testing.T) {
	for name, bulk := range map[string]bool{"one request": false, "bulk": true} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			srv := newDirectory(t, scimtest.Options{})
			srv.SetBulk(bulk)
			base := serve(t, &caseSensitive{srv: srv})
			existing := addUser(t, base, "ada.e1@example.com", "ada.e1@example.com", "")
			addUser(t, base, "ada.e2@example.com", "ada.e2@example.com", "E9")
			c := newClient(t, base, nil)

			e := fullEmployee(t, "E1")
			e.WorkEmail = "Ada.E1@Example.com"
			other := fullEmployee(t, "E2")
			other.WorkEmail = "ADA.E2@example.com"
			var ids [2]string
			var errs [2]error
			if bulk {
				res, err := c.WriteBatch(ctx, []connectors.Write{
					{Kind: connectors.WriteCreate, Employee: e}, {Kind: connectors.WriteCreate, Employee: other}})
				require.NoError(t, err)
				ids[0], errs[0], ids[1], errs[1] = res[0].TargetID, res[0].Err, res[1].TargetID, res[1].Err
			} else {
				ids[0], errs[0] = c.CreateUser(ctx, e)
				ids[1], errs[1] = c.CreateUser(ctx, other)
			}
			require.NoError(t, errs[0])
			require.Equal(t, existing, ids[0])
			stored, ok := srv.UserByExternalID("E1")
			require.True(t, ok)
			require.Equal(t, "Ada.E1@Example.com", stored.UserName, "the userName takes the HRIS's spelling")

			require.True(t, connectors.IsPermanent(errs[1]))
			require.Contains(t, errs[1].Error(), "E9", "the conflict names who holds the userName")
			require.Len(t, srv.Users(), 2)
		})
	}
}
