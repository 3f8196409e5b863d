// Package idempotency owns safe retries of the requests that take a seat,
// issue a certificate or finish an upload: the Idempotency-Key request
// header of the IETF draft "The Idempotency-Key HTTP Header Field"
// (draft-ietf-httpapi-idempotency-key-header).
//
// A key belongs to the user who sent it. The first request with a key is
// processed and its reply (status, Content-Type, Location, body) kept for
// 24 hours; a retry of the same request (its fingerprint: SHA-256 of the
// method, the path and the body) gets that reply again, the same key with
// another request is refused (ErrKeyReused), and a retry while the first
// is still being processed is told so (ErrInFlight). Replies of 5xx are not
// kept, so the client may retry them; 4xx replies are, as the draft lets a
// server choose, so that a retry never turns a refusal into a success the
// client did not see coming.
//
// The records are in the database, because the replicas behind a load
// balancer share nothing else: one conditional insert decides which request
// processes a key, never a read followed by a write. A record left in
// progress by a replica that died mid-request is taken over once its lease
// has run out, and a record older than 24 hours is forgotten, at its next
// use or by the sweep (RunSweeper), whichever comes first.
package idempotency
