package merge

import (
	"context"

	"github.com/hrsync/hrsync/connectors"
)

// Short names for the fetch signature in tests.
type (
	contextT = context.Context
	pageT    = connectors.Page
)
