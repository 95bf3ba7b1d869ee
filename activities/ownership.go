package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/roster"
)

// directoryKey names the directory an endpoint writes to, so that two
// integrations on one directory see each other's users as owned while
// directories whose user ids happen to coincide stay apart.
func directoryKey(e integration.Endpoint) string {
	raw := strings.TrimRight(strings.TrimSpace(e.URL), "/")
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
		raw = u.String()
	}
	return e.Kind + " " + raw
}

// ownership returns the directory users integrationID owns (directory id
// to HRIS id) and those other integrations own (directory id to
// integration). An integration that synced before ownership was recorded
// owns the users linked to its applied roster that nobody else owns; its
// next commit records them.
func (a *Activities) ownership(ctx context.Context, integrationID, dirKey string, directory []roster.User) (owned, elsewhere map[string]string, err error) {
	owners, err := a.Store.OwnedUsers(ctx, dirKey)
	if err != nil {
		return nil, nil, err
	}
	owned, elsewhere = map[string]string{}, map[string]string{}
	for id, o := range owners {
		if o.IntegrationID == integrationID {
			owned[id] = o.EmployeeID
		} else {
			elsewhere[id] = o.IntegrationID
		}
	}
	if len(owned) > 0 {
		return owned, elsewhere, nil
	}
	applied, err := a.Store.Applied(ctx, integrationID)
	if err != nil || len(applied) == 0 {
		return owned, elsewhere, err
	}
	ours := make(map[string]bool, len(applied))
	for _, e := range applied {
		ours[e.ID] = true
	}
	for _, u := range directory {
		if _, taken := elsewhere[u.TargetID]; !taken && u.Employee.ID != "" && ours[u.Employee.ID] {
			owned[u.TargetID] = u.Employee.ID
		}
	}
	return owned, elsewhere, nil
}

// describe asks a target that can say so what it accepts, and returns the
// description with its encoding for the plan; a target that cannot say
// stores everything.
func describe(ctx context.Context, tgt connectors.Target) (connectors.Description, []byte, error) {
	d, ok := tgt.(connectors.Describer)
	if !ok {
		return connectors.Description{}, nil, nil
	}
	desc, err := retryRead(ctx, retries, func() (connectors.Description, error) { return d.Describe(ctx) })
	if err != nil {
		return desc, nil, fmt.Errorf("unable to learn what the directory accepts: %w", err)
	}
	raw, err := json.Marshal(desc)
	if err != nil {
		return desc, nil, fmt.Errorf("unable to encode what the directory accepts: %w", err)
	}
	return desc, raw, nil
}

// assume makes tgt use the description its plan recorded, so an apply
// writes what the plan compared and asks the directory nothing again.
func assume(tgt connectors.Target, raw []byte) error {
	d, ok := tgt.(connectors.Describer)
	if !ok || len(raw) == 0 {
		return nil
	}
	var desc connectors.Description
	if err := json.Unmarshal(raw, &desc); err != nil {
		return connectors.Permanent(fmt.Errorf("unable to decode what the directory accepts: %w", err))
	}
	return d.Assume(desc)
}

// unstoredWarnings says, once per run, which selected fields that some
// employee has a value for the directory has no home for.
func unstoredWarnings(desc connectors.Description, rules roster.Rules, employees []roster.Employee) []string {
	u := unstoredFields{desc: desc, rules: rules}
	for _, e := range employees {
		u.add(e)
	}
	return u.warnings()
}

// unstoredFields gathers, employee by employee, the selected fields with
// a value that the directory has no home for.
type unstoredFields struct {
	desc   connectors.Description
	rules  roster.Rules
	lost   []roster.Field
	custom bool
}

// add looks at e. Every employee of every plan passes here: no field list
// is built.
func (u *unstoredFields) add(e roster.Employee) {
	for _, f := range roster.Catalogue {
		if f == roster.FieldID || f == roster.FieldStatus || !u.rules.Selected(f) || e.Get(f) == "" || u.desc.Stores(f) {
			continue
		}
		if !slices.Contains(u.lost, f) {
			u.lost = append(u.lost, f)
		}
	}
	for k, v := range e.Custom {
		if f := roster.CustomField(k); !u.custom && v != "" && u.rules.Selected(f) && !u.desc.Stores(f) {
			u.custom = true
		}
	}
}

// warnings says what was found, once per field.
func (u *unstoredFields) warnings() []string {
	var out []string
	for _, f := range roster.Catalogue {
		if slices.Contains(u.lost, f) {
			out = append(out, fmt.Sprintf("%s: not stored by this directory; not synced", f))
		}
	}
	if u.custom {
		out = append(out, "custom fields: not stored by this directory; not synced")
	}
	return out
}
