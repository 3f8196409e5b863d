package assessment

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/cohorts"
	"mooc/internal/database"
)

// StartAttempt draws a test's questions for the learner of an active
// enrolment and starts the clock. One attempt of a test is open at a time.
// Errors: ErrNotFound, cohorts.ErrEnrolmentInactive, cohorts.ErrWeekLocked,
// ErrTestClosed, *AttemptInProgressError, ErrMaxAttempts.
func (s *Service) StartAttempt(ctx context.Context, caller accounts.Principal, enrolmentID, testID string) (StartedAttempt, error) {
	seat, err := s.seats.OwnSeat(ctx, caller, enrolmentID)
	if err != nil {
		return StartedAttempt{}, notFoundFrom(err)
	}
	if uuid.Validate(testID) != nil {
		return StartedAttempt{}, ErrNotFound
	}
	t, err := s.store.test(ctx, testID)
	if err != nil {
		return StartedAttempt{}, err
	}
	if t.CourseID != seat.CourseID {
		return StartedAttempt{}, ErrNotFound
	}
	if seat.Status != cohorts.Enrolled {
		return StartedAttempt{}, cohorts.ErrEnrolmentInactive
	}
	now := s.now().UTC()
	week := seat.Weeks // the final test opens with the last week
	if t.Week != nil {
		week = *t.Week
	}
	if now.Before(seat.WeekOpens(week)) {
		return StartedAttempt{}, cohorts.ErrWeekLocked
	}
	if closed(seat, now) {
		return StartedAttempt{}, ErrTestClosed
	}

	// Two starts at the same instant may both read n attempts, none open;
	// the unique (enrolment, test, number) lets one insert number n+1, and
	// the other reads again in a fresh transaction, finds that one open and
	// is refused. No open attempt can slip past the read: the attempts of
	// an enrolment and test are numbered 1..n without gaps, so any attempt
	// the read did not see has a number above n, and was inserted by a
	// start that read this one's number, or collides with it.
	for try := 0; try <= t.MaxAttempts; try++ {
		out, err := s.tryStart(ctx, seat, t, now)
		if !errors.Is(err, database.ErrDuplicate) {
			return out, err
		}
	}
	return StartedAttempt{}, ErrMaxAttempts
}

func (s *Service) tryStart(ctx context.Context, seat cohorts.Seat, t testRow, now time.Time) (StartedAttempt, error) {
	var out StartedAttempt
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		// One statement reads them all, so the count and the open
		// attempt come from the same snapshot.
		prior, err := s.store.attemptsOf(ctx, seat.EnrolmentID, t.ID)
		if err != nil {
			return err
		}
		for _, a := range prior {
			if open(a, now) {
				return &AttemptInProgressError{Open: OpenAttempt{ID: a.ID, TestID: a.TestID, EnrolmentID: a.EnrolmentID,
					Number: a.Number, StartedAt: a.StartedAt.UTC(), ExpiresAt: a.ExpiresAt.UTC()}}
			}
		}
		n := len(prior)
		if usedUp(t, n) {
			return ErrMaxAttempts
		}
		bank, err := s.store.questions(ctx, t.CourseID, t.Week)
		if err != nil {
			return err
		}
		if len(bank) < t.QuestionCount {
			return fmt.Errorf("assessment: test %s asks for %d questions, bank holds %d", t.ID, t.QuestionCount, len(bank))
		}
		drawn := draw(bank, t.QuestionCount, t.Shuffle)
		ids := make([]string, len(drawn))
		for i, q := range drawn {
			ids[i] = q.ID
		}
		opts, err := s.store.options(ctx, ids)
		if err != nil {
			return err
		}
		// PostgreSQL keeps microseconds: the learner is told the instants
		// stored, which the expiry is judged by.
		now := now.Truncate(time.Microsecond)
		a := attemptRow{ID: uuid.NewString(), TestID: t.ID, EnrolmentID: seat.EnrolmentID, UserID: seat.UserID, Number: n + 1,
			StartedAt: now, ExpiresAt: now.Add(time.Duration(t.TimeLimitMinutes) * time.Minute)}
		if err := s.store.create(ctx, &a); err != nil {
			return err
		}
		out = StartedAttempt{ID: a.ID, TestID: t.ID, EnrolmentID: seat.EnrolmentID, Number: a.Number,
			StartedAt: now, ExpiresAt: a.ExpiresAt, Questions: make([]AskedQuestion, len(drawn))}
		rows := make([]attemptQuestionRow, len(drawn))
		for i, q := range drawn {
			options := slices.Clone(opts[q.ID])
			if t.Shuffle {
				rand.Shuffle(len(options), func(a, b int) { options[a], options[b] = options[b], options[a] })
			}
			order := make([]string, len(options))
			asked := AskedQuestion{ID: q.ID, Kind: q.Kind, Text: q.Text, Points: q.Points, Options: make([]AskedOption, len(options))}
			for j, o := range options {
				order[j] = o.ID
				asked.Options[j] = AskedOption{ID: o.ID, Text: o.Text}
			}
			rows[i] = attemptQuestionRow{AttemptID: a.ID, Position: i + 1, QuestionID: q.ID, OptionOrder: strings.Join(order, ",")}
			out.Questions[i] = asked
		}
		return s.store.create(ctx, &rows)
	})
	return out, err
}

