package surveys

import (
	"context"
	"errors"

	"mooc/accounts"
	"mooc/cohorts"
)

// Form is what a learner's survey page shows: the questions, whether the
// enrolment may answer them yet (its certificate earned), and whether it
// has.
type Form struct {
	Questions []Question
	Eligible  bool
	Answered  bool
}

// EnrolmentForm returns the survey of the course of the caller's own
// enrolment. Errors: ErrNotFound (no such enrolment of the caller's, or no
// survey).
func (s *Service) EnrolmentForm(ctx context.Context, caller accounts.Principal, enrolmentID string) (Form, error) {
	e, err := s.enrolments.Enrolment(ctx, caller, enrolmentID)
	if errors.Is(err, cohorts.ErrNotFound) || (err == nil && e.UserID != caller.UserID) {
		return Form{}, ErrNotFound
	}
	if err != nil {
		return Form{}, err
	}
	row, err := s.store.survey(ctx, byCourse, e.CourseID, false)
	if err != nil {
		return Form{}, err
	}
	questions, err := row.questions()
	if err != nil {
		return Form{}, err
	}
	answered, err := s.store.answered(ctx, row.ID, e.ID)
	if err != nil {
		return Form{}, err
	}
	return Form{Questions: questions, Eligible: e.Progress != nil && e.Progress.CertificateEligible, Answered: answered}, nil
}
