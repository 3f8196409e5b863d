package cohorts

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/internal/database"
)

// AddInterest puts the caller on the list of people to tell when the
// course's next cohort opens. Errors: catalogue.ErrNotFound.
func (s *Service) AddInterest(ctx context.Context, caller accounts.Principal, courseID string) error {
	if _, err := s.courses.Course(ctx, caller, courseID); err != nil {
		return err
	}
	err := s.store.addInterest(ctx, interestRow{CourseID: courseID, UserID: caller.UserID, CreatedAt: s.now().UTC()})
	if errors.Is(err, database.ErrDuplicate) { // on the list already
		return nil
	}
	return err
}

// RemoveInterest takes the caller off the list. Errors: ErrNotFound.
func (s *Service) RemoveInterest(ctx context.Context, caller accounts.Principal, courseID string) error {
	if uuid.Validate(courseID) != nil {
		return ErrNotFound
	}
	return s.store.removeInterest(ctx, courseID, caller.UserID)
}

type interestRow struct {
	CourseID  string
	UserID    string
	CreatedAt time.Time
}

func (interestRow) TableName() string { return "course_interest" }
