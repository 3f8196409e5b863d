package courses

import (
	"context"
	"time"

	"github.com/google/uuid"

	"mooc/accounts"
)

// Authoring returns a course the caller may edit. With draftOnly, a
// published course answers ErrCoursePublished. Errors: ErrNotFound (also
// for a course the caller may not see), ErrForbidden.
func (s *Service) Authoring(ctx context.Context, caller accounts.Principal, courseID string, draftOnly bool) (Course, error) {
	c, err := s.load(ctx, courseID, false)
	if err != nil {
		return Course{}, err
	}
	switch {
	case !canSee(c, caller):
		return Course{}, ErrNotFound
	case !canEdit(c, caller):
		return Course{}, ErrForbidden
	case draftOnly && c.Status == StatusPublished:
		return Course{}, ErrCoursePublished
	}
	return c, nil
}

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
func (s Seat) WeekOpens(n int) time.Time { return weekOpens(s.StartsAt, n) }

// SeatOf returns the enrolment behind id if the caller owns it, or is team
// and asOwnerOnly is false. Errors: ErrNotFound.
func (s *Service) SeatOf(ctx context.Context, caller accounts.Principal, enrolmentID string, asOwnerOnly bool) (Seat, error) {
	if uuid.Validate(enrolmentID) != nil {
		return Seat{}, ErrNotFound
	}
	e, err := s.store.enrolment(ctx, enrolmentID)
	if err != nil {
		return Seat{}, err
	}
	if e.UserID != caller.UserID && (asOwnerOnly || !caller.IsTeam()) {
		return Seat{}, ErrNotFound
	}
	c, err := s.store.cohort(ctx, e.CohortID, false)
	if err != nil {
		return Seat{}, err
	}
	course, err := s.store.course(ctx, e.CourseID, false)
	if err != nil {
		return Seat{}, err
	}
	return Seat{EnrolmentID: e.ID, UserID: e.UserID, CourseID: e.CourseID, Status: e.Status,
		StartsAt: c.StartsAt.UTC(), EndsAt: c.EndsAt.UTC(), Weeks: course.Weeks}, nil
}
