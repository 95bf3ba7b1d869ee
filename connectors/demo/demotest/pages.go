package demotest

import (
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/hrsync/hrsync/roster"
)

// pageStyle is the little CSS both pages share.
const pageStyle = `<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;font-size:.9rem}
th,td{text-align:left;padding:.25rem .75rem;border-bottom:1px solid #ddd}
th{background:#f4f4f4} .off{color:#999} code{background:#f4f4f4;padding:.1rem .3rem}
</style>`

// hrisPage lists the HRIS's employees.
var hrisPage = template.Must(template.New("hris").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Demo HRIS</title>` + pageStyle + `</head><body>
<h1>Demo HRIS</h1>
<p>{{len .Rows}} employees. Change someone with
<code>curl -X PATCH {{.Base}}/api/employees/E0002 -d '{"jobTitle":"CTO"}'</code> or
<code>curl -X POST {{.Base}}/api/employees/E0002/terminate</code>.</p>
<table><tr><th>ID</th><th>Name</th><th>Work email</th><th>Status</th><th>Department</th><th>Manager</th></tr>
{{range .Rows}}<tr{{if .Inactive}} class="off"{{end}}><td>{{.ID}}</td><td>{{.Name}}</td><td>{{.Email}}</td><td>{{.Status}}</td><td>{{.Department}}</td><td>{{.Manager}}</td></tr>
{{end}}</table></body></html>`))

// directoryPage lists the directory's users, most recently changed first.
var directoryPage = template.Must(template.New("directory").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Demo Directory</title>` + pageStyle + `</head><body>
<h1>Demo Directory</h1>
<p>{{.Active}} active, {{.Inactive}} inactive. Most recently changed first; read-only.</p>
<table><tr><th>Name</th><th>Work email</th><th>Active</th><th>Manager</th><th>Department</th><th>External id</th><th>Changed</th></tr>
{{range .Rows}}<tr{{if .Inactive}} class="off"{{end}}><td>{{.Name}}</td><td>{{.Email}}</td><td>{{if .Inactive}}no{{else}}yes{{end}}</td><td>{{.Manager}}</td><td>{{.Department}}</td><td>{{.ID}}</td><td>{{.Changed}}</td></tr>
{{end}}</table></body></html>`))

// pageRow is one person on either page.
type pageRow struct {
	ID, Name, Email, Status, Department, Manager, Changed string
	Inactive                                              bool
}

// baseURL is how the page's reader reached this server.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// renderPage writes a template as the response.
func renderPage(w http.ResponseWriter, t *template.Template, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = t.Execute(w, data)
}

// managerLabel shows a manager by name and id, or by id alone when the name
// is unknown.
func managerLabel(id string, names map[string]string) string {
	if id == "" {
		return ""
	}
	if name := names[id]; name != "" {
		return name + " (" + id + ")"
	}
	return id
}

// handlePage serves the HRIS's HTML page.
func (h *HRIS) handlePage(w http.ResponseWriter, r *http.Request) {
	emps := h.Employees()
	names := make(map[string]string, len(emps))
	for _, e := range emps {
		names[e.ID] = e.DisplayName()
	}
	rows := make([]pageRow, 0, len(emps))
	for _, e := range emps {
		rows = append(rows, pageRow{ID: e.ID, Name: e.DisplayName(), Email: e.WorkEmail, Status: string(e.Status),
			Department: e.Department, Manager: managerLabel(e.ManagerID, names), Inactive: e.Status == roster.StatusInactive})
	}
	renderPage(w, hrisPage, struct {
		Base string
		Rows []pageRow
	}{baseURL(r), rows})
}

// handlePage serves the directory's HTML page.
func (d *Directory) handlePage(w http.ResponseWriter, _ *http.Request) {
	recs := d.records()
	names := make(map[string]string, len(recs))
	for _, rec := range recs {
		if rec.Employee.ID != "" {
			names[rec.Employee.ID] = rec.Employee.DisplayName()
		}
	}
	slices.SortFunc(recs, func(a, b userRecord) int {
		if c := b.Changed.Compare(a.Changed); c != 0 {
			return c
		}
		return strings.Compare(b.TargetID, a.TargetID)
	})
	var active, inactive int
	rows := make([]pageRow, 0, len(recs))
	for _, rec := range recs {
		if rec.Active {
			active++
		} else {
			inactive++
		}
		rows = append(rows, pageRow{ID: rec.Employee.ID, Name: strings.TrimSpace(rec.Employee.DisplayName()),
			Email: rec.Employee.WorkEmail, Department: rec.Employee.Department, Inactive: !rec.Active,
			Manager: managerLabel(rec.Employee.ManagerID, names), Changed: rec.Changed.Local().Format(time.DateTime)})
	}
	renderPage(w, directoryPage, struct {
		Active, Inactive int
		Rows             []pageRow
	}{active, inactive, rows})
}
