package surveys

import (
	"context"
	"errors"
	"slices"

	"github.com/google/uuid"

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
	return s.form(ctx, byCourse, e.CourseID, e.ID, e.Progress != nil && e.Progress.CertificateEligible)
}

// form is the survey of a course or programme as subjectID (an enrolment
// or application) sees it.
func (s *Service) form(ctx context.Context, column, ownerID, subjectID string, eligible bool) (Form, error) {
	row, err := s.store.survey(ctx, column, ownerID, false)
	if err != nil {
		return Form{}, err
	}
	questions, err := row.questions()
	if err != nil {
		return Form{}, err
	}
	answered, err := s.store.answered(ctx, row.ID, subjectID)
	if err != nil {
		return Form{}, err
	}
	return Form{Questions: questions, Eligible: eligible, Answered: answered}, nil
}

// ProgrammeForm returns the programme's survey for the caller, a
// participant (their application holds a seat). Errors:
// programmes.ErrNotFound, programmes.ErrNotParticipant, ErrNotFound (no
// survey).
func (s *Service) ProgrammeForm(ctx context.Context, caller accounts.Principal, programmeID string) (Form, error) {
	p, err := s.programmes.ParticipationOf(ctx, programmeID, caller.UserID)
	if err != nil {
		return Form{}, err
	}
	return s.form(ctx, byProgramme, programmeID, p.ApplicationID, p.Completed)
}

// Current is a survey as its editors see it: its questions, and how many
// responses it has (with any, the questions no longer change).
type Current struct {
	Survey
	Responses int
}

// Locked reports whether the questions can no longer change.
func (c Current) Locked() bool { return c.Responses > 0 }

// CourseSurvey returns a course's survey for its editors (its author, the
// team). Errors: catalogue.ErrNotFound, catalogue.ErrForbidden,
// ErrNotFound (no survey yet).
func (s *Service) CourseSurvey(ctx context.Context, caller accounts.Principal, courseID string) (Current, error) {
	if _, err := s.courses.Editable(ctx, caller, courseID); err != nil {
		return Current{}, err
	}
	c, err := s.current(ctx, byCourse, courseID)
	c.CourseID = courseID
	return c, err
}

// ProgrammeSurvey returns a programme's survey for the team. Errors:
// programmes.ErrNotFound, ErrNotFound (no survey yet).
func (s *Service) ProgrammeSurvey(ctx context.Context, programmeID string) (Current, error) {
	if _, err := s.programmes.Programme(ctx, programmeID); err != nil {
		return Current{}, err
	}
	c, err := s.current(ctx, byProgramme, programmeID)
	c.ProgrammeID = programmeID
	return c, err
}

func (s *Service) current(ctx context.Context, column, ownerID string) (Current, error) {
	row, err := s.store.survey(ctx, column, ownerID, false)
	if err != nil {
		return Current{}, err
	}
	questions, err := row.questions()
	if err != nil {
		return Current{}, err
	}
	n, err := s.store.responses(ctx, row.ID, "")
	if err != nil {
		return Current{}, err
	}
	return Current{Survey: Survey{Questions: questions, UpdatedAt: row.UpdatedAt}, Responses: n}, nil
}

// NewQuestionID returns an id for a question added to a survey, unlike any
// of taken (the survey's other questions): a question keeps its id while
// it is reordered or others are removed, so a new one needs its own.
func NewQuestionID(taken []Question) string {
	for {
		id := "q-" + uuid.NewString()[:8]
		if !slices.ContainsFunc(taken, func(q Question) bool { return q.ID == id }) {
			return id
		}
	}
}
