package assessment

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/courses"
	"mooc/internal/database"
	"mooc/internal/validation"
)

// Service is the assessment domain.
type Service struct {
	db      *database.DB
	store   store
	courses *courses.Service
	now     func() time.Time
}

// New builds the service and connects it to the catalogue, which then
// lists each course's tests and asks for a final test before publishing.
func New(db *database.DB, catalogue *courses.Service) *Service {
	s := newService(db, catalogue)
	catalogue.UseTests(s)
	catalogue.UseResults(s)
	return s
}

func newService(db *database.DB, catalogue *courses.Service) *Service {
	return &Service{db: db, store: store{db}, courses: catalogue, now: time.Now}
}

// AddQuestion adds a question to a draft course's bank. Errors:
// courses.ErrNotFound, courses.ErrForbidden, courses.ErrCoursePublished,
// *validation.Error.
func (s *Service) AddQuestion(ctx context.Context, caller accounts.Principal, courseID string, in NewQuestion) (Question, error) {
	in.Text = strings.TrimSpace(in.Text)
	if err := validation.Struct(in); err != nil {
		return Question{}, err
	}
	c, err := s.courses.Authoring(ctx, caller, courseID, true)
	if err != nil {
		return Question{}, err
	}
	if errs := checkQuestion(in, c.WeekCount()); len(errs) > 0 {
		return Question{}, validation.Fail(errs...)
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
	c, err := s.courses.Authoring(ctx, caller, courseID, false)
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
	c, err := s.courses.Authoring(ctx, caller, courseID, true)
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

// ForCourses lists the tests of courses for their outlines and the publish
// check (courses.TestCatalogue).
func (s *Service) ForCourses(ctx context.Context, courseIDs []string) (map[string][]courses.TestSummary, error) {
	rows, err := s.store.testsOf(ctx, courseIDs)
	if err != nil {
		return nil, err
	}
	out := map[string][]courses.TestSummary{}
	if len(rows) == 0 {
		return out, nil
	}
	banks, err := s.store.bankSizes(ctx, courseIDs)
	if err != nil {
		return nil, err
	}
	for _, t := range rows {
		sum := courses.TestSummary{ID: t.ID, Title: t.Title, Week: t.Week, Final: t.Final, QuestionCount: t.QuestionCount,
			PassPercent: t.PassPercent, TimeLimitMinutes: t.TimeLimitMinutes, MaxAttempts: t.MaxAttempts}
		bank := banks[t.CourseID].of(t.Week)
		if bank < t.QuestionCount {
			sum.Problem = fmt.Sprintf("test %q asks for %d questions but its bank holds %d", t.Title, t.QuestionCount, bank)
		}
		out[t.CourseID] = append(out[t.CourseID], sum)
	}
	return out, nil
}

// Results tells, per enrolment, how many tests are passed and whether the
// final one is (courses.TestResults). The best attempt counts.
func (s *Service) Results(ctx context.Context, enrolmentIDs []string) (map[string]courses.TestResult, error) {
	out := map[string]courses.TestResult{}
	if len(enrolmentIDs) == 0 {
		return out, nil
	}
	passed, err := s.store.passedTests(ctx, enrolmentIDs)
	if err != nil {
		return nil, err
	}
	testIDs := map[string]bool{}
	for _, p := range passed {
		testIDs[p.TestID] = true
	}
	finals := map[string]bool{}
	for id := range testIDs {
		t, err := s.store.test(ctx, id)
		if err != nil {
			return nil, err
		}
		finals[id] = t.Final
	}
	for _, p := range passed {
		r := out[p.EnrolmentID]
		r.Passed++
		r.FinalPassed = r.FinalPassed || finals[p.TestID]
		out[p.EnrolmentID] = r
	}
	return out, nil
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
