package scimtest

import "strings"

// The schema URNs of the User resource (RFC 7643 §8.7.1, §4.3).
const (
	// coreSchema is the core User schema.
	coreSchema = "urn:ietf:params:scim:schemas:core:2.0:User"
	// enterpriseSchema is the enterprise User extension.
	enterpriseSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	// CustomSchema is hrsync's User extension: the employee attributes the
	// core and enterprise schemas have no home for. It holds any string
	// attribute (dateOfJoining, dateOfBirth, exitDate, location,
	// employmentType, preferredName, personalEmail, …) and the multi-valued
	// attribute "custom" of {"key", "value"} entries for custom fields.
	CustomSchema = "urn:ietf:params:scim:schemas:extension:hrsync:2.0:User"
	// LegacyCustomSchema is the URN hrsync's extension had before
	// CustomSchema. The server keeps serving it, with the same attributes,
	// so clients configured for it and users stored under it still work.
	LegacyCustomSchema = "urn:hrsync:params:scim:schemas:extension:employee:2.0:User"
)

// The message and resource schema URNs of RFC 7643 and RFC 7644.
const (
	listResponseSchema  = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	searchRequestSchema = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
	patchOpSchema       = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	bulkRequestSchema   = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
	bulkResponseSchema  = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
	errorSchema         = "urn:ietf:params:scim:api:messages:2.0:Error"
	spcSchema           = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	schemaSchema        = "urn:ietf:params:scim:schemas:core:2.0:Schema"
	resourceTypeSchema  = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
)

// Attribute data types (RFC 7643 §2.3).
const (
	typeString    = "string"
	typeBoolean   = "boolean"
	typeDateTime  = "dateTime"
	typeReference = "reference"
	typeBinary    = "binary"
	typeComplex   = "complex"
)

// Attribute mutabilities (RFC 7643 §7).
const (
	readOnly  = "readOnly"
	readWrite = "readWrite"
	writeOnly = "writeOnly"
)

// attrDef describes one attribute as RFC 7643 §7 does. Fields are exported
// so the definitions marshal as the /Schemas representation.
type attrDef struct {
	Name            string     `json:"name"`
	Type            string     `json:"type"`
	MultiValued     bool       `json:"multiValued"`
	Description     string     `json:"description"`
	Required        bool       `json:"required"`
	CanonicalValues []string   `json:"canonicalValues,omitempty"`
	CaseExact       bool       `json:"caseExact"`
	Mutability      string     `json:"mutability"`
	Returned        string     `json:"returned"`
	Uniqueness      string     `json:"uniqueness"`
	ReferenceTypes  []string   `json:"referenceTypes,omitempty"`
	SubAttributes   []*attrDef `json:"subAttributes,omitempty"`

	// derived marks a sub-attribute the server computes from its
	// siblings; what a client sends for it is ignored.
	derived bool
}

// sub returns the sub-attribute called name, matched case-insensitively.
func (d *attrDef) sub(name string) *attrDef {
	for _, s := range d.SubAttributes {
		if strings.EqualFold(s.Name, name) {
			return s
		}
	}
	return nil
}

// isString reports whether values of d are JSON strings.
func (d *attrDef) isString() bool {
	switch d.Type {
	case typeString, typeReference, typeDateTime, typeBinary:
		return true
	}
	return false
}

// schemaDef is a schema: its attributes, and whether it takes any string
// attribute besides them.
type schemaDef struct {
	ID          string
	Name        string
	Description string
	Attributes  []*attrDef
	// open schemas accept any attribute name, as a single string.
	open bool
}

// attr returns the attribute called name (case-insensitively): one of the
// schema's, any string attribute of an open schema, or nil.
func (s *schemaDef) attr(name string) *attrDef {
	for _, a := range s.Attributes {
		if strings.EqualFold(a.Name, name) {
			return a
		}
	}
	if s.open && name != "" {
		return openAttr(name)
	}
	return nil
}

// openAttr is the definition of an attribute of an open schema that is not
// among its listed ones.
func openAttr(name string) *attrDef {
	return str(name, "Any string attribute.")
}

// str is a readWrite, single-valued, case-insensitive string attribute.
func str(name, desc string) *attrDef {
	return &attrDef{Name: name, Type: typeString, Description: desc, Mutability: readWrite,
		Returned: "default", Uniqueness: "none"}
}

// exact is str, compared case-sensitively.
func exact(name, desc string) *attrDef {
	a := str(name, desc)
	a.CaseExact = true
	return a
}

// ref is a reference attribute to the given types.
func ref(name, desc string, types ...string) *attrDef {
	a := exact(name, desc)
	a.Type = typeReference
	a.ReferenceTypes = types
	return a
}

