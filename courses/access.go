package courses

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/internal/database"
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

// Completion is what a certificate for an enrolment needs to know.
type Completion struct {
	EnrolmentID      string
	UserID           string
	CohortID         string
	CourseTitle      string
	MethodologyTitle string
	Hours            int
	From, To         time.Time
	Progress         Progress
	// Missing says, when not eligible, what is left to do.
	Missing []Gap
}

// Completions describes the given enrolments for certificates; callers
// check ownership themselves. Unknown ids are left out.
func (s *Service) Completions(ctx context.Context, enrolmentIDs []string) ([]Completion, error) {
	if len(enrolmentIDs) == 0 {
		return nil, nil
	}
	var rows []enrolmentRow
	if err := s.db.Conn(ctx).Where("id IN ?", enrolmentIDs).Find(&rows).Error; err != nil {
		return nil, database.Translate(err)
	}
	progress, err := s.progressOf(ctx, rows)
	if err != nil {
		return nil, err
	}
	results := map[string]TestResult{}
	if s.results != nil {
		if results, err = s.results.Results(ctx, enrolmentIDs); err != nil {
			return nil, err
		}
	}
	out := make([]Completion, 0, len(rows))
	cohorts, courses, methodologies := map[string]cohortRow{}, map[string]courseRow{}, map[string]methodologyRow{}
	for _, e := range rows {
		if _, ok := cohorts[e.CohortID]; !ok {
			if cohorts[e.CohortID], err = s.store.cohort(ctx, e.CohortID, false); err != nil {
				return nil, err
			}
		}
		if _, ok := courses[e.CourseID]; !ok {
			if courses[e.CourseID], err = s.store.course(ctx, e.CourseID, false); err != nil {
				return nil, err
			}
		}
		course := courses[e.CourseID]
		if _, ok := methodologies[course.MethodologyID]; !ok {
			if methodologies[course.MethodologyID], err = s.store.methodology(ctx, course.MethodologyID); err != nil {
				return nil, err
			}
		}
		p := progress[e.ID]
		c := Completion{EnrolmentID: e.ID, UserID: e.UserID, CohortID: e.CohortID, CourseTitle: course.Title,
			MethodologyTitle: methodologies[course.MethodologyID].Title, Hours: course.EffortHours,
			From: cohorts[e.CohortID].StartsAt.UTC(), To: cohorts[e.CohortID].EndsAt.UTC(), Progress: p}
		if p.LessonsCompleted < p.LessonsTotal {
			c.Missing = append(c.Missing, Gap{"lessons", fmt.Sprintf("%d of %d lessons are not completed", p.LessonsTotal-p.LessonsCompleted, p.LessonsTotal)})
		}
		if !results[e.ID].FinalPassed {
			c.Missing = append(c.Missing, Gap{"final_test", "the final test is not passed"})
		}
		if e.Status != Enrolled {
			c.Missing = append(c.Missing, Gap{"enrolment", "the enrolment is " + e.Status})
		}
		out = append(out, c)
	}
	return out, nil
}

// EnrolledInCohort lists the enrolments of a cohort whose learners hold a
// seat (candidates for certificates).
func (s *Service) EnrolledInCohort(ctx context.Context, cohortID string) ([]string, error) {
	if uuid.Validate(cohortID) != nil {
		return nil, ErrNotFound
	}
	if _, err := s.store.cohort(ctx, cohortID, false); err != nil {
		return nil, err
	}
	var ids []string
	err := s.db.Conn(ctx).Model(&enrolmentRow{}).Where("cohort_id = ? AND status = ?", cohortID, Enrolled).Order("queue_seq, id").Pluck("id", &ids).Error
	return ids, database.Translate(err)
}
