// Package notify delivers the e-mails the platform sends: the Latvian
// texts of each template, and the sender that claims due messages from the
// outbox (package notify/outbox, where domains queue them inside their
// own transactions, so a message exists exactly when its change committed
// and a crash loses none), delivers them over SMTP (or to the log when no
// SMTP server is configured) and marks them sent. A message being sent is
// leased to its replica for 20 seconds and the lease renewed while the
// relay takes its time (internal/lease), so a slow relay causes no second
// delivery and a dead replica's message is sent by another within half a
// minute.
package notify
