// Package catalogue owns what is taught: the methodologies, their online
// courses of (usually) five weeks, the lessons of each week in order with
// their files and captions, and the rule for when a course is complete
// enough to publish (publish.go). Who may see or edit a course is decided
// here too (access.go): drafts belong to their author and the team,
// published and archived courses are public without their lessons' text.
// Their outlines are cached on each replica for a second (outline_cache.go),
// and the reads other domains make on a learner's every request (a lesson
// without its text, lesson and test counts) answer from that cache
// (cached_reads.go).
//
// A course is a draft, then published, then archived; none goes back.
// A published course takes corrections of a lesson's title, text, file and
// captions while its cohorts run, never of what shapes it (weeks, kinds,
// minutes, which lessons and tests), and keeps each correction in its
// history with who made it, when, and both values (corrections.go). The
// next edition is a draft copy of a course, copied_from naming it; a draft
// may be deleted, a published course whose cohorts have all ended archived
// (editions.go, lifecycle.go). A methodology's courses with their cohorts,
// newest first, are its run history.
//
// Running a course (cohorts, enrolment, pacing, progress) is the cohorts
// package's, whose cohorts the catalogue reads through the CohortReader it
// is built with; the knowledge tests are assessment's, which the catalogue
// consults through the TestCatalogue and copies and removes with a course
// through the TestBanks, in the catalogue's transaction.
package catalogue
