package activities

import "testing"

// LimitFetchRecords makes a fetch fail past n records until t ends.
func LimitFetchRecords(t testing.TB, n int) {
	t.Helper()
	old := maxFetchRecords
	maxFetchRecords = n
	t.Cleanup(func() { maxFetchRecords = old })
}
