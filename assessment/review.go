package assessment

import (
	"time"

	"mooc/cohorts"
)

// The rules of an attempt's life, each in one place: StartAttempt, Submit
// and the review all ask these.

// grace is how long after expires_at a submission is still taken, for the
// network between the learner's last click and the server.
const grace = 30 * time.Second

// expired: the time for the attempt ran out, grace included; a submission
// is refused from then on.
func expired(expiresAt, now time.Time) bool { return now.After(expiresAt.Add(grace)) }

// open: the attempt can still be submitted. While one is open, no other
// attempt of the same test starts, and no review gives answers away.
func open(a attemptRow, now time.Time) bool {
	return a.SubmittedAt == nil && !expired(a.ExpiresAt, now)
}

// usedUp: the learner has started as many attempts as the test allows.
func usedUp(t testRow, started int) bool { return started >= t.MaxAttempts }

// closed: the cohort has ended, and with it its tests.
func closed(seat cohorts.Seat, now time.Time) bool { return !now.Before(seat.EndsAt) }

// revealAnswers tells whether a learner's review may carry the correct
// options and explanations: only once the learner can start no further
// attempt of the test (attempts used up, or the test closed) and has none
// open either, since an open attempt could still be submitted with what
// the review shows. attempts are all the learner's attempts of the test
// under this enrolment.
func revealAnswers(t testRow, seat cohorts.Seat, attempts []attemptRow, now time.Time) bool {
	for _, a := range attempts {
		if open(a, now) {
			return false
		}
	}
	return usedUp(t, len(attempts)) || closed(seat, now)
}
