// Package lease is how a replica holds background work that others could
// take: a claim lasts Term and is renewed every Renew by a heartbeat
// goroutine while the work runs, so a replica that dies mid-job loses its
// claim within Term and another replica's next poll takes the work over.
// The rows and the statements that claim and renew belong to the domains
// (certificate jobs, the outbox); this package holds the timing they share,
// the heartbeat, and the log lines an operator follows a job by.
//
// Why not a queue library (River was weighed): it rescues a running job
// only after a fixed time since the job started (RescueStuckJobsAfter), not
// after its worker stopped renewing a lease, so a 30-second takeover would
// cap every job at 30 seconds, and a bulk issue for a large cohort runs
// longer; it keeps its own tables under its own migrator beside our goose
// history; and the work here already lives in rows of the domains' own
// (the outbox, part of a person's data export; certificate jobs, which the
// API reports), where a claim is one conditional UPDATE on both dialects.
package lease
