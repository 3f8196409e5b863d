// Package web is the platform's pages for people: the catalogue, accounts,
// a learner's course, lessons, tests and certificates, the in-person
// programmes and the public verification pages (of a code, and of a
// pasted verifiable credential). It is an adapter like
// package api, beside it on the same Fiber app: each handler reads the
// request, calls the same domain services the JSON API calls, and renders
// an embedded html/template with a typed page struct. No rule lives here;
// a refusal is worded from the contract code api.Classify gives it, so a
// page and its JSON twin always agree.
//
// Pages are server-rendered and every form works without JavaScript. Two
// small scripts in static/ add what needs a script: the video player's
// progress reports and captions toggle (player.js), and the test
// countdown (countdown.js), with copy.js for the share link. The Content
// Security Policy allows scripts and styles from this origin only, with no
// inline code; media may also come from the object store's origin.
//
// Signing in sets an HttpOnly, SameSite=Lax cookie (Secure over https)
// holding an access token of the same revocable sessions the API hands
// out: logging out, a password change or closing the account ends it like
// a token. Every form carries a CSRF token that must equal the browser's
// CSRF cookie (double submit; SameSite=Lax already keeps other sites' POSTs
// from carrying the session).
//
// Texts come from the message catalogues messages/lv/*.json and
// messages/en/*.json, a file an area of the pages. Latvian is the default; English is chosen by the
// browser's Accept-Language or by the language switch (?lang=en), which a
// cookie remembers. Latvian dates and counts are written by package lv.
package web
