// Package registry builds the connector an integration's endpoint names. It
// is the one place that knows every connector package.
package registry

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
	"golang.org/x/time/rate"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/bamboohr"
	"github.com/hrsync/hrsync/connectors/csvfile"
	"github.com/hrsync/hrsync/connectors/demo"
	"github.com/hrsync/hrsync/connectors/httpx"
	"github.com/hrsync/hrsync/connectors/justlogin"
	"github.com/hrsync/hrsync/connectors/merge"
	"github.com/hrsync/hrsync/connectors/scim"
	"github.com/hrsync/hrsync/credentials"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/internal/metrics"
	"github.com/hrsync/hrsync/internal/netguard"
	"github.com/hrsync/hrsync/roster"
)

// Registry builds source and target clients that share one HTTP client and
// resolve their credentials through one Secrets.
type Registry struct {
	http    *http.Client
	secrets Secrets
	vault   Vault
	// limiters holds one request budget per rate-limited target, shared
	// by every client made for it, when there is no shared budget.
	limiters sync.Map
	// limits say how targets keep to their rate limits (WithLimits);
	// shared holds this process's spenders of the shared budgets, by
	// host and limit.
	limits Limits
	shared sync.Map
	clock  clock
	// fileRoots are where CSV sources may read (WithFileRoots).
	fileRoots []string
	// metrics records the clients' requests and rate-limit waits
	// (WithMetrics); nil records nothing.
	metrics *metrics.Metrics
}

var _ activities.Connectors = (*Registry)(nil)

// DefaultTimeout bounds one request of a connector.
const DefaultTimeout = 30 * time.Second

// New returns a Registry whose clients use hc (nil means one with
// DefaultTimeout) and secrets (nil means the environment). A worker passes
// a client from its netguard.Policy, so that connections go only where the
// policy allows. Unless hc has a redirect policy of its own, redirects are
// followed only within the origin a request went to, never to a link-local
// address.
func New(hc *http.Client, secrets Secrets) *Registry {
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	if hc.CheckRedirect == nil {
		// Credentials go only where they were given for.
		withPolicy := *hc
		withPolicy.CheckRedirect = connectors.SameOriginRedirects
		hc = &withPolicy
	}
	if secrets == nil {
		secrets = EnvSecrets{}
	}
	return &Registry{http: hc, secrets: secrets, limits: Limits{Logger: zap.NewNop()}, clock: realClock{}}
}

// WithVault lets connectors keep credentials they refresh, such as OAuth
// tokens, in v.
func (r *Registry) WithVault(v Vault) *Registry {
	r.vault = v
	return r
}

// WithMetrics counts and times every request of the clients made after it,
// by side (HRIS or directory) and kind of connector, and records how long
// they wait for their rate limits (see metrics.Metrics).
func (r *Registry) WithMetrics(m *metrics.Metrics) *Registry {
	r.metrics = m
	return r
}

// client is the HTTP client of a connector of kind on side: the shared
// one, its requests counted when there are metrics.
func (r *Registry) client(side metrics.Side, kind string) *http.Client {
	if r.metrics == nil {
		return r.http
	}
	hc := *r.http
	hc.Transport = r.metrics.Transport(side, kind, r.http.Transport)
	return &hc
}

// sourceWaited records how long a source's request waited for its
// connector's rate limit.
func (r *Registry) sourceWaited(waited time.Duration) {
	r.metrics.RateLimitWaited(metrics.Source, waited)
}

// secret resolves e's credential for integration to send to the hosts of
// urls; an endpoint without one has none.
func (r *Registry) secret(integrationID string, e integration.Endpoint, urls ...string) (string, error) {
	if e.CredentialRef == "" {
		return "", nil
	}
	return r.secrets.Secret(e.CredentialRef, credentials.UseFor(integrationID, urls...))
}

