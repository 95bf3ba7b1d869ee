// Package scimtest is the reference SCIM 2.0 service provider (RFC 7643,
// RFC 7644) that hrsync's tests and dev mode sync users into: a real HTTP
// server with a SQLite store, not a mock. It serves /Users (create, read,
// replace, PATCH, delete, filtered and paged lists, POST .search), /Bulk
// with bulkId references, and the discovery endpoints
// /ServiceProviderConfig, /Schemas and /ResourceTypes under a base path
// (default /scim/v2), plus a read-only HTML page of the directory at "/".
//
// Users carry the core User schema, the enterprise extension and hrsync's
// own extension CustomSchema (also served under its former URN,
// LegacyCustomSchema); with Options.CoreAndEnterpriseOnly the server offers
// only the first two, as most SCIM libraries do out of the box. Tests flip
// features at run time (SetPatch, SetBulk, SetETags), inject failures
// (FailNext), and inspect the store and the requests seen (Users,
// UserByExternalID, Requests, BumpVersion).
//
// Where RFC 7644 leaves a choice, the server takes the strict one, so a
// client that works against it works against picky providers too:
//
//   - A User body must list its schemas: the core URN, and the URN of every
//     extension whose attributes it carries (400 invalidSyntax otherwise).
//     Unknown attributes are rejected (400 invalidSyntax), values of the
//     wrong type too (400 invalidValue). null, "" and [] all mean
//     unassigned. readOnly attributes (id, meta, groups) are ignored in
//     POST and PUT bodies; password is accepted and never stored. The
//     output schemas list the core URN and each extension present.
//   - enterprise manager.value must be the id of an existing User (400
//     invalidValue); manager.$ref and manager.displayName are derived from
//     it by the server. active is never defaulted: a User created without
//     it has no active attribute.
//   - PATCH replace or remove whose value filter matches nothing is 400
//     noTarget (§3.5.2.2, §3.5.2.3), and so is add with a value filter
//     that matches nothing: add a new entry with add on the whole
//     multi-valued attribute. Removing a single-valued attribute that is
//     absent is a no-op; removing userName is 400 mutability.
//   - A write that leaves the resource as it was keeps its version and
//     lastModified.
//   - Filters are evaluated in Go over the decoded resources, after an
//     indexed SQL lookup narrows an eq on id, userName or externalId; this
//     is fine at the scale of tests and dev mode (a few thousand users). A
//     broad filter is paged, never refused with tooMany. ne matches a User
//     that lacks the attribute. sortBy is ignored (sort.supported is
//     false); attributes and excludedAttributes are honoured.
//   - Bulk operations run in request order, except that an operation that
//     refers to the bulkId of a POST later in the request waits for it;
//     references that cannot be resolved (circular, unknown, or to a failed
//     operation) fail that operation with 409.
package scimtest
