// Package integration holds an integration's configuration — which HRIS feeds
// which directory, on what schedule, under which guards — and the rules that
// make a configuration valid. Workflows, activities and the starter CLI all
// speak in these types.
package integration

import (
	"errors"
	"fmt"
	"maps"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/hrsync/hrsync/internal/netguard"
	"github.com/hrsync/hrsync/notify"
	"github.com/hrsync/hrsync/roster"
)

// Config is everything an administrator sets for one integration. It travels
// in workflow history, so it holds references to credentials, never secrets.
type Config struct {
	// ID names the integration; its workflow is "integration/<ID>".
	ID string `json:"id" yaml:"id"`
	// Name is a human label.
	Name string `json:"name,omitempty" yaml:"name,omitempty"`
	// Source is the HRIS employees come from.
	Source Endpoint `json:"source" yaml:"source"`
	// Target is the directory kept in step.
	Target Endpoint `json:"target" yaml:"target"`
	// Schedule says when syncs run.
	Schedule Schedule `json:"schedule" yaml:"schedule"`
	// Admins are notified when a sync waits for approval.
	Admins []string `json:"admins,omitempty" yaml:"admins,omitempty"`
	// Notify says how admins are told: email and/or webhook.
	Notify notify.Config `json:"notify" yaml:"notify"`
	// Outage says how long a run waits out an unreachable HRIS or
	// directory, and when the admins hear of it.
	Outage OutagePolicy `json:"outage,omitzero" yaml:"outage,omitempty"`
	// Review makes manual and/or scheduled runs stop for an
	// administrator's review of their plan before applying it.
	Review ReviewPolicy `json:"review,omitzero" yaml:"review,omitempty"`
	// Rules are the field selection, mapping, date formats, filters and
	// policies of the sync; their keys sit at the top level of the config.
	roster.Rules `yaml:",inline"`
}

// Limits and defaults of a target's apply settings.
const (
	DefaultParallelism = 4
	MaxParallelism     = 32
	MaxBatchSize       = 5000
)

// Endpoint says how to reach one external system.
type Endpoint struct {
	// Kind names the connector, e.g. "demo" or "scim".
	Kind string `json:"kind" yaml:"kind"`
	// URL is the system's base URL: https (http only on a loopback host),
	// or file:///path for a csv source.
	URL string `json:"url" yaml:"url"`
	// CredentialRef names the secret to authenticate with, as
	// "<store>:<name>": "store:scim-acme" a stored credential,
	// "env:HRSYNC_SECRET_SCIM_TOKEN" an environment variable of the worker.
	// The secret itself never appears in the configuration.
	CredentialRef string `json:"credentialRef,omitempty" yaml:"credentialRef,omitempty"`
	// Auth is how the secret is sent: "bearer" (default) or "basic", whose
	// secret is "user:password".
	Auth string `json:"auth,omitempty" yaml:"auth,omitempty"`
	// SCIM tunes a scim target.
	SCIM *SCIMOptions `json:"scim,omitempty" yaml:"scim,omitempty"`
	// RateLimit is the API's published request limit per minute (for Merge,
	// the plan's: 100, 400 or 600); zero means the connector's default. A
	// target's limit is kept per host by every integration and worker on one
	// store together: when integrations give one host different limits, the
	// lowest applies (see registry.Limits).
	RateLimit int `json:"rateLimit,omitempty" yaml:"rateLimit,omitempty"`
	// Parallelism is, for a target, how many activities apply a plan at
	// once; zero means DefaultParallelism.
	Parallelism int `json:"parallelism,omitempty" yaml:"parallelism,omitempty"`
	// BatchSize is, for a target, how many changes an apply activity writes
	// and records at a time (one SCIM Bulk request when the directory
	// supports it); zero means 500.
	BatchSize int `json:"batchSize,omitempty" yaml:"batchSize,omitempty"`
	// FullPullDays is how often a source that can list its changes is read
	// in full anyway; in between, syncs read only what changed. Zero means
	// 7; a negative value means every sync reads everything.
	FullPullDays int `json:"fullPullDays,omitempty" yaml:"fullPullDays,omitempty"`
	// ReconcileDays is how often a run compares the HRIS with the target
	// directory as it is, listing every user, rather than with the users
	// as hrsync last wrote them; only a reconcile sees edits made in the
	// directory itself, or adopts users someone else provisioned. Zero
	// means 7; a negative value means every run reconciles. A run also
	// reconciles when asked (`starter sync --reconcile`), on a new
	// directory, and after a write found the directory changed behind
	// hrsync's back.
	ReconcileDays int `json:"reconcileDays,omitempty" yaml:"reconcileDays,omitempty"`
	// OAuth is the OAuth 2.0 client of a source that needs one (JustLogin);
	// CredentialRef then names the client secret.
	OAuth *OAuthOptions `json:"oauth,omitempty" yaml:"oauth,omitempty"`
	// StatusMap maps a source's vendor status words (compared without
	// regard to case) to "active" or "inactive", before the words hrsync
	// knows; the rules apply it to every record (see WithDefaults). Every
	// source but JustLogin, whose status is a true/false flag, takes one.
	StatusMap map[string]string `json:"statusMap,omitempty" yaml:"statusMap,omitempty"`
	// ExitDateField names the source field holding the exit date, for an
	// HRIS whose API documents none (JustLogin).
	ExitDateField string `json:"exitDateField,omitempty" yaml:"exitDateField,omitempty"`
	// Invite says, for a target, which users hrsync creates are invited:
	// InviteNever (default), InviteFirstSync (those of the integration's
	// first successful run) or InviteAlways. Each is invited once, by
	// email to its work address (else its personal one) through
	// notify.email's server, and by a user.invited webhook event.
	Invite string `json:"invite,omitempty" yaml:"invite,omitempty"`
	// InviteTemplate is the invitation email; its loginUrl is required
	// when Invite is not never.
	InviteTemplate *notify.InviteTemplate `json:"inviteTemplate,omitempty" yaml:"inviteTemplate,omitempty"`
}

