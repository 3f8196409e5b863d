// Package accounts owns people and what they may do: registration with
// verification of the e-mail address (and the privacy notice agreed to),
// login with throttling of failed attempts per e-mail and client address
// together and per address, the password rules (length, the breached and
// common list, no password made of the person's address or names),
// password change and reset by e-mailed link, access tokens and the ending
// of sessions (logout, password change or reset, closed accounts) on every
// replica, a person's own profile and choice of announcements, the
// emptying of a closed account, roles (learner, author, team, mentor; never no
// team account at all) and the bootstrap team account.
package accounts
