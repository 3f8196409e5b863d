// Package audit keeps the log of the team's actions: role changes,
// certificate revocations, changes to a cohort's capacity or window,
// allocations and acceptances of programme places, attendance, exports of
// personal data and account closures. Each entry names the actor, the
// time, the target and the person it concerns, so the team can answer
// "who did this" and a person's own entries can be given back to them.
//
// The domain that performs an action records it, in the transaction that
// performs it, so an action is never kept without its entry nor an entry
// without its action. The actor travels in the context (WithActor, set
// where a request's caller is established), as the transaction does:
// both belong to the request, not to the services' signatures.
package audit
