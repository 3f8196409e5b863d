package cohorts

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"mooc/internal/database"
	"mooc/internal/page"
	"mooc/notify/outbox"
)

type cohortRow struct {
	ID                string
	CourseID          string
	Title             string
	Capacity          int
	EnrolledCount     int
	EnrolmentOpensAt  time.Time
	EnrolmentClosesAt time.Time
	StartsAt          time.Time
	EndsAt            time.Time
	AnnouncedAt       *time.Time
	WaitlistCount     int
	QueueNext         int64
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

func (cohortRow) TableName() string { return "cohorts" }

type enrolmentRow struct {
	ID          string
	CohortID    string
	CourseID    string
	UserID      string
	Status      string
	QueueSeq    int64
	EnrolledAt  *time.Time
	WithdrawnAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (enrolmentRow) TableName() string { return "enrolments" }

type progressRow struct {
	EnrolmentID     string
	LessonID        string
	PositionSeconds float64 // the last reported position; UpdatedAt is when
	Watched         string  // JSON of the watched ranges (watching.go)
	Completed       bool
	CompletedAt     *time.Time
	UpdatedAt       time.Time
}

func (progressRow) TableName() string { return "lesson_progress" }

type store struct{ db *database.DB }

// errSeatFreed: the waitlist claim found a free seat, freed after the seat
// claim found none; the claim is run again (claimTries times at most).
var errSeatFreed = errors.New("cohorts: a seat was freed while joining the waitlist")

const claimTries = 5

// notFound translates a driver error, a missing row becoming ErrNotFound.
func notFound(err error) error {
	err = database.Translate(err)
	if errors.Is(err, database.ErrNotFound) {
		return ErrNotFound
	}
	return err
}

// seats claims a seat or a waitlist place for a new enrolment, records it
// and queues its notice: the one part of the store whose statements differ
// by database (store_postgres.go, store_sqlite.go).
type seats interface {
	// claim inserts e as enrolled when a seat is free, else as waitlisted,
	// and queues the confirmation or waitlist notice with params (the
	// waitlist position added). Errors: database.ErrDuplicate when the
	// learner already holds a place in the course.
	claim(ctx context.Context, e enrolmentRow, params map[string]string) (status string, position int, err error)
}

// newSeats picks the seat statements of the store's database, once.
func newSeats(s store, queue *outbox.Outbox) seats {
	if s.db.Dialect() == database.Postgres {
		return newPostgresSeats(s, queue)
	}
	return sqliteSeats{s, queue}
}

func (s store) insertCohort(ctx context.Context, c cohortRow) error {
	return database.Translate(s.db.Conn(ctx).Create(&c).Error)
}

func (s store) cohort(ctx context.Context, id string) (cohortRow, error) {
	var c cohortRow
	return c, notFound(s.db.Conn(ctx).Where("id = ?", id).Take(&c).Error)
}

// lockCohort reads a cohort and locks its row on PostgreSQL until the
// transaction ends, as a seat claim does.
func (s store) lockCohort(ctx context.Context, id string) (cohortRow, error) {
	var c cohortRow
	return c, notFound(s.db.ForUpdate(ctx).Where("id = ?", id).Take(&c).Error)
}

func (s store) cohortsByID(ctx context.Context, ids []string) (map[string]cohortRow, error) {
	var rows []cohortRow
	if err := s.db.Conn(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, database.Translate(err)
	}
	out := make(map[string]cohortRow, len(rows))
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}

type cohortFilter struct {
	courseID string
	openAt   *time.Time
}

func (s store) cohorts(ctx context.Context, f cohortFilter, p page.Request) ([]cohortRow, error) {
	q := s.db.Conn(ctx).Order("starts_at DESC, id DESC").Limit(p.Limit + 1)
	if f.courseID != "" {
		q = q.Where("course_id = ?", f.courseID)
	}
	if f.openAt != nil {
		q = q.Where("enrolment_opens_at <= ? AND enrolment_closes_at > ?", *f.openAt, *f.openAt)
	}
	at, id, ok, err := page.AfterTime(p.After)
	if err != nil {
		return nil, err
	}
	if ok {
		q = q.Where("starts_at < ? OR (starts_at = ? AND id < ?)", at, at, id)
	}
	var rows []cohortRow
	return rows, database.Translate(q.Find(&rows).Error)
}

func (s store) updateCohort(ctx context.Context, id string, fields map[string]any) error {
	return database.Translate(s.db.Conn(ctx).Model(&cohortRow{}).Where("id = ?", id).Updates(fields).Error)
}

// takeSeat claims one seat if one is free, and the next arrival number with
// it, in a single statement: the check and the increment cannot be
// separated by another transaction.
func (s store) takeSeat(ctx context.Context, cohortID string) (seq int64, seated bool, err error) {
	var out []int64
	err = s.db.Conn(ctx).Raw(`UPDATE cohorts SET enrolled_count = enrolled_count + 1, queue_next = queue_next + 1
		WHERE id = ? AND enrolled_count < capacity RETURNING queue_next`, cohortID).Scan(&out).Error
	if err != nil || len(out) == 0 {
		return 0, false, database.Translate(err)
	}
	return out[0], true, nil
}

// joinWaitlist takes a place at the end of a full cohort's waitlist: the
// next arrival number and the new length of the waitlist, which is the
// place's exact position. Errors: errSeatFreed when the cohort is not full.
func (s store) joinWaitlist(ctx context.Context, cohortID string) (seq int64, position int, err error) {
	var out []struct {
		QueueNext     int64
		WaitlistCount int
	}
	err = s.db.Conn(ctx).Raw(`UPDATE cohorts SET waitlist_count = waitlist_count + 1, queue_next = queue_next + 1
		WHERE id = ? AND enrolled_count >= capacity RETURNING queue_next, waitlist_count`, cohortID).Scan(&out).Error
	if err != nil {
		return 0, 0, database.Translate(err)
	}
	if len(out) == 0 {
		return 0, 0, errSeatFreed
	}
	return out[0].QueueNext, out[0].WaitlistCount, nil
}

// addWaitlist changes a cohort's waitlist length by n; the caller holds the
// cohort row locked.
func (s store) addWaitlist(ctx context.Context, cohortID string, n int) error {
	return database.Translate(s.db.Conn(ctx).Exec(
		`UPDATE cohorts SET waitlist_count = waitlist_count + ? WHERE id = ?`, n, cohortID).Error)
}

func (s store) addSeats(ctx context.Context, cohortID string, n int) error {
	return database.Translate(s.db.Conn(ctx).Exec(
		`UPDATE cohorts SET enrolled_count = enrolled_count + ? WHERE id = ?`, n, cohortID).Error)
}

func (s store) insertEnrolment(ctx context.Context, e enrolmentRow) error {
	return database.Translate(s.db.Conn(ctx).Create(&e).Error)
}

func (s store) enrolment(ctx context.Context, id string) (enrolmentRow, error) {
	var e enrolmentRow
	return e, notFound(s.db.Conn(ctx).Where("id = ?", id).Take(&e).Error)
}

// enrolmentStarting reads an enrolment and when its cohort starts in one
// query: what a lesson's checks need (unlockedLesson), on the path of
// every playback link and progress report.
func (s store) enrolmentStarting(ctx context.Context, id string) (enrolmentRow, time.Time, error) {
	var r struct { // GORM scans exported fields only
		Enrolment      enrolmentRow `gorm:"embedded"`
		CohortStartsAt time.Time
	}
	res := s.db.Conn(ctx).Raw(enrolmentStartingStatement, map[string]any{"id": id}).Find(&r)
	if res.Error != nil {
		return enrolmentRow{}, time.Time{}, database.Translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return enrolmentRow{}, time.Time{}, ErrNotFound
	}
	return r.Enrolment, r.CohortStartsAt, nil
}

const enrolmentStartingStatement = `SELECT enrolments.*, cohorts.starts_at AS cohort_starts_at
	FROM enrolments JOIN cohorts ON cohorts.id = enrolments.cohort_id WHERE enrolments.id = @id`

// activeEnrolment is the learner's enrolled or waitlisted place in a course.
func (s store) activeEnrolment(ctx context.Context, userID, courseID string) (enrolmentRow, error) {
	var e enrolmentRow
	err := s.db.Conn(ctx).Where("user_id = ? AND course_id = ? AND status IN ?", userID, courseID, []string{Enrolled, Waitlisted}).Take(&e).Error
	return e, notFound(err)
}

func (s store) activeInCohort(ctx context.Context, userID, cohortID string) (enrolmentRow, error) {
	var e enrolmentRow
	err := s.db.Conn(ctx).Where("user_id = ? AND cohort_id = ? AND status IN ?", userID, cohortID, []string{Enrolled, Waitlisted}).Take(&e).Error
	return e, notFound(err)
}

// firstWaitlisted returns up to n waitlisted enrolments in arrival order.
func (s store) firstWaitlisted(ctx context.Context, cohortID string, n int) ([]enrolmentRow, error) {
	var rows []enrolmentRow
	err := s.db.Conn(ctx).Where("cohort_id = ? AND status = ?", cohortID, Waitlisted).
		Order("queue_seq, id").Limit(n).Find(&rows).Error
	return rows, database.Translate(err)
}

func (s store) setStatus(ctx context.Context, id, status string, at time.Time) error {
	fields := map[string]any{"status": status, "updated_at": at}
	switch status {
	case Enrolled:
		fields["enrolled_at"] = at
	case Withdrawn:
		fields["withdrawn_at"] = at
	}
	return database.Translate(s.db.Conn(ctx).Model(&enrolmentRow{}).Where("id = ?", id).Updates(fields).Error)
}

// waitlistPosition ranks an enrolment among its cohort's waitlist, from 1.
func (s store) waitlistPosition(ctx context.Context, e enrolmentRow) (int, error) {
	var ahead int64
	err := s.db.Conn(ctx).Model(&enrolmentRow{}).
		Where("cohort_id = ? AND status = ? AND (queue_seq < ? OR (queue_seq = ? AND id < ?))", e.CohortID, Waitlisted, e.QueueSeq, e.QueueSeq, e.ID).
		Count(&ahead).Error
	return int(ahead) + 1, database.Translate(err)
}

// enrolmentsOf lists a cohort's enrolments of the given statuses (none:
// all): enrolled first by enrolment time, then the waitlist in order, then
// withdrawals.
func (s store) enrolmentsOf(ctx context.Context, cohortID string, statuses ...string) ([]enrolmentRow, error) {
	q := s.db.Conn(ctx).Where("cohort_id = ?", cohortID)
	if len(statuses) > 0 {
		q = q.Where("status IN ?", statuses)
	}
	var rows []enrolmentRow
	err := q.Order("CASE status WHEN 'enrolled' THEN 0 WHEN 'waitlisted' THEN 1 ELSE 2 END, queue_seq, id").Find(&rows).Error
	return rows, database.Translate(err)
}

func (s store) enrolmentsOfUser(ctx context.Context, userID string) ([]enrolmentRow, error) {
	var rows []enrolmentRow
	err := s.db.Conn(ctx).Where("user_id = ?", userID).Order("created_at DESC, id").Find(&rows).Error
	return rows, database.Translate(err)
}

func (s store) enrolments(ctx context.Context, ids []string) ([]enrolmentRow, error) {
	var rows []enrolmentRow
	err := s.db.Conn(ctx).Where("id IN ?", ids).Find(&rows).Error
	return rows, database.Translate(err)
}

// seatedIn lists the enrolments holding a seat in a cohort, in arrival order.
func (s store) seatedIn(ctx context.Context, cohortID string) ([]string, error) {
	var ids []string
	err := s.db.Conn(ctx).Model(&enrolmentRow{}).Where("cohort_id = ? AND status = ?", cohortID, Enrolled).
		Order("queue_seq, id").Pluck("id", &ids).Error
	return ids, database.Translate(err)
}

// completedLessons counts the completed lessons of each enrolment.
func (s store) completedLessons(ctx context.Context, enrolmentIDs []string) (map[string]int, error) {
	var rows []struct {
		EnrolmentID string
		N           int
	}
	err := s.db.Conn(ctx).Model(&progressRow{}).Select("enrolment_id, COUNT(*) AS n").
		Where("enrolment_id IN ? AND completed = ?", enrolmentIDs, true).Group("enrolment_id").Scan(&rows).Error
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.EnrolmentID] = r.N
	}
	return out, database.Translate(err)
}

