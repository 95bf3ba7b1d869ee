// Package demotest runs the two demo systems hrsync syncs between: an HRIS
// (the source of employees) and a Directory (the people platform kept in step
// with it). Both are real HTTP servers with a small JSON API, so dev mode and
// tests exercise the same client code a real vendor would. Given a state path
// they persist to a JSON file, so a restarted dev mode finds its data again.
package demotest
