package assessment

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"mooc/internal/database"
)

// gradingSheet is what Submit needs of an attempt: whose it is, its clock,
// the pass mark and each asked question with its correct options.
type gradingSheet struct {
	userID      string
	expiresAt   time.Time
	submitted   bool
	passPercent int
	questions   []gradedQuestion
}

type gradedQuestion struct {
	position    int
	questionID  string
	optionOrder string // the option ids as shown, comma-separated
	points      int
	correct     string // the correct option ids, comma-separated, in no order

	// the learner's answer, filled by readAnswers
	answered bool
	chosen   string // sorted, comma-separated
	picked   int
	right    bool
}

// isRight: the chosen options are exactly the correct ones. The chosen ids
// are distinct, so as many of them as there are correct ones, all correct,
// is the same set.
func (q *gradedQuestion) isRight() bool {
	want := 0
	if q.correct != "" {
		want = strings.Count(q.correct, ",") + 1
	}
	if q.picked != want {
		return false
	}
	if want == 0 {
		return true
	}
	for id := range strings.SplitSeq(q.chosen, ",") {
		if !listed(q.correct, id) {
			return false
		}
	}
	return true
}

// Every attempt has its questions (StartAttempt writes them with the
// attempt, and a test asks at least one), so no row means no attempt.
const sheetQuery = `SELECT a.user_id, a.expires_at, a.submitted_at IS NOT NULL, t.pass_percent,
	aq.position, aq.question_id, aq.option_order, q.points,
	COALESCE((SELECT %s FROM question_options o WHERE o.question_id = aq.question_id AND o.correct), '')
FROM attempts a
JOIN tests t ON t.id = a.test_id
JOIN attempt_questions aq ON aq.attempt_id = a.id
JOIN questions q ON q.id = aq.question_id
WHERE a.id = ?
ORDER BY aq.position`

var sheetQueries = map[database.Dialect]string{
	database.Postgres: fmt.Sprintf(sheetQuery, "string_agg(o.id, ',')"),
	database.SQLite:   fmt.Sprintf(sheetQuery, "group_concat(o.id, ',')"),
}

// gradingSheet reads an attempt for grading in one query, scanned by hand:
// GORM's reflection over twenty rows cost more than the query.
func (s store) gradingSheet(ctx context.Context, attemptID string) (gradingSheet, error) {
	var out gradingSheet
	rows, err := s.db.Conn(ctx).Raw(sheetQueries[s.db.Dialect()], attemptID).Rows()
	if err != nil {
		return out, database.Translate(err)
	}
	defer rows.Close()
	var expires instant
	for rows.Next() {
		var q gradedQuestion
		if err := rows.Scan(&out.userID, &expires, &out.submitted, &out.passPercent,
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

// record claims the attempt (only if still open) and writes its grade and
// answers, all or nothing; false when another submission claimed it first.
func (s store) record(ctx context.Context, attemptID string, g Result, qs []gradedQuestion) (bool, error) {
	if s.db.Dialect() == database.Postgres {
		return s.recordAtOnce(ctx, attemptID, g, qs)
	}
	var won bool
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		res := s.db.Conn(ctx).Exec(claimQuery, claimArgs(attemptID, g)...)
		if res.Error != nil {
			return database.Translate(res.Error)
		}
		if won = res.RowsAffected == 1; !won {
			return nil
		}
		return s.recordAnswers(ctx, attemptID, qs)
	})
	return won, err
}

const claimQuery = `UPDATE attempts SET submitted_at = ?, score = ?, max_score = ?, percent = ?, passed = ?
	WHERE id = ? AND submitted_at IS NULL`

func claimArgs(attemptID string, g Result) []any {
	return []any{g.SubmittedAt, g.Score, g.MaxScore, g.Percent, g.Passed, attemptID}
}

// One statement, so autocommit makes it atomic: the answers are written
// only where the claim returned the attempt. The loser of two concurrent
// claims waits for the winner's row and, seeing it submitted, claims
// nothing and so writes nothing.
const claimAndRecordQuery = `WITH claim AS (` + claimQuery + ` RETURNING id)
UPDATE attempt_questions aq SET chosen = v.chosen, correct = v.correct
FROM claim, unnest(?::int[], ?::text[], ?::bool[]) AS v(position, chosen, correct)
WHERE aq.attempt_id = claim.id AND aq.position = v.position`

func (s store) recordAtOnce(ctx context.Context, attemptID string, g Result, qs []gradedQuestion) (bool, error) {
	var positions, chosen, correct strings.Builder
	positions.Grow(4*len(qs) + 2)
	chosen.Grow(40*len(qs) + 2)
	correct.Grow(6*len(qs) + 2)
	positions.WriteByte('{')
	chosen.WriteByte('{')
	correct.WriteByte('{')
	for i, q := range qs {
		if i > 0 {
			positions.WriteByte(',')
			chosen.WriteByte(',')
			correct.WriteByte(',')
		}
		positions.WriteString(strconv.Itoa(q.position))
		quoteElement(&chosen, q.chosen)
		correct.WriteString(strconv.FormatBool(q.right))
	}
	positions.WriteByte('}')
	chosen.WriteByte('}')
	correct.WriteByte('}')
	args := append(claimArgs(attemptID, g), positions.String(), chosen.String(), correct.String())
	res := s.db.Conn(ctx).Exec(claimAndRecordQuery, args...)
	if res.Error != nil {
		return false, database.Translate(res.Error)
	}
	return res.RowsAffected > 0, nil
}

// quoteElement writes s as a quoted element of an array literal, where an
// unquoted comma would split it and an empty string would not be one.
func quoteElement(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
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