func (s store) lessonProgress(ctx context.Context, enrolmentID, lessonID string) (progressRow, error) {
	var p progressRow
	err := s.db.Conn(ctx).Where("enrolment_id = ? AND lesson_id = ?", enrolmentID, lessonID).Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return progressRow{EnrolmentID: enrolmentID, LessonID: lessonID, Watched: "[]"}, nil
	}
	return p, database.Translate(err)
}

func (s store) saveProgress(ctx context.Context, p progressRow) error {
	return database.Translate(s.db.Conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "enrolment_id"}, {Name: "lesson_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"position_seconds", "watched", "completed", "completed_at", "updated_at"}),
	}).Create(&p).Error)
}

// enrolTarget is a cohort with what an enrolment notice says of its course.
type enrolTarget struct {
	cohortRow
	CourseTitle string
}

const enrolTargetStatement = `SELECT cohorts.*, courses.title AS course_title
	FROM cohorts JOIN courses ON courses.id = cohorts.course_id WHERE cohorts.id = @cohort`

func (s store) enrolTarget(ctx context.Context, cohortID string) (enrolTarget, error) {
	// Find, not Scan: GORM's Scan renders the SQL with its arguments
	// inlined for a trace nobody reads, 7 % of an enrolment's CPU.
	var t struct { // GORM scans exported fields only
		Cohort      cohortRow `gorm:"embedded"`
		CourseTitle string
	}
	res := s.db.Conn(ctx).Raw(enrolTargetStatement, map[string]any{"cohort": cohortID}).Find(&t)
	if res.Error != nil {
		return enrolTarget{}, database.Translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return enrolTarget{}, ErrNotFound
	}
	return enrolTarget{t.Cohort, t.CourseTitle}, nil
}

