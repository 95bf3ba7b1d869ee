package devserver

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"go.temporal.io/api/enums/v1"
	namespacepb "go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/durationpb"
)

// namespaceRefresh is how often every service reloads namespaces (set in
// dynamicConfig). Changes made through the API are visible everywhere after
// it has passed.
const namespaceRefresh = time.Second

// prepareNamespace waits for the frontend, then brings an existing
// namespace in line with the options: retention at least Options.Retention, and any search attribute
// it lacks (a DB file from an older version). A namespace created by this
// start already has both.
func (s *Server) prepareNamespace(ctx context.Context) error {
	c, err := s.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()

	ns := s.opts.Namespace
	changed := false

	desc, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: ns})
	var notFound *serviceerror.NamespaceNotFound
	if errors.As(err, &notFound) {
		// On PostgreSQL the namespace is registered through the API, as
		// `temporal operator namespace create` does.
		if err := s.registerNamespace(ctx, c); err != nil {
			return err
		}
		changed = true
		desc, err = c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: ns})
	}
	if err != nil {
		return fmt.Errorf("describing namespace %q: %w", ns, err)
	}
	if desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration() < s.opts.Retention {
		_, err := c.WorkflowService().UpdateNamespace(ctx, &workflowservice.UpdateNamespaceRequest{
			Namespace: ns,
			Config: &namespacepb.NamespaceConfig{
				WorkflowExecutionRetentionTtl: durationpb.New(s.opts.Retention),
			},
		})
		if err != nil {
			return fmt.Errorf("setting the retention of namespace %q: %w", ns, err)
		}
		changed = true
	}

	missing, err := missingSearchAttributes(ctx, c, ns, s.opts.SearchAttributes)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		_, err := c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
			Namespace:        ns,
			SearchAttributes: missing,
		})
		if err != nil {
			return fmt.Errorf("adding search attributes %v to namespace %q: %w",
				slices.Sorted(maps.Keys(missing)), ns, err)
		}
		changed = true
	}

	if changed {
		// Let every service's namespace cache catch up, so the first
		// workflow started with a new search attribute is accepted.
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(namespaceRefresh + namespaceRefresh/2):
		}
	}
	return nil
}

// registerNamespace registers the namespace with the options' retention.
// One registered meanwhile by another process is taken as it is.
func (s *Server) registerNamespace(ctx context.Context, c client.Client) error {
	_, err := c.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace:                        s.opts.Namespace,
		WorkflowExecutionRetentionPeriod: durationpb.New(s.opts.Retention),
	})
	var exists *serviceerror.NamespaceAlreadyExists
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("registering namespace %q: %w", s.opts.Namespace, err)
	}
	// Describing it may fail until the frontend's namespace cache has it.
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(namespaceRefresh + namespaceRefresh/2):
	}
	return nil
}

// dial connects to the frontend, retrying until it answers a health check.
func (s *Server) dial(ctx context.Context) (client.Client, error) {
	var lastErr error
	for {
		c, err := client.DialContext(ctx, client.Options{
			HostPort:  s.frontend,
			Namespace: s.opts.Namespace,
			Logger:    newSDKLogger(s.opts.Logger),
		})
		if err == nil {
			if _, err = c.CheckHealth(ctx, &client.CheckHealthRequest{}); err == nil {
				return c, nil
			}
			c.Close()
		}
		lastErr = err
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("the Temporal frontend at %s did not answer: %w", s.frontend, lastErr)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// missingSearchAttributes returns the wanted search attributes the
// namespace does not have yet. A name that exists with another type, or
// that is a system attribute, is an error.
func missingSearchAttributes(
	ctx context.Context, c client.Client, ns string, want map[string]enums.IndexedValueType,
) (map[string]enums.IndexedValueType, error) {
	if len(want) == 0 {
		return nil, nil
	}
	have, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
	if err != nil {
		return nil, fmt.Errorf("listing the search attributes of namespace %q: %w", ns, err)
	}
	missing := map[string]enums.IndexedValueType{}
	for name, typ := range want {
		if _, ok := have.GetSystemAttributes()[name]; ok {
			return nil, fmt.Errorf("search attribute %q is a system attribute", name)
		}
		got, ok := have.GetCustomAttributes()[name]
		switch {
		case !ok:
			missing[name] = typ
		case got != typ:
			return nil, fmt.Errorf("search attribute %q exists in namespace %q as %s, not %s",
				name, ns, searchAttributeTypeName(got), searchAttributeTypeName(typ))
		}
	}
	return missing, nil
}
