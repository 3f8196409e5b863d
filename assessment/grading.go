package assessment

import (
	"strings"
	"time"
)

// gradingSheet is what Submit needs of an attempt: whose it is, the status
// of its enrolment, its clock, the pass mark and each asked question with
// its correct options.
type gradingSheet struct {
	userID      string
	status      string // of the enrolment
	expiresAt   time.Time
	submitted   bool
	passPercent int
	questions   []gradedQuestion
}

type gradedQuestion struct {
	position    int
	questionID  string
	optionOrder string // the option ids as shown, comma-separated
	points      int
	correct     string // the correct option ids, comma-separated, in no order

	// the learner's answer, filled by readAnswers
	answered bool
	chosen   string // sorted, comma-separated
	picked   int
	right    bool
}

// isRight: the chosen options are exactly the correct ones. The chosen ids
// are distinct, so as many of them as there are correct ones, all correct,
// is the same set.
func (q *gradedQuestion) isRight() bool {
	want := 0
	if q.correct != "" {
		want = strings.Count(q.correct, ",") + 1
	}
	if q.picked != want {
		return false
	}
	if want == 0 {
		return true
	}
	for id := range strings.SplitSeq(q.chosen, ",") {
		if !listed(q.correct, id) {
			return false
		}
	}
	return true
}
