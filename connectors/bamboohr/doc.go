// Package bamboohr reads employees from BambooHR (package bamboohrtest is
// its fake), through the shared rate-limited client of package httpx.
//
// Requests go to https://<company>.bamboohr.com/api/v1/… with HTTP Basic
// auth: the API key as the user name and "x" as the password.
//
// A full pull pages GET /api/v1/employees with no status filter, so leavers
// and people of any other status come too, asking for the documented extra
// fields (workEmail, hireDate, departmentName, locationName,
// employmentStatusName, reportsToId). The page cursor is BambooHR's
// nextCursor, passed on unchanged. BambooHR answers a cursor 400 BadPage
// when the employee it points after changed or was deleted between calls;
// that is permanent for that cursor, so the fetch activity fails and is
// started again from its last heartbeat, or from the first page.
//
// The list cannot return terminationDate (it is not in the fields= enum),
// so for each employee on a page who is not Active (Inactive, or of a
// status word left to the status map) one GET /api/v1/employees/{id}
// ?fields=terminationDate fills exitDate; "0000-00-00" means unset. This
// costs one request per leaver per pull, all through the rate limiter. An
// Active person with a future termination date gets no exitDate until
// BambooHR makes them Inactive.
//
// An incremental pull asks GET /api/v1/employees/changed for the ids
// changed since a time, leaves out the Deleted ones (there is no record to
// return; a full pull notices them gone), and reads the rest in id order,
// one page of ids at a time, through the list's filter[ids][]. Its cursor
// is the last id read: each page asks the changed endpoint again and
// continues after that id, so cursors stay small and resumable.
//
// A status other than Active or Inactive leaves the record's status empty
// and keeps the text as "statusRaw" (roster.ValueStatusRaw), for the
// source's statusMap to map; a word no map knows is reported, and nobody is
// made active by accident.
//
// Each employee of a page is read on its own and every field tolerantly: a
// number or a boolean is read as written (never through a float, so a long
// id keeps its digits), null as empty. A field holding an object or a list
// is named in the record's Unreadable, and an item that is no employee
// object, or whose employeeId cannot be read, is an unreadable record: one
// employee's problem, never a failed page. A field BambooHR withholds for permission (named
// in _restrictedFields) stays empty and the record carries
// "restricted.<field>"="true", with <field> the catalogue name when the
// field maps to one, else BambooHR's name.
package bamboohr