// The invite settings of a target.
const (
	InviteNever     = "never"
	InviteFirstSync = "first-sync"
	InviteAlways    = "always"
)

// Invites reports whether e invites any user it creates.
func (e Endpoint) Invites() bool { return e.Invite == InviteFirstSync || e.Invite == InviteAlways }

// OAuthOptions describe an OAuth 2.0 authorization-code client.
type OAuthOptions struct {
	ClientID string `json:"clientId" yaml:"clientId"`
	// TokenRef is the stored credential ("store:<id>") holding the token
	// `starter connect` obtained; refreshed tokens are saved back to it.
	TokenRef string `json:"tokenRef" yaml:"tokenRef"`
	// AuthURL and TokenURL override the provider's endpoints.
	AuthURL  string `json:"authUrl,omitempty" yaml:"authUrl,omitempty"`
	TokenURL string `json:"tokenUrl,omitempty" yaml:"tokenUrl,omitempty"`
}

// SCIMOptions tune how employees become SCIM users.
type SCIMOptions struct {
	// UserNameFrom is the field that becomes userName; default workEmail.
	UserNameFrom roster.Field `json:"userNameFrom,omitempty" yaml:"userNameFrom,omitempty"`
	// CustomSchema is the URN of the extension holding fields without a
	// standard SCIM home; default hrsync's own.
	CustomSchema string `json:"customSchema,omitempty" yaml:"customSchema,omitempty"`
	// DeleteOnDeactivate deletes users instead of setting active=false.
	DeleteOnDeactivate bool `json:"deleteOnDeactivate,omitempty" yaml:"deleteOnDeactivate,omitempty"`
}

// credentialRefPattern is "<store>:<name>".
var credentialRefPattern = regexp.MustCompile(`^[a-z]+:[A-Za-z0-9_.-]+$`)

// Schedule says when an integration syncs.
type Schedule struct {
	// Cron is a five-field cron expression; default "0 2 * * *".
	Cron string `json:"cron,omitempty" yaml:"cron,omitempty"`
	// TimeZone is the organisation's IANA time zone the cron runs in; default UTC.
	TimeZone string `json:"timeZone,omitempty" yaml:"timeZone,omitempty"`
	// AutoSync turns scheduled runs on or off; default on. With it off the
	// integration syncs only when asked.
	AutoSync *bool `json:"autoSync,omitempty" yaml:"autoSync,omitempty"`
	// FirstSync is "now" (default), "scheduled" (wait for the cron), or an
	// RFC 3339 time.
	FirstSync string `json:"firstSync,omitempty" yaml:"firstSync,omitempty"`
}

