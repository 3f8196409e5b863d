package cohorts

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"mooc/audit"
	"mooc/internal/page"
	"mooc/internal/validation"
)

// CreateCohort opens a cohort of a published course (the caller is team).
// Errors: ErrNotFound, ErrNotPublished, *validation.Error.
func (s *Service) CreateCohort(ctx context.Context, courseID string, in NewCohort) (Cohort, error) {
	in.Title = strings.TrimSpace(in.Title)
	if err := validation.Struct(in); err != nil {
		return Cohort{}, err
	}
	course, err := s.courses.Published(ctx, courseID)
	if err != nil {
		return Cohort{}, err
	}
	now := s.now().UTC()
	start := in.StartsAt.UTC()
	if err := windowCheck(in.EnrolmentOpensAt.UTC(), in.EnrolmentClosesAt.UTC(), EndsAt(start, course.WeekCount())); err != nil {
		return Cohort{}, err
	}
	row := cohortRow{
		ID: uuid.NewString(), CourseID: course.ID, Title: in.Title, Capacity: MaxCohort,
		EnrolmentOpensAt: in.EnrolmentOpensAt.UTC(), EnrolmentClosesAt: in.EnrolmentClosesAt.UTC(),
		StartsAt: start, EndsAt: EndsAt(start, course.WeekCount()), CreatedAt: now, UpdatedAt: now,
	}
	if in.Capacity != nil {
		row.Capacity = *in.Capacity
	}
	if err := s.store.insertCohort(ctx, row); err != nil {
		return Cohort{}, err
	}
	return s.toCohort(row), nil
}

// Cohort returns one cohort with its counts (kept on its row). Errors: ErrNotFound.
func (s *Service) Cohort(ctx context.Context, id string) (Cohort, error) {
	if uuid.Validate(id) != nil {
		return Cohort{}, ErrNotFound
	}
	row, err := s.store.cohort(ctx, id)
	if err != nil {
		return Cohort{}, err
	}
	return s.toCohort(row), nil
}

// CohortFilter narrows a cohort listing.
type CohortFilter struct {
	CourseID string
	OpenOnly bool // enrolment window open now
}

// Cohorts lists cohorts, latest start first.
func (s *Service) Cohorts(ctx context.Context, f CohortFilter, limit int, cursor string) ([]Cohort, string, error) {
	after, err := page.Decode(cursor, 2)
	if err != nil {
		return nil, "", err
	}
	p := page.Request{Limit: limit, After: after}.Clamp()
	filter := cohortFilter{courseID: f.CourseID}
	if f.OpenOnly {
		now := s.now().UTC()
		filter.openAt = &now
	}
	rows, err := s.store.cohorts(ctx, filter, p)
	if err != nil {
		return nil, "", err
	}
	rows, next := page.Trim(rows, p.Limit, func(r cohortRow) []string { return page.TimeKey(r.StartsAt, r.ID) })
	out := make([]Cohort, len(rows))
	for i, r := range rows {
		out[i] = s.toCohort(r)
	}
	return out, next, nil
}

