// Package accounts owns people and what they may do: registration with
// verification of the e-mail address, login with throttling of failed
// attempts, the password rules (length, the breached and common list, no
// password made of the person's address or names), password change and
// reset by e-mailed link, access tokens and the ending of sessions (logout,
// password change or reset, closed accounts) on every replica, roles
// (learner, author, team) and the bootstrap team account.
package accounts
