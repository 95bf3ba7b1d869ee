// Package justlogin reads employees from JustLogin, the Singapore HR and
// payroll SaaS, through its public API (developers.justlogin.com).
//
// JustLogin authorises with the OAuth 2.0 authorization-code flow only: an
// administrator signs in once (Connect), and the connection keeps the access
// and refresh tokens in a TokenStore. Employees come from
// GET /membership/v3/users with include=manager,department,employment and
// activeStatus=all, paged by page and limit, with the paging metadata in the
// JSON x-pagination response header.
//
// Each user of a page is read on its own and every field tolerantly: a
// number or a boolean where text is documented is read as written, the
// isActive flag from true/false, "true"/"false" or 1/0, null as empty. A
// field that still cannot be read (an object where a name belongs) is
// named in the record's Unreadable, and a user that is no object, or whose
// userGuid cannot be read, is an unreadable record: one employee's problem,
// never a failed page. A user without a userGuid is a record without an
// id, which validation reports.
//
// isActive is the only status there is, so a source statusMap has nothing
// to map and the integration's configuration refuses one.
package justlogin
