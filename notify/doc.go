// Package notify owns the e-mails the platform sends: a transactional
// outbox that domains write to inside their own transactions (so a message
// exists exactly when its change committed, and a crash loses none), the
// Latvian texts, and the worker that delivers queued messages over SMTP
// (or to the log when no SMTP server is configured) and marks them sent.
package notify
