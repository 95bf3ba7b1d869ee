// Package scim connects hrsync to any SCIM 2.0 service provider (RFC 7643,
// RFC 7644) as a target directory: Client lists, finds, creates, updates,
// deactivates and links the managers of its Users, using PATCH, ETags and
// Bulk when the provider's /ServiceProviderConfig says it supports them.
//
// # Mapping
//
// A roster.Employee is written to a SCIM User as follows, and reading the
// User back gives the same Employee (Status from active, the manager as
// roster.User.ManagerTargetID with Employee.ManagerID left empty for the
// caller to resolve). "ent:" is the enterprise extension
// (urn:ietf:params:scim:schemas:extension:enterprise:2.0:User), "emp:" the
// custom extension Config.CustomSchema (by default
// urn:ietf:params:scim:schemas:extension:hrsync:2.0:User).
//
//	Employee          SCIM User
//	ID                externalId
//	(Config.UserNameFrom, by default WorkEmail)
//	                  userName (written only; required, so never removed)
//	FirstName         name.givenName
//	LastName          name.familyName
//	PreferredName     nickName
//	(derived)         displayName = Employee.DisplayName(), preferred or
//	                  first name and last name; name.formatted = first and
//	                  last name (written only)
//	WorkEmail         emails[type eq "work"].value, primary when no other
//	                  email is (read: else the primary email with no type)
//	PersonalEmail     emails[type eq "home"].value
//	WorkPhone         phoneNumbers[type eq "work"].value
//	Status            active (true unless inactive; a User without active
//	                  reads as active)
//	JobTitle          title
//	EmployeeNumber    ent:employeeNumber
//	Department        ent:department
//	ManagerID         ent:manager.value, the manager's SCIM id, set only by
//	                  SetManager (ent:organization is left unset)
//	DateOfJoining     emp:dateOfJoining, YYYY-MM-DD
//	DateOfBirth       emp:dateOfBirth, YYYY-MM-DD
//	ExitDate          emp:exitDate, YYYY-MM-DD
//	Location          emp:location
//	EmploymentType    emp:employmentType
//	Custom[key]       emp:custom[key eq "<key>"].value: the multi-valued
//	                  attribute custom of {"key": "<key>", "value": "<v>"}
//	                  entries
//
// Custom fields live in their own multi-valued attribute, not as attributes
// named after their keys, so no key can clash with a named attribute, any
// key (spaces, dots, quotes, case) round-trips exactly, and the keys need
// not be valid SCIM attribute names. Keys are compared case-exactly. With
// PATCH, a change to custom fields replaces the whole custom list (read
// from the user first), which avoids depending on value filters over an
// extension attribute and on how a provider compares keys.
//
// # Discovery
//
// Describe reads /ServiceProviderConfig, /ResourceTypes and /Schemas once
// and works out which of the attributes above the directory has a
// writable home for: the extensions the User resource type lists, and the
// attributes and sub-attributes (not readOnly) the core, enterprise and
// custom schemas list. The fields without one are reported as unstored,
// and from then on no write sends them (POST, PUT, PATCH and Bulk; a
// field userName comes from still sets userName) and no read reports
// them. Either of /ResourceTypes and /Schemas may be missing; with neither
// every attribute is taken to have a home, as before discovery. Describe's
// Detail hands all of it, features included, to Assume, so the other
// clients of a run ask no discovery endpoint at all. A client left on the
// default custom extension takes LegacyCustomSchema when that is the one
// the directory lists.
//
// # Writes
//
// CreateUser looks the employee up by externalId first, so a retried create
// updates the user an earlier attempt made (with the status and every field
// the employee has a value for) instead of making a duplicate; a 409 on
// userName links an unlinked user holding it the same way, and refuses,
// permanently, one linked to another HRIS id. That user is found by
// FindByUserName, case-insensitively even where the server's filters are
// not. UpdateUser reads the
// user, then PATCHes only the attributes whose value changes (replace, or
// remove for a field that became empty; a typed email or phone entry that
// does not exist yet is added to the whole attribute, since a filtered
// replace matching nothing is a noTarget error), always with externalId; a
// provider without PATCH gets the user PUT back with the fields applied and
// everything else it holds kept. With ETags, writes carry If-Match and a
// 412 is answered by re-reading the user and trying once more.
//
// A directory that refuses some operations of a PATCH (400 invalidPath,
// invalidValue, noTarget or mutability) gets the rest again without them:
// without those its error names, or one operation at a time when it names
// none, so an attribute it will not take never holds back the others, a
// deactivation least of all (SetActive sends active alone anyway). The
// update then fails with a *RefusedError naming the refused attributes
// and fields. A path refused as invalid is not sent again by that Client.
//
// # Errors
//
// A non-2xx answer is a *SCIMError; 401, 403 and 4xx other than 408 and 429
// are permanent (connectors.IsPermanent); 408, 429, 5xx and transport
// failures are retryable, with the Retry-After wait as RetryDelay. Messages
// name HRIS ids, SCIM ids and attributes, never people: a server's detail
// is cut to 200 characters and email addresses in it are masked.
package scim
