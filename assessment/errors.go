package assessment

import "errors"

var (
	ErrNotFound         = errors.New("assessment: not found")
	ErrMaxAttempts      = errors.New("assessment: no attempts left")
	ErrTestClosed       = errors.New("assessment: the cohort has ended; tests are closed")
	ErrAttemptSubmitted = errors.New("assessment: the attempt was already submitted")
	ErrAttemptExpired   = errors.New("assessment: the attempt's time ran out")
)

// ErrAttemptInProgress is what an *AttemptInProgressError is (errors.Is).
var ErrAttemptInProgress = errors.New("assessment: an attempt of this test is still open")

// AttemptInProgressError carries the learner's open attempt of the test
// they tried to start again.
type AttemptInProgressError struct{ Open OpenAttempt }

func (e *AttemptInProgressError) Error() string {
	return ErrAttemptInProgress.Error() + ": " + e.Open.ID
}

func (e *AttemptInProgressError) Unwrap() error { return ErrAttemptInProgress }