// draw picks n questions at random; their order is random too when the
// test shuffles, else the bank's.
func draw(bank []questionRow, n int, shuffle bool) []questionRow {
	picked := rand.Perm(len(bank))[:n]
	if !shuffle {
		slices.Sort(picked)
	}
	out := make([]questionRow, n)
	for i, p := range picked {
		out[i] = bank[p]
	}
	return out
}

// Attempt shows an attempt to its learner or the team. Once submitted it
// carries the result and which questions scored; the correct options and
// explanations too for the team, and for the learner once revealAnswers
// allows (a team member reviewing their own attempt is its learner).
// Errors: ErrNotFound.
func (s *Service) Attempt(ctx context.Context, caller accounts.Principal, attemptID string) (AttemptView, error) {
	if uuid.Validate(attemptID) != nil {
		return AttemptView{}, ErrNotFound
	}
	a, err := s.store.attempt(ctx, attemptID)
	if err != nil {
		return AttemptView{}, err
	}
	own := a.UserID == caller.UserID
	if !own && !caller.IsTeam() {
		return AttemptView{}, ErrNotFound
	}
	submitted := a.SubmittedAt != nil
	reveal := submitted
	if submitted && own {
		if reveal, err = s.revealTo(ctx, caller, a); err != nil {
			return AttemptView{}, err
		}
	}
	asked, err := s.store.attemptQuestions(ctx, a.ID)
	if err != nil {
		return AttemptView{}, err
	}
	ids := make([]string, len(asked))
	for i, q := range asked {
		ids[i] = q.QuestionID
	}
	questions, err := s.store.questionsByID(ctx, ids)
	if err != nil {
		return AttemptView{}, err
	}
	opts, err := s.store.options(ctx, ids)
	if err != nil {
		return AttemptView{}, err
	}
	out := AttemptView{ID: a.ID, TestID: a.TestID, EnrolmentID: a.EnrolmentID, Number: a.Number,
		StartedAt: a.StartedAt.UTC(), ExpiresAt: a.ExpiresAt.UTC(), Questions: make([]ReviewQuestion, len(asked))}
	if submitted {
		out.Result = &Result{Score: a.Score, MaxScore: a.MaxScore, Percent: a.Percent, Passed: a.Passed, SubmittedAt: a.SubmittedAt.UTC()}
	}
	for i, aq := range asked {
		q := questions[aq.QuestionID]
		byID := map[string]optionRow{}
		for _, o := range opts[q.ID] {
			byID[o.ID] = o
		}
		rq := ReviewQuestion{ID: q.ID, Kind: q.Kind, Text: q.Text, Points: q.Points}
		for _, id := range strings.Split(aq.OptionOrder, ",") {
			o := byID[id]
			ro := ReviewOption{ID: o.ID, Text: o.Text}
			if reveal {
				correct := o.Correct
				ro.Correct = &correct
			}
			rq.Options = append(rq.Options, ro)
		}
		if submitted {
			scored := aq.Correct
			rq.Scored = &scored
			if reveal {
				rq.Correct, rq.Explanation = &scored, q.Explanation
			}
			rq.Chosen = []string{}
			if aq.Chosen != "" {
				rq.Chosen = strings.Split(aq.Chosen, ",")
			}
		}
		out.Questions[i] = rq
	}
	return out, nil
}

// revealTo tells whether the learner who owns a submitted attempt may see
// its answers now (revealAnswers).
func (s *Service) revealTo(ctx context.Context, caller accounts.Principal, a attemptRow) (bool, error) {
	seat, err := s.seats.OwnSeat(ctx, caller, a.EnrolmentID)
	if err != nil {
		return false, notFoundFrom(err)
	}
	t, err := s.store.test(ctx, a.TestID)
	if err != nil {
		return false, err
	}
	all, err := s.store.attemptsOf(ctx, a.EnrolmentID, a.TestID)
	if err != nil {
		return false, err
	}
	return revealAnswers(t, seat, all, s.now().UTC()), nil
}

// notFoundFrom keeps the catalogue's not-found a not-found here.
func notFoundFrom(err error) error {
	if errors.Is(err, cohorts.ErrNotFound) {
		return ErrNotFound
	}
	return err
}
