package cohorts

import (
	"context"
	"time"

	"github.com/google/uuid"

	"mooc/accounts"
)

// Seat is an enrolment as other domains need it: whose it is, its course,
// and when its cohort's weeks open and close.
type Seat struct {
	EnrolmentID string
	UserID      string
	CourseID    string
	Status      string
	StartsAt    time.Time
	EndsAt      time.Time
	Weeks       int
}

// WeekOpens is when week n opens for this seat.
func (s Seat) WeekOpens(n int) time.Time { return WeekOpens(s.StartsAt, n) }

// OwnSeat returns the enrolment behind id if the caller owns it (not even
// the team may act for a learner here: tests and certificates are the
// learner's own). Errors: ErrNotFound.
func (s *Service) OwnSeat(ctx context.Context, caller accounts.Principal, enrolmentID string) (Seat, error) {
	if uuid.Validate(enrolmentID) != nil {
		return Seat{}, ErrNotFound
	}
	e, err := s.store.enrolment(ctx, enrolmentID)
	if err != nil {
		return Seat{}, err
	}
	if e.UserID != caller.UserID {
		return Seat{}, ErrNotFound
	}
	c, err := s.store.cohort(ctx, e.CohortID)
	if err != nil {
		return Seat{}, err
	}
	course, err := s.courses.Header(ctx, e.CourseID)
	if err != nil {
		return Seat{}, err
	}
	return Seat{EnrolmentID: e.ID, UserID: e.UserID, CourseID: e.CourseID, Status: e.Status,
		StartsAt: c.StartsAt.UTC(), EndsAt: c.EndsAt.UTC(), Weeks: course.Weeks}, nil
}
