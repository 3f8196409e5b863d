package cohorts

import (
	"context"
	"time"

	"mooc/internal/lv"
	"mooc/notify/outbox"
)

// enrolmentNotice is what the confirmation or waitlist notice of a new
// enrolment in c says, without the waitlist position, which only the claim
// knows.
func enrolmentNotice(c enrolTarget) map[string]string {
	return map[string]string{"course": c.CourseTitle, "cohort": c.Title, "starts": lv.DateIn(c.StartsAt)}
}

// tellPromoted queues the news that a waitlisted learner got a seat.
func (s *Service) tellPromoted(ctx context.Context, e enrolmentRow) error {
	c, err := s.store.cohort(ctx, e.CohortID)
	if err != nil {
		return err
	}
	course, err := s.courses.Header(ctx, c.CourseID)
	if err != nil {
		return err
	}
	return s.outbox.Queue(ctx, outbox.Message{ID: "promoted:" + e.ID, UserID: e.UserID, Template: "promoted",
		Params: map[string]string{"course": course.Title, "cohort": c.Title, "starts": lv.DateIn(c.StartsAt)}})
}

// AnnounceOpenCohorts tells learners about cohorts whose enrolment window
// has opened and that were not announced yet; those on the course's
// interest list get a personal note instead. Each cohort is announced once,
// in the transaction that marks it announced.
func (s *Service) AnnounceOpenCohorts(ctx context.Context) (int, error) {
	now := s.now().UTC()
	due, err := s.store.unannounced(ctx, now)
	if err != nil {
		return 0, err
	}
	announced := 0
	for _, c := range due {
		err := s.db.InTx(ctx, func(ctx context.Context) error {
			won, err := s.store.markAnnounced(ctx, c.ID, now)
			if err != nil || !won { // another replica did it
				return err
			}
			announced++
			return s.announce(ctx, c)
		})
		if err != nil {
			return announced, err
		}
	}
	return announced, nil
}

// announce queues the opening notices of one cohort, one per person: the
// interest list's first, then every other learner's.
func (s *Service) announce(ctx context.Context, c cohortRow) error {
	course, err := s.courses.Header(ctx, c.CourseID)
	if err != nil {
		return err
	}
	interested, err := s.store.interested(ctx, c.CourseID)
	if err != nil {
		return err
	}
	learners, err := s.audience.Learners(ctx)
	if err != nil {
		return err
	}
	params := map[string]string{"course": course.Title, "cohort": c.Title, "starts": lv.DateIn(c.StartsAt), "closes": lv.DateIn(c.EnrolmentClosesAt)}
	told := make(map[string]bool, len(learners))
	msgs := make([]outbox.Message, 0, len(learners))
	for _, group := range []struct {
		template string
		people   []string
	}{{"cohort_open_interest", interested}, {"cohort_open", learners}} {
		for _, id := range group.people {
			if !told[id] {
				told[id] = true
				msgs = append(msgs, outbox.Message{ID: "cohort-open:" + c.ID + ":" + id, UserID: id, Template: group.template, Params: params})
			}
		}
	}
	return s.outbox.Queue(ctx, msgs...)
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
