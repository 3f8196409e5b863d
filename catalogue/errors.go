package catalogue

import (
	"errors"

	"mooc/internal/validation"
)

var (
	ErrNotFound          = errors.New("catalogue: not found")
	ErrForbidden         = errors.New("catalogue: not allowed to change this course")
	ErrCoursePublished   = errors.New("catalogue: the course is published and can no longer change")
	ErrNotPublished      = errors.New("catalogue: the course is not published")
	ErrMethodologyAbsent = errors.New("catalogue: no such methodology")
	// ErrStructureFixed refuses a change to what shapes a published course
	// (a lesson's week, kind or minutes), which corrections may not touch.
	ErrStructureFixed = errors.New("catalogue: the course is published; only corrections of a lesson's title, text, file and captions are taken")
	// ErrCourseArchived refuses every change to an archived course and new
	// cohorts of it: it is a past edition, kept as it ran.
	ErrCourseArchived = errors.New("catalogue: the course is archived")
	// ErrPublishedKept refuses to delete a published or archived course:
	// its cohorts, certificates and history point at it.
	ErrPublishedKept = errors.New("catalogue: a published course is kept; archive it instead")
	// ErrCohortRunning refuses to archive a course with a cohort that has
	// not ended (running, or still to start).
	ErrCohortRunning = errors.New("catalogue: a cohort of the course has not ended")
	// ErrCourseInUse refuses to delete a draft that other records still
	// name (people waiting to hear of its cohorts, say).
	ErrCourseInUse = errors.New("catalogue: the course is still referred to")
)

// IncompleteError lists every gap that keeps a course from publishing,
// each named by the field or part of the outline it concerns.
type IncompleteError struct {
	Gaps []validation.FieldError
}

func (e *IncompleteError) Error() string { return "catalogue: course incomplete" }
