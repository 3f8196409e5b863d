package assessment

import (
	"context"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/internal/database"
)

// Stats shows authors how a test went: its pass rate, and per question
// how often it was answered right. Errors: ErrNotFound,
// catalogue.ErrForbidden.
func (s *Service) Stats(ctx context.Context, caller accounts.Principal, courseID, testID string) (TestStats, error) {
	if _, err := s.courses.Editable(ctx, caller, courseID); err != nil {
		return TestStats{}, err
	}
	if uuid.Validate(testID) != nil {
		return TestStats{}, ErrNotFound
	}
	t, err := s.store.test(ctx, testID)
	if err != nil {
		return TestStats{}, err
	}
	if t.CourseID != courseID {
		return TestStats{}, ErrNotFound
	}
	conn := s.db.Conn(ctx)
	var totals struct{ Submitted, Passed int }
	if err := conn.Raw(`SELECT COUNT(*) AS submitted, COALESCE(SUM(CASE WHEN passed THEN 1 ELSE 0 END), 0) AS passed
		FROM attempts WHERE test_id = ? AND submitted_at IS NOT NULL`, t.ID).Scan(&totals).Error; err != nil {
		return TestStats{}, database.Translate(err)
	}
	var perQuestion []struct {
		QuestionID string
		Text       string
		Answered   int
		Correct    int
	}
	if err := conn.Raw(`SELECT q.id AS question_id, q.text AS text, COUNT(*) AS answered,
			COALESCE(SUM(CASE WHEN aq.correct THEN 1 ELSE 0 END), 0) AS correct
		FROM attempt_questions aq
		JOIN attempts a ON a.id = aq.attempt_id
		JOIN questions q ON q.id = aq.question_id
		WHERE a.test_id = ? AND a.submitted_at IS NOT NULL
		GROUP BY q.id, q.text
		ORDER BY SUM(CASE WHEN aq.correct THEN 1 ELSE 0 END) * 1.0 / COUNT(*), q.id`, t.ID).Scan(&perQuestion).Error; err != nil {
		return TestStats{}, database.Translate(err)
	}
	out := TestStats{TestID: t.ID, AttemptsSubmitted: totals.Submitted, AttemptsPassed: totals.Passed, Questions: []QuestionStats{}}
	if totals.Submitted > 0 {
		out.PassRate = float64(totals.Passed) / float64(totals.Submitted)
	}
	for _, q := range perQuestion {
		out.Questions = append(out.Questions, QuestionStats{QuestionID: q.QuestionID, Text: q.Text, Answered: q.Answered,
			Correct: q.Correct, CorrectRate: float64(q.Correct) / float64(q.Answered)})
	}
	return out, nil
}
