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
)

// IncompleteError lists every gap that keeps a course from publishing,
// each named by the field or part of the outline it concerns.
type IncompleteError struct {
	Gaps []validation.FieldError
}

func (e *IncompleteError) Error() string { return "catalogue: course incomplete" }
