package assessment

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/cohorts"
	"mooc/internal/validation"
)

// Submit grades an attempt once, for the learner of an active enrolment. A
// question scores its points only when the chosen options are exactly the
// correct ones. Errors: ErrNotFound, cohorts.ErrEnrolmentInactive,
// ErrAttemptSubmitted, ErrAttemptExpired, *validation.Error (answers naming
// questions or options outside the attempt).
//
// A whole cohort submits its final test within seconds, so this is one read
// and, on PostgreSQL, one write. The read needs no transaction: what it
// reads is fixed when the attempt starts, except submitted_at, which the
// write claims again conditionally, so of two concurrent submissions
// exactly one records anything. The enrolment's status is read with the
// rest; a withdrawal that commits between the read and the write lands
// after the submission, as if the learner had submitted first.
func (s *Service) Submit(ctx context.Context, caller accounts.Principal, attemptID string, sub Submission) (Result, error) {
	if err := validation.Struct(sub); err != nil {
		return Result{}, err
	}
	if uuid.Validate(attemptID) != nil {
		return Result{}, ErrNotFound
	}
	a, err := s.store.gradingSheet(ctx, attemptID)
	if err != nil {
		return Result{}, err
	}
	if a.userID != caller.UserID {
		return Result{}, ErrNotFound
	}
	if a.status != cohorts.Enrolled {
		return Result{}, cohorts.ErrEnrolmentInactive
	}
	if a.submitted {
		return Result{}, ErrAttemptSubmitted
	}
	now := s.now().UTC()
	if expired(a.expiresAt, now) {
		return Result{}, ErrAttemptExpired
	}
	if err := readAnswers(sub, a.questions); err != nil {
		return Result{}, err
	}
	g := Result{SubmittedAt: now}
	for i := range a.questions {
		q := &a.questions[i]
		g.MaxScore += q.points
		if q.right = q.isRight(); q.right {
			g.Score += q.points
		}
	}
	if g.MaxScore > 0 {
		g.Percent = g.Score * 100 / g.MaxScore
	}
	g.Passed = g.Score*100 >= a.passPercent*g.MaxScore
	won, err := s.store.submissions.record(ctx, attemptID, g, a.questions)
	if err != nil {
		return Result{}, err
	}
	if !won {
		return Result{}, ErrAttemptSubmitted
	}
	return g, nil
}

// readAnswers checks that answers name only the attempt's questions, each
// once, and only options of those questions, and records each question's
// choice, sorted and deduplicated.
func readAnswers(sub Submission, asked []gradedQuestion) error {
	var index map[string]int
	if len(asked) > 8 {
		index = make(map[string]int, len(asked))
		for i, q := range asked {
			index[q.questionID] = i
		}
	}
	find := func(id string) int {
		if index != nil {
			if i, ok := index[id]; ok {
				return i
			}
			return -1
		}
		for i, q := range asked {
			if q.questionID == id {
				return i
			}
		}
		return -1
	}
	var errs []validation.FieldError
	var picked []string
	for i, ans := range sub.Answers {
		at := find(ans.QuestionID)
		switch {
		case at < 0:
			errs = append(errs, validation.Field(answerField(i, "question_id"), "not a question of this attempt"))
			continue
		case asked[at].answered:
			errs = append(errs, validation.Field(answerField(i, "question_id"), "answered twice"))
			continue
		}
		q := &asked[at]
		q.answered = true
		picked = picked[:0]
		for j, id := range ans.OptionIDs {
			if !listed(q.optionOrder, id) {
				errs = append(errs, validation.Field(answerField(i, "option_ids["+strconv.Itoa(j)+"]"), "not an option of this question"))
			} else if !slices.Contains(picked, id) {
				picked = append(picked, id)
			}
		}
		slices.Sort(picked)
		q.chosen = strings.Join(picked, ",")
		q.picked = len(picked)
	}
	if len(errs) > 0 {
		return validation.Fail(errs...)
	}
	return nil
}

func answerField(i int, name string) string {
	return "answers[" + strconv.Itoa(i) + "]." + name
}

// listed reports whether id is an element of a comma-separated list.
func listed(list, id string) bool {
	if id == "" {
		return false
	}
	for item := range strings.SplitSeq(list, ",") {
		if item == id {
			return true
		}
	}
	return false
}
