package merge

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/hrsync/hrsync/connectors"
)

// Short names for the fetch signature in tests.
type (
	contextT = context.Context
	pageT    = connectors.Page
)

// rawJSON turns each text into a json.RawMessage.
func rawJSON(t *testing.T, texts ...string) []json.RawMessage {
	t.Helper()
	out := make([]json.RawMessage, len(texts))
	for i, s := range texts {
		if !json.Valid([]byte(s)) {
			t.Fatalf("invalid JSON %s", s)
		}
		out[i] = json.RawMessage(s)
	}
	return out
}
