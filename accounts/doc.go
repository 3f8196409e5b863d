// Package accounts owns people and what they may do: registration, login
// with throttling of failed attempts, access tokens, roles (learner, author,
// team) and the bootstrap team account.
package accounts
