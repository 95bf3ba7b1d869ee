package codec

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// OIDCConfig says which OIDC access tokens the codec server accepts.
type OIDCConfig struct {
	// Issuer is the identity provider's issuer URL, exactly as its tokens'
	// "iss" claim and its discovery document spell it (Auth0's ends in
	// "/"). Discovery is fetched from <Issuer>/.well-known/openid-configuration.
	// Required.
	Issuer string
	// Audience must be among a token's "aud": the API identifier the
	// provider issues the Web UI's access tokens for. Required, because
	// without it a token the same provider issued to any other application
	// would be accepted.
	Audience string
	// PermissionsClaim names the claim holding Temporal permissions,
	// usually "permissions": an array of "<namespace>:<role>" as Temporal's
	// default JWT claim mapper reads them. Empty means any valid token may
	// encode and decode on every namespace.
	PermissionsClaim string
	// HTTPClient fetches discovery and signing keys; nil means a client
	// with a 10 second timeout.
	HTTPClient *http.Client
}

// OIDCVerifier accepts OIDC access tokens (JWTs) signed by the issuer's
// current keys, for the configured audience and unexpired, and checks their
// Temporal permissions against the namespace and operation asked for.
type OIDCVerifier struct {
	verifier *oidc.IDTokenVerifier
	claim    string
}

var _ TokenVerifier = (*OIDCVerifier)(nil)

// NewOIDCVerifier fetches the issuer's discovery document and returns a
// verifier that fetches the issuer's signing keys when first needed, keeps
// them, and fetches them again when a token names a key it does not know.
// ctx bounds discovery only.
func NewOIDCVerifier(ctx context.Context, cfg OIDCConfig) (*OIDCVerifier, error) {
	if cfg.Issuer == "" {
		return nil, errors.New("OIDC verifier: issuer is required")
	}
	if cfg.Audience == "" {
		return nil, errors.New("OIDC verifier: audience is required")
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	// go-oidc takes its HTTP client from the context; the key set keeps the
	// context's values but not its cancellation.
	ctx = oidc.ClientContext(ctx, client)
	provider, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("OIDC discovery for issuer %s: %w", cfg.Issuer, err)
	}
	// The access token's audience is the API, so it stands where an ID
	// token's client ID would; the audience check is never skipped.
	return &OIDCVerifier{
		verifier: provider.VerifierContext(ctx, &oidc.Config{ClientID: cfg.Audience}),
		claim:    cfg.PermissionsClaim,
	}, nil
}

// Verify checks the token's signature, issuer, audience, expiry and
// subject, then, when a permissions claim is configured, that it grants op
// ("encode" or "decode") on namespace: decode needs any role there, encode
// write, worker or admin. A role on "temporal-system" applies to every
// namespace, as in Temporal's default authorizer. A valid token without the
// permission gives an error wrapping ErrForbidden.
func (v *OIDCVerifier) Verify(ctx context.Context, token, namespace, op string) error {
	idToken, err := v.verifier.Verify(ctx, token)
	if err != nil {
		return fmt.Errorf("verify access token: %w", withoutToken(err, token))
	}
	if idToken.Subject == "" {
		return errors.New("verify access token: no subject")
	}
	if op != "encode" && op != "decode" {
		return fmt.Errorf("%w: unknown operation %q", ErrForbidden, op)
	}
	if v.claim == "" {
		return nil
	}
	var claims map[string]any
	if err := idToken.Claims(&claims); err != nil {
		return fmt.Errorf("read access token claims: %w", err)
	}
	if !parsePermissions(claims[v.claim]).allow(namespace, op) {
		return fmt.Errorf("%w: %q grants subject %q no %s on namespace %q",
			ErrForbidden, v.claim, idToken.Subject, op, namespace)
	}
	return nil
}

// withoutToken guards against a verification error quoting the token.
func withoutToken(err error, token string) error {
	if token != "" && strings.Contains(err.Error(), token) {
		return errors.New(strings.ReplaceAll(err.Error(), token, "[token]"))
	}
	return err
}

// role is a set of Temporal roles.
type role uint8

const (
	roleWorker role = 1 << iota
	roleRead
	roleWrite
	roleAdmin
)

// systemNamespace is the namespace whose roles apply to every namespace.
const systemNamespace = "temporal-system"

// grants are the roles a permissions claim gives.
type grants struct {
	system     role
	namespaces map[string]role
}

// parsePermissions reads a permissions claim the way Temporal's default
// JWT claim mapper does: an array of "<namespace>:<role>", the role
// case-insensitive. Anything else, in the claim or in an entry, grants
// nothing.
func parsePermissions(claim any) grants {
	var entries []string
	switch c := claim.(type) {
	case []any:
		for _, e := range c {
			if s, ok := e.(string); ok {
				entries = append(entries, s)
			}
		}
	case []string:
		entries = c
	}
	g := grants{namespaces: map[string]role{}}
	for _, e := range entries {
		namespace, name, ok := strings.Cut(e, ":")
		if !ok || namespace == "" {
			continue
		}
		r := roleNamed(name)
		if namespace == systemNamespace {
			g.system |= r
		} else {
			g.namespaces[namespace] |= r
		}
	}
	return g
}

// roleNamed maps a permission's role to a role; unknown names map to none.
func roleNamed(name string) role {
	switch strings.ToLower(name) {
	case "read":
		return roleRead
	case "write":
		return roleWrite
	case "worker":
		return roleWorker
	case "admin":
		return roleAdmin
	}
	return 0
}

// allow reports whether the grants permit op on namespace: decode shows
// data, so any role will do; encode creates it, so it needs a role that
// may start or signal workflows.
func (g grants) allow(namespace, op string) bool {
	have := g.system | g.namespaces[namespace]
	switch op {
	case "decode":
		return have != 0
	case "encode":
		return have&(roleWrite|roleWorker|roleAdmin) != 0
	}
	return false
}
