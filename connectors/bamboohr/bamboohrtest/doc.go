// Package bamboohrtest is a faithful fake of the parts of BambooHR's API
// that hrsync reads, served over HTTP for tests and dev mode:
//
//   - HTTP Basic auth with the API key as the user name (any password);
//     anything else is a 401.
//   - GET /api/v1/employees, the cursor-paged list: page[limit] (default 50,
//     at most Options.PageLimit), page[after], filter[status],
//     filter[ids][] and fields= from the documented enum. terminationDate
//     is not in that enum and is refused, as BambooHR refuses it. A cursor
//     whose boundary employee changed or was deleted since it was issued
//     is answered 400 BadPage.
//   - GET /api/v1/employees/changed?since=…&type=…, the ids changed since
//     a time; 400 when since is missing or invalid.
//   - GET /api/v1/employees/{id}?fields=…, one employee's fields, including
//     terminationDate ("0000-00-00" when unset, as BambooHR writes it).
//
// An employee's Raw values are served in place of the fields they name, as
// they are, for the loosely typed payloads real accounts send.
//
// Errors have BambooHR's shape {"error":{"code":…,"message":…}} and carry
// the X-BambooHR-Message header. Over Options.PerMinute the server throttles
// the old way (503) or the new way (429 with Retry-After).
package bamboohrtest
