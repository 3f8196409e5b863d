package cohorts

import (
	"context"
	"time"

	"mooc/accounts"
	"mooc/internal/lease"
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
	return s.announceOpenCohorts(ctx, lease.Worker{})
}

// announcementKind names a cohort's announcement in the log.
const announcementKind = "cohort.announcement"

// announceOpenCohorts is AnnounceOpenCohorts by worker w. The transaction
// that marks a cohort announced is its claim: should the replica die
// before the commit, the database rolls it back and the cohort is due
// again at the next replica's next round, so no lease needs renewing.
func (s *Service) announceOpenCohorts(ctx context.Context, w lease.Worker) (int, error) {
	now := s.now().UTC()
	due, err := s.store.unannounced(ctx, now)
	if err != nil {
		return 0, err
	}
	announced := 0
	for _, c := range due {
		won := false
		err := s.db.InTx(ctx, func(ctx context.Context) (err error) {
			won, err = s.store.markAnnounced(ctx, c.ID, now)
			if err != nil || !won { // another replica did it
				return err
			}
			w.Claimed(announcementKind, c.ID, "")
			return s.announce(ctx, c)
		})
		if err != nil {
			return announced, err
		}
		if won {
			announced++
			w.Finished(announcementKind, c.ID)
		}
	}
	return announced, nil
}

// announce queues the opening notices of one cohort, one per person
// (announcementAudience), and takes those who asked about the course off
// its interest list: they asked to hear of the next cohort, and now have.
func (s *Service) announce(ctx context.Context, c cohortRow) error {
	course, err := s.courses.Header(ctx, c.CourseID)
	if err != nil {
		return err
	}
	interested, others, err := s.announcementAudience(ctx, c.CourseID)
	if err != nil {
		return err
	}
	params := map[string]string{"course": course.Title, "cohort": c.Title, "starts": lv.DateIn(c.StartsAt), "closes": lv.DateIn(c.EnrolmentClosesAt)}
	msgs := make([]outbox.Message, 0, len(interested)+len(others))
	for _, group := range []struct {
		template string
		people   []string
	}{{"cohort_open_interest", interested}, {"cohort_open", others}} {
		for _, id := range group.people {
			msgs = append(msgs, outbox.Message{ID: "cohort-open:" + c.ID + ":" + id, UserID: id, Template: group.template, Params: params})
		}
	}
	if err := s.outbox.Queue(ctx, msgs...); err != nil {
		return err
	}
	return s.store.removeInterestOf(ctx, c.CourseID, interested)
}

// announcementAudience is the rule for whom a cohort opening of the course
// is told to: people who may hear of openings at all (Audience.Listeners:
// verified learners, no authors or team), who asked about this course (the
// interest list) or about every new cohort (announcements), and who hold
// no place in the course already, enrolled or waitlisted. Those who asked
// about the course come first, each person once.
func (s *Service) announcementAudience(ctx context.Context, courseID string) (interested, others []string, err error) {
	listeners, err := s.audience.Listeners(ctx)
	if err != nil {
		return nil, nil, err
	}
	asked, err := s.store.interested(ctx, courseID)
	if err != nil {
		return nil, nil, err
	}
	placed, err := s.store.activeInCourse(ctx, courseID)
	if err != nil {
		return nil, nil, err
	}
	may := make(map[string]accounts.Listener, len(listeners))
	for _, l := range listeners {
		may[l.ID] = l
	}
	holds := make(map[string]bool, len(placed))
	for _, id := range placed {
		holds[id] = true
	}
	told := map[string]bool{}
	for _, id := range asked {
		if _, ok := may[id]; ok && !holds[id] && !told[id] {
			told[id] = true
			interested = append(interested, id)
		}
	}
	for _, l := range listeners {
		if l.Announcements && !holds[l.ID] && !told[l.ID] {
			told[l.ID] = true
			others = append(others, l.ID)
		}
	}
	return interested, others, nil
}

// AnnouncementCount says how many people an opening of the course would be
// told to now, for its authors and the team before they open a cohort.
type AnnouncementCount struct {
	Interested int `json:"interested"` // on the course's interest list
	Others     int `json:"others"`     // who want every new cohort announced
	Total      int `json:"total"`
}

// AnnouncementAudience counts who a cohort opening of the course would
// reach (announcementAudience). Errors: catalogue.ErrNotFound,
// catalogue.ErrForbidden.
func (s *Service) AnnouncementAudience(ctx context.Context, caller accounts.Principal, courseID string) (AnnouncementCount, error) {
	if _, err := s.courses.Editable(ctx, caller, courseID); err != nil {
		return AnnouncementCount{}, err
	}
	interested, others, err := s.announcementAudience(ctx, courseID)
	if err != nil {
		return AnnouncementCount{}, err
	}
	return AnnouncementCount{Interested: len(interested), Others: len(others), Total: len(interested) + len(others)}, nil
}

// RunAnnouncer announces opening cohorts every interval until ctx ends,
// as worker w.
func (s *Service) RunAnnouncer(ctx context.Context, every time.Duration, w lease.Worker, onError func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.announceOpenCohorts(ctx, w); err != nil && ctx.Err() == nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
