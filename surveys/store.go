package surveys

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"mooc/certificates"
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

type invitationRow struct {
	SurveyID  string
	SubjectID string
	UserID    string
	InvitedAt time.Time
}

func (invitationRow) TableName() string { return "survey_invitations" }

// uninvited is a completion to invite: whose certificate of a course or
// programme with a survey was issued.
type uninvited struct {
	SurveyID, SubjectID, UserID, Title, ProgrammeID string
}

// uninvited lists up to limit completions (certificates issued and not
// revoked, of open accounts) of a course or programme with a survey whose
// enrolment or application was neither invited nor has answered.
func (s store) uninvited(ctx context.Context, limit int) ([]uninvited, error) {
	const pending = `
		AND c.revoked_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM survey_invitations i WHERE i.survey_id = s.id AND i.subject_id = c.source_id)
		AND NOT EXISTS (SELECT 1 FROM survey_answered a WHERE a.survey_id = s.id AND a.subject_id = c.source_id)`
	var rows []uninvited
	err := s.db.Conn(ctx).Raw(`
		SELECT s.id AS survey_id, c.source_id AS subject_id, c.user_id AS user_id, c.title AS title, '' AS programme_id
		FROM certificates c
		JOIN enrolments e ON e.id = c.source_id
		JOIN surveys s ON s.course_id = e.course_id
		JOIN users u ON u.id = c.user_id AND u.closed_at IS NULL
		WHERE c.source_kind = ?`+pending+`
		UNION ALL
		SELECT s.id, c.source_id, c.user_id, c.title, ap.programme_id
		FROM certificates c
		JOIN applications ap ON ap.id = c.source_id
		JOIN surveys s ON s.programme_id = ap.programme_id
		JOIN users u ON u.id = c.user_id AND u.closed_at IS NULL
		WHERE c.source_kind = ?`+pending+`
		ORDER BY survey_id, subject_id
		LIMIT ?`, certificates.SourceEnrolment, certificates.SourceParticipant, limit).Scan(&rows).Error
	return rows, database.Translate(err)
}

// markInvited inserts an invitation's marker unless it exists; true when
// this call inserted it.
func (s store) markInvited(ctx context.Context, r invitationRow) (bool, error) {
	res := s.db.Conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&r)
	return res.RowsAffected == 1, database.Translate(res.Error)
}

// subjectsOf selects the ids of the person's enrolments and applications,
// the subjects of their survey markers.
const subjectsOf = `(SELECT id FROM enrolments WHERE user_id = ? UNION SELECT id FROM applications WHERE user_id = ?)`

// markersWithTitles reads the markers of table (as alias m) with their
// survey's course or programme and its title.
func (s store) markersWithTitles(ctx context.Context, table, columns string) *gorm.DB {
	return s.db.Conn(ctx).Table(table + " AS m").
		Select("m.survey_id, s.course_id, s.programme_id, COALESCE(co.title, p.title) AS title" + columns).
		Joins("JOIN surveys AS s ON s.id = m.survey_id").
		Joins("LEFT JOIN courses AS co ON co.id = s.course_id").
		Joins("LEFT JOIN programmes AS p ON p.id = s.programme_id")
}

// invitationsOf lists the surveys the person was invited to, with when.
func (s store) invitationsOf(ctx context.Context, userID string) ([]map[string]any, error) {
	return database.Records(s.markersWithTitles(ctx, "survey_invitations", ", m.invited_at").
		Where("m.user_id = ?", userID).Order("m.invited_at, m.survey_id"))
}

// answeredBy lists the surveys the person answered; the markers hold no
// time, and the answers are not the person's to export: nothing ties them
// to anyone.
func (s store) answeredBy(ctx context.Context, userID string) ([]map[string]any, error) {
	return database.Records(s.markersWithTitles(ctx, "survey_answered", "").
		Where("m.subject_id IN "+subjectsOf, userID, userID).Order("title, m.survey_id"))
}

// forget deletes the markers that tie the person to surveys: their
// invitations and the once-only markers of their enrolments and
// applications. The responses, which name no one, stay.
func (s store) forget(ctx context.Context, userID string) error {
	conn := s.db.Conn(ctx)
	if err := conn.Exec(`DELETE FROM survey_invitations WHERE user_id = ?`, userID).Error; err != nil {
		return database.Translate(err)
	}
	return database.Translate(conn.Exec(`DELETE FROM survey_answered WHERE subject_id IN `+subjectsOf, userID, userID).Error)
}

// summaryRow is one survey's figures for the team's report.
type summaryRow struct {
	ID, CourseID, ProgrammeID, Title string
	Asked, Responses                 int
}

// summaries lists every survey with its title, how many were asked (the
// enrolments and applications invited or having answered) and its
// responses, courses first, then by title.
func (s store) summaries(ctx context.Context) ([]summaryRow, error) {
	var rows []summaryRow
	err := s.db.Conn(ctx).Raw(`
		SELECT s.id AS id, COALESCE(s.course_id, '') AS course_id, COALESCE(s.programme_id, '') AS programme_id,
			COALESCE(co.title, p.title, '') AS title,
			(SELECT COUNT(*) FROM (SELECT subject_id FROM survey_invitations i WHERE i.survey_id = s.id
				UNION SELECT subject_id FROM survey_answered a WHERE a.survey_id = s.id) asked) AS asked,
			(SELECT COUNT(*) FROM survey_responses r WHERE r.survey_id = s.id) AS responses
		FROM surveys s
		LEFT JOIN courses co ON co.id = s.course_id
		LEFT JOIN programmes p ON p.id = s.programme_id
		ORDER BY CASE WHEN s.course_id IS NULL THEN 1 ELSE 0 END, title, s.id`).Scan(&rows).Error
	return rows, database.Translate(err)
}
