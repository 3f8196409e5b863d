package assessment

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/internal/validation"
)

// A submission is one read and one write on PostgreSQL; SQLite, which has
// no data-modifying CTEs, claims and records in two statements of one
// transaction. Refusals read once and write nothing.
func TestSubmitStatements(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db, 20)
		ctx := context.Background()
		ids := f.attempts(t, 1)
		sub := f.right()
		// Question 1 wrong, question 5 (multiple choice, 2 points) half right
		// with a repeated option, question 10 (2 points) unanswered.
		sub.Answers[0].OptionIDs = []string{f.questions[0].options[1]}
		mc := f.questions[4]
		sub.Answers[4].OptionIDs = []string{mc.correct[1], mc.correct[1]}
		sub.Answers = slices.Delete(sub.Answers, 9, 10)

		want := map[database.Dialect]int64{database.Postgres: 2, database.SQLite: 3}[db.Dialect()]
		before := db.Statements()
		res, err := f.svc.Submit(ctx, f.learner, ids[0], sub)
		if err != nil {
			t.Fatal(err)
		}
		if n := db.Statements() - before; n != want {
			t.Fatalf("a submission took %d statements, want %d", n, want)
		}
		max := f.maxScore()
		if res.MaxScore != max || res.Score != max-1-2-2 || res.Percent != res.Score*100/max || !res.Passed {
			t.Fatalf("result %+v (max %d)", res, max)
		}

		a, asked := f.stored(t, ids[0])
		if a.SubmittedAt == nil || a.Score != res.Score || a.MaxScore != max || a.Percent != res.Percent || !a.Passed {
			t.Fatalf("stored attempt %+v", a)
		}
		for i, aq := range asked {
			q := f.questions[len(f.questions)-1-i] // the fixture asks in reverse order
			var chosen []string
			for _, ans := range sub.Answers {
				if ans.QuestionID == q.id {
					chosen = slices.Compact(slices.Sorted(slices.Values(ans.OptionIDs)))
				}
			}
			right := slices.Equal(chosen, slices.Sorted(slices.Values(q.correct)))
			if aq.QuestionID != q.id || aq.Chosen != strings.Join(chosen, ",") || aq.Correct != right {
				t.Fatalf("answer %d stored as %+v, want chosen %v, correct %v", i+1, aq, chosen, right)
			}
		}

		before = db.Statements()
		if _, err := f.svc.Submit(ctx, f.learner, ids[0], f.right()); !errors.Is(err, ErrAttemptSubmitted) {
			t.Fatalf("second submission: %v", err)
		}
		if n := db.Statements() - before; n != 1 {
			t.Fatalf("a refused submission took %d statements", n)
		}
	})
}

func TestSubmitRules(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db, 6)
		ctx := context.Background()
		ids := f.attempts(t, 2)
		id := ids[0]
		q0, q1 := f.questions[0], f.questions[1]

		for name, c := range map[string]struct {
			attempt string
			as      string
			want    error
		}{
			"no such attempt": {uuid.NewString(), f.learner.UserID, ErrNotFound},
			"not an id":       {"' OR 1=1 --", f.learner.UserID, ErrNotFound},
			"someone else's":  {id, f.other.UserID, ErrNotFound},
		} {
			t.Run(name, func(t *testing.T) {
				caller := f.learner
				caller.UserID = c.as
				if _, err := f.svc.Submit(ctx, caller, c.attempt, f.right()); !errors.Is(err, c.want) {
					t.Fatalf("got %v, want %v", err, c.want)
				}
			})
		}

		for name, c := range map[string]struct {
			answers []Answer
			field   string
		}{
			"a question outside the attempt": {[]Answer{{QuestionID: uuid.NewString()}}, "answers[0].question_id"},
			"a question twice":               {[]Answer{{QuestionID: q0.id}, {QuestionID: q1.id}, {QuestionID: q0.id}}, "answers[2].question_id"},
			"another question's option":      {[]Answer{{QuestionID: q0.id, OptionIDs: []string{q0.options[0], q1.options[0]}}}, "answers[0].option_ids[1]"},
			"an empty option":                {[]Answer{{QuestionID: q0.id, OptionIDs: []string{""}}}, "answers[0].option_ids[0]"},
			"no question":                    {[]Answer{{QuestionID: q0.id}, {OptionIDs: []string{q0.options[0]}}}, "answers[1].question_id"},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := f.svc.Submit(ctx, f.learner, id, Submission{Answers: c.answers})
				var verr *validation.Error
				if !errors.As(err, &verr) || len(verr.Fields) != 1 || verr.Fields[0].Field != c.field {
					t.Fatalf("got %v, want a validation error on %s", err, c.field)
				}
			})
		}
		if a, asked := f.stored(t, id); a.SubmittedAt != nil || asked[0].Chosen != "" {
			t.Fatalf("a refused submission wrote %+v, %+v", a, asked[0])
		}

		// 30 s of grace after the time limit, not 31.
		expires, _ := f.stored(t, id)
		f.svc.now = func() time.Time { return expires.ExpiresAt.Add(31 * time.Second) }
		if _, err := f.svc.Submit(ctx, f.learner, id, f.right()); !errors.Is(err, ErrAttemptExpired) {
			t.Fatalf("31 s late: %v", err)
		}
		f.svc.now = func() time.Time { return expires.ExpiresAt.Add(29 * time.Second) }
		if res, err := f.svc.Submit(ctx, f.learner, id, f.right()); err != nil || res.Score != f.maxScore() || res.Percent != 100 {
			t.Fatalf("29 s late: %+v, %v", res, err)
		}
		f.svc.now = time.Now

		// Nothing answered: no points, not passed.
		if res, err := f.svc.Submit(ctx, f.learner, ids[1], Submission{}); err != nil || res.Score != 0 || res.Passed || res.MaxScore != f.maxScore() {
			t.Fatalf("an empty submission: %+v, %v", res, err)
		}
	})
}

