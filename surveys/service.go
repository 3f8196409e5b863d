package surveys

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/catalogue"
	"mooc/cohorts"
	"mooc/internal/clock"
	"mooc/internal/database"
	"mooc/notify/outbox"
	"mooc/programmes"
)

// Courses is what surveys need of the catalogue: a course the caller may
// edit (its author, the team).
type Courses interface {
	Editable(ctx context.Context, caller accounts.Principal, courseID string) (catalogue.Course, error)
}

// Enrolments is what surveys need of cohorts: an enrolment with its
// progress, certificate eligibility included.
type Enrolments interface {
	Enrolment(ctx context.Context, caller accounts.Principal, id string) (cohorts.Enrolment, error)
}

// Programmes is what surveys need of the programmes domain.
type Programmes interface {
	Programme(ctx context.Context, id string) (programmes.Programme, error)
	ParticipationOf(ctx context.Context, programmeID, userID string) (programmes.Participation, error)
}

// Deps is what the service is built with; every field is required but Now.
type Deps struct {
	DB         *database.DB
	Courses    Courses
	Enrolments Enrolments
	Programmes Programmes
	// Outbox queues the invitations to answer (InviteCompleted).
	Outbox *outbox.Outbox
	// PublicURL is the base of the links in the invitations.
	PublicURL string
	Now       func() time.Time // the clock; time.Now when nil
}

// Service is the feedback surveys domain.
type Service struct {
	db         *database.DB
	store      store
	courses    Courses
	enrolments Enrolments
	programmes Programmes
	outbox     *outbox.Outbox
	publicURL  string
	now        func() time.Time
}

// New builds the service.
func New(d Deps) *Service {
	return &Service{db: d.DB, store: store{d.DB}, courses: d.Courses, enrolments: d.Enrolments, programmes: d.Programmes,
		outbox: d.Outbox, publicURL: d.PublicURL, now: clock.Or(d.Now)}
}

const (
	byCourse    = "course_id"
	byProgramme = "programme_id"
)

// SetCourseSurvey sets a course's questions (its author, the team).
// Errors: catalogue.ErrNotFound, catalogue.ErrForbidden, ErrAnswered,
// *validation.Error.
func (s *Service) SetCourseSurvey(ctx context.Context, caller accounts.Principal, courseID string, d Definition) (Survey, error) {
	if _, err := s.courses.Editable(ctx, caller, courseID); err != nil {
		return Survey{}, err
	}
	return s.set(ctx, byCourse, courseID, d)
}

// SetProgrammeSurvey sets a programme's questions (the team). Errors:
// programmes.ErrNotFound, ErrAnswered, *validation.Error.
func (s *Service) SetProgrammeSurvey(ctx context.Context, programmeID string, d Definition) (Survey, error) {
	if _, err := s.programmes.Programme(ctx, programmeID); err != nil {
		return Survey{}, err
	}
	return s.set(ctx, byProgramme, programmeID, d)
}

func (s *Service) set(ctx context.Context, column, ownerID string, d Definition) (Survey, error) {
	if err := checkQuestions(d); err != nil {
		return Survey{}, err
	}
	text, err := json.Marshal(d.Questions)
	if err != nil {
		return Survey{}, err
	}
	now := s.now().UTC()
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		row, err := s.store.survey(ctx, column, ownerID, true)
		switch {
		case errors.Is(err, ErrNotFound):
			row = surveyRow{ID: uuid.NewString()}
			if column == byCourse {
				row.CourseID = &ownerID
			} else {
				row.ProgrammeID = &ownerID
			}
		case err != nil:
			return err
		default:
			n, err := s.store.responses(ctx, row.ID, "")
			if err != nil {
				return err
			}
			if n > 0 {
				return ErrAnswered
			}
		}
		row.Questions, row.UpdatedAt = string(text), now
		return s.store.save(ctx, row)
	})
	if err != nil {
		return Survey{}, err
	}
	out := Survey{Questions: d.Questions, UpdatedAt: now}
	if column == byCourse {
		out.CourseID = ownerID
	} else {
		out.ProgrammeID = ownerID
	}
	return out, nil
}

// AnswerEnrolment records the response of the learner whose enrolment it
// is, once, after the enrolment earned the certificate. Errors:
// ErrNotFound (no such enrolment of the caller's, or no survey),
// ErrNotCompleted, ErrAlreadyAnswered, *validation.Error.
func (s *Service) AnswerEnrolment(ctx context.Context, caller accounts.Principal, enrolmentID string, in Answers) (Receipt, error) {
	e, err := s.enrolments.Enrolment(ctx, caller, enrolmentID)
	if errors.Is(err, cohorts.ErrNotFound) || (err == nil && e.UserID != caller.UserID) {
		return Receipt{}, ErrNotFound
	}
	if err != nil {
		return Receipt{}, err
	}
	if e.Progress == nil || !e.Progress.CertificateEligible {
		return Receipt{}, ErrNotCompleted
	}
	cohort := e.CohortID
	return s.answer(ctx, byCourse, e.CourseID, e.ID, &cohort, in)
}