// checkDestinations applies the rules a new configuration is held to
// (netguard.CheckURL) to e's URLs, so an integration stored before them is
// refused https-less or metadata destinations when it runs.
func checkDestinations(e integration.Endpoint) error {
	if e.Kind == "csv" {
		return nil
	}
	urls := map[string]string{"url": e.URL}
	if e.Kind == "merge" {
		urls["url"] = cmp.Or(e.URL, merge.DefaultBaseURL)
	}
	if o := e.OAuth; o != nil {
		urls["oauth.authUrl"], urls["oauth.tokenUrl"] = o.AuthURL, o.TokenURL
	}
	for _, field := range []string{"url", "oauth.authUrl", "oauth.tokenUrl"} {
		if u, ok := urls[field]; ok && u != "" {
			if err := netguard.CheckURL(u); err != nil {
				return fmt.Errorf("%s: %w", field, err)
			}
		}
	}
	return nil
}

// sourceURLs are where a source endpoint's credential is sent.
func sourceURLs(e integration.Endpoint) []string {
	switch e.Kind {
	case "merge":
		return []string{cmp.Or(e.URL, merge.DefaultBaseURL)}
	case "justlogin":
		// The client secret goes to the token endpoint only.
		if e.OAuth == nil {
			return nil
		}
		return []string{cmp.Or(e.OAuth.TokenURL, justlogin.DefaultTokenURL)}
	case "csv":
		return nil
	}
	return []string{e.URL}
}

// tokenURLs are where an OAuth token is sent: the API and, to be
// refreshed, the token endpoint.
func tokenURLs(e integration.Endpoint) []string {
	if e.OAuth == nil {
		return nil
	}
	return []string{cmp.Or(e.URL, justlogin.DefaultAPIBaseURL), cmp.Or(e.OAuth.TokenURL, justlogin.DefaultTokenURL)}
}

// Source returns a client for the HRIS endpoint e of integration
// integrationID; its credential must be bound to the hosts it will reach.
func (r *Registry) Source(integrationID string, e integration.Endpoint) (connectors.Source, error) {
	if e.Kind == "justlogin" && e.OAuth == nil {
		return nil, fmt.Errorf("justlogin needs an oauth client")
	}
	if err := checkDestinations(e); err != nil {
		return nil, err
	}
	secret, err := r.secret(integrationID, e, sourceURLs(e)...)
	if err != nil {
		return nil, err
	}
	hc := r.client(metrics.Source, e.Kind)
	switch e.Kind {
	case "demo":
		return demo.NewSource(demo.SourceConfig{BaseURL: e.URL, Token: secret, HTTPClient: hc}), nil
	case "merge":
		apiKey, accountToken, ok := strings.Cut(secret, ":")
		if !ok {
			return nil, fmt.Errorf("credential %s: a Merge credential is <api key>:<account token>", e.CredentialRef)
		}
		return merge.New(merge.Config{BaseURL: e.URL, APIKey: apiKey, AccountToken: accountToken,
			PerMinute: e.RateLimit, HTTPClient: hc, OnRateWait: r.sourceWaited})
	case "bamboohr":
		return bamboohr.New(bamboohr.Config{BaseURL: e.URL, APIKey: secret, PerMinute: e.RateLimit, HTTPClient: hc,
			OnRateWait: r.sourceWaited})
	case "justlogin":
		use := credentials.UseFor(integrationID, tokenURLs(e)...)
		tokens, err := NewVaultTokens(r.vault, e.OAuth.TokenRef, &use)
		if err != nil {
			return nil, err
		}
		return justlogin.New(justlogin.Config{APIBaseURL: e.URL, AuthURL: e.OAuth.AuthURL, TokenURL: e.OAuth.TokenURL,
			ClientID: e.OAuth.ClientID, ClientSecret: secret, Tokens: tokens, ExitDateField: e.ExitDateField,
			PerMinute: e.RateLimit, HTTPClient: hc, OnRateWait: r.sourceWaited})
	case "csv":
		u, err := url.Parse(e.URL)
		if err != nil {
			return nil, fmt.Errorf("csv url %q: %w", e.URL, err)
		}
		path, err := r.allowedFile(u.Path)
		if err != nil {
			return nil, fmt.Errorf("csv url: %w", err)
		}
		return csvfile.New(csvfile.Config{Path: path})
	}
	return nil, fmt.Errorf("no source connector of kind %q", e.Kind)
}

