package courses

import (
	"errors"

	"mooc/internal/database"
)

var (
	ErrNotFound          = errors.New("courses: not found")
	ErrForbidden         = errors.New("courses: not allowed to change this course")
	ErrCoursePublished   = errors.New("courses: the course is published and can no longer change")
	ErrNotPublished      = errors.New("courses: the course is not published")
	ErrMethodologyAbsent = errors.New("courses: no such methodology")
)

// IncompleteError lists every gap that keeps a course from publishing.
type IncompleteError struct {
	Gaps []Gap
}

// Gap is one reason a course cannot be published, named by the field or
// part of the outline it concerns.
type Gap struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e *IncompleteError) Error() string { return "courses: course incomplete" }

var (
	ErrEnrolmentClosed       = errors.New("courses: enrolment is not open")
	ErrCapacityBelowEnrolled = errors.New("courses: capacity below the number enrolled")
	ErrWeekLocked            = errors.New("courses: this week has not started yet")
	ErrEnrolmentInactive     = errors.New("courses: the enrolment is not active")
	ErrNoMedia               = errors.New("courses: the lesson has no file to play")
)

// AlreadyEnrolledError carries the learner's existing active enrolment.
type AlreadyEnrolledError struct{ Existing Enrolment }

func (e *AlreadyEnrolledError) Error() string { return "courses: already enrolled in this course" }

func isDuplicate(err error) bool { return errors.Is(err, database.ErrDuplicate) }
