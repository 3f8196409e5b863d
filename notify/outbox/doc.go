// Package outbox owns the table of e-mails waiting to be sent and every
// statement on it. Domains queue messages inside their own transactions,
// so a message exists exactly when the change it tells of committed; the
// notify package's sender claims due messages, delivers them and marks
// them sent. It is a package of its own so that a domain can queue a
// message (or embed the INSERT in one statement of its own) without
// depending on the sender, the texts or SMTP. A person's e-mails are part
// of their data export and are deleted when their account closes.
package outbox
