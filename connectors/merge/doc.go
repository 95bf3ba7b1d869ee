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
//     mapping; the status is then left empty. employment_status is always
//     given as it came in "statusRaw" (but for a deleted record), so the
//     source's statusMap, which the rules apply, can map a vendor's word or
//     override these readings; a word nothing maps is reported, never
//     guessed.
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
//
// Each result is read on its own and every field tolerantly: a number or a
// boolean where Merge documents a string is read as written (Merge's own
// examples send mobile_phone_number as a number), null as empty, null for
// a list as none. A value that still cannot be read (an object where a name
// belongs) is named in the record's Unreadable under the field it feeds,
// and a result that is no employee object, or whose id cannot be read, is
// an unreadable record: the employee is held back with the problem, and the
// page is never failed for it.
package merge
