// Package justlogin reads employees from JustLogin, the Singapore HR and
// payroll SaaS, through its public API (developers.justlogin.com).
//
// JustLogin authorises with the OAuth 2.0 authorization-code flow only: an
// administrator signs in once (Connect), and the connection keeps the access
// and refresh tokens in a TokenStore. Employees come from
// GET /membership/v3/users with include=manager,department,employment and
// activeStatus=all, paged by page and limit, with the paging metadata in the
// JSON x-pagination response header.
package justlogin
