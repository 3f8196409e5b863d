package courses

import (
	"context"
	"strconv"
	"time"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/internal/database"
)

// enrolmentNotice is what the confirmation or waitlist notice of a new
// enrolment in c says, without the waitlist position, which only the claim
// knows; nil when no outbox is connected.
func (s *Service) enrolmentNotice(c enrolTarget) map[string]string {
	if s.notify == nil {
		return nil
	}
	return map[string]string{"course": c.CourseTitle, "cohort": c.Title, "starts": latvianDate(c.StartsAt)}
}

// tellEnrolment queues the confirmation or the waitlist notice of a new
// enrolment, in its transaction.
func (s *Service) tellEnrolment(ctx context.Context, e enrolmentRow, c enrolTarget, position int) error {
	params := s.enrolmentNotice(c)
	if params == nil {
		return nil
	}
	if e.Status == Waitlisted {
		params["position"] = strconv.Itoa(position)
	}
	// The event ids and templates are the enrolment's status, as in claimStatement.
	return s.tell(ctx, e.Status+":"+e.ID, e.UserID, e.Status, params)
}

// tellPromoted queues the news that a waitlisted learner got a seat.
func (s *Service) tellPromoted(ctx context.Context, e enrolmentRow) error {
	if s.notify == nil {
		return nil
	}
	c, err := s.store.cohort(ctx, e.CohortID, false)
	if err != nil {
		return err
	}
	course, err := s.store.course(ctx, c.CourseID, false)
	if err != nil {
		return err
	}
	return s.tell(ctx, "promoted:"+e.ID, e.UserID, "promoted",
		map[string]string{"course": course.Title, "cohort": c.Title, "starts": latvianDate(c.StartsAt)})
}

// AnnounceOpenCohorts tells every learner about cohorts whose enrolment
// window has opened and that were not announced yet; those on the course's
// interest list get a personal note instead. Each cohort is announced once,
// in the transaction that marks it announced.
func (s *Service) AnnounceOpenCohorts(ctx context.Context) (int, error) {
	if s.notify == nil {
		return 0, nil
	}
	now := s.now().UTC()
	var due []cohortRow
	if err := s.db.Conn(ctx).Where("announced_at IS NULL AND enrolment_opens_at <= ? AND enrolment_closes_at > ?", now, now).Find(&due).Error; err != nil {
		return 0, database.Translate(err)
	}
	announced := 0
	for _, c := range due {
		err := s.db.InTx(ctx, func(ctx context.Context) error {
			res := s.db.Conn(ctx).Model(&cohortRow{}).Where("id = ? AND announced_at IS NULL", c.ID).Update("announced_at", now)
			if res.Error != nil || res.RowsAffected == 0 { // another replica did it
				return database.Translate(res.Error)
			}
			course, err := s.store.course(ctx, c.CourseID, false)
			if err != nil {
				return err
			}
			announced++
			return s.notify.Broadcast(ctx, "cohort-open:"+c.ID, "cohort_open", "cohort_open_interest", c.CourseID, map[string]string{
				"course": course.Title, "cohort": c.Title, "starts": latvianDate(c.StartsAt), "closes": latvianDate(c.EnrolmentClosesAt)})
		})
		if err != nil {
			return announced, err
		}
	}
	return announced, nil
}

// RunAnnouncer announces opening cohorts every interval until ctx ends.
func (s *Service) RunAnnouncer(ctx context.Context, every time.Duration, onError func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.AnnounceOpenCohorts(ctx); err != nil && ctx.Err() == nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

type interestRow struct {
	CourseID  string
	UserID    string
	CreatedAt time.Time
}

func (interestRow) TableName() string { return "course_interest" }

// AddInterest puts the caller on the list of people to tell when the
// course's next cohort opens. Errors: ErrNotFound.
func (s *Service) AddInterest(ctx context.Context, caller accounts.Principal, courseID string) error {
	if _, err := s.Course(ctx, caller, courseID); err != nil {
		return err
	}
	row := interestRow{CourseID: courseID, UserID: caller.UserID, CreatedAt: s.now().UTC()}
	err := database.Translate(s.db.Conn(ctx).Create(&row).Error)
	if err != nil && !isDuplicate(err) {
		return err
	}
	return nil
}

// RemoveInterest takes the caller off the list. Errors: ErrNotFound.
func (s *Service) RemoveInterest(ctx context.Context, caller accounts.Principal, courseID string) error {
	if uuid.Validate(courseID) != nil {
		return ErrNotFound
	}
	return database.Translate(s.db.Conn(ctx).Where("course_id = ? AND user_id = ?", courseID, caller.UserID).Delete(&interestRow{}).Error)
}

var latvianMonths = [...]string{"janvārī", "februārī", "martā", "aprīlī", "maijā", "jūnijā", "jūlijā", "augustā", "septembrī", "oktobrī", "novembrī", "decembrī"}

// latvianDate writes when something happens: "2026. gada 23. novembrī".
func latvianDate(t time.Time) string {
	y, m, d := t.UTC().Date()
	return strconv.Itoa(y) + ". gada " + strconv.Itoa(d) + ". " + latvianMonths[m-1]
}
