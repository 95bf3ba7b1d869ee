// Package scimlibtest runs a SCIM 2.0 service provider that hrsync's
// authors did not write: github.com/elimity-com/scim serves the protocol
// (routing, request validation against the schemas, PATCH parsing, filter
// parsing and evaluation, error messages, /ServiceProviderConfig, /Schemas,
// /ResourceTypes), and this package gives it an in-memory /Users store, a
// bearer-token check and a listener on 127.0.0.1, so that tests exercise
// hrsync against another project's reading of RFC 7643 and RFC 7644.
//
// The server knows the core User schema and the enterprise extension
// (schema.CoreUserSchema, schema.ExtensionEnterpriseUser), and with
// Options.CustomSchema also hrsync's custom extension (CustomSchema) under
// a URN of the test's choosing. Its endpoints are under BasePath.
//
// What the store adds to the library, which leaves these to the handler:
//
//   - ids are random UUIDs; userName must be non-empty and unique,
//     compared case-insensitively (409 uniqueness);
//   - password (writeOnly) is never stored; readOnly attributes (groups,
//     manager.displayName), which the library drops from bodies, are 400
//     mutability as PATCH targets; removing userName is 400 mutability;
//   - lists use the library's own filter evaluation and page in creation
//     order;
//   - PATCH applies all operations or none and answers the resource (200,
//     never 204). add appends to a multi-valued attribute (skipping equal
//     entries) and merges into a complex one; replace replaces a
//     multi-valued attribute whole and merges into a complex one (RFC 7644
//     §3.5.2.3); a value filter that matches no entry is 400 noTarget for
//     add, replace and remove alike; an entry a remove leaves empty goes;
//   - no versions: the library hard-codes etag.supported=false, so
//     resources carry no meta.version and no ETag, and If-Match is
//     ignored.
//
// Tests inspect the server with Users and User, add Users behind hrsync's
// back with CreateOutside, and count requests with Requests, Count and
// Writes. There is no failure injection or feature switch: the point is
// to see the library as it is.
package scimlibtest
