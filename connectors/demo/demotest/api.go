package demotest

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxBody bounds a request body.
const maxBody = 1 << 20

// maxLimit bounds the page size a caller may ask for.
const maxLimit = 500

// apiError is an error with the HTTP status it answers with. Its message
// names ids and fields, never a person's name or email.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

// errorf builds an apiError.
func errorf(status int, format string, args ...any) error {
	return &apiError{status: status, msg: fmt.Sprintf(format, args...)}
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers {"error": msg} with err's status, 500 when it has none.
func writeError(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	var ae *apiError
	if errors.As(err, &ae) {
		status = ae.status
	}
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

// guard checks the bearer token on every request, then plays any injected
// failure on API requests, before handing over to next.
func guard(token string, f *faults, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token != "" {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="demo"`)
				writeError(w, errorf(http.StatusUnauthorized, "missing or wrong bearer token"))
				return
			}
		}
		if strings.HasPrefix(r.URL.Path, "/api/") {
			if status, ok := f.take(); ok {
				if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
					w.Header().Set("Retry-After", "1")
				}
				writeError(w, errorf(status, "simulated failure: %s", http.StatusText(status)))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// methods routes one path by method, answering 405 for any other.
func methods(byMethod map[string]http.HandlerFunc) http.HandlerFunc {
	allowed := make([]string, 0, len(byMethod))
	for m := range byMethod {
		allowed = append(allowed, m)
	}
	slices.Sort(allowed)
	return func(w http.ResponseWriter, r *http.Request) {
		if h, ok := byMethod[r.Method]; ok {
			h(w, r)
			return
		}
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeError(w, errorf(http.StatusMethodNotAllowed, "method %s not allowed here", r.Method))
	}
}

// notFound answers 404 for a route that does not exist.
func notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, errorf(http.StatusNotFound, "no route %s %s", r.Method, r.URL.Path))
}

// decodeObject reads the body as a JSON object, keeping each value raw so
// callers know which keys were present. An empty body is an empty object
// when allowEmpty is set.
func decodeObject(r *http.Request, allowEmpty bool) (map[string]json.RawMessage, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return nil, errorf(http.StatusBadRequest, "body: %v", err)
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		if allowEmpty {
			return map[string]json.RawMessage{}, nil
		}
		return nil, errorf(http.StatusBadRequest, "body: expected a JSON object")
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		return nil, errorf(http.StatusBadRequest, "body: expected a JSON object")
	}
	return obj, nil
}

// parseLimit reads the limit query parameter: def when absent, at most
// maxLimit.
func parseLimit(r *http.Request, def int) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, errorf(http.StatusBadRequest, "limit: must be a positive whole number")
	}
	return min(n, maxLimit), nil
}

// parseSince reads the modified_after query parameter, an RFC 3339 date
// and time (fractional seconds allowed); absent or empty, it is the zero
// time, which filters nothing.
func parseSince(r *http.Request) (time.Time, error) {
	s := r.URL.Query().Get("modified_after")
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, errorf(http.StatusBadRequest, "modified_after: must be an RFC 3339 date and time, such as 2026-03-10T09:30:00Z")
	}
	return t, nil
}

// cursorPrefix marks a cursor as ours, so a stray string is refused.
const cursorPrefix = "after:"

// encodeCursor makes the opaque cursor of the page after key.
func encodeCursor(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + key))
}

// decodeCursor returns the key a cursor resumes after; "" for the first page.
func decodeCursor(cursor string) (string, error) {
	if cursor == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return "", errorf(http.StatusBadRequest, "cursor: not a cursor this server issued")
	}
	key, ok := strings.CutPrefix(string(b), cursorPrefix)
	if !ok || key == "" {
		return "", errorf(http.StatusBadRequest, "cursor: not a cursor this server issued")
	}
	return key, nil
}

// pageOf returns the items after cursor, up to limit, and the next cursor.
// items must be sorted by key.
func pageOf[T any](items []T, key func(T) string, cursor string, limit int) ([]T, string, error) {
	return pageWhere(items, key, nil, cursor, limit)
}

// pageWhere is pageOf over only the items keep accepts (every item when
// keep is nil), with the same cursors: the next cursor is empty once no
// accepted item follows the page.
func pageWhere[T any](items []T, key func(T) string, keep func(T) bool, cursor string, limit int) ([]T, string, error) {
	after, err := decodeCursor(cursor)
	if err != nil {
		return nil, "", err
	}
	if keep == nil {
		keep = func(T) bool { return true }
	}
	start := 0
	if after != "" {
		start, _ = slices.BinarySearchFunc(items, after, func(t T, k string) int {
			return strings.Compare(key(t), k)
		})
		if start < len(items) && key(items[start]) == after {
			start++
		}
	}
	page := make([]T, 0, min(limit, len(items)-start))
	i := start
	for ; i < len(items) && len(page) < limit; i++ {
		if keep(items[i]) {
			page = append(page, items[i])
		}
	}
	next := ""
	if len(page) > 0 && slices.ContainsFunc(items[i:], keep) {
		next = encodeCursor(key(page[len(page)-1]))
	}
	return page, next, nil
}

// faults holds the failures a test asked the next requests to answer with.
type faults struct {
	mu     sync.Mutex
	n      int
	status int
}

// set makes the next n requests fail with status.
func (f *faults) set(n, status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n, f.status = n, status
}

// take consumes one injected failure, if any is left.
func (f *faults) take() (int, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n <= 0 {
		return 0, false
	}
	f.n--
	return f.status, true
}