// Defaults for an unset schedule.
const (
	DefaultCron     = "0 2 * * *"
	DefaultTimeZone = "UTC"
	FirstSyncNow    = "now"
	FirstSyncOnCron = "scheduled"
	maxIDLength     = 64
)

// SourceKinds and TargetKinds list the connectors a configuration may name.
var (
	SourceKinds = []string{"demo", "merge", "bamboohr", "justlogin", "csv"}
	TargetKinds = []string{"demo", "scim"}
)

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// CheckID reports whether id can name an integration: lower-case letters,
// digits, '-' and '_', at most 64 characters.
func CheckID(id string) error {
	switch {
	case id == "":
		return errors.New("id: is required")
	case len(id) > maxIDLength || !idPattern.MatchString(id):
		return fmt.Errorf("id: %q must be lower-case letters, digits, '-' or '_' (at most %d)", id, maxIDLength)
	}
	return nil
}

// WithDefaults returns c with every unset optional value filled in.
func (c Config) WithDefaults() Config {
	if c.Schedule.Cron == "" {
		c.Schedule.Cron = DefaultCron
	}
	if c.Schedule.TimeZone == "" {
		c.Schedule.TimeZone = DefaultTimeZone
	}
	if c.Schedule.AutoSync == nil {
		on := true
		c.Schedule.AutoSync = &on
	}
	if c.Schedule.FirstSync == "" {
		c.Schedule.FirstSync = FirstSyncNow
	}
	c.Rules = c.Rules.WithDefaults()
	c.Rules.StatusMap = statusMapOf(c.Source.StatusMap)
	c.Outage = c.Outage.WithDefaults()
	return c
}

// statusMapOf is the source's status map as the rules apply it: statuses
// trimmed and lower-cased. nil for none.
func statusMapOf(m map[string]string) map[string]roster.Status {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]roster.Status, len(m))
	for word, st := range m {
		out[word] = roster.Status(strings.ToLower(strings.TrimSpace(st)))
	}
	return out
}

// AutoSyncOn reports whether scheduled runs are enabled.
func (s Schedule) AutoSyncOn() bool { return s.AutoSync == nil || *s.AutoSync }

// Validate reports every problem with c at once, each naming its field.
// It is what a new or updated configuration must pass.
func (c Config) Validate() error { return c.validate(true) }

// ValidateStored is what a configuration already running must pass, each
// time its workflow continues: Validate without the destination rules
// added after it may have been stored (https, no metadata address), so an
// integration created before them keeps running and replaying. The worker
// still refuses such destinations when it connects, failing the run, not
// the integration.
func (c Config) ValidateStored() error { return c.validate(false) }

func (c Config) validate(destinations bool) error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	if err := CheckID(c.ID); err != nil {
		errs = append(errs, err)
	}
	validateEndpoint("source", c.Source, SourceKinds, destinations, bad)
	validateEndpoint("target", c.Target, TargetKinds, destinations, bad)
	if sched, err := c.Schedule.spec(); err != nil {
		bad("schedule", "%v", err)
	} else if destinations && sched.Next(cronCheckFrom).IsZero() {
		// Such a cron could never have run; a stored one is left to
		// ValidateStored's leniency all the same, so its workflow goes on.
		bad("schedule.cron", "%q never fires (no time matches it within five years)", c.Schedule.Cron)
	}
	c.Outage.validate(bad)
	if fs := c.Schedule.FirstSync; fs != "" && fs != FirstSyncNow && fs != FirstSyncOnCron {
		if _, err := time.Parse(time.RFC3339, fs); err != nil {
			bad("schedule.firstSync", "%q must be %q, %q or an RFC 3339 time", fs, FirstSyncNow, FirstSyncOnCron)
		}
	}
	for i, a := range c.Admins {
		if _, err := mail.ParseAddress(a); err != nil {
			bad(fmt.Sprintf("admins[%d]", i), "%q is not an email address", a)
		}
	}
	if err := c.Rules.Check(); err != nil {
		errs = append(errs, err)
	}
	notifyErr := c.Notify.CheckStored()
	if destinations {
		notifyErr = c.Notify.Check()
	}
	if notifyErr != nil {
		errs = append(errs, prefixed("notify.", notifyErr)...)
	}
	errs = append(errs, c.validateInvite(bad)...)
	return errors.Join(errs...)
}

