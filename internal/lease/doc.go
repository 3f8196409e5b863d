// Package lease is how a replica holds background work that others could
// take: a claim lasts Term and is renewed every Renew by a heartbeat
// goroutine while the work runs, so a replica that dies mid-job loses its
// claim within Term and another replica's next poll takes the work over.
// The rows and the statements that claim and renew belong to the domains
// (certificate jobs, the outbox); this package holds the timing they share,
// the heartbeat, and the log lines an operator follows a job by.
package lease
