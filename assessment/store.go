package assessment

import (
	"context"
	"errors"
	"time"

	"mooc/internal/database"
)

type questionRow struct {
	ID          string
	CourseID    string
	Week        *int
	Kind        string
	Text        string
	Points      int
	Explanation string
	CreatedAt   time.Time
}

func (questionRow) TableName() string { return "questions" }

type optionRow struct {
	ID         string
	QuestionID string
	Position   int
	Text       string
	Correct    bool
}

func (optionRow) TableName() string { return "question_options" }

type testRow struct {
	ID               string
	CourseID         string
	Title            string
	Week             *int
	Final            bool
	QuestionCount    int
	PassPercent      int
	TimeLimitMinutes int
	MaxAttempts      int
	Shuffle          bool
	CreatedAt        time.Time
}

func (testRow) TableName() string { return "tests" }

type attemptRow struct {
	ID          string
	TestID      string
	EnrolmentID string
	UserID      string
	Number      int
	StartedAt   time.Time
	ExpiresAt   time.Time
	SubmittedAt *time.Time
	Score       int
	MaxScore    int
	Percent     int
	Passed      bool
}

func (attemptRow) TableName() string { return "attempts" }

type attemptQuestionRow struct {
	AttemptID   string
	Position    int
	QuestionID  string
	OptionOrder string
	Chosen      string
	Correct     bool
}

func (attemptQuestionRow) TableName() string { return "attempt_questions" }

type store struct {
	db          *database.DB
	submissions submissions
}

// newStore builds the store with the submission statements of db's
// database, chosen once.
func newStore(db *database.DB) store {
	s := store{db: db}
	if db.Dialect() == database.Postgres {
		s.submissions = postgresSubmissions{db}
	} else {
		s.submissions = sqliteSubmissions{store{db: db}}
	}
	return s
}

func notFound(err error) error {
	err = database.Translate(err)
	if errors.Is(err, database.ErrNotFound) {
		return ErrNotFound
	}
	return err
}

func (s store) create(ctx context.Context, rows ...any) error {
	for _, r := range rows {
		if err := s.db.Conn(ctx).Create(r).Error; err != nil {
			return database.Translate(err)
		}
	}
	return nil
}

func (s store) questions(ctx context.Context, courseID string, week *int) ([]questionRow, error) {
	q := s.db.Conn(ctx).Where("course_id = ?", courseID).Order("created_at, id")
	if week != nil {
		q = q.Where("week = ?", *week)
	}
	var rows []questionRow
	return rows, database.Translate(q.Find(&rows).Error)
}

func (s store) questionsByID(ctx context.Context, ids []string) (map[string]questionRow, error) {
	var rows []questionRow
	if err := s.db.Conn(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, database.Translate(err)
	}
	out := make(map[string]questionRow, len(rows))
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}

// options of the given questions, each question's in author order.
func (s store) options(ctx context.Context, questionIDs []string) (map[string][]optionRow, error) {
	out := map[string][]optionRow{}
	if len(questionIDs) == 0 {
		return out, nil
	}
	var rows []optionRow
	if err := s.db.Conn(ctx).Where("question_id IN ?", questionIDs).Order("question_id, position").Find(&rows).Error; err != nil {
		return nil, database.Translate(err)
	}
	for _, r := range rows {
		out[r.QuestionID] = append(out[r.QuestionID], r)
	}
	return out, nil
}

func (s store) bankSize(ctx context.Context, courseID string, week *int) (int, error) {
	q := s.db.Conn(ctx).Model(&questionRow{}).Where("course_id = ?", courseID)
	if week != nil {
		q = q.Where("week = ?", *week)
	}
	var n int64
	return int(n), database.Translate(q.Count(&n).Error)
}

func (s store) test(ctx context.Context, id string) (testRow, error) {
	var t testRow
	return t, notFound(s.db.Conn(ctx).Where("id = ?", id).Take(&t).Error)
}

func (s store) testsOf(ctx context.Context, courseIDs []string) ([]testRow, error) {
	var rows []testRow
	err := s.db.Conn(ctx).Where("course_id IN ?", courseIDs).Order("course_id, final, week, created_at").Find(&rows).Error
	return rows, database.Translate(err)
}

func (s store) attempt(ctx context.Context, id string) (attemptRow, error) {
	var a attemptRow
	return a, notFound(s.db.Conn(ctx).Where("id = ?", id).Take(&a).Error)
}

// attemptsOf lists an enrolment's attempts of a test (at most the test's
// max_attempts), in one statement.
func (s store) attemptsOf(ctx context.Context, enrolmentID, testID string) ([]attemptRow, error) {
	var rows []attemptRow
	err := s.db.Conn(ctx).Where("enrolment_id = ? AND test_id = ?", enrolmentID, testID).Order("number").Find(&rows).Error
	return rows, database.Translate(err)
}

func (s store) attemptQuestions(ctx context.Context, attemptID string) ([]attemptQuestionRow, error) {
	var rows []attemptQuestionRow
	err := s.db.Conn(ctx).Where("attempt_id = ?", attemptID).Order("position").Find(&rows).Error
	return rows, database.Translate(err)
}

// passedTests lists, per enrolment, the tests with a passing submitted attempt.
func (s store) passedTests(ctx context.Context, enrolmentIDs []string) ([]struct{ EnrolmentID, TestID string }, error) {
	var rows []struct{ EnrolmentID, TestID string }
	err := s.db.Conn(ctx).Model(&attemptRow{}).Distinct("enrolment_id", "test_id").
		Where("enrolment_id IN ? AND submitted_at IS NOT NULL AND passed = ?", enrolmentIDs, true).Scan(&rows).Error
	return rows, database.Translate(err)
}

// banks counts a course's questions per week (nil: no week).
type banks map[int]int

const noWeek = 0

// of is the bank a test draws from: its week's, or all for the final test.
func (b banks) of(week *int) int {
	if week != nil {
		return b[*week]
	}
	n := 0
	for _, c := range b {
		n += c
	}
	return n
}

// bankSizes counts the questions of many courses per week in one query,
// for course outlines, which list every test with its bank.
func (s store) bankSizes(ctx context.Context, courseIDs []string) (map[string]banks, error) {
	var rows []struct {
		CourseID string
		Week     *int
		N        int
	}
	err := s.db.Conn(ctx).Model(&questionRow{}).Select("course_id, week, COUNT(*) AS n").
		Where("course_id IN ?", courseIDs).Group("course_id, week").Scan(&rows).Error
	if err != nil {
		return nil, database.Translate(err)
	}
	out := map[string]banks{}
	for _, r := range rows {
		if out[r.CourseID] == nil {
			out[r.CourseID] = banks{}
		}
		week := noWeek
		if r.Week != nil {
			week = *r.Week
		}
		out[r.CourseID][week] += r.N
	}
	return out, nil
}
