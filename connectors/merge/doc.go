// Package merge reads employees from an HRIS through Merge's unified HRIS
// API (merge.dev), which is how hrsync reaches Justworks and the other
// HRIS that Merge links. One Source serves one Linked Account: the
// organisation's API key goes in "Authorization: Bearer", the linked
// account's token in "X-Account-Token".
//
// Source pages GET /api/hris/v1/employees with Merge's opaque cursor,
// FetchChangedPage adds modified_after, and Check reads
// GET /api/hris/v1/sync-status so a roster still in its first sync, or
// from a failed or paused sync, is never taken for the company's staff.
// Requests go through httpx, rate limited below the plan's
// per-linked-account limit.
//
// Mapping decisions (see Fields for the full list):
//   - status: ACTIVE and PENDING are "active" (a PENDING hire has not
//     started yet; the start-date rules decide whether to provision early),
//     INACTIVE is "inactive", and remote_was_deleted makes anyone
//     "inactive". Merge passes a vendor value through when it has no clear
//     mapping; such a value is looked up in Config.StatusMap, and when that
//     does not know it either the status is left empty and the raw value is
//     given as "statusRaw", so hrsync reports the employee rather than
//     guess.
//   - workPhone is mobile_phone_number, the only phone Merge's Employee
//     carries.
//   - dateOfJoining is start_date (the most recent start), or hire_date
//     when there is none. Dates are passed through as Merge's ISO 8601
//     date-times.
//   - jobTitle and employmentType come from the current Employment
//     (expand=employments): the latest effective_date not in the future.
//     department and location are not supplied: Merge gives them only as
//     Group and Location objects whose fields are not documented.
//   - Deleted records are asked for (include_deleted_data=true) so an
//     incremental pull sees a deletion as a leaver.
package merge
