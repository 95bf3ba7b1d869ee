// Package activities holds every side effect of a sync — reading the HRIS,
// planning, writing the directory, committing the report — as methods on one
// Activities struct that carries their dependencies. Records move through
// the store; inputs and results carry only IDs, counts and small summaries.
package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/internal/keys"
	"github.com/hrsync/hrsync/notify"
	"github.com/hrsync/hrsync/roster"
	"github.com/hrsync/hrsync/store"
)

// Connectors builds the connector an endpoint names.
type Connectors interface {
	// Source returns a client for the HRIS at e.
	Source(e integration.Endpoint) (connectors.Source, error)
	// Target returns a client for the directory at e.
	Target(e integration.Endpoint) (connectors.Target, error)
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

func (a *Activities) source(e integration.Endpoint) (connectors.Source, error) {
	src, err := a.Connectors.Source(e)
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("unable to build %s source: %w", e.Kind, err))
	}
	return src, nil
}

func (a *Activities) target(e integration.Endpoint) (connectors.Target, error) {
	tgt, err := a.Connectors.Target(e)
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("unable to build %s target: %w", e.Kind, err))
	}
	return tgt, nil
}

// listDirectory reads every user of the target, page by page, and names
// each user's manager by HRIS id, however the directory references it.
func listDirectory(ctx context.Context, tgt connectors.Target) ([]roster.User, error) {
	var users []roster.User
	cursor := ""
	for {
		page, err := retryRead(ctx, retries, func() (connectors.UserPage, error) { return tgt.ListUsers(ctx, cursor) })
		if err != nil {
			return nil, fmt.Errorf("unable to list directory users: %w", err)
		}
		users = append(users, page.Users...)
		if page.Next == "" {
			break
		}
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
