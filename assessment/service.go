package assessment

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/catalogue"
	"mooc/cohorts"
	"mooc/internal/clock"
	"mooc/internal/database"
	"mooc/internal/validation"
)

// Courses is what the tests need of the catalogue: the course an author
// edits.
type Courses interface {
	Editable(ctx context.Context, caller accounts.Principal, courseID string) (catalogue.Course, error)
	EditableDraft(ctx context.Context, caller accounts.Principal, courseID string) (catalogue.Course, error)
}

// Seats is what the tests need of the cohorts: the learner's own seat.
type Seats interface {
	OwnSeat(ctx context.Context, caller accounts.Principal, enrolmentID string) (cohorts.Seat, error)
}

// Deps is what the service is built with; every field is required but Now.
type Deps struct {
	DB      *database.DB
	Courses Courses
	Seats   Seats
	Now     func() time.Time // the clock; time.Now when nil
}

// Service is the assessment domain.
type Service struct {
	db      *database.DB
	store   store
	courses Courses
	seats   Seats
	now     func() time.Time
}

// New builds the service, with the submission statements of its database.
func New(d Deps) *Service {
	now := clock.Or(d.Now)
	return &Service{db: d.DB, store: newStore(d.DB), courses: d.Courses, seats: d.Seats, now: now}
}

// AddQuestion adds a question to a draft course's bank. Errors:
// catalogue.ErrNotFound, catalogue.ErrForbidden, catalogue.ErrCoursePublished,
// *validation.Error.
func (s *Service) AddQuestion(ctx context.Context, caller accounts.Principal, courseID string, in NewQuestion) (Question, error) {
	c, in, err := s.draftQuestion(ctx, caller, courseID, in)
	if err != nil {
		return Question{}, err
	}
	row := questionRow{ID: uuid.NewString(), CourseID: c.ID, Week: in.Week, Kind: in.Kind, Text: in.Text,
		Points: 1, Explanation: strings.TrimSpace(in.Explanation), CreatedAt: s.now().UTC()}
	if in.Points != nil {
		row.Points = *in.Points
	}
	opts := make([]optionRow, len(in.Options))
	for i, o := range in.Options {
		opts[i] = optionRow{ID: uuid.NewString(), QuestionID: row.ID, Position: i + 1, Text: strings.TrimSpace(o.Text), Correct: o.Correct}
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error { return s.store.create(ctx, &row, &opts) })
	if err != nil {
		return Question{}, err
	}
	return toQuestion(row, opts), nil
}

// checkQuestion applies the rules each kind has for its options.
func checkQuestion(in NewQuestion, weeks int) []validation.FieldError {
	var errs []validation.FieldError
	if in.Week != nil && *in.Week > weeks {
		errs = append(errs, validation.Field("week", fmt.Sprintf("the course has %d weeks", weeks)))
	}
	correct := 0
	seen := map[string]bool{}
	for i, o := range in.Options {
		key := strings.ToLower(strings.TrimSpace(o.Text))
		if seen[key] {
			errs = append(errs, validation.Field(fmt.Sprintf("options[%d].text", i), "options must differ from each other"))
		}
		seen[key] = true
		if o.Correct {
			correct++
		}
	}
	switch in.Kind {
	case TrueFalse:
		if len(in.Options) != 2 {
			errs = append(errs, validation.Field("options", "a true/false question has exactly two options"))
		}
		fallthrough
	case SingleChoice:
		if correct != 1 {
			errs = append(errs, validation.Field("options", "exactly one option must be correct"))
		}
	case MultipleChoice:
		if correct == 0 {
			errs = append(errs, validation.Field("options", "at least one option must be correct"))
		}
	}
	return errs
}

// Questions lists a course's bank with the correct answers, for those who
// edit the course. Errors as AddQuestion, without ErrCoursePublished.
func (s *Service) Questions(ctx context.Context, caller accounts.Principal, courseID string) ([]Question, error) {
	c, err := s.courses.Editable(ctx, caller, courseID)
	if err != nil {
		return nil, err
	}
	rows, err := s.store.questions(ctx, c.ID, nil)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	opts, err := s.store.options(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Question, len(rows))
	for i, r := range rows {
		out[i] = toQuestion(r, opts[r.ID])
	}
	return out, nil
}

// CreateTest adds a weekly or the final test to a draft course. A test may
// not ask for more questions than its bank holds. Errors as AddQuestion.
func (s *Service) CreateTest(ctx context.Context, caller accounts.Principal, courseID string, in NewTest) (Test, error) {
	in.Title = strings.TrimSpace(in.Title)
	if err := validation.Struct(in); err != nil {
		return Test{}, err
	}
	c, err := s.courses.EditableDraft(ctx, caller, courseID)
	if err != nil {
		return Test{}, err
	}
	var week *int
	switch {
	case in.Final && in.Week != nil:
		return Test{}, validation.Fail(validation.Field("week", "the final test covers every week; leave week out"))
	case !in.Final && in.Week == nil:
		return Test{}, validation.Fail(validation.Field("week", "a weekly test names its week"))
	case !in.Final && *in.Week > c.WeekCount():
		return Test{}, validation.Fail(validation.Field("week", fmt.Sprintf("the course has %d weeks", c.WeekCount())))
	case !in.Final:
		week = in.Week
	}
	bank, err := s.store.bankSize(ctx, c.ID, week)
	if err != nil {
		return Test{}, err
	}
	if in.QuestionCount > bank {
		return Test{}, validation.Fail(validation.Field("question_count", fmt.Sprintf("the bank holds %d questions for this test", bank)))
	}
	row := testRow{ID: uuid.NewString(), CourseID: c.ID, Title: in.Title, Week: week, Final: in.Final,
		QuestionCount: in.QuestionCount, PassPercent: c.PassPercent, TimeLimitMinutes: in.TimeLimitMinutes,
		MaxAttempts: 3, Shuffle: true, CreatedAt: s.now().UTC()}
	if in.PassPercent != nil {
		row.PassPercent = *in.PassPercent
	}
	if in.MaxAttempts != nil {
		row.MaxAttempts = *in.MaxAttempts
	}
	if in.Shuffle != nil {
		row.Shuffle = *in.Shuffle
	}
	if err := s.store.create(ctx, &row); err != nil {
		if errors.Is(err, database.ErrDuplicate) {
			return Test{}, validation.Fail(validation.Field("final", "the course has a final test already"))
		}
		return Test{}, err
	}
	return toTest(row), nil
}

func toQuestion(r questionRow, opts []optionRow) Question {
	q := Question{ID: r.ID, CourseID: r.CourseID, Week: r.Week, Kind: r.Kind, Text: r.Text, Points: r.Points,
		Explanation: r.Explanation, CreatedAt: r.CreatedAt.UTC(), Options: make([]Option, len(opts))}
	for i, o := range opts {
		q.Options[i] = Option{ID: o.ID, Text: o.Text, Correct: o.Correct}
	}
	return q
}

func toTest(r testRow) Test {
	return Test{ID: r.ID, CourseID: r.CourseID, Title: r.Title, Week: r.Week, Final: r.Final, QuestionCount: r.QuestionCount,
		PassPercent: r.PassPercent, TimeLimitMinutes: r.TimeLimitMinutes, MaxAttempts: r.MaxAttempts, Shuffle: r.Shuffle,
		CreatedAt: r.CreatedAt.UTC()}
}