// boolean is a readWrite boolean attribute.
func boolean(name, desc string) *attrDef {
	return &attrDef{Name: name, Type: typeBoolean, Description: desc, Mutability: readWrite,
		Returned: "default", Uniqueness: "none"}
}

// complexAttr is a readWrite complex attribute.
func complexAttr(name, desc string, multi bool, subs ...*attrDef) *attrDef {
	return &attrDef{Name: name, Type: typeComplex, MultiValued: multi, Description: desc,
		Mutability: readWrite, Returned: "default", Uniqueness: "none", SubAttributes: subs}
}

// multi is a multi-valued complex attribute with the usual value, display,
// type and primary sub-attributes (RFC 7643 §2.4).
func multi(name, desc string, value *attrDef, types ...string) *attrDef {
	typ := str("type", "A label indicating the attribute's function.")
	typ.CanonicalValues = types
	return complexAttr(name, desc, true, value,
		str("display", "A human-readable name, primarily used for display purposes."),
		typ,
		boolean("primary", "Whether this is the preferred value; true at most once."))
}

// readOnlyAttr marks a (and its sub-attributes) readOnly.
func readOnlyAttr(a *attrDef) *attrDef {
	a.Mutability = readOnly
	for _, s := range a.SubAttributes {
		readOnlyAttr(s)
	}
	return a
}

// userSchema is the core User schema (RFC 7643 §4.1, §8.7.1).
var userSchema = &schemaDef{
	ID: coreSchema, Name: "User", Description: "User Account",
	Attributes: []*attrDef{
		func() *attrDef {
			a := str("userName", "Unique identifier for the User, typically used to sign in; unique case-insensitively.")
			a.Required, a.Uniqueness = true, "server"
			return a
		}(),
		complexAttr("name", "The components of the user's real name.", false,
			str("formatted", "The full name, formatted for display."),
			str("familyName", "The family name."),
			str("givenName", "The given name."),
			str("middleName", "The middle name(s)."),
			str("honorificPrefix", "The honorific prefix(es)."),
			str("honorificSuffix", "The honorific suffix(es).")),
		str("displayName", "The name of the User, suitable for display to end-users."),
		str("nickName", "The casual way to address the user."),
		ref("profileUrl", "A fully qualified URL pointing to the User's online profile.", "external"),
		str("title", "The user's title, such as \"Vice President\"."),
		str("userType", "The relationship between the organization and the user."),
		str("preferredLanguage", "The User's preferred written or spoken language."),
		str("locale", "The User's default location for localization."),
		str("timezone", "The User's time zone in the IANA Time Zone database format."),
		boolean("active", "The User's administrative status."),
		func() *attrDef {
			a := exact("password", "The User's cleartext password; never returned, and not kept by this server.")
			a.Mutability, a.Returned = writeOnly, "never"
			return a
		}(),
		multi("emails", "Email addresses for the user.", str("value", "Email address for the user."), "work", "home", "other"),
		multi("phoneNumbers", "Phone numbers for the User.", str("value", "Phone number of the User."),
			"work", "home", "mobile", "fax", "pager", "other"),
		multi("ims", "Instant messaging addresses for the User.", str("value", "Instant messaging address for the User."),
			"aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"),
		multi("photos", "URLs of photos of the User.", ref("value", "URL of a photo of the User.", "external"),
			"photo", "thumbnail"),
		complexAttr("addresses", "A physical mailing address for this User.", true,
			str("formatted", "The full mailing address, formatted for display."),
			str("streetAddress", "The full street address component."),
			str("locality", "The city or locality component."),
			str("region", "The state or region component."),
			str("postalCode", "The zip code or postal code component."),
			str("country", "The country name component."),
			func() *attrDef {
				a := str("type", "A label indicating the attribute's function.")
				a.CanonicalValues = []string{"work", "home", "other"}
				return a
			}(),
			boolean("primary", "Whether this is the preferred mailing address; true at most once.")),
		readOnlyAttr(complexAttr("groups", "Groups the user belongs to; managed through /Groups, which this server does not offer.", true,
			exact("value", "The identifier of the User's group."),
			ref("$ref", "The URI of the group.", "User", "Group"),
			str("display", "A human-readable name, primarily used for display purposes."),
			func() *attrDef {
				a := str("type", "How the group membership was derived.")
				a.CanonicalValues = []string{"direct", "indirect"}
				return a
			}())),
		multi("entitlements", "A list of entitlements for the User.", str("value", "The value of an entitlement.")),
		multi("roles", "A list of roles for the User.", str("value", "The value of a role.")),
		func() *attrDef {
			v := str("value", "The value of an X.509 certificate.")
			v.Type = typeBinary
			return multi("x509Certificates", "A list of certificates issued to the User.", v)
		}(),
	},
}

