// Package activities holds every side effect of a sync — reading the HRIS,
// planning, writing the directory, committing the report — as methods on one
// Activities struct that carries their dependencies. Records move through
// the store; inputs and results carry only IDs, counts and small summaries.
package activities

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/internal/keys"
	"github.com/hrsync/hrsync/internal/metrics"
	"github.com/hrsync/hrsync/notify"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
)

// Connectors builds the connector an endpoint names.
type Connectors interface {
	// Source returns a client for integrationID's HRIS at e; the
	// integration must be allowed to send e's credential there.
	Source(integrationID string, e integration.Endpoint) (connectors.Source, error)
	// Target returns a client for integrationID's directory at e, likewise.
	Target(integrationID string, e integration.Endpoint) (connectors.Target, error)
	// Fields says which catalogue fields a source of kind supplies; false
	// means it cannot say in advance.
	Fields(kind string) (map[roster.Field]string, bool)
}

// Activities is registered once per worker; any state the activities share is
// held here.
type Activities struct {
	// Store keeps snapshots, plans and reports.
	Store *store.Store
	// Connectors builds source and target clients.
	Connectors Connectors
	// Notifier tells administrators about blocked syncs; nil means one with
	// default settings.
	Notifier *notify.Notifier
	// IdentityKeys make the keyed digests kept in place of identity values
	// the privacy check compares but the sync does not send; nil keeps
	// none, and such values are not compared.
	IdentityKeys *keys.Keyring
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Users says which integrations use each credential, so removing one
	// integration never deletes a credential another still names; nil
	// keeps every credential.
	Users CredentialUsers
	// Retries says what a delayed sync's failing step waits for; nil
	// leaves it out of the notice.
	Retries Retries
	// WebUI links notices to the run in the Temporal Web UI: its base URL
	// and the namespace the workflows run in. An empty URL sends no link.
	WebUI WebUI
	// Metrics counts what the activities do — changes applied and failed,
	// problems found; nil counts nothing.
	Metrics *metrics.Metrics
}

// WebUI is where administrators open a run in the Temporal Web UI.
type WebUI struct {
	// URL is the Web UI's base URL, such as https://temporal.acme.example.
	URL string
	// Namespace is the Temporal namespace hrsync's workflows run in.
	Namespace string
}

// Link is the Web UI page of workflowID, "" without a base URL.
func (u WebUI) Link(workflowID string) string {
	if u.URL == "" || workflowID == "" {
		return ""
	}
	return strings.TrimSuffix(u.URL, "/") + "/namespaces/" + url.PathEscape(cmp.Or(u.Namespace, "default")) +
		"/workflows/" + url.PathEscape(workflowID)
}

// CredentialUsers says which running integrations name each credential
// reference ("store:<id>"), as operator.Operator does.
type CredentialUsers interface {
	CredentialUsers(ctx context.Context) (map[string][]string, error)
}

func (a *Activities) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

func (a *Activities) source(integrationID string, e integration.Endpoint) (connectors.Source, error) {
	src, err := a.Connectors.Source(integrationID, e)
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("unable to build %s source: %w", e.Kind, err))
	}
	return src, nil
}

func (a *Activities) target(integrationID string, e integration.Endpoint) (connectors.Target, error) {
	tgt, err := a.Connectors.Target(integrationID, e)
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("unable to build %s target: %w", e.Kind, err))
	}
	return tgt, nil
}

// maxDirectoryUsers bounds the users a directory may list: past it, its
// paging loops.
var maxDirectoryUsers = 2_000_000

// listDirectory reads every user of the target, page by page, and names
// each user's manager by HRIS id, however the directory references it.
//
// A directory whose paging loops is stopped, permanently, since no retry
// mends it: one that names a cursor it named before, sends two pages in a
// row of only users already listed, sends more than maxDirectoryUsers, or
// more than maxEmptyPages empty pages in a row. A user listed again (an
// offset moved by a user created meanwhile) is kept once.
func listDirectory(ctx context.Context, tgt connectors.Target) ([]roster.User, error) {
	var users []roster.User
	cursor := ""
	seen := map[string]bool{}
	listed := map[string]bool{}
	repeats, empty := 0, 0
	for n := 1; ; n++ {
		page, err := retryRead(ctx, retries, func() (connectors.UserPage, error) { return tgt.ListUsers(ctx, cursor) })
		if err != nil {
			return nil, fmt.Errorf("unable to list directory users: %w", err)
		}
		fresh := 0
		for _, u := range page.Users {
			if u.TargetID != "" && listed[u.TargetID] {
				continue
			}
			if u.TargetID != "" {
				listed[u.TargetID] = true
			}
			users = append(users, u)
			fresh++
		}
		if len(users) > maxDirectoryUsers {
			return nil, connectors.Permanent(fmt.Errorf("the directory listed more than %d users: its paging loops; page %d",
				maxDirectoryUsers, n))
		}
		if page.Next == "" {
			break
		}
		switch {
		case len(page.Users) == 0:
			if empty++; empty > maxEmptyPages {
				return nil, connectors.Permanent(fmt.Errorf("the directory sent %d empty pages in a row: its paging loops; page %d",
					empty, n))
			}
		case fresh == 0:
			empty = 0
			if repeats++; repeats > 1 {
				return nil, connectors.Permanent(fmt.Errorf("the directory listed the same users again: its paging loops; page %d", n))
			}
		default:
			empty, repeats = 0, 0
		}
		if seen[page.Next] || page.Next == cursor {
			return nil, connectors.Permanent(fmt.Errorf("the directory returned cursor %s twice: its paging loops; page %d",
				shown(page.Next), n))
		}
		seen[page.Next] = true
		cursor = page.Next
	}
	external := make(map[string]string, len(users))
	for _, u := range users {
		external[u.TargetID] = u.Employee.ID
	}
	for i, u := range users {
		if u.ManagerTargetID != "" {
			users[i].Employee.ManagerID = external[u.ManagerTargetID]
		}
	}
	return users, nil
}
