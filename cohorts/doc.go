// Package cohorts owns the running of online courses: cohorts of at most
// 200 learners with their enrolment windows, enrolment and the waitlist
// (enrolment.go; a seat is claimed by one conditional statement, so no
// concurrency overbooks a cohort, and on PostgreSQL the claims of a burst
// share commits, claim_batch.go), the pacing of weeks (pacing.go), the
// learner's lessons, playback links and progress (learning.go), what an
// enrolment still lacks for its certificate (eligibility.go), the e-mails
// these events send and the announcement of opening cohorts (notices.go),
// the interest list of people waiting for a course's next cohort, the
// team's list of a cohort naming each person, filtered and sorted, whose
// downloads are logged as exports of personal data (list.go), and its
// part of a person's data: the export, and withdrawal when an account
// closes (personal.go).
//
// It reads courses and lessons from the catalogue and test results from
// assessment's records through the interfaces in service.go, and the
// people its lists name from accounts (People, list.go); it is built with
// all of them.
package cohorts
