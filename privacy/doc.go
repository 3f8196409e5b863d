// Package privacy answers for what the platform holds about a person, as
// the GDPR asks: the export of all of it (article 15, GET /me/data) and
// the closing of an account with its personal data erased (article 17,
// DELETE /me). Each domain tells what it holds and forgets its part; this
// package puts the parts together, and does the closing in one
// transaction, so an account is never half closed.
//
// What stays after closing, and why: the account's row, emptied of name,
// address, workplace and password, so that enrolments, attempts,
// attendance and certificates still point somewhere; certificates keep
// the holder's name as printed, because the programme must keep them and
// an employer must still be able to verify one; the audit log keeps its
// entries, which name people by id only; feedback survey responses stay
// in the results, since they never named anyone (the markers that tied
// the person to a survey go).
package privacy
