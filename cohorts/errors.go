package cohorts

import "errors"

var (
	ErrNotFound              = errors.New("cohorts: not found")
	ErrEnrolmentClosed       = errors.New("cohorts: enrolment is not open")
	ErrCohortEnded           = errors.New("cohorts: the cohort has ended")
	ErrCapacityBelowEnrolled = errors.New("cohorts: capacity below the number enrolled")
	ErrWeekLocked            = errors.New("cohorts: this week has not started yet")
	ErrEnrolmentInactive     = errors.New("cohorts: the enrolment is not active")
	ErrNoMedia               = errors.New("cohorts: the lesson has no file to play")
)

// AlreadyEnrolledError carries the learner's existing active enrolment.
type AlreadyEnrolledError struct{ Existing Enrolment }

func (e *AlreadyEnrolledError) Error() string { return "cohorts: already enrolled in this course" }
