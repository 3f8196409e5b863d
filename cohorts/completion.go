package cohorts

import (
	"context"
	"time"

	"github.com/google/uuid"

	"mooc/internal/validation"
)

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
	// Missing says, when not eligible, what is left to do (see Missing).
	Missing []validation.FieldError
}

// Completions describes the given enrolments for certificates; callers
// check ownership themselves. Unknown ids are left out.
func (s *Service) Completions(ctx context.Context, enrolmentIDs []string) ([]Completion, error) {
	if len(enrolmentIDs) == 0 {
		return nil, nil
	}
	rows, err := s.store.enrolments(ctx, enrolmentIDs)
	if err != nil {
		return nil, err
	}
	standings, err := s.standings(ctx, rows)
	if err != nil {
		return nil, err
	}
	var cohortIDs, courseIDs []string
	for _, e := range rows {
		cohortIDs, courseIDs = append(cohortIDs, e.CohortID), append(courseIDs, e.CourseID)
	}
	cohorts, err := s.store.cohortsByID(ctx, cohortIDs)
	if err != nil {
		return nil, err
	}
	courses, err := s.courses.Headers(ctx, courseIDs)
	if err != nil {
		return nil, err
	}
	out := make([]Completion, 0, len(rows))
	for _, e := range rows {
		course, cohort, st := courses[e.CourseID], cohorts[e.CohortID], standings[e.ID]
		out = append(out, Completion{EnrolmentID: e.ID, UserID: e.UserID, CohortID: e.CohortID, CourseTitle: course.Title,
			MethodologyTitle: course.MethodologyTitle, Hours: course.EffortHours,
			From: cohort.StartsAt.UTC(), To: cohort.EndsAt.UTC(), Progress: st.progress, Missing: Missing(st.Standing)})
	}
	return out, nil
}

// EnrolledInCohort lists the enrolments of a cohort whose learners hold a
// seat (candidates for certificates).
func (s *Service) EnrolledInCohort(ctx context.Context, cohortID string) ([]string, error) {
	if uuid.Validate(cohortID) != nil {
		return nil, ErrNotFound
	}
	if _, err := s.store.cohort(ctx, cohortID); err != nil {
		return nil, err
	}
	return s.store.seatedIn(ctx, cohortID)
}