// Of submissions of one attempt at the same instant exactly one is
// graded, and what is stored is that one's answers and grade.
func TestConcurrentSubmits(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db, 20)
		ctx := context.Background()
		const racers = 6
		for _, id := range f.attempts(t, 4) {
			subs := make([]Submission, racers)
			for r := range subs {
				// Racer r answers the first r questions wrong.
				subs[r] = f.right()
				for i := range r {
					subs[r].Answers[i].OptionIDs = []string{f.questions[i].options[1]}
				}
			}
			results := make([]Result, racers)
			errs := make([]error, racers)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for r := range racers {
				wg.Go(func() {
					<-start
					results[r], errs[r] = f.svc.Submit(ctx, f.learner, id, subs[r])
				})
			}
			close(start)
			wg.Wait()
			winner := -1
			for r, err := range errs {
				switch {
				case err == nil && winner < 0:
					winner = r
				case err == nil:
					t.Fatalf("racers %d and %d both graded %s", winner, r, id)
				case !errors.Is(err, ErrAttemptSubmitted):
					t.Fatalf("racer %d: %v", r, err)
				}
			}
			if winner < 0 {
				t.Fatal("no submission was graded")
			}
			a, asked := f.stored(t, id)
			lost := 0
			for _, q := range f.questions[:winner] {
				lost += q.points
			}
			if a.SubmittedAt == nil || a.Score != results[winner].Score || a.Score != f.maxScore()-lost {
				t.Fatalf("stored %+v, the winner (%d) got %+v", a, winner, results[winner])
			}
			wrong := 0
			for _, aq := range asked {
				if !aq.Correct {
					wrong++
				}
			}
			if wrong != winner {
				t.Fatalf("%d answers stored wrong, the winner (%d) answered %d wrong", wrong, winner, winner)
			}
		}
	})
}

// When the answers cannot be written, the attempt is not claimed either:
// the learner may submit again.
func TestSubmitAllOrNothing(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db, 5)
		ctx := context.Background()
		id := f.attempts(t, 1)[0]
		conn := db.Conn(ctx)
		create, drop := []string{`CREATE TRIGGER refuse BEFORE UPDATE ON attempt_questions BEGIN SELECT RAISE(ABORT, 'refused'); END`},
			[]string{`DROP TRIGGER refuse`}
		if db.Dialect() == database.Postgres {
			create = []string{
				`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$`,
				`CREATE TRIGGER refuse BEFORE UPDATE ON attempt_questions FOR EACH ROW EXECUTE FUNCTION refuse()`,
			}
			drop = []string{`DROP TRIGGER refuse ON attempt_questions`}
		}
		for _, sql := range create {
			if err := conn.Exec(sql).Error; err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.svc.Submit(ctx, f.learner, id, f.right()); err == nil || !strings.Contains(err.Error(), "refused") {
			t.Fatalf("submitting while the answers cannot be written: %v", err)
		}
		if a, _ := f.stored(t, id); a.SubmittedAt != nil || a.Score != 0 || a.MaxScore != 0 {
			t.Fatalf("the attempt was claimed without its answers: %+v", a)
		}
		for _, sql := range drop {
			if err := conn.Exec(sql).Error; err != nil {
				t.Fatal(err)
			}
		}
		if res, err := f.svc.Submit(ctx, f.learner, id, f.right()); err != nil || res.Percent != 100 {
			t.Fatalf("submitting again: %+v, %v", res, err)
		}
	})
}
