package scim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/scim"
	"github.com/hrsync/hrsync/connectors/scim/scimtest"
)

// startHooked runs a scimtest service provider behind hook, which answers
// a request itself (returning true) or leaves it to the provider.
func startHooked(t *testing.T, opts scimtest.Options, f features, hook func(w http.ResponseWriter, r *http.Request, next http.Handler) bool) (*scimtest.Server, string) {
	t.Helper()
	opts.DBPath = filepath.Join(t.TempDir(), "scim.db")
	opts.Token = token
	srv, err := scimtest.New(opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	srv.SetPatch(f.patch)
	srv.SetBulk(f.bulk)
	srv.SetETags(f.etags)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !hook(w, r, srv) {
			srv.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(hs.Close)
	return srv, hs.URL + "/scim/v2"
}

// isBulk reports whether r is a Bulk request.
func isBulk(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/Bulk")
}

// answer writes a SCIM Error of status, with a Retry-After when given.
func answer(w http.ResponseWriter, status int, retryAfter string) {
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"` +
		strconv.Itoa(status) + `","detail":"injected"}`))
}

// drop serves r in full and then closes the connection without answering,
// as a proxy that resets it after the directory did the work.
func drop(w http.ResponseWriter, r *http.Request, next http.Handler) {
	next.ServeHTTP(httptest.NewRecorder(), r)
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	_ = conn.Close()
}

// creates are Bulk-able creates of employees E1…En.
func creates(t *testing.T, n int) []connectors.Write {
	t.Helper()
	var writes []connectors.Write
	for i := 1; i <= n; i++ {
		e := fullEmployee(t, "E"+string(rune('0'+i)))
		writes = append(writes, connectors.Write{Kind: connectors.WriteCreate, Employee: e})
	}
	return writes
}

// A Bulk operation answered 503 or 429 on its own comes back alone with
// its error, not permanent, and the rest of the batch is made: sent again
// on its own, it is made too.
func TestWriteBatchReturnsAFailedOperationAlone(t *testing.T) {
	ctx := context.Background()
	var failOp atomic.Int32
	failOp.Store(2)
	srv, base := startHooked(t, scimtest.Options{}, features{patch: true, bulk: true},
		func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
			if !isBulk(r) {
				return false
			}
			at := int(failOp.Swap(-1))
			if at < 0 {
				return false
			}
			// Serve the request without operation at, answered 503 in its
			// place.
			body, _ := io.ReadAll(r.Body)
			var req map[string]any
			require.NoError(t, json.Unmarshal(body, &req))
			ops := req["Operations"].([]any)
			failed := ops[at].(map[string]any)
			req["Operations"] = append(append([]any{}, ops[:at]...), ops[at+1:]...)
			fwd, _ := json.Marshal(req)
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(fwd)), int64(len(fwd))
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			var resp map[string]any
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &resp))
			res := resp["Operations"].([]any)
			res = append(res[:at], append([]any{map[string]any{"method": "POST", "bulkId": failed["bulkId"], "status": "503",
				"response": map[string]any{"status": "503", "detail": "busy"}}}, res[at:]...)...)
			resp["Operations"] = res
			w.Header().Set("Content-Type", "application/scim+json")
			require.NoError(t, json.NewEncoder(w).Encode(resp))
			return true
		})
	c := newClient(t, base, nil)
	writes := creates(t, 4)
	res, err := c.WriteBatch(ctx, writes)
	require.NoError(t, err)
	for i, r := range res {
		if i == 2 {
			require.Error(t, r.Err)
			require.False(t, connectors.IsPermanent(r.Err), "a 503 is worth trying again")
			continue
		}
		require.NoError(t, r.Err)
		require.NotEmpty(t, r.TargetID)
	}
	require.Len(t, srv.Users(), 3)

	res, err = c.WriteBatch(ctx, writes[2:3])
	require.NoError(t, err)
	require.NoError(t, res[0].Err)
	u, ok := srv.UserByExternalID("E3")
	require.True(t, ok)
	require.Equal(t, u.ID, res[0].TargetID)
	require.Len(t, srv.Users(), 4)
}

// A Bulk request whose answer was lost after the directory made it fails
// as a whole; sent again, its creates adopt the users it made, so there is
// one user per employee and the ids are theirs.
func TestWriteBatchSentAgainAfterALostAnswerMakesNoDuplicate(t *testing.T) {
	for _, f := range []features{{patch: true, bulk: true, etags: true}, {patch: true, bulk: true}} {
		t.Run(map[bool]string{true: "etags", false: "no etags"}[f.etags], func(t *testing.T) {
			ctx := context.Background()
			var dropped atomic.Bool
			srv, base := startHooked(t, scimtest.Options{}, f,
				func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
					if isBulk(r) && !dropped.Swap(true) {
						drop(w, r, next)
						return true
					}
					return false
				})
			c := newClient(t, base, nil)
			writes := creates(t, 5)
			_, err := c.WriteBatch(ctx, writes)
			require.Error(t, err, "the batch failed as a whole")
			require.False(t, connectors.IsPermanent(err))
			require.Len(t, srv.Users(), 5, "but the directory made it")

			res, err := c.WriteBatch(ctx, writes)
			require.NoError(t, err)
			require.Len(t, srv.Users(), 5, "no duplicate")
			for i, r := range res {
				require.NoError(t, r.Err)
				u, ok := srv.UserByExternalID(writes[i].Employee.ID)
				require.True(t, ok)
				require.Equal(t, u.ID, r.TargetID)
			}

			// The switches and manager links of a lost answer are as safe to
			// send again.
			dropped.Store(false)
			more := []connectors.Write{
				{Kind: connectors.WriteActive, TargetID: res[0].TargetID, Active: false},
				{Kind: connectors.WriteManager, TargetID: res[1].TargetID, Manager: connectors.ManagerRef{ExternalID: "E1", TargetID: res[0].TargetID}},
			}
			_, err = c.WriteBatch(ctx, more)
			require.Error(t, err)
			res2, err := c.WriteBatch(ctx, more)
			require.NoError(t, err)
			for _, r := range res2 {
				require.NoError(t, r.Err)
			}
			u, _ := srv.UserByExternalID("E1")
			require.False(t, u.Active)
			got, found, err := c.FindByExternalID(ctx, "E2")
			require.NoError(t, err)
			require.True(t, found)
			require.Equal(t, res[0].TargetID, got.ManagerTargetID)
		})
	}
}

