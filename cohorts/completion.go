package cohorts

import (
	"context"
	"time"

	"github.com/google/uuid"

	"mooc/internal/database"
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
	// CompletedAt is when the last requirement was met, for an eligible
	// enrolment (zero otherwise): the later of the last lesson completed
	// and the first passing submission of the final test.
	CompletedAt time.Time
	Progress    Progress
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
	var eligible []string
	for _, e := range rows {
		if len(Missing(standings[e.ID].Standing)) == 0 {
			eligible = append(eligible, e.ID)
		}
	}
	completedAt, err := s.completedAt(ctx, eligible)
	if err != nil {
		return nil, err
	}
	out := make([]Completion, 0, len(rows))
	for _, e := range rows {
		course, cohort, st := courses[e.CourseID], cohorts[e.CohortID], standings[e.ID]
		out = append(out, Completion{EnrolmentID: e.ID, UserID: e.UserID, CohortID: e.CohortID, CourseTitle: course.Title,
			MethodologyTitle: course.MethodologyTitle, Hours: course.EffortHours,
			From: cohort.StartsAt.UTC(), To: cohort.EndsAt.UTC(), CompletedAt: completedAt[e.ID],
			Progress: st.progress, Missing: Missing(st.Standing)})
	}
	return out, nil
}

// completedAt tells when each of the given (eligible) enrolments met its
// last requirement: the later of its last lesson completion and the
// first passing submission of the final test (the test's time comes from
// the assessment's records).
func (s *Service) completedAt(ctx context.Context, enrolmentIDs []string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	if len(enrolmentIDs) == 0 {
		return out, nil
	}
	// Row by row rather than MAX(), which SQLite would answer as text.
	var lessons []progressRow
	err := s.db.Conn(ctx).Model(&progressRow{}).Select("enrolment_id, completed_at").
		Where("enrolment_id IN ? AND completed = ? AND completed_at IS NOT NULL", enrolmentIDs, true).Find(&lessons).Error
	if err != nil {
		return nil, database.Translate(err)
	}
	later := func(id string, t time.Time) {
		if t.After(out[id]) {
			out[id] = t.UTC()
		}
	}
	for _, l := range lessons {
		later(l.EnrolmentID, *l.CompletedAt)
	}
	passed, err := s.tests.FinalPassedAt(ctx, enrolmentIDs)
	if err != nil {
		return nil, err
	}
	for id, t := range passed {
		later(id, t)
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
