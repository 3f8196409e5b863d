package cohorts

import (
	"context"

	"mooc/internal/database"
)

// PersonalData returns everything the cohorts domain holds about the
// person: enrolments, the progress of each lesson (watched ranges
// included) and the courses they asked to hear about.
func (s *Service) PersonalData(ctx context.Context, userID string) (map[string]any, error) {
	conn := s.db.Conn(ctx)
	enrolments, err := database.Records(conn.Table("enrolments").Where("user_id = ?", userID).Order("created_at, id"))
	if err != nil {
		return nil, err
	}
	progress, err := database.Records(s.db.Conn(ctx).Table("lesson_progress").
		Where("enrolment_id IN (?)", s.db.Conn(ctx).Table("enrolments").Select("id").Where("user_id = ?", userID)).
		Order("enrolment_id, lesson_id"))
	if err != nil {
		return nil, err
	}
	interest, err := database.Records(s.db.Conn(ctx).Table("course_interest").Where("user_id = ?", userID).Order("created_at"))
	if err != nil {
		return nil, err
	}
	return map[string]any{"enrolments": enrolments, "lesson_progress": progress, "course_interest": interest}, nil
}

// ForgetPerson is the cohorts domain's part of closing an account, in the
// caller's transaction: every enrolment or waitlist place still held is
// withdrawn (a seat goes to the next in line, as any withdrawal's does)
// and the wish to hear of courses is dropped. Past enrolments and their
// progress stay, attached to the emptied account: completions are what
// the programme reports to its funders.
func (s *Service) ForgetPerson(ctx context.Context, userID string) error {
	var cohortIDs []string
	if err := s.db.Conn(ctx).Table("enrolments").Where("user_id = ? AND status IN ?", userID, []string{Enrolled, Waitlisted}).
		Order("cohort_id").Pluck("cohort_id", &cohortIDs).Error; err != nil {
		return database.Translate(err)
	}
	for _, id := range cohortIDs {
		if err := s.Withdraw(ctx, id, userID); err != nil {
			return err
		}
	}
	return database.Translate(s.db.Conn(ctx).Exec(`DELETE FROM course_interest WHERE user_id = ?`, userID).Error)
}
