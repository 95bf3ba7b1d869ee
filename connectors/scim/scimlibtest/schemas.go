package scimlibtest

import (
	"github.com/elimity-com/scim/optional"
	"github.com/elimity-com/scim/schema"
)

// Schema URNs of the User resource type this server offers.
const (
	// CoreSchema is the core User schema (RFC 7643 §4.1).
	CoreSchema = schema.UserSchema
	// EnterpriseSchema is the enterprise User extension (RFC 7643 §4.3).
	EnterpriseSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	// DefaultCustomSchemaURN is the URN the custom extension is registered
	// under when Options.CustomSchemaURN is empty.
	DefaultCustomSchemaURN = "urn:ietf:params:scim:schemas:extension:hrsync:2.0:User"
	// OldCustomSchemaURN is the URN hrsync's custom extension had before
	// DefaultCustomSchemaURN. It is not under the IANA-registered
	// urn:ietf:params:scim namespace; the library registers it all the same
	// (see TestOldCustomURN).
	OldCustomSchemaURN = "urn:hrsync:params:scim:schemas:extension:employee:2.0:User"
)

// customStringAttributes are the single-valued string attributes of the
// custom extension, besides the multi-valued "custom".
var customStringAttributes = []string{"dateOfJoining", "dateOfBirth", "exitDate", "location", "employmentType"}

// CustomSchema returns the custom User extension registered under urn: the
// strings dateOfJoining, dateOfBirth, exitDate, location, employmentType,
// and "custom", a multi-valued complex attribute of {key, value} strings.
// key is case-exact, so custom fields that differ only in case stay apart.
func CustomSchema(urn string) schema.Schema {
	attrs := make([]schema.CoreAttribute, 0, len(customStringAttributes)+1)
	for _, name := range customStringAttributes {
		attrs = append(attrs, schema.SimpleCoreAttribute(schema.SimpleStringParams(schema.StringParams{
			Name: name,
		})))
	}
	attrs = append(attrs, schema.ComplexCoreAttribute(schema.ComplexParams{
		Description: optional.NewString("Custom fields, one {key, value} entry each."),
		MultiValued: true,
		Name:        "custom",
		SubAttributes: []schema.SimpleParams{
			schema.SimpleStringParams(schema.StringParams{Name: "key", CaseExact: true}),
			schema.SimpleStringParams(schema.StringParams{Name: "value"}),
		},
	}))
	return schema.Schema{
		ID:          urn,
		Name:        optional.NewString("HrsyncUser"),
		Description: optional.NewString("hrsync employee attributes that the core and enterprise schemas have no home for"),
		Attributes:  attrs,
	}
}