// AnswerProgramme records the response of a participant whose attendance
// earned the programme's certificate, once. Errors: programmes.ErrNotFound,
// programmes.ErrNotParticipant, ErrNotFound (no survey), ErrNotCompleted,
// ErrAlreadyAnswered, *validation.Error.
func (s *Service) AnswerProgramme(ctx context.Context, caller accounts.Principal, programmeID string, in Answers) (Receipt, error) {
	p, err := s.programmes.ParticipationOf(ctx, programmeID, caller.UserID)
	if err != nil {
		return Receipt{}, err
	}
	if !p.Completed {
		return Receipt{}, ErrNotCompleted
	}
	return s.answer(ctx, byProgramme, programmeID, p.ApplicationID, nil, in)
}

func (s *Service) answer(ctx context.Context, column, ownerID, subjectID string, cohortID *string, in Answers) (Receipt, error) {
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		row, err := s.store.survey(ctx, column, ownerID, true)
		if err != nil {
			return err
		}
		questions, err := row.questions()
		if err != nil {
			return err
		}
		answers, err := checkAnswers(questions, in)
		if err != nil {
			return err
		}
		err = s.store.insert(ctx, &answeredRow{SurveyID: row.ID, SubjectID: subjectID})
		if errors.Is(err, database.ErrDuplicate) {
			return ErrAlreadyAnswered
		}
		if err != nil {
			return err
		}
		resp := responseRow{ID: uuid.NewString(), SurveyID: row.ID, CohortID: cohortID}
		if err := s.store.insert(ctx, &resp); err != nil {
			return err
		}
		for i := range answers {
			answers[i].ResponseID = resp.ID
		}
		return s.store.insert(ctx, &answers)
	})
	if err != nil {
		return Receipt{}, err
	}
	return Receipt{Answered: true}, nil
}

// CourseResults sums up a course's responses, of one cohort when cohortID
// is not empty (its author, the team). Errors: catalogue.ErrNotFound,
// catalogue.ErrForbidden, ErrNotFound (no survey).
func (s *Service) CourseResults(ctx context.Context, caller accounts.Principal, courseID, cohortID string) (Results, error) {
	if _, err := s.courses.Editable(ctx, caller, courseID); err != nil {
		return Results{}, err
	}
	return s.results(ctx, byCourse, courseID, cohortID)
}

// ProgrammeResults sums up a programme's responses (the team). Errors:
// programmes.ErrNotFound, ErrNotFound (no survey).
func (s *Service) ProgrammeResults(ctx context.Context, programmeID string) (Results, error) {
	if _, err := s.programmes.Programme(ctx, programmeID); err != nil {
		return Results{}, err
	}
	return s.results(ctx, byProgramme, programmeID, "")
}

func (s *Service) results(ctx context.Context, column, ownerID, cohortID string) (Results, error) {
	row, err := s.store.survey(ctx, column, ownerID, false)
	if err != nil {
		return Results{}, err
	}
	n, err := s.store.responses(ctx, row.ID, cohortID)
	if err != nil || suppressed(n) {
		return Results{Responses: n}, err
	}
	questions, err := row.questions()
	if err != nil {
		return Results{}, err
	}
	answers, err := s.store.answers(ctx, row.ID, cohortID)
	if err != nil {
		return Results{}, err
	}
	out := Results{Responses: n, Questions: make([]QuestionResult, len(questions))}
	at := map[string]int{}
	for i, q := range questions {
		out.Questions[i] = QuestionResult{ID: q.ID, Text: q.Text}
		if q.Kind == Scale {
			out.Questions[i].Counts = map[string]int{"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}
		}
		at[q.ID] = i
	}
	sums := make([]int, len(questions))
	for _, a := range answers {
		i, ok := at[a.QuestionID]
		if !ok {
			continue
		}
		q := &out.Questions[i]
		switch {
		case a.Scale != nil && q.Counts != nil:
			q.Counts[strconv.Itoa(*a.Scale)]++
			sums[i] += *a.Scale
		case a.Text != nil:
			q.Answers = append(q.Answers, *a.Text)
		}
	}
	for i := range out.Questions {
		q := &out.Questions[i]
		if q.Counts != nil {
			total := 0
			for _, c := range q.Counts {
				total += c
			}
			if total > 0 {
				mean := math.Round(float64(sums[i])/float64(total)*100) / 100
				q.Mean = &mean
			}
		}
		slices.Sort(q.Answers)
	}
	return out, nil
}