// UpdateCohort changes a cohort's title, window or capacity. Raising the
// capacity promotes waitlisted learners in order, in the same transaction.
// Errors: ErrNotFound, ErrCapacityBelowEnrolled, *validation.Error.
func (s *Service) UpdateCohort(ctx context.Context, id string, ch CohortChange) (Cohort, error) {
	if err := validation.Struct(ch); err != nil {
		return Cohort{}, err
	}
	if uuid.Validate(id) != nil {
		return Cohort{}, ErrNotFound
	}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		// The lock keeps enrolments and withdrawals from moving the count
		// between the check below and the update.
		c, err := s.store.lockCohort(ctx, id)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		fields := map[string]any{"updated_at": now}
		if ch.Title != nil {
			fields["title"] = strings.TrimSpace(*ch.Title)
		}
		opens, closes := c.EnrolmentOpensAt, c.EnrolmentClosesAt
		if ch.EnrolmentOpensAt != nil {
			opens = ch.EnrolmentOpensAt.UTC()
			fields["enrolment_opens_at"] = opens
		}
		if ch.EnrolmentClosesAt != nil {
			closes = ch.EnrolmentClosesAt.UTC()
			fields["enrolment_closes_at"] = closes
		}
		if err := windowCheck(opens, closes, c.EndsAt.UTC()); err != nil {
			return err
		}
		promote := 0
		if ch.Capacity != nil {
			if *ch.Capacity < c.EnrolledCount {
				return ErrCapacityBelowEnrolled
			}
			fields["capacity"] = *ch.Capacity
			promote = *ch.Capacity - c.EnrolledCount
		}
		if err := s.store.updateCohort(ctx, id, fields); err != nil {
			return err
		}
		if changes := cohortChanges(c, fields); len(changes) > 0 {
			if err := s.audit.Record(ctx, audit.Entry{Action: audit.CohortChanged, TargetType: "cohort", TargetID: id,
				Details: changes}); err != nil {
				return err
			}
		}
		if promote > 0 {
			return s.promote(ctx, id, promote, now)
		}
		return nil
	})
	if err != nil {
		return Cohort{}, err
	}
	return s.Cohort(ctx, id)
}

// promote gives up to n free seats to the head of the waitlist. The caller
// holds the cohort row locked.
func (s *Service) promote(ctx context.Context, cohortID string, n int, at time.Time) error {
	next, err := s.store.firstWaitlisted(ctx, cohortID, n)
	if err != nil || len(next) == 0 {
		return err
	}
	for _, e := range next {
		if err := s.store.setStatus(ctx, e.ID, Enrolled, at); err != nil {
			return err
		}
		if err := s.tellPromoted(ctx, e); err != nil {
			return err
		}
	}
	if err := s.store.addWaitlist(ctx, cohortID, -len(next)); err != nil {
		return err
	}
	return s.store.addSeats(ctx, cohortID, len(next))
}

// windowCheck is the rule for an enrolment window: it closes after it
// opens, and no later than the cohort ends.
func windowCheck(opens, closes, ends time.Time) error {
	switch {
	case !closes.After(opens):
		return validation.Fail(validation.Field("enrolment_closes_at", "must be after enrolment_opens_at"))
	case closes.After(ends):
		return validation.Fail(validation.Field("enrolment_closes_at", "must not be after the cohort ends ("+ends.Format(time.RFC3339)+")"))
	}
	return nil
}

func (s *Service) toCohort(r cohortRow) Cohort {
	now := s.now()
	return Cohort{
		ID: r.ID, CourseID: r.CourseID, Title: r.Title, Capacity: r.Capacity, EnrolledCount: r.EnrolledCount,
		WaitlistCount: r.WaitlistCount, EnrolmentOpensAt: r.EnrolmentOpensAt.UTC(), EnrolmentClosesAt: r.EnrolmentClosesAt.UTC(),
		StartsAt: r.StartsAt.UTC(), EndsAt: r.EndsAt.UTC(), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		EnrolmentOpen: !now.Before(r.EnrolmentOpensAt) && now.Before(r.EnrolmentClosesAt),
	}
}

// cohortChanges says what a change did to the cohort, each field whose
// value changed as {"from", "to"}, for the audit log; a field sent with
// the value it had is no change.
func cohortChanges(before cohortRow, fields map[string]any) map[string]any {
	was := map[string]any{"title": before.Title, "capacity": before.Capacity,
		"enrolment_opens_at": before.EnrolmentOpensAt.UTC(), "enrolment_closes_at": before.EnrolmentClosesAt.UTC()}
	out := map[string]any{}
	for k, v := range fields {
		old, ok := was[k]
		if !ok {
			continue
		}
		if t, isTime := v.(time.Time); isTime && t.Equal(old.(time.Time)) {
			continue
		}
		if v == old {
			continue
		}
		out[k] = map[string]any{"from": old, "to": v}
	}
	return out
}
