// Package catalogue owns what is taught: the methodologies, their online
// courses of (usually) five weeks, the lessons of each week in order with
// their files and captions, and the rule for when a course is complete
// enough to publish (publish.go). Who may see or edit a course is decided
// here too (access.go): drafts belong to their author and the team,
// published courses are public without their lessons' text.
//
// Running a course (cohorts, enrolment, pacing, progress) is the cohorts
// package's; the knowledge tests are assessment's, which the catalogue
// consults through the TestCatalogue it is built with.
package catalogue
