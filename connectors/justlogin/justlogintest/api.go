package justlogintest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The documented limits of page size.
const (
	defaultLimit = 50
	maxLimit     = 100
)

// pagination is the x-pagination header's JSON.
type pagination struct {
	TotalCount  int
	PageSize    int
	CurrentPage int
	TotalPages  int
	HasNext     bool
	HasPrevious bool
}

// api wraps an API handler with the injected failures and the bearer
// check: a missing, unknown or expired access token is a 401.
func (s *Server) api(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		if s.fail.n > 0 {
			s.fail.n--
			f := s.fail
			s.mu.Unlock()
			if f.retryAfter > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(int(f.retryAfter.Round(time.Second)/time.Second)))
			}
			http.Error(w, http.StatusText(f.status), f.status)
			return
		}
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		expiry, known := s.access[token]
		valid := ok && known && time.Now().Before(expiry)
		if valid {
			s.seen[token] = true
		}
		s.mu.Unlock()
		if !valid {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		h(w, r)
	}
}

// listUsers serves GET /membership/v3/users: active users by default,
// activeStatus=inactive or all, page and limit, x-pagination header.
func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, page, err := pageParams(q.Get("limit"), q.Get("page"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var keep func(User) bool
	switch strings.ToLower(q.Get("activeStatus")) {
	case "", "active":
		keep = func(u User) bool { return u.IsActive }
	case "inactive":
		keep = func(u User) bool { return !u.IsActive }
	case "all":
		keep = func(User) bool { return true }
	default:
		http.Error(w, "activeStatus must be active, inactive or all", http.StatusBadRequest)
		return
	}
	limit = min(limit, s.opts.PageLimit)
	s.mu.Lock()
	var all []User
	for _, u := range s.users {
		if keep(u) {
			all = append(all, u)
		}
	}
	start, end := min((page-1)*limit, len(all)), min(page*limit, len(all))
	out := make([]map[string]any, 0, end-start)
	for _, u := range all[start:end] {
		out = append(out, s.render(u, includes(q.Get("include"))))
	}
	s.mu.Unlock()
	pages := (len(all) + limit - 1) / limit
	p, _ := json.Marshal(pagination{TotalCount: len(all), PageSize: len(out), CurrentPage: page,
		TotalPages: pages, HasNext: page < pages, HasPrevious: page > 1})
	w.Header().Set("X-Pagination", string(p))
	writeJSON(w, out)
}

// getUser serves GET /membership/v3/users/{guid}.
func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	i := slices.IndexFunc(s.users, func(u User) bool { return strings.EqualFold(u.UserGUID, r.PathValue("guid")) })
	var out map[string]any
	if i >= 0 {
		out = s.render(s.users[i], includes(r.URL.Query().Get("include")))
	}
	s.mu.Unlock()
	if out == nil {
		http.Error(w, "Not Found", http.StatusNotFound)
		return
	}
	writeJSON(w, out)
}

// pageParams reads limit (default 50, 1–100) and page (default 1).
func pageParams(limitText, pageText string) (limit, page int, err error) {
	limit, page = defaultLimit, 1
	if limitText != "" {
		if limit, err = strconv.Atoi(limitText); err != nil || limit < 1 || limit > maxLimit {
			return 0, 0, fmt.Errorf("limit must be between 1 and %d", maxLimit)
		}
	}
	if pageText != "" {
		if page, err = strconv.Atoi(pageText); err != nil || page < 1 {
			return 0, 0, fmt.Errorf("page must be 1 or more")
		}
	}
	return limit, page, nil
}

// includes reads the include CSV.
func includes(csv string) map[string]bool {
	set := map[string]bool{}
	for part := range strings.SplitSeq(csv, ",") {
		set[strings.ToLower(strings.TrimSpace(part))] = true
	}
	return set
}

// render writes u as the v3 user object with the includes asked for, then
// u.Raw's values as they are; the caller holds mu.
func (s *Server) render(u User, inc map[string]bool) map[string]any {
	m := map[string]any{}
	for k, v := range u.Extra {
		m[k] = v
	}
	d, mo, y := birthParts(u.DateOfBirth)
	for k, v := range map[string]any{
		"userGuid": u.UserGUID, "companyGuid": u.CompanyGUID, "employeeId": u.EmployeeID,
		"userName": u.UserName, "email": u.Email, "fullName": u.FullName,
		"createdDate": u.CreatedDate, "modifiedDate": u.ModifiedDate, "joinDate": u.JoinDate,
		"dateOfBirth": u.DateOfBirth, "dayOfBirth": d, "monthOfBirth": mo, "yearOfBirth": y,
		"gender": u.Gender, "isActive": u.IsActive,
		"images": map[string]string{"profileFullSize": "", "profileThumbnail": ""},
	} {
		m[k] = v
	}
	if inc["manager"] {
		m["manager"] = nil
		if i := slices.IndexFunc(s.users, func(o User) bool { return o.UserGUID == u.ManagerGUID }); u.ManagerGUID != "" && i >= 0 {
			mgr := s.users[i]
			m["manager"] = map[string]string{"userGuid": mgr.UserGUID, "email": mgr.Email, "fullName": mgr.FullName, "employeeId": mgr.EmployeeID}
		}
	}
	if inc["department"] {
		m["department"] = u.Department
	}
	if inc["employment"] {
		m["employment"] = u.Employment
	}
	if inc["company"] {
		m["company"] = map[string]string{"name": "Acme Pte Ltd", "companyGuid": u.CompanyGUID}
	}
	for k, v := range u.Raw {
		m[k] = v
	}
	return m
}

// birthParts splits a YYYY-MM-DD date into day, month and year.
func birthParts(date string) (day, month, year int) {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return 0, 0, 0
	}
	return t.Day(), int(t.Month()), t.Year()
}

// writeJSON answers 200 with v as JSON.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v) //nolint:errcheck // the client is gone
}