// unannounced lists cohorts whose window is open at now and that were not
// announced yet.
func (s store) unannounced(ctx context.Context, now time.Time) ([]cohortRow, error) {
	var due []cohortRow
	err := s.db.Conn(ctx).Where("announced_at IS NULL AND enrolment_opens_at <= ? AND enrolment_closes_at > ?", now, now).Find(&due).Error
	return due, database.Translate(err)
}

// markAnnounced marks a cohort announced; false when it already was.
func (s store) markAnnounced(ctx context.Context, cohortID string, at time.Time) (bool, error) {
	res := s.db.Conn(ctx).Model(&cohortRow{}).Where("id = ? AND announced_at IS NULL", cohortID).Update("announced_at", at)
	return res.RowsAffected == 1, database.Translate(res.Error)
}

func (s store) addInterest(ctx context.Context, r interestRow) error {
	return database.Translate(s.db.Conn(ctx).Create(&r).Error)
}

func (s store) removeInterest(ctx context.Context, courseID, userID string) error {
	return database.Translate(s.db.Conn(ctx).Where("course_id = ? AND user_id = ?", courseID, userID).Delete(&interestRow{}).Error)
}

// interested lists who asked to be told about the course's next cohort.
// activeInCourse lists the people enrolled or waitlisted in any cohort of
// the course.
func (s store) activeInCourse(ctx context.Context, courseID string) ([]string, error) {
	var ids []string
	err := s.db.Conn(ctx).Model(&enrolmentRow{}).Where("course_id = ? AND status IN ?", courseID, []string{Enrolled, Waitlisted}).
		Distinct("user_id").Pluck("user_id", &ids).Error
	return ids, database.Translate(err)
}

// removeInterestOf takes the people off the course's interest list.
func (s store) removeInterestOf(ctx context.Context, courseID string, userIDs []string) error {
	for len(userIDs) > 0 { // in slices: a statement takes at most 65,535 parameters
		n := min(len(userIDs), 1000)
		if err := s.db.Conn(ctx).Where("course_id = ? AND user_id IN ?", courseID, userIDs[:n]).Delete(&interestRow{}).Error; err != nil {
			return database.Translate(err)
		}
		userIDs = userIDs[n:]
	}
	return nil
}

func (s store) interested(ctx context.Context, courseID string) ([]string, error) {
	var ids []string
	err := s.db.Conn(ctx).Model(&interestRow{}).Where("course_id = ?", courseID).Order("created_at, user_id").Pluck("user_id", &ids).Error
	return ids, database.Translate(err)
}
