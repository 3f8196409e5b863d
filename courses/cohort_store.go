package courses

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"mooc/internal/database"
	"mooc/internal/page"
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
	PositionSeconds int
	Completed       bool
	CompletedAt     *time.Time
	UpdatedAt       time.Time
}

func (progressRow) TableName() string { return "lesson_progress" }

func (s store) insertCohort(ctx context.Context, c cohortRow) error {
	return database.Translate(s.db.Conn(ctx).Create(&c).Error)
}

func (s store) cohort(ctx context.Context, id string, forUpdate bool) (cohortRow, error) {
	var c cohortRow
	return c, notFound(s.db.Read(ctx, forUpdate).Where("id = ?", id).Take(&c).Error, ErrNotFound)
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

// takeSeat claims one seat if one is free, in a single statement: the
// check and the increment cannot be separated by another transaction.
func (s store) takeSeat(ctx context.Context, cohortID string) (bool, error) {
	res := s.db.Conn(ctx).Exec(`UPDATE cohorts SET enrolled_count = enrolled_count + 1
		WHERE id = ? AND enrolled_count < capacity`, cohortID)
	return res.RowsAffected == 1, database.Translate(res.Error)
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
	return e, notFound(s.db.Conn(ctx).Where("id = ?", id).Take(&e).Error, ErrNotFound)
}

// activeEnrolment is the learner's enrolled or waitlisted place in a course.
func (s store) activeEnrolment(ctx context.Context, userID, courseID string) (enrolmentRow, error) {
	var e enrolmentRow
	err := s.db.Conn(ctx).Where("user_id = ? AND course_id = ? AND status IN ?", userID, courseID, []string{Enrolled, Waitlisted}).Take(&e).Error
	return e, notFound(err, ErrNotFound)
}

func (s store) activeInCohort(ctx context.Context, userID, cohortID string) (enrolmentRow, error) {
	var e enrolmentRow
	err := s.db.Conn(ctx).Where("user_id = ? AND cohort_id = ? AND status IN ?", userID, cohortID, []string{Enrolled, Waitlisted}).Take(&e).Error
	return e, notFound(err, ErrNotFound)
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

// waitlistCounts counts the waitlist of each cohort.
func (s store) waitlistCounts(ctx context.Context, cohortIDs []string) (map[string]int, error) {
	var rows []struct {
		CohortID string
		N        int
	}
	err := s.db.Conn(ctx).Model(&enrolmentRow{}).Select("cohort_id, COUNT(*) AS n").
		Where("cohort_id IN ? AND status = ?", cohortIDs, Waitlisted).Group("cohort_id").Scan(&rows).Error
	out := map[string]int{}
	for _, r := range rows {
		out[r.CohortID] = r.N
	}
	return out, database.Translate(err)
}

// enrolmentsOf lists a cohort's enrolments: enrolled first by enrolment
// time, then the waitlist in order, then withdrawals.
func (s store) enrolmentsOf(ctx context.Context, cohortID string) ([]enrolmentRow, error) {
	var rows []enrolmentRow
	err := s.db.Conn(ctx).Where("cohort_id = ?", cohortID).
		Order("CASE status WHEN 'enrolled' THEN 0 WHEN 'waitlisted' THEN 1 ELSE 2 END, queue_seq, id").Find(&rows).Error
	return rows, database.Translate(err)
}

func (s store) enrolmentsOfUser(ctx context.Context, userID string) ([]enrolmentRow, error) {
	var rows []enrolmentRow
	err := s.db.Conn(ctx).Where("user_id = ?", userID).Order("created_at DESC, id").Find(&rows).Error
	return rows, database.Translate(err)
}

func (s store) progress(ctx context.Context, enrolmentIDs []string) ([]progressRow, error) {
	var rows []progressRow
	err := s.db.Conn(ctx).Where("enrolment_id IN ?", enrolmentIDs).Find(&rows).Error
	return rows, database.Translate(err)
}

func (s store) lessonProgress(ctx context.Context, enrolmentID, lessonID string) (progressRow, error) {
	var p progressRow
	err := s.db.Conn(ctx).Where("enrolment_id = ? AND lesson_id = ?", enrolmentID, lessonID).Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return progressRow{EnrolmentID: enrolmentID, LessonID: lessonID}, nil
	}
	return p, database.Translate(err)
}

func (s store) saveProgress(ctx context.Context, p progressRow) error {
	return database.Translate(s.db.Conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "enrolment_id"}, {Name: "lesson_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"position_seconds", "completed", "completed_at", "updated_at"}),
	}).Create(&p).Error)
}
