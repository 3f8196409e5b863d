package cohorts

import (
	"context"
	"encoding/json"
	"strconv"

	"mooc/internal/database"
	"mooc/notify/outbox"
)

// EnrolmentStatements are the statements of an enrolment on PostgreSQL, in
// order: the cohort with its course's title, then claimStatement. They are
// exported so that the benchmark's pgbench reference runs exactly what the
// server does. Their named parameters: cohort, course, user, id, now and
// params (the notice's JSON without the waitlist position).
func EnrolmentStatements() []string {
	return []string{enrolTargetStatement, claimStatement}
}

// claimStatement claims a seat if one is free, or else a place at the end
// of the waitlist, inserts the enrolment accordingly and queues its
// confirmation or waitlist notice, all in one statement. Both claims change the cohort row under its lock: the seat count
// (which can never pass the capacity), or the waitlist's length, whose new
// value is the learner's exact position; and either takes the next arrival
// number, the order of promotion. So the positions told are 1..n without
// repeats in the order learners will be promoted, whatever the
// concurrency. The waitlist claim holds only while the cohort is full: when
// neither claims, the statement inserts nothing and returns no row, and
// the caller runs it again. That happens when a seat was freed between the
// two UPDATEs, and when the last seat was taken by a claim that committed
// after this statement's snapshot (the seat claim, re-checking the row,
// finds it full; the waitlist claim's scan still sees it with a seat free).
var claimStatement = `WITH seat AS (
	UPDATE cohorts SET enrolled_count = enrolled_count + 1, queue_next = queue_next + 1
	WHERE id = @cohort AND enrolled_count < capacity
	RETURNING queue_next
), wait AS (
	UPDATE cohorts SET waitlist_count = waitlist_count + 1, queue_next = queue_next + 1
	WHERE id = @cohort AND enrolled_count >= capacity AND NOT EXISTS (SELECT 1 FROM seat)
	RETURNING queue_next, waitlist_count
), claim AS (
	SELECT 'enrolled' AS status, queue_next AS seq, 0 AS position FROM seat
	UNION ALL
	SELECT 'waitlisted', queue_next, waitlist_count FROM wait
), enrolment AS (
	INSERT INTO enrolments (id, cohort_id, course_id, user_id, status, queue_seq, enrolled_at, created_at, updated_at)
	SELECT @id, @cohort, @course, @user, claim.status, claim.seq,
		CASE WHEN claim.status = 'enrolled' THEN CAST(@now AS timestamptz) END, @now, @now
	FROM claim
	RETURNING status
), notice AS (` + outbox.InsertFrom(`SELECT claim.status || ':' || @id AS id, @user AS user_id, claim.status AS template,
		CASE WHEN claim.status = 'waitlisted'
			THEN CAST(CAST(@params AS jsonb) || jsonb_build_object('position', CAST(claim.position AS text)) AS text)
			ELSE @params END AS params,
		CAST(@now AS timestamptz) AS at
	FROM claim, enrolment`) + `)
SELECT claim.status, claim.position FROM claim, enrolment`

// postgresSeats claims with claimStatement, in batches that share one
// commit (claimBatcher); a claim inside a caller's transaction runs in it.
type postgresSeats struct {
	store
	batch *claimBatcher
	queue *outbox.Outbox
}

func newPostgresSeats(s store, queue *outbox.Outbox) postgresSeats {
	p := postgresSeats{store: s, queue: queue}
	p.batch = newClaimBatcher(s.db, p.claimOnce, p.claimAll)
	return p
}

func (s postgresSeats) claim(ctx context.Context, e enrolmentRow, params map[string]string) (status string, position int, err error) {
	in := claimInput{e: e, params: params}
	if database.InTransaction(ctx) {
		return s.claimOnce(ctx, in)
	}
	return s.batch.claim(ctx, in)
}

// claimOnce runs claimStatement until it claims (claimTries times at most).
func (s postgresSeats) claimOnce(ctx context.Context, in claimInput) (status string, position int, err error) {
	raw, err := json.Marshal(in.params)
	if err != nil {
		return "", 0, err
	}
	e := in.e
	args := map[string]any{"cohort": e.CohortID, "course": e.CourseID, "user": e.UserID, "id": e.ID,
		"now": e.CreatedAt, "params": string(raw)}
	for range claimTries {
		var out struct {
			Status   string
			Position int
		}
		res := s.db.Conn(ctx).Raw(claimStatement, args).Find(&out)
		if res.Error != nil {
			return "", 0, database.Translate(res.Error)
		}
		if res.RowsAffected == 1 {
			return out.Status, out.Position, nil
		}
		// A seat was freed between the seat claim and the waitlist claim:
		// claim again, this time the seat.
	}
	return "", 0, errSeatFreed
}

// claimAll claims for a batch of one cohort with five statements however
// many claims it holds: the cohort row locked and read, the enrolments
// inserted, their notices queued, the counts written. The claims are
// placed as claimStatement places them one after another: a seat while
// one is free, else the end of the waitlist, each with the next arrival
// number. A learner who holds a place in the course fails the insert
// (ErrDuplicate) and the batch runs claim by claim.
func (s postgresSeats) claimAll(ctx context.Context, cohortID string, cs []claimInput) ([]claimResult, error) {
	c, err := s.lockCohort(ctx, cohortID)
	if err != nil {
		return nil, err
	}
	rows := make([]enrolmentRow, len(cs))
	notices := make([]outbox.Message, len(cs))
	out := make([]claimResult, len(cs))
	enrolled, waiting := c.EnrolledCount, c.WaitlistCount
	for i, in := range cs {
		e := in.e
		e.QueueSeq = c.QueueNext + int64(i) + 1
		notice := make(map[string]string, len(in.params)+1)
		for k, v := range in.params {
			notice[k] = v
		}
		if enrolled < c.Capacity {
			enrolled++
			e.Status, e.EnrolledAt = Enrolled, &e.CreatedAt
			out[i] = claimResult{status: Enrolled}
		} else {
			waiting++
			e.Status, e.EnrolledAt = Waitlisted, nil
			out[i] = claimResult{status: Waitlisted, position: waiting}
			notice["position"] = strconv.Itoa(waiting)
		}
		rows[i] = e
		notices[i] = outbox.Message{ID: e.Status + ":" + e.ID, UserID: e.UserID, Template: e.Status, Params: notice}
	}
	if err := database.Translate(s.db.Conn(ctx).Create(&rows).Error); err != nil {
		return nil, err
	}
	if err := s.queue.Queue(ctx, notices...); err != nil {
		return nil, err
	}
	err = database.Translate(s.db.Conn(ctx).Exec(`UPDATE cohorts SET enrolled_count = ?, waitlist_count = ?, queue_next = ? WHERE id = ?`,
		enrolled, waiting, c.QueueNext+int64(len(cs)), cohortID).Error)
	return out, err
}