// Target returns a client for the directory endpoint e of integration
// integrationID; its credential must be bound to e's host.
func (r *Registry) Target(integrationID string, e integration.Endpoint) (connectors.Target, error) {
	if err := checkDestinations(e); err != nil {
		return nil, err
	}
	secret, err := r.secret(integrationID, e, e.URL)
	if err != nil {
		return nil, err
	}
	hc := r.targetHTTP(e)
	switch e.Kind {
	case "demo":
		return demo.NewTarget(demo.TargetConfig{BaseURL: e.URL, Token: secret, HTTPClient: hc}), nil
	case "scim":
		cfg := scim.Config{BaseURL: e.URL, HTTPClient: hc}
		if e.Auth == "basic" {
			user, password, _ := strings.Cut(secret, ":")
			cfg.Username, cfg.Password = user, password
		} else {
			cfg.Token = secret
		}
		if o := e.SCIM; o != nil {
			cfg.UserNameFrom, cfg.CustomSchema, cfg.DeleteOnDeactivate = o.UserNameFrom, o.CustomSchema, o.DeleteOnDeactivate
		}
		return scim.New(cfg)
	}
	return nil, fmt.Errorf("no target connector of kind %q", e.Kind)
}

// targetHTTP is the HTTP client for target e: the shared one (client),
// held to e's rate limit when it has one (targetLimit). Every client for
// the same target and limit draws on one budget, so the activities
// applying a plan in parallel keep to the limit together; with a shared
// budget (Limits.Shared), so do every target on the same host and every
// worker. The time a request waits for the limit is not counted in its
// duration.
func (r *Registry) targetHTTP(e integration.Endpoint) *http.Client {
	hc := r.client(metrics.Target, e.Kind)
	if e.RateLimit <= 0 {
		return hc
	}
	return httpx.Limited(hc, r.targetLimit(e))
}

// limiter is the request budget of target e within this process, used
// without a shared budget.
func (r *Registry) limiter(e integration.Endpoint) *rate.Limiter {
	key := fmt.Sprintf("%s|%s|%d", e.Kind, e.URL, e.RateLimit)
	l, _ := r.limiters.LoadOrStore(key, rate.NewLimiter(rate.Limit(float64(e.RateLimit)/60), max(e.Parallelism, 1)))
	return l.(*rate.Limiter)
}

// Fields says which catalogue fields a source of kind supplies and under
// which of its own names; false means the connector does not know in
// advance (a CSV file names its columns itself).
func Fields(kind string) (map[roster.Field]string, bool) {
	switch kind {
	case "demo":
		fields := map[roster.Field]string{}
		for _, f := range roster.Catalogue {
			fields[f] = string(f)
		}
		return fields, true
	case "merge":
		return merge.Fields(), true
	case "bamboohr":
		return bamboohr.Fields(), true
	case "justlogin":
		return justlogin.Fields(), true
	}
	return nil, false
}

// Supplies says under which names a source delivers its records' values,
// which are what its mapping rules may read; false when that is not known
// in advance (a CSV file names its own columns).
func Supplies(e integration.Endpoint) (roster.SourceFields, bool) {
	fields, known := Fields(e.Kind)
	if !known {
		return roster.SourceFields{}, false
	}
	src := roster.SourceFields{Source: e.Kind}
	for f := range fields {
		if f != roster.FieldID { // the id is the record's own, not a value
			src.Names = append(src.Names, string(f))
		}
	}
	switch e.Kind {
	case "demo":
		src.Prefixes = []string{string(roster.CustomField(""))}
	case "merge":
		src.Names = append(src.Names, roster.ValueStatusRaw)
	case "bamboohr":
		src.Names = append(src.Names, roster.ValueStatusRaw)
		src.Prefixes = []string{bamboohr.RestrictedPrefix}
	case "justlogin":
		src.Names = append(src.Names, justlogin.ExtraValues()...)
		if e.ExitDateField != "" {
			src.Names = append(src.Names, string(roster.FieldExitDate))
		}
	}
	slices.Sort(src.Names)
	return src, true
}

// CheckMappingSources refuses the mapping rules of cfg that read a field
// its source does not supply (see Supplies), each with its config path.
func CheckMappingSources(cfg integration.Config) error {
	src, known := Supplies(cfg.Source)
	if !known {
		return nil
	}
	return cfg.Rules.CheckSources(src)
}

// Fields is Fields for the registry's sources.
func (r *Registry) Fields(kind string) (map[roster.Field]string, bool) { return Fields(kind) }
