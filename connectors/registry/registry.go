// Package registry builds the connector an integration's endpoint names. It
// is the one place that knows every connector package.
package registry

import (
	"fmt"
	"net/http"
	"time"

	"github.com/hrsync/hrsync/activities"
	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/demo"
	"github.com/hrsync/hrsync/integration"
)

// Registry builds source and target clients that share one HTTP client.
type Registry struct {
	http *http.Client
}

var _ activities.Connectors = (*Registry)(nil)

// New returns a Registry whose clients use hc; nil means a client with a
// 30-second timeout.
func New(hc *http.Client) *Registry {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &Registry{http: hc}
}

// Source returns a client for the HRIS endpoint e.
func (r *Registry) Source(e integration.Endpoint) (connectors.Source, error) {
	switch e.Kind {
	case "demo":
		return demo.NewSource(demo.SourceConfig{BaseURL: e.URL, HTTPClient: r.http}), nil
	}
	return nil, fmt.Errorf("no source connector of kind %q", e.Kind)
}

// Target returns a client for the directory endpoint e.
func (r *Registry) Target(e integration.Endpoint) (connectors.Target, error) {
	switch e.Kind {
	case "demo":
		return demo.NewTarget(demo.TargetConfig{BaseURL: e.URL, HTTPClient: r.http}), nil
	}
	return nil, fmt.Errorf("no target connector of kind %q", e.Kind)
}
