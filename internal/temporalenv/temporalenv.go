// Package temporalenv reads how to reach Temporal from the standard
// TEMPORAL_* environment variables and dials a client with hrsync's logger.
package temporalenv

import (
	"context"
	"fmt"
	"os"
	"time"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/hrsync/hrsync/internal/logging"
)

// Defaults when the environment sets nothing.
const (
	DefaultAddress   = "127.0.0.1:7233"
	DefaultNamespace = "default"
)

// Connection says which Temporal service and namespace to use.
type Connection struct {
	// Address is TEMPORAL_ADDRESS, host:port of the frontend.
	Address string
	// Namespace is TEMPORAL_NAMESPACE.
	Namespace string
}

// FromEnv reads TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE, with defaults.
func FromEnv() Connection {
	c := Connection{Address: os.Getenv("TEMPORAL_ADDRESS"), Namespace: os.Getenv("TEMPORAL_NAMESPACE")}
	if c.Address == "" {
		c.Address = DefaultAddress
	}
	if c.Namespace == "" {
		c.Namespace = DefaultNamespace
	}
	return c
}

// Dial connects to Temporal and checks that the frontend answers.
func (c Connection) Dial(ctx context.Context, logger *zap.Logger) (client.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cl, err := client.DialContext(ctx, client.Options{
		HostPort:  c.Address,
		Namespace: c.Namespace,
		Logger:    logging.NewTemporal(logger),
	})
	if err != nil {
		return nil, fmt.Errorf("unable to reach Temporal at %s (set TEMPORAL_ADDRESS, or run `go run ./worker --dev`): %w", c.Address, err)
	}
	return cl, nil
}
