package scimtest

import (
	"html/template"
	"net/http"
	"strings"
	"time"
)

// directoryPage is the read-only HTML view of the directory.
var directoryPage = template.Must(template.New("directory").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>SCIM directory</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;font-size:.9rem}
th,td{text-align:left;padding:.25rem .75rem;border-bottom:1px solid #ddd}
th{background:#f4f4f4} .off{color:#999} code{background:#f4f4f4;padding:.1rem .3rem}
</style></head><body>
<h1>SCIM directory</h1>
<p>{{.Active}} active, {{.Inactive}} inactive. Most recently changed first; read-only.
SCIM 2.0 endpoint: <code>{{.Base}}</code></p>
<table><tr><th>Name</th><th>User name</th><th>Work email</th><th>Active</th><th>Manager</th><th>Department</th><th>Title</th><th>External id</th><th>Changed</th></tr>
{{range .Rows}}<tr{{if not .Active}} class="off"{{end}}><td>{{.Name}}</td><td>{{.UserName}}</td><td>{{.Email}}</td><td>{{if .Active}}yes{{else}}no{{end}}</td><td>{{.Manager}}</td><td>{{.Department}}</td><td>{{.Title}}</td><td>{{.ExternalID}}</td><td>{{.Changed}}</td></tr>
{{end}}</table></body></html>`))

// pageRow is one user on the page.
type pageRow struct {
	Name, UserName, Email, Manager, Department, Title, ExternalID, Changed string
	Active                                                                 bool
}

// personName is how the page names a user: name.formatted, else given and
// family name, else displayName, else userName.
func personName(res map[string]any) string {
	name := object(res, "name")
	if f := text(name, "formatted"); f != "" {
		return f
	}
	if gf := strings.TrimSpace(text(name, "givenName") + " " + text(name, "familyName")); gf != "" {
		return gf
	}
	if dn := text(res, "displayName"); dn != "" {
		return dn
	}
	return text(res, "userName")
}

// workEmails lists a user's work email addresses.
func workEmails(res map[string]any) string {
	var out []string
	for _, e := range entries(res["emails"]) {
		m, _ := e.(map[string]any)
		if strings.EqualFold(text(m, "type"), "work") && text(m, "value") != "" {
			out = append(out, text(m, "value"))
		}
	}
	return strings.Join(out, ", ")
}

// handlePage serves the directory's HTML page.
func (s *Server) handlePage(w http.ResponseWriter, r *http.Request) {
	recs, err := s.st.query(r.Context(), s.st.db, "", "last_modified DESC, seq DESC")
	if err != nil {
		http.Error(w, "cannot read the directory: "+err.Error(), http.StatusInternalServerError)
		return
	}
	names := make(map[string]string, len(recs))
	for _, rec := range recs {
		names[rec.ID] = personName(rec.Resource)
	}
	data := struct {
		Base             string
		Active, Inactive int
		Rows             []pageRow
	}{Base: s.baseURL(r)}
	for _, rec := range recs {
		ent := object(rec.Resource, enterpriseSchema)
		row := pageRow{Name: personName(rec.Resource), UserName: rec.UserName, Email: workEmails(rec.Resource),
			Department: text(ent, "department"), Title: text(rec.Resource, "title"), ExternalID: rec.ExternalID,
			Active: rec.Active, Changed: rec.LastModified.Local().Format(time.DateTime)}
		if mid := text(object(ent, "manager"), "value"); mid != "" {
			row.Manager = mid
			if n := names[mid]; n != "" {
				row.Manager = n
			}
		}
		if rec.Active {
			data.Active++
		} else {
			data.Inactive++
		}
		data.Rows = append(data.Rows, row)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = directoryPage.Execute(w, data)
}
