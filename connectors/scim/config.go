package scim

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/roster"
)

// The schema URNs hrsync reads and writes (RFC 7643 §8.7.1 and §4.3).
const (
	// CoreSchema is the core User schema.
	CoreSchema = "urn:ietf:params:scim:schemas:core:2.0:User"
	// EnterpriseSchema is the enterprise User extension.
	EnterpriseSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	// DefaultCustomSchema is the extension that holds the employee
	// attributes the core and enterprise schemas have no home for. It is in
	// the urn:ietf:params:scim:schemas: namespace, the only one some SCIM
	// libraries let a service provider register.
	DefaultCustomSchema = "urn:ietf:params:scim:schemas:extension:hrsync:2.0:User"
	// LegacyCustomSchema is the custom extension's URN before
	// DefaultCustomSchema. A client left on the default uses it instead
	// when Describe finds the directory lists it and not
	// DefaultCustomSchema, so directories set up for it keep working.
	LegacyCustomSchema = "urn:hrsync:params:scim:schemas:extension:employee:2.0:User"
)

// The message schema URNs of RFC 7644 that hrsync sends.
const (
	patchOpSchema     = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	bulkRequestSchema = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
)

// defaultPageSize is how many users a list asks for when neither Config
// nor the service provider says.
const defaultPageSize = 100

// maxPageSize bounds the page a list asks for when the service provider's
// maxResults sets it, so one response stays a few megabytes.
const maxPageSize = 1000

// defaultTimeout bounds one request when the caller brings no client.
const defaultTimeout = 30 * time.Second

// Config says where the SCIM service provider is and how hrsync writes to
// it.
type Config struct {
	// BaseURL is the SCIM root the /Users and /ServiceProviderConfig
	// endpoints hang off, such as http://127.0.0.1:8281/scim/v2.
	BaseURL string
	// Token is the bearer token. Set either Token or Username and Password.
	Token string
	// Username and Password are the HTTP basic credentials used when there
	// is no Token.
	Username, Password string
	// UserNameFrom is the employee attribute that becomes userName; empty
	// means roster.FieldWorkEmail.
	UserNameFrom roster.Field
	// CustomSchema is the URN of the extension that holds the attributes
	// without a standard home; empty means DefaultCustomSchema (or
	// LegacyCustomSchema, when Describe finds only that one).
	CustomSchema string
	// DeleteOnDeactivate makes SetActive(false) DELETE the user instead of
	// setting active to false. Off unless asked for.
	DeleteOnDeactivate bool
	// PageSize is the count a list asks for; 0 means the service
	// provider's filter.maxResults (at most 1000), or 100 when it does not
	// say.
	PageSize int
	// HTTPClient makes the requests; nil means one with a 30s timeout.
	HTTPClient *http.Client
}

// withDefaults returns cfg with every unset option defaulted, or why it
// cannot be used.
func (cfg Config) withDefaults() (Config, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return cfg, errors.New("scim: BaseURL must be an http or https URL")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return cfg, errors.New("scim: BaseURL must not have a query or fragment")
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	switch {
	case cfg.Token != "" && (cfg.Username != "" || cfg.Password != ""):
		return cfg, errors.New("scim: set either Token or Username and Password, not both")
	case cfg.Token == "" && (cfg.Username == "" || cfg.Password == ""):
		return cfg, errors.New("scim: a Token, or a Username and Password, is required")
	}
	if cfg.UserNameFrom == "" {
		cfg.UserNameFrom = roster.FieldWorkEmail
	}
	if cfg.UserNameFrom == roster.FieldStatus || cfg.UserNameFrom == roster.FieldManagerID ||
		(cfg.UserNameFrom != roster.FieldID && !hasSpec(cfg.UserNameFrom)) {
		return cfg, fmt.Errorf("scim: UserNameFrom %q is not an attribute userName can come from", cfg.UserNameFrom)
	}
	if cfg.CustomSchema == "" {
		cfg.CustomSchema = DefaultCustomSchema
	}
	if !strings.HasPrefix(strings.ToLower(cfg.CustomSchema), "urn:") ||
		strings.EqualFold(cfg.CustomSchema, CoreSchema) || strings.EqualFold(cfg.CustomSchema, EnterpriseSchema) {
		return cfg, fmt.Errorf("scim: CustomSchema %q must be an extension URN of its own", cfg.CustomSchema)
	}
	if cfg.PageSize < 0 {
		return cfg, errors.New("scim: PageSize must not be negative")
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: defaultTimeout, CheckRedirect: connectors.SameOriginRedirects}
	}
	return cfg, nil
}
