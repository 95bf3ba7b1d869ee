package scim

import (
	"context"
	"errors"
	"net/http"
	"sync"
)

// features is what the service provider's /ServiceProviderConfig says it
// supports (RFC 7643 §5).
type features struct {
	patch          bool
	etag           bool
	bulk           bool
	bulkMaxOps     int
	bulkMaxPayload int
	// maxResults is the most resources the provider returns in one
	// response (filter.maxResults); 0 when it does not say.
	maxResults int
}

// serviceProviderConfig is the part of the /ServiceProviderConfig resource
// hrsync uses.
type serviceProviderConfig struct {
	Patch struct {
		Supported bool `json:"supported"`
	} `json:"patch"`
	Bulk struct {
		Supported      bool `json:"supported"`
		MaxOperations  int  `json:"maxOperations"`
		MaxPayloadSize int  `json:"maxPayloadSize"`
	} `json:"bulk"`
	Etag struct {
		Supported bool `json:"supported"`
	} `json:"etag"`
	Filter struct {
		MaxResults int `json:"maxResults"`
	} `json:"filter"`
}

// featureCache fetches the features once, on first need, and keeps them; a
// failed fetch is not kept, so the next call tries again.
type featureCache struct {
	mu  sync.Mutex
	got *features
}

// features returns the service provider's features, fetching them on the
// first call. A provider without /ServiceProviderConfig (404) is taken to
// support none of the optional features, so hrsync falls back to PUT.
func (c *Client) features(ctx context.Context) (features, error) {
	c.feat.mu.Lock()
	defer c.feat.mu.Unlock()
	if f := c.feat.got; f != nil {
		return *f, nil
	}
	var spc serviceProviderConfig
	_, err := c.do(ctx, http.MethodGet, "/ServiceProviderConfig", nil, "", nil, &spc)
	var se *SCIMError
	if errors.As(err, &se) && se.Status == http.StatusNotFound {
		err, spc = nil, serviceProviderConfig{}
	}
	if err != nil {
		return features{}, err
	}
	f := &features{
		patch:          spc.Patch.Supported,
		etag:           spc.Etag.Supported,
		bulk:           spc.Bulk.Supported,
		bulkMaxOps:     max(spc.Bulk.MaxOperations, 0),
		bulkMaxPayload: max(spc.Bulk.MaxPayloadSize, 0),
		maxResults:     max(spc.Filter.MaxResults, 0),
	}
	c.feat.got = f
	return *f, nil
}

// set makes f the features, as if fetched.
func (fc *featureCache) set(f features) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	fc.got = &f
}
