package operator

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"

	"go.temporal.io/api/serviceerror"
	"golang.org/x/sync/errgroup"

	"github.com/hrsync/hrsync/connectors/registry"
	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/workflows"
)

// ErrCredentialInUse means a stored credential is still named by a running
// integration, so it must not be deleted.
var ErrCredentialInUse = errors.New("credential in use")

// queryParallelism bounds how many integrations CredentialUsers asks at once.
const queryParallelism = 8

// CredentialUsers maps every credential reference that a running
// integration's configuration names to the IDs of those integrations,
// sorted. Configurations live in the integrations' workflows, so each is
// asked; one that cannot answer makes the whole answer an error, since a
// credential it uses would otherwise look unused.
func (o *Operator) CredentialUsers(ctx context.Context) (map[string][]string, error) {
	execs, err := o.list(ctx, fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Running'",
		workflowTypeIntegration), math.MaxInt)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	users := map[string][]string{}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(queryParallelism)
	for _, e := range execs {
		id, ok := workflows.IntegrationIDFromWorkflowID(e.GetExecution().GetWorkflowId())
		if !ok {
			continue
		}
		g.Go(func() error {
			cfg, found, err := o.config(gctx, id)
			if err != nil || !found {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			for _, r := range registry.ConfigRefs(cfg) {
				if !slices.Contains(users[r.Ref], id) {
					users[r.Ref] = append(users[r.Ref], id)
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("unable to tell which integrations use which credentials: %w", err)
	}
	for _, ids := range users {
		slices.Sort(ids)
	}
	return users, nil
}

// config asks integration id for its configuration; found is false when
// the integration has gone since it was listed.
func (o *Operator) config(ctx context.Context, id string) (cfg integration.Config, found bool, err error) {
	v, err := o.c.QueryWorkflow(ctx, workflows.IntegrationWorkflowID(id), "", workflows.QueryStatus)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return cfg, false, nil
	}
	if err != nil {
		return cfg, false, fmt.Errorf("unable to query integration %s (is a worker running?): %w", id, err)
	}
	var st workflows.IntegrationStatus
	if err := v.Get(&st); err != nil {
		return cfg, false, fmt.Errorf("unable to decode status of %s: %w", id, err)
	}
	return st.Config, true, nil
}

// sharedCredentials returns the stored credentials (store:<id>) that
// integration id's refs name and other integrations use too, with those
// integrations, as users (from CredentialUsers) records them.
func sharedCredentials(id string, refs []registry.Ref, users map[string][]string) map[string][]string {
	shared := map[string][]string{}
	for _, r := range refs {
		if _, stored := registry.StoredID(r.Ref); !stored {
			continue
		}
		others := slices.DeleteFunc(slices.Clone(users[r.Ref]), func(u string) bool { return u == id })
		if len(others) > 0 {
			shared[r.Ref] = others
		}
	}
	return shared
}

// describeUsers renders refs and their users, as "store:a (used by x, y)".
func describeUsers(users map[string][]string) string {
	parts := make([]string, 0, len(users))
	for _, ref := range slices.Sorted(maps.Keys(users)) {
		parts = append(parts, fmt.Sprintf("%s (used by %s)", ref, strings.Join(users[ref], ", ")))
	}
	return strings.Join(parts, ", ")
}

// checkNotShared refuses when removing integration id would delete a
// stored credential another running integration uses: the worker's purge
// deletes every stored credential the removed integration names.
func (o *Operator) checkNotShared(ctx context.Context, id string, cfg integration.Config) error {
	refs := registry.ConfigRefs(cfg)
	if !slices.ContainsFunc(refs, func(r registry.Ref) bool { _, ok := registry.StoredID(r.Ref); return ok }) {
		return nil
	}
	users, err := o.CredentialUsers(ctx)
	if err != nil {
		return fmt.Errorf("remove refused: %w", err)
	}
	if shared := sharedCredentials(id, refs, users); len(shared) > 0 {
		return fmt.Errorf("remove refused: %w: removing integration %s would delete %s; "+
			"first point %s at credentials of its own (starter connect, then starter update)",
			ErrCredentialInUse, id, describeUsers(shared), id)
	}
	return nil
}
