package assessment

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"mooc/internal/database"
)

// submissions holds the statements of a submission that differ by
// database (store_postgres.go, store_sqlite.go); newStore picks one.
type submissions interface {
	// sheetQuery reads an attempt for grading (see gradingSheet).
	sheetQuery() string
	// record claims the attempt (only if still open) and writes its grade
	// and answers, all or nothing; false when another submission claimed
	// it first.
	record(ctx context.Context, attemptID string, g Result, qs []gradedQuestion) (bool, error)
}

// Every attempt has its questions (StartAttempt writes them with the
// attempt, and a test asks at least one), so no row means no attempt. The
// enrolment's status comes along, so that refusing an inactive learner
// costs no statement of its own.
const sheetQuery = `SELECT a.user_id, e.status, a.expires_at, a.submitted_at IS NOT NULL, t.pass_percent,
	aq.position, aq.question_id, aq.option_order, q.points,
	COALESCE((SELECT %s FROM question_options o WHERE o.question_id = aq.question_id AND o.correct), '')
FROM attempts a
JOIN enrolments e ON e.id = a.enrolment_id
JOIN tests t ON t.id = a.test_id
JOIN attempt_questions aq ON aq.attempt_id = a.id
JOIN questions q ON q.id = aq.question_id
WHERE a.id = ?
ORDER BY aq.position`

// gradingSheet reads an attempt for grading in one query, scanned by hand:
// GORM's reflection over twenty rows cost more than the query.
func (s store) gradingSheet(ctx context.Context, attemptID string) (gradingSheet, error) {
	var out gradingSheet
	rows, err := s.db.Conn(ctx).Raw(s.submissions.sheetQuery(), attemptID).Rows()
	if err != nil {
		return out, database.Translate(err)
	}
	// rows.Err below reports what went wrong while reading.
	defer func() { _ = rows.Close() }()
	var expires instant
	for rows.Next() {
		var q gradedQuestion
		if err := rows.Scan(&out.userID, &out.status, &expires, &out.submitted, &out.passPercent,
			&q.position, &q.questionID, &q.optionOrder, &q.points, &q.correct); err != nil {
			return out, database.Translate(err)
		}
		if out.questions == nil {
			out.questions = make([]gradedQuestion, 0, 20)
		}
		out.questions = append(out.questions, q)
	}
	if err := rows.Err(); err != nil {
		return out, database.Translate(err)
	}
	if len(out.questions) == 0 {
		return out, ErrNotFound
	}
	out.expiresAt = expires.Time
	return out, nil
}

// instant scans a timestamp from either driver: PostgreSQL's gives a
// time.Time, the SQLite one text for a TIMESTAMPTZ column.
type instant struct{ time.Time }

func (t *instant) Scan(v any) error {
	var s string
	switch v := v.(type) {
	case time.Time:
		t.Time = v
		return nil
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("assessment: a timestamp scanned from %T", v)
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano} {
		if parsed, err := time.Parse(layout, s); err == nil {
			t.Time = parsed
			return nil
		}
	}
	return fmt.Errorf("assessment: timestamp %q", s)
}

var _ sql.Scanner = (*instant)(nil)

const claimQuery = `UPDATE attempts SET submitted_at = ?, score = ?, max_score = ?, percent = ?, passed = ?
	WHERE id = ? AND submitted_at IS NULL`

func claimArgs(attemptID string, g Result) []any {
	return []any{g.SubmittedAt, g.Score, g.MaxScore, g.Percent, g.Passed, attemptID}
}

// recordAnswers writes every answer of an attempt in one statement.
func (s store) recordAnswers(ctx context.Context, attemptID string, answers []gradedQuestion) error {
	if len(answers) == 0 {
		return nil
	}
	var chosen, correct strings.Builder
	args := make([]any, 0, 4*len(answers)+1)
	correctArgs := make([]any, 0, 2*len(answers))
	for _, a := range answers {
		chosen.WriteString(" WHEN ? THEN ?")
		correct.WriteString(" WHEN ? THEN ?")
		args = append(args, a.position, a.chosen)
		correctArgs = append(correctArgs, a.position, a.right)
	}
	args = append(append(args, correctArgs...), attemptID)
	return database.Translate(s.db.Conn(ctx).Exec("UPDATE attempt_questions SET chosen = CASE position"+chosen.String()+
		" ELSE chosen END, correct = CASE position"+correct.String()+" ELSE correct END WHERE attempt_id = ?", args...).Error)
}
