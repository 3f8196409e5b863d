package assessment

import "errors"

var (
	ErrNotFound         = errors.New("assessment: not found")
	ErrMaxAttempts      = errors.New("assessment: no attempts left")
	ErrTestClosed       = errors.New("assessment: the cohort has ended; tests are closed")
	ErrAttemptSubmitted = errors.New("assessment: the attempt was already submitted")
	ErrAttemptExpired   = errors.New("assessment: the attempt's time ran out")
)
