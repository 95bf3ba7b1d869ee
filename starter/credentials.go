package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/hrsync/hrsync/connectors/registry"
	"github.com/hrsync/hrsync/credentials"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/store"
)

// tokenKind is the kind `starter connect justlogin` stores an OAuth token as.
const tokenKind = "oauth-token"

// checkRefs refuses credential references in cfg that cannot resolve: bad
// syntax, an unknown store, a dev secret dev mode does not make, or a
// store:<id> missing from the worker's store, of the wrong kind, or not
// bound to the hosts and integration cfg would send it to. env:NAME must be
// one a configuration may name (HRSYNC_SECRET_…); its value and hosts are
// the worker's to check, as its environment is not the starter's. With
// skipStore, store:<id> references are not looked up.
func (c *cli) checkRefs(ctx context.Context, file string, cfg integration.Config, skipStore bool) error {
	if err := registry.CheckConfigRefs(cfg); err != nil {
		return fmt.Errorf("invalid config %s:\n%w", file, err)
	}
	var stored []registry.Ref
	for _, r := range registry.ConfigRefs(cfg) {
		if _, ok := registry.StoredID(r.Ref); ok {
			stored = append(stored, r)
		}
	}
	if len(stored) == 0 || skipStore {
		return nil
	}
	st, err := c.openStore(ctx)
	if err != nil {
		return fmt.Errorf("unable to check that %s is stored: %w (or pass --skip-credential-check)", stored[0].Ref, err)
	}
	defer st.Close()
	var errs []error
	for _, r := range stored {
		id, _ := registry.StoredID(r.Ref)
		cred, err := st.GetCredential(ctx, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			errs = append(errs, fmt.Errorf("%s: %s is not in the worker's store; store it with `starter connect`", r.Field, r.Ref))
		case err != nil:
			return fmt.Errorf("unable to check %s: %w", r.Ref, err)
		case r.Token && cred.Kind != tokenKind:
			errs = append(errs, fmt.Errorf("%s: %s holds a %s, not an OAuth token from `starter connect justlogin`", r.Field, r.Ref, cred.Kind))
		case !r.Token && cred.Kind == tokenKind:
			errs = append(errs, fmt.Errorf("%s: %s holds an OAuth token; name it in oauth.tokenRef", r.Field, r.Ref))
		default:
			scope := credentials.Scope{Hosts: cred.Hosts, Integrations: cred.Integrations}
			if err := scope.Allows(r.Use); err != nil {
				errs = append(errs, fmt.Errorf("%s: %s cannot be used here: %w; bind it with `starter bind %s --host …`", r.Field, r.Ref, err, id))
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid config %s:\n%w", file, errors.Join(errs...))
	}
	return nil
}
