package surveys

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"mooc/internal/database"
)

type surveyRow struct {
	ID          string
	CourseID    *string
	ProgrammeID *string
	Questions   string
	UpdatedAt   time.Time
}

func (surveyRow) TableName() string { return "surveys" }

func (r surveyRow) questions() ([]Question, error) {
	var qs []Question
	return qs, json.Unmarshal([]byte(r.Questions), &qs)
}

type answeredRow struct {
	SurveyID  string
	SubjectID string
}

func (answeredRow) TableName() string { return "survey_answered" }

type responseRow struct {
	ID       string
	SurveyID string
	CohortID *string
}

func (responseRow) TableName() string { return "survey_responses" }

type answerRow struct {
	ResponseID string
	QuestionID string
	Scale      *int
	Text       *string
}

func (answerRow) TableName() string { return "survey_answers" }

type store struct{ db *database.DB }

func notFound(err error) error {
	err = database.Translate(err)
	if errors.Is(err, database.ErrNotFound) {
		return ErrNotFound
	}
	return err
}

// survey reads the survey of a course or programme (column "course_id" or
// "programme_id"), locking it on PostgreSQL inside a transaction.
func (s store) survey(ctx context.Context, column, ownerID string, lock bool) (surveyRow, error) {
	q := s.db.Conn(ctx)
	if lock {
		q = s.db.ForUpdate(ctx)
	}
	var r surveyRow
	return r, notFound(q.Where(column+" = ?", ownerID).Take(&r).Error)
}

func (s store) save(ctx context.Context, r surveyRow) error {
	return database.Translate(s.db.Conn(ctx).Save(&r).Error)
}

func (s store) insert(ctx context.Context, v any) error {
	return database.Translate(s.db.Conn(ctx).Create(v).Error)
}

// responses counts a survey's responses, of one cohort when cohortID is
// not empty.
func (s store) responses(ctx context.Context, surveyID, cohortID string) (int, error) {
	q := s.db.Conn(ctx).Model(&responseRow{}).Where("survey_id = ?", surveyID)
	if cohortID != "" {
		q = q.Where("cohort_id = ?", cohortID)
	}
	var n int64
	err := q.Count(&n).Error
	return int(n), database.Translate(err)
}

// answers reads the answers of a survey's responses (of one cohort when
// cohortID is not empty), the texts in alphabetical order.
func (s store) answers(ctx context.Context, surveyID, cohortID string) ([]answerRow, error) {
	q := s.db.Conn(ctx).Table("survey_answers AS a").Select("a.question_id, a.scale, a.text").
		Joins("JOIN survey_responses AS r ON r.id = a.response_id").Where("r.survey_id = ?", surveyID)
	if cohortID != "" {
		q = q.Where("r.cohort_id = ?", cohortID)
	}
	var rows []answerRow
	return rows, database.Translate(q.Order("a.question_id, a.text").Scan(&rows).Error)
}

// answered reports whether subjectID has answered the survey.
func (s store) answered(ctx context.Context, surveyID, subjectID string) (bool, error) {
	var n int64
	err := s.db.Conn(ctx).Model(&answeredRow{}).Where("survey_id = ? AND subject_id = ?", surveyID, subjectID).Count(&n).Error
	return n > 0, database.Translate(err)
}
