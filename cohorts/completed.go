package cohorts

import (
	"context"

	"mooc/accounts"
	"mooc/internal/database"
)

// CompletedLessons lists the lessons of an enrolment that its learner has
// completed, for a course page that ticks them off week by week. Errors:
// ErrNotFound (not the caller's, and the caller is not the team).
func (s *Service) CompletedLessons(ctx context.Context, caller accounts.Principal, enrolmentID string) (map[string]bool, error) {
	e, err := s.ownEnrolment(ctx, caller, enrolmentID)
	if err != nil {
		return nil, err
	}
	return s.store.completedLessonIDs(ctx, e.ID)
}

func (s store) completedLessonIDs(ctx context.Context, enrolmentID string) (map[string]bool, error) {
	var ids []string
	err := s.db.Conn(ctx).Model(&progressRow{}).Where("enrolment_id = ? AND completed = ?", enrolmentID, true).
		Pluck("lesson_id", &ids).Error
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, database.Translate(err)
}
