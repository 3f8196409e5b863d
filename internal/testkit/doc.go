// Package testkit holds the helpers that the tests of several packages
// share: cheap password hashing, signing people up through the accounts
// service, reading a PDF back as text and checking its signatures
// (pdfsig.go), a clock a test moves and a gate that holds a slow
// dependency (clock.go), and the records a logger wrote (logs.go). Only
// _test.go files import it; the service itself never does.
package testkit
