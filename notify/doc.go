// Package notify delivers the e-mails the platform sends: the Latvian
// texts of each template, and the sender that claims due messages from the
// outbox (package notify/outbox, where domains queue them inside their
// own transactions, so a message exists exactly when its change committed
// and a crash loses none), delivers them over SMTP (or to the log when no
// SMTP server is configured) and marks them sent.
package notify
