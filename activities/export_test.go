package activities

// FetchProgress lets the external tests (package activities_test, which can
// import the connector registry without an import cycle) hand Fetch the
// heartbeat a crashed attempt left behind.
type FetchProgress = fetchProgress