// validateInvite checks the target's invite settings: a known mode, a
// template that renders, a login URL and a channel to invite by. The
// template's problems are returned; the others go to bad.
func (c Config) validateInvite(bad func(field, format string, args ...any)) []error {
	if c.Source.Invite != "" || c.Source.InviteTemplate != nil {
		bad("source.invite", "invitations are a target's setting")
	}
	t := c.Target
	switch t.Invite {
	case "", InviteNever, InviteFirstSync, InviteAlways:
	default:
		bad("target.invite", "%q must be %s, %s or %s", t.Invite, InviteNever, InviteFirstSync, InviteAlways)
	}
	var errs []error
	if t.InviteTemplate != nil {
		if err := t.InviteTemplate.Check(); err != nil {
			errs = prefixed("target.inviteTemplate.", err)
		}
	}
	if !t.Invites() {
		return errs
	}
	if t.InviteTemplate == nil || t.InviteTemplate.LoginURL == "" {
		bad("target.inviteTemplate.loginUrl", "is required when target.invite is %s", t.Invite)
	}
	if c.Notify.Email == nil && c.Notify.Webhook == nil {
		bad("target.invite", "%s needs notify.email or notify.webhook to invite by", t.Invite)
	}
	return errs
}

// prefixed puts prefix before each of err's joined errors.
func prefixed(prefix string, err error) []error {
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []error{fmt.Errorf("%s%w", prefix, err)}
	}
	var out []error
	for _, e := range joined.Unwrap() {
		out = append(out, fmt.Errorf("%s%w", prefix, e))
	}
	return out
}

func validateEndpoint(field string, e Endpoint, kinds []string, destinations bool, bad func(field, format string, args ...any)) {
	if !slices.Contains(kinds, e.Kind) {
		bad(field+".kind", "%q is not one of %s", e.Kind, strings.Join(kinds, ", "))
	}
	u, err := url.Parse(e.URL)
	switch {
	case e.Kind == "csv":
		if err != nil || u.Scheme != "file" || u.Path == "" {
			bad(field+".url", "%q must be a file:///path/to/file.csv URL", e.URL)
		}
	case !destinations:
		if err := netguard.CheckURLShape(e.URL); err != nil {
			bad(field+".url", "%v", err)
		}
	default:
		checkURL(field+".url", e.URL, bad)
	}
	if e.RateLimit < 0 {
		bad(field+".rateLimit", "must not be negative")
	}
	if e.Parallelism < 0 || e.Parallelism > MaxParallelism {
		bad(field+".parallelism", "must be between 0 and %d", MaxParallelism)
	}
	if e.BatchSize < 0 || e.BatchSize > MaxBatchSize {
		bad(field+".batchSize", "must be between 0 and %d", MaxBatchSize)
	}
	validateStatusMap(field+".statusMap", e, bad)
	if o := e.OAuth; o != nil && destinations {
		if o.AuthURL != "" {
			checkURL(field+".oauth.authUrl", o.AuthURL, bad)
		}
		if o.TokenURL != "" {
			checkURL(field+".oauth.tokenUrl", o.TokenURL, bad)
		}
	}
	if e.Kind == "justlogin" {
		switch {
		case e.OAuth == nil || e.OAuth.ClientID == "":
			bad(field+".oauth.clientId", "is required for justlogin")
		case !strings.HasPrefix(e.OAuth.TokenRef, "store:") || !credentialRefPattern.MatchString(e.OAuth.TokenRef):
			bad(field+".oauth.tokenRef", "%q must be store:<id>, as `starter connect justlogin` prints", e.OAuth.TokenRef)
		}
	}
	if e.CredentialRef != "" && !credentialRefPattern.MatchString(e.CredentialRef) {
		bad(field+".credentialRef", "%q must be <store>:<name>, such as store:scim-acme or env:HRSYNC_SECRET_SCIM_TOKEN", e.CredentialRef)
	}
	if e.Auth != "" && e.Auth != "bearer" && e.Auth != "basic" {
		bad(field+".auth", "%q must be bearer or basic", e.Auth)
	}
	if e.SCIM != nil {
		if e.Kind != "scim" {
			bad(field+".scim", "is only for a scim %s", field)
		}
		if f := e.SCIM.UserNameFrom; f != "" && f != roster.FieldWorkEmail && f != roster.FieldEmployeeNumber &&
			f != roster.FieldPersonalEmail {
			bad(field+".scim.userNameFrom", "%q must be workEmail, personalEmail or employeeNumber", f)
		}
	}
}

