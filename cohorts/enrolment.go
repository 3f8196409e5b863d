package cohorts

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/internal/database"
)

// Enrol gives userID a seat in the cohort, or a place on its waitlist when
// the seats are gone, and tells the learner which (and their exact place
// in the queue). Errors: ErrNotFound, ErrCohortEnded, ErrEnrolmentClosed,
// *AlreadyEnrolledError (with the learner's active enrolment in the course).
//
// The seat, or the place at the end of the waitlist, is claimed by one
// conditional UPDATE of the cohort row, so the count can never pass the
// capacity and the waitlist position told is exact however many requests
// race. On PostgreSQL the claim, the enrolment and its e-mail are one
// statement (claimStatement), and the claims of a cohort that arrive
// together run in batches sharing one commit (claimBatcher); SQLite, which
// has one writer at a time anyway, runs the same steps in a transaction.
func (s *Service) Enrol(ctx context.Context, cohortID, userID string) (Enrolment, error) {
	if uuid.Validate(cohortID) != nil {
		return Enrolment{}, ErrNotFound
	}
	c, err := s.store.enrolTarget(ctx, cohortID)
	if err != nil {
		return Enrolment{}, err
	}
	now := s.now().UTC()
	if err := enrolmentOpen(c.cohortRow, now); err != nil {
		return Enrolment{}, err
	}
	row := enrolmentRow{ID: uuid.NewString(), CohortID: c.ID, CourseID: c.CourseID, UserID: userID, CreatedAt: now, UpdatedAt: now}
	var position int
	row.Status, position, err = s.seats.claim(ctx, row, enrolmentNotice(c))
	// The unique index on active enrolments refuses a second place in the
	// course (this cohort or another); a seat claimed with it is rolled back.
	if errors.Is(err, database.ErrDuplicate) {
		return Enrolment{}, s.alreadyEnrolled(ctx, c.CourseID, userID)
	}
	if err != nil {
		return Enrolment{}, err
	}
	if row.Status == Enrolled {
		row.EnrolledAt = &now
	}
	out := toEnrolment(row)
	if row.Status == Waitlisted {
		out.WaitlistPosition = &position
	}
	return out, nil
}

// enrolmentOpen is the rule for when a cohort takes enrolments: inside its
// window, and never once it has ended (a place in an ended cohort would use
// up the learner's one active place in the course for good).
func enrolmentOpen(c cohortRow, now time.Time) error {
	switch {
	case !now.Before(c.EndsAt):
		return ErrCohortEnded
	case now.Before(c.EnrolmentOpensAt) || !now.Before(c.EnrolmentClosesAt):
		return ErrEnrolmentClosed
	}
	return nil
}

func (s *Service) alreadyEnrolled(ctx context.Context, courseID, userID string) error {
	existing, err := s.store.activeEnrolment(ctx, userID, courseID)
	if err != nil {
		return err
	}
	e, err := s.withPosition(ctx, existing)
	if err != nil {
		return err
	}
	return &AlreadyEnrolledError{Existing: e}
}

// Withdraw ends userID's enrolment or waitlist place in the cohort. A freed
// seat goes to the head of the waitlist in the same transaction. Errors:
// ErrNotFound (no active enrolment there).
func (s *Service) Withdraw(ctx context.Context, cohortID, userID string) error {
	if uuid.Validate(cohortID) != nil {
		return ErrNotFound
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		// Lock the cohort first, as seat claims do, so withdrawals and
		// promotions are serialised with them and never deadlock.
		if _, err := s.store.lockCohort(ctx, cohortID); err != nil {
			return err
		}
		e, err := s.store.activeInCohort(ctx, userID, cohortID)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		if err := s.store.setStatus(ctx, e.ID, Withdrawn, now); err != nil {
			return err
		}
		if e.Status != Enrolled { // a place on the waitlist is given up
			return s.store.addWaitlist(ctx, cohortID, -1)
		}
		next, err := s.store.firstWaitlisted(ctx, cohortID, 1)
		if err != nil {
			return err
		}
		if len(next) == 1 { // the seat changes hands
			if err := s.store.setStatus(ctx, next[0].ID, Enrolled, now); err != nil {
				return err
			}
			if err := s.store.addWaitlist(ctx, cohortID, -1); err != nil {
				return err
			}
			return s.tellPromoted(ctx, next[0])
		}
		return s.store.addSeats(ctx, cohortID, -1)
	})
}

