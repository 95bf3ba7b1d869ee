package merge

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/merge/mergetest"
)

// The fake's minute is compressed to one second: 20 requests per second
// stands for a plan of 1200 per minute, which the Source is told.
var compressed = mergetest.Options{Employees: 30, PageSize: 1, PerMinute: 20, Window: time.Second}

func TestLimiterKeepsAPullUnderThePlan(t *testing.T) {
	fake, base := serve(t, compressed)
	// 900 "per minute" runs at 810 per real minute, 13.5 per second.
	s := source(t, base, func(c *Config) { c.PerMinute, c.PageSize = 900, 1 })

	recs := pull(t, s.FetchPage)

	assert.Len(t, recs, 30)
	assert.Equal(t, 30, fake.Requests(), "one request per page, no retries")
	assert.Zero(t, fake.Throttled())
}

func TestWithoutTheLimiterTheFakeThrottles(t *testing.T) {
	fake, base := serve(t, compressed)
	s := source(t, base, func(c *Config) { c.PageSize = 1 }) // far above the fake's limit

	var err error
	cursor := ""
	for range 30 {
		var page connectors.Page
		if page, err = s.FetchPage(context.Background(), cursor); err != nil {
			break
		}
		cursor = page.Next
	}
	require.Error(t, err)
	assert.False(t, connectors.IsPermanent(err))
	assert.Positive(t, connectors.RetryAfter(err))
	assert.Positive(t, fake.Throttled())
}