// checkURL refuses a URL the worker must not be pointed at: not https
// (http only to a loopback host), or a metadata or link-local address.
// Loopback and private addresses pass; the worker's destination policy
// decides on them when it connects.
func checkURL(field, raw string, bad func(field, format string, args ...any)) {
	if err := netguard.CheckURL(raw); err != nil {
		bad(field, "%v", err)
	}
}

// validateStatusMap refuses a status map for a source whose status is not
// a word (JustLogin's isActive), a status other than active or inactive,
// and two words that differ only in case or surrounding space.
func validateStatusMap(field string, e Endpoint, bad func(field, format string, args ...any)) {
	if len(e.StatusMap) == 0 {
		return
	}
	if e.Kind == "justlogin" {
		bad(field, "justlogin's status is the isActive flag, which has no words to map")
		return
	}
	seen := map[string]string{}
	for _, word := range slices.Sorted(maps.Keys(e.StatusMap)) {
		st := strings.ToLower(strings.TrimSpace(e.StatusMap[word]))
		if st != string(roster.StatusActive) && st != string(roster.StatusInactive) {
			bad(field, "%q maps to %q; it must be active or inactive", word, e.StatusMap[word])
		}
		folded := strings.ToLower(strings.TrimSpace(word))
		switch other, dup := seen[folded]; {
		case folded == "":
			bad(field, "a status word is empty")
		case dup:
			bad(field, "%q and %q are the same status word (case and space are ignored)", other, word)
		}
		seen[folded] = word
	}
}

// cronCheckFrom is where Validate looks for a cron's next time: a fixed
// instant, so Validate stays a pure function workflows may call. The cron
// library looks five years ahead.
var cronCheckFrom = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// spec parses the schedule's cron expression in its time zone.
func (s Schedule) spec() (cron.Schedule, error) {
	expr := s.Cron
	if expr == "" {
		expr = DefaultCron
	}
	tz := s.TimeZone
	if tz == "" {
		tz = DefaultTimeZone
	}
	if strings.HasPrefix(expr, "TZ=") || strings.HasPrefix(expr, "CRON_TZ=") {
		return nil, fmt.Errorf("cron %q: set the time zone in timeZone, not in the expression", expr)
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("time zone %q is not an IANA time zone", tz)
	}
	sched, err := cron.ParseStandard(expr)
	if err != nil {
		return nil, fmt.Errorf("cron %q: %v", expr, err)
	}
	if spec, ok := sched.(*cron.SpecSchedule); ok {
		spec.Location = loc
	}
	return sched, nil
}

// NextRun returns the first time the schedule fires strictly after after, in
// the schedule's time zone. It is a pure function of its inputs, so workflow
// code may call it with workflow.Now.
func (s Schedule) NextRun(after time.Time) (time.Time, error) {
	sched, err := s.spec()
	if err != nil {
		return time.Time{}, err
	}
	next := sched.Next(after)
	if next.IsZero() {
		return time.Time{}, fmt.Errorf("cron %q never fires", s.Cron)
	}
	return next.UTC(), nil
}

// FirstSyncAt returns when the first sync runs: now, at the configured time,
// or (for "scheduled") at the first cron time.
func (s Schedule) FirstSyncAt(now time.Time) (time.Time, error) {
	switch s.FirstSync {
	case "", FirstSyncNow:
		return now, nil
	case FirstSyncOnCron:
		return s.NextRun(now)
	}
	return time.Parse(time.RFC3339, s.FirstSync)
}