// Enrolment returns an enrolment with its progress to its learner or the
// team. Errors: ErrNotFound (also for someone else's).
func (s *Service) Enrolment(ctx context.Context, caller accounts.Principal, id string) (Enrolment, error) {
	e, err := s.ownEnrolment(ctx, caller, id)
	if err != nil {
		return Enrolment{}, err
	}
	out, err := s.withPosition(ctx, e)
	if err != nil {
		return Enrolment{}, err
	}
	st, err := s.standings(ctx, []enrolmentRow{e})
	if err != nil {
		return Enrolment{}, err
	}
	p := st[e.ID].progress
	out.Progress = &p
	return out, nil
}

// MyEnrolments lists the caller's enrolments, newest first, with progress.
func (s *Service) MyEnrolments(ctx context.Context, userID string) ([]Enrolment, error) {
	rows, err := s.store.enrolmentsOfUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	return s.describeAll(ctx, rows)
}

func (s *Service) ownEnrolment(ctx context.Context, caller accounts.Principal, id string) (enrolmentRow, error) {
	if uuid.Validate(id) != nil {
		return enrolmentRow{}, ErrNotFound
	}
	e, err := s.store.enrolment(ctx, id)
	if err != nil {
		return enrolmentRow{}, err
	}
	if e.UserID != caller.UserID && !caller.IsTeam() {
		return enrolmentRow{}, ErrNotFound
	}
	return e, nil
}

// withPosition turns a row into the reply with its waitlist position and
// without progress.
func (s *Service) withPosition(ctx context.Context, e enrolmentRow) (Enrolment, error) {
	out := toEnrolment(e)
	if e.Status == Waitlisted {
		pos, err := s.store.waitlistPosition(ctx, e)
		if err != nil {
			return Enrolment{}, err
		}
		out.WaitlistPosition = &pos
	}
	return out, nil
}

// describeAll describes many enrolments in a fixed number of queries.
func (s *Service) describeAll(ctx context.Context, rows []enrolmentRow) ([]Enrolment, error) {
	standings, err := s.standings(ctx, rows)
	if err != nil {
		return nil, err
	}
	// Waitlist positions by cohort, ranked in one pass per cohort.
	positions := map[string]int{}
	ranked := map[string]bool{}
	for _, e := range rows {
		if e.Status != Waitlisted || ranked[e.CohortID] {
			continue
		}
		ranked[e.CohortID] = true
		queue, err := s.store.firstWaitlisted(ctx, e.CohortID, MaxWaitlistScan)
		if err != nil {
			return nil, err
		}
		for i, q := range queue {
			positions[q.ID] = i + 1
		}
	}
	out := make([]Enrolment, len(rows))
	for i, e := range rows {
		out[i] = toEnrolment(e)
		if pos, ok := positions[e.ID]; ok {
			out[i].WaitlistPosition = &pos
		}
		pr := standings[e.ID].progress
		out[i].Progress = &pr
	}
	return out, nil
}

// MaxWaitlistScan bounds how much of a waitlist one listing ranks.
const MaxWaitlistScan = 100000

func toEnrolment(e enrolmentRow) Enrolment {
	return Enrolment{
		ID: e.ID, CohortID: e.CohortID, CourseID: e.CourseID, UserID: e.UserID, Status: e.Status,
		EnrolledAt: utcPtr(e.EnrolledAt), WithdrawnAt: utcPtr(e.WithdrawnAt), CreatedAt: e.CreatedAt.UTC(),
	}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