// commonAttrs are the attributes every resource has (RFC 7643 §3.1); they
// are not listed in the User schema's representation.
var commonAttrs = []*attrDef{
	func() *attrDef {
		a := exact("id", "A unique identifier for the resource, assigned by the service provider.")
		a.Mutability, a.Returned, a.Uniqueness = readOnly, "always", "server"
		return a
	}(),
	func() *attrDef {
		a := exact("externalId", "The identifier the provisioning client uses; unique when set.")
		a.Uniqueness = "server"
		return a
	}(),
	readOnlyAttr(complexAttr("meta", "Resource metadata.", false,
		exact("resourceType", "The name of the resource type."),
		&attrDef{Name: "created", Type: typeDateTime, Description: "When the resource was added.", Returned: "default", Uniqueness: "none"},
		&attrDef{Name: "lastModified", Type: typeDateTime, Description: "When the resource was last changed.", Returned: "default", Uniqueness: "none"},
		ref("location", "The URI of the resource.", "uri"),
		exact("version", "The version (ETag) of the resource."))),
}

// enterpriseUserSchema is the enterprise User extension (RFC 7643 §4.3).
var enterpriseUserSchema = &schemaDef{
	ID: enterpriseSchema, Name: "EnterpriseUser", Description: "Enterprise User",
	Attributes: []*attrDef{
		str("employeeNumber", "Numeric or alphanumeric identifier assigned to a person."),
		str("costCenter", "Identifies the name of a cost center."),
		str("organization", "Identifies the name of an organization."),
		str("division", "Identifies the name of a division."),
		str("department", "Identifies the name of a department."),
		complexAttr("manager", "The User's manager; value must be the id of an existing User.", false,
			exact("value", "The id of the SCIM resource representing the User's manager."),
			func() *attrDef {
				a := ref("$ref", "The URI of the manager's User resource; derived from value.", "User")
				a.derived = true
				return a
			}(),
			func() *attrDef {
				a := str("displayName", "The displayName of the User's manager; derived from value.")
				a.Mutability, a.derived = readOnly, true
				return a
			}()),
	},
}

// customAttrName is the multi-valued attribute of CustomSchema that holds
// custom fields as {"key", "value"} entries.
const customAttrName = "custom"

// customUserSchema is hrsync's User extension.
var customUserSchema = employeeSchema(CustomSchema, "EmployeeUser")

// legacyUserSchema is hrsync's User extension under its former URN.
var legacyUserSchema = employeeSchema(LegacyCustomSchema, "LegacyEmployeeUser")

// employeeSchema is hrsync's User extension under URN id.
func employeeSchema(id, name string) *schemaDef {
	return &schemaDef{
		ID: id, Name: name,
		Description: "hrsync employee attributes. Any attribute with a string value is accepted besides those listed.",
		open:        true,
		Attributes:  employeeAttrs(),
	}
}

// employeeAttrs are the listed attributes of hrsync's User extension.
func employeeAttrs() []*attrDef {
	return []*attrDef{
		str("dateOfJoining", "The date the employee joined (as the HRIS gives it)."),
		str("dateOfBirth", "The employee's date of birth."),
		str("exitDate", "The employee's last working day."),
		str("location", "The employee's work location."),
		str("employmentType", "Full-time, part-time, contractor, …"),
		str("preferredName", "The name the employee prefers."),
		str("personalEmail", "The employee's personal email address."),
		complexAttr(customAttrName, "Custom fields, one entry per key.", true,
			exact("key", "The custom field's key."),
			str("value", "The custom field's value.")),
	}
}

// extensions are the User schema extensions, in the order they are listed.
var extensions = []*schemaDef{enterpriseUserSchema, customUserSchema, legacyUserSchema}

// allSchemas are the schemas /Schemas lists.
var allSchemas = []*schemaDef{userSchema, enterpriseUserSchema, customUserSchema, legacyUserSchema}

// employeeSchemas are the URNs of hrsync's extension, current and legacy.
var employeeSchemas = []string{CustomSchema, LegacyCustomSchema}

// extension returns the extension whose URN is urn (case-insensitively).
func extension(urn string) *schemaDef {
	for _, e := range extensions {
		if strings.EqualFold(e.ID, urn) {
			return e
		}
	}
	return nil
}

// coreAttr returns the core User or common attribute called name.
func coreAttr(name string) *attrDef {
	if a := userSchema.attr(name); a != nil {
		return a
	}
	for _, a := range commonAttrs {
		if strings.EqualFold(a.Name, name) {
			return a
		}
	}
	return nil
}

// fold is the form strings that are not caseExact are compared in.
func fold(s string) string { return strings.ToLower(s) }
