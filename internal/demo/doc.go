// Package demo adds a small demonstration programme to an empty platform:
// a methodology with a published two-week online course (a captioned
// video lecture, a reading and a case story, a final test) whose cohort
// started eight days ago and takes enrolments, and an in-person programme
// open for applications. `make run` turns it on (MOOC_DEMO=true), so that
// a newcomer can go from registration to a certificate at once; the web
// pages' tests use the same content.
//
// Everything is added through the domain services, by an author account
// of its own (demo-autors@example.invalid) with a random password nobody
// knows: the demonstration follows every rule real content does.
package demo
