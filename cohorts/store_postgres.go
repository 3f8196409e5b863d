package cohorts

import (
	"context"
	"encoding/json"

	"mooc/internal/database"
)

// EnrolmentStatements are the statements of an enrolment on PostgreSQL, in
// order: the cohort with its course's title, then claimStatement. They are
// exported so that the benchmark's pgbench reference runs exactly what the
// server does. Their named parameters: cohort, course, user, id, seq
// (arrival order), now, and, with queue (the outbox's INSERT for a query's
// rows; nil for no e-mail), params (the notice's JSON without the waitlist
// position).
func EnrolmentStatements(queue func(rows string) string) []string {
	return []string{enrolTargetStatement, claimStatement(queue)}
}

// claimStatement claims a seat if one is free, inserts the enrolment as
// enrolled or waitlisted accordingly, ranks it on the waitlist and queues
// the confirmation or waitlist notice, all in one statement. Run on its own it commits at once,
// so a seat claim holds the cohort row only for this statement, and a
// waitlist entry, whose UPDATE finds no free seat, never waits for it.
// The rank counts the waitlist as the statement's snapshot saw it: two
// learners joining at the same instant can both be told the same position
// (ranks read later are exact).
func claimStatement(queue func(rows string) string) string {
	stmt := `WITH seat AS (
	UPDATE cohorts SET enrolled_count = enrolled_count + 1
	WHERE id = @cohort AND enrolled_count < capacity
	RETURNING id
), enrolment AS (
	INSERT INTO enrolments (id, cohort_id, course_id, user_id, status, queue_seq, enrolled_at, created_at, updated_at)
	SELECT @id, @cohort, @course, @user, CASE WHEN seated THEN 'enrolled' ELSE 'waitlisted' END, @seq,
		CASE WHEN seated THEN CAST(@now AS timestamptz) END, @now, @now
	FROM (SELECT EXISTS (SELECT 1 FROM seat) AS seated) AS claim
	RETURNING status
), ahead AS (
	SELECT COUNT(*) AS n FROM enrolments
	WHERE cohort_id = @cohort AND status = 'waitlisted' AND (queue_seq < @seq OR (queue_seq = @seq AND id < @id))
)`
	if queue != nil {
		// The event id and the template are the enrolment's status, as
		// tellEnrolment names them.
		stmt += `, notice AS (` + queue(`SELECT enrolment.status || ':' || @id AS id, @user AS user_id,
		enrolment.status AS template,
		CASE WHEN enrolment.status = 'waitlisted'
			THEN CAST(CAST(@params AS jsonb) || jsonb_build_object('position', CAST(ahead.n + 1 AS text)) AS text)
			ELSE @params END AS params,
		CAST(@now AS timestamptz) AS at
	FROM enrolment, ahead`) + `)`
	}
	return stmt + `
SELECT enrolment.status, ahead.n + 1 AS position FROM enrolment, ahead`
}

// postgresSeats claims with claimStatement: one statement that commits at
// once.
type postgresSeats struct {
	store
	stmt string // claimStatement, built once
}

func (s postgresSeats) claim(ctx context.Context, e enrolmentRow, params map[string]string) (status string, position int, err error) {
	raw, err := json.Marshal(params)
	if err != nil {
		return "", 0, err
	}
	args := map[string]any{"cohort": e.CohortID, "course": e.CourseID, "user": e.UserID, "id": e.ID,
		"seq": e.QueueSeq, "now": e.CreatedAt, "params": string(raw)}
	var out struct {
		Status   string
		Position int
	}
	if err := s.db.Conn(ctx).Raw(s.stmt, args).Find(&out).Error; err != nil {
		return "", 0, database.Translate(err)
	}
	return out.Status, out.Position, nil
}
