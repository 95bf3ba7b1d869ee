// Package mergetest is a faithful fake of the Merge unified HRIS API
// (https://api.merge.dev/api/hris/v1), served on any http.Server or
// httptest.Server. It implements what hrsync reads: the cursor-paged
// employee list with page_size, modified_after, expand=manager|employments
// and include_deleted_data; the sync-status list; both auth headers
// (Authorization: Bearer <API key> and X-Account-Token); the per-linked-
// account rate limit, answered with 429 and Retry-After; and injected
// failures. Error bodies follow Django REST framework, which Merge runs:
// {"detail": "..."}. An employee's Raw values are served as they are, for
// the loosely typed payloads real linked accounts send.
package mergetest