// When a batch takes several Bulk requests and one fails as a whole, what
// the earlier ones made is kept and the rest come back to be sent again,
// with the wait the directory asked for; a request refused outright does
// not make its operations permanent failures.
func TestWriteBatchKeepsWhatEarlierRequestsMade(t *testing.T) {
	for _, tc := range []struct {
		name       string
		status     int
		retryAfter string
	}{
		{"throttled", http.StatusTooManyRequests, "3"},
		{"refused", http.StatusRequestEntityTooLarge, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			var bulks atomic.Int32
			srv, base := startHooked(t, scimtest.Options{BulkMaxOperations: 2}, features{patch: true, bulk: true},
				func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
					if isBulk(r) && bulks.Add(1) == 2 {
						answer(w, tc.status, tc.retryAfter)
						return true
					}
					return false
				})
			c := newClient(t, base, nil)
			writes := creates(t, 5)
			res, err := c.WriteBatch(ctx, writes)
			require.NoError(t, err, "a request was answered")
			require.Equal(t, int32(2), bulks.Load(), "no request after the failed one")
			for i, r := range res {
				if i < 2 {
					require.NoError(t, r.Err)
					require.NotEmpty(t, r.TargetID)
					continue
				}
				require.Error(t, r.Err, "write %d", i)
				require.False(t, connectors.IsPermanent(r.Err), "write %d may be sent again", i)
				if tc.retryAfter != "" {
					require.Equal(t, 3*time.Second, connectors.RetryAfter(r.Err))
				}
			}
			require.Len(t, srv.Users(), 2)

			res, err = c.WriteBatch(ctx, writes[2:])
			require.NoError(t, err)
			for _, r := range res {
				require.NoError(t, r.Err)
			}
			require.Len(t, srv.Users(), 5)
		})
	}
}

// Without Bulk, a write that fails for a passing reason stops the batch:
// what was made before it is kept, it and the rest come back to be sent
// again; when the first write fails, the batch fails as a whole.
func TestWriteBatchOneByOneStopsAtAPassingFailure(t *testing.T) {
	ctx := context.Background()
	var posts, failAt atomic.Int32
	failAt.Store(2)
	srv, base := startHooked(t, scimtest.Options{}, features{patch: true},
		func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
			if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/Users") && posts.Add(1) == failAt.Load() {
				answer(w, http.StatusServiceUnavailable, "")
				return true
			}
			return false
		})
	c := newClient(t, base, nil)
	writes := creates(t, 4)
	res, err := c.WriteBatch(ctx, writes)
	require.NoError(t, err)
	require.NoError(t, res[0].Err)
	for _, r := range res[1:] {
		require.Error(t, r.Err)
		require.False(t, connectors.IsPermanent(r.Err))
	}
	var se *scim.SCIMError
	require.True(t, errors.As(res[1].Err, &se))
	require.Equal(t, http.StatusServiceUnavailable, se.Status)
	require.Len(t, srv.Users(), 1)

	posts.Store(0)
	failAt.Store(1)
	_, err = c.WriteBatch(ctx, writes[1:])
	require.Error(t, err, "nothing was made")
	require.False(t, connectors.IsPermanent(err))

	res, err = c.WriteBatch(ctx, writes[1:])
	require.NoError(t, err)
	for _, r := range res {
		require.NoError(t, r.Err)
	}
	require.Len(t, srv.Users(), 4)
}

// An operation whose status cannot be read may or may not have been made:
// it comes back to be sent again, not as a refusal.
func TestWriteBatchTakesAnUnreadableStatusForAPassingFailure(t *testing.T) {
	ctx := context.Background()
	_, base := startHooked(t, scimtest.Options{}, features{patch: true, bulk: true},
		func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
			if !isBulk(r) {
				return false
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			garbled := bytes.Replace(rec.Body.Bytes(), []byte(`"status":"201"`), []byte(`"status":"created"`), 1)
			w.Header().Set("Content-Type", "application/scim+json")
			_, _ = w.Write(garbled)
			return true
		})
	c := newClient(t, base, nil)
	res, err := c.WriteBatch(ctx, creates(t, 2))
	require.NoError(t, err)
	require.Error(t, res[0].Err)
	require.False(t, connectors.IsPermanent(res[0].Err))
	require.NoError(t, res[1].Err)
}
