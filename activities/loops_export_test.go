package activities

import "testing"

// LimitFetchRecords makes a fetch fail past n records until t ends.
func LimitFetchRecords(t testing.TB, n int) {
	t.Helper()
	old := maxFetchRecords
	maxFetchRecords = n
	t.Cleanup(func() { maxFetchRecords = old })
}

// LimitDirectoryUsers makes listing a directory fail past n users until t
// ends.
func LimitDirectoryUsers(t testing.TB, n int) {
	t.Helper()
	old := maxDirectoryUsers
	maxDirectoryUsers = n
	t.Cleanup(func() { maxDirectoryUsers = old })
}

// ListDirectory is listDirectory.
var ListDirectory = listDirectory
