package operator

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
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
