package api_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
)

type startedBody struct {
	ID        string    `json:"id"`
	ExpiresAt time.Time `json:"expires_at"`
	Questions []struct {
		ID      string `json:"id"`
		Kind    string `json:"kind"`
		Text    string `json:"text"`
		Options []struct {
			ID   string `json:"id"`
			Text string `json:"text"`
		} `json:"options"`
	} `json:"questions"`
}

type resultBody struct {
	Score    int  `json:"score"`
	MaxScore int  `json:"max_score"`
	Percent  int  `json:"percent"`
	Passed   bool `json:"passed"`
}

func (s *school) finalTest() string {
	s.t.Helper()
	for _, t := range s.published.Tests {
		if m := t.(map[string]any); m["final"] == true {
			return m["id"].(string)
		}
	}
	s.t.Fatal("no final test")
	return ""
}

func (s *school) start(token, enrolmentID, testID string) reply {
	return s.do(request{method: "POST", path: "/api/v1/enrolments/" + enrolmentID + "/tests/" + testID + "/attempts", token: token})
}

// answers picks, for every question, the option with the given text.
func answers(a startedBody, pick string) map[string]any {
	var out []map[string]any
	for _, q := range a.Questions {
		var ids []string
		for _, o := range q.Options {
			if o.Text == pick {
				ids = append(ids, o.ID)
			}
		}
		out = append(out, map[string]any{"question_id": q.ID, "option_ids": ids})
	}
	return map[string]any{"answers": out}
}

func TestQuestionBankAndTests(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		c := newCatalogue(t, db.Dialect(), db)
		course := c.course(c.author)
		path := "/api/v1/courses/" + course.ID + "/questions"
		q := func(kind string, week int, opts ...map[string]any) map[string]any {
			return map[string]any{"week": week, "kind": kind, "text": "Kas ir krīze?", "options": opts}
		}
		yes, no, maybe := map[string]any{"text": "Jā", "correct": true}, map[string]any{"text": "Nē"}, map[string]any{"text": "Varbūt", "correct": true}
		for name, body := range map[string]map[string]any{
			"single with two correct":  q("single_choice", 1, yes, no, maybe),
			"single with none correct": q("single_choice", 1, no, map[string]any{"text": "Cits"}),
			"true/false with three":    q("true_false", 1, yes, no, map[string]any{"text": "Cits"}),
			"multiple with none":       q("multiple_choice", 1, no, map[string]any{"text": "Cits"}),
			"same option twice":        q("multiple_choice", 1, yes, map[string]any{"text": " jā ", "correct": true}),
			"one option":               q("single_choice", 1, yes),
			"week 6 of 5":              q("single_choice", 6, yes, no),
			"unknown kind":             q("essay", 1, yes, no),
		} {
			t.Run(name, func(t *testing.T) {
				c.do(request{method: "POST", path: path, token: c.author, body: body}).problem(t, 422, "validation_failed")
			})
		}
		c.do(request{method: "POST", path: path, token: c.learner, body: q("true_false", 1, yes, no)}).problem(t, 403, "forbidden")
		c.do(request{method: "POST", path: path, token: c.otherAuthor, body: q("true_false", 1, yes, no)}).problem(t, 404, "not_found")
		c.do(request{method: "POST", path: path, token: c.author, body: q("true_false", 1, yes, no)}).expect(t, 201)
		c.do(request{method: "POST", path: path, token: c.author, body: q("multiple_choice", 2, yes, no, maybe)}).expect(t, 201)

		var bank struct {
			Items []struct {
				Options []struct{ Correct bool }
			}
		}
		c.do(request{method: "GET", path: path, token: c.author}).expect(t, 200).json(t, &bank)
		if len(bank.Items) != 2 || !bank.Items[1].Options[2].Correct {
			t.Fatalf("bank %+v", bank.Items)
		}
		c.do(request{method: "GET", path: path, token: c.learner}).problem(t, 403, "forbidden")

		tests := "/api/v1/courses/" + course.ID + "/tests"
		test := func(body map[string]any) map[string]any {
			out := map[string]any{"title": "Tests", "question_count": 1, "pass_percent": 70, "time_limit_minutes": 10, "max_attempts": 2}
			for k, v := range body {
				out[k] = v
			}
			return out
		}
		c.do(request{method: "POST", path: tests, token: c.author, body: test(map[string]any{"week": 1, "question_count": 2})}).problem(t, 422, "validation_failed")
		c.do(request{method: "POST", path: tests, token: c.author, body: test(map[string]any{})}).problem(t, 422, "validation_failed")
		c.do(request{method: "POST", path: tests, token: c.author, body: test(map[string]any{"final": true, "week": 1})}).problem(t, 422, "validation_failed")
		c.do(request{method: "POST", path: tests, token: c.author, body: test(map[string]any{"week": 1})}).expect(t, 201)
		c.do(request{method: "POST", path: tests, token: c.author, body: test(map[string]any{"final": true, "question_count": 2})}).expect(t, 201)
		c.do(request{method: "POST", path: tests, token: c.author, body: test(map[string]any{"final": true})}).problem(t, 422, "validation_failed")
		if got := c.get(c.author, course.ID); len(got.Tests) != 2 {
			t.Fatalf("outline lists %d tests", len(got.Tests))
		}
	})
}

func TestAttempts(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		final := s.finalTest()
		c := s.cohort(200, 30*24*time.Hour) // in its fifth week
		u, learner := s.signUp()
		_, other := s.signUp()
		e := s.enrolled(learner, c.ID)

		r := s.start(learner, e.ID, final).expect(t, 201)
		for _, leak := range []string{"correct", "explanation", "Drošība"} {
			if strings.Contains(string(r.body), leak) {
				t.Fatalf("the attempt gives away %q: %s", leak, r.body)
			}
		}
		var a startedBody
		r.json(t, &a)
		if len(a.Questions) != 5 || len(a.Questions[0].Options) != 3 || time.Until(a.ExpiresAt) > 30*time.Minute {
			t.Fatalf("attempt %+v", a)
		}
		seen := map[string]bool{}
		for _, q := range a.Questions {
			if seen[q.ID] {
				t.Fatal("a question drawn twice")
			}
			seen[q.ID] = true
		}

		// Answers outside the attempt are refused and change nothing.
		bad := answers(a, "Pareizi")
		bad["answers"] = append(bad["answers"].([]map[string]any), map[string]any{"question_id": "00000000-0000-4000-8000-000000000000", "option_ids": []string{}})
		s.do(request{method: "POST", path: "/api/v1/attempts/" + a.ID + "/submit", token: learner, body: bad}).problem(t, 422, "validation_failed")
		swapped := answers(a, "Pareizi")
		swapped["answers"].([]map[string]any)[0]["option_ids"] = []string{a.Questions[1].Options[0].ID}
		s.do(request{method: "POST", path: "/api/v1/attempts/" + a.ID + "/submit", token: learner, body: swapped}).problem(t, 422, "validation_failed")
		s.do(request{method: "POST", path: "/api/v1/attempts/" + a.ID + "/submit", token: other, body: answers(a, "Pareizi")}).problem(t, 404, "not_found")
		s.do(request{method: "GET", path: "/api/v1/attempts/" + a.ID, token: other}).problem(t, 404, "not_found")

		// Before submission the review shows no answers either.
		if body := string(s.do(request{method: "GET", path: "/api/v1/attempts/" + a.ID, token: learner}).expect(t, 200).body); strings.Contains(body, "correct") || strings.Contains(body, "explanation") {
			t.Fatalf("unsubmitted attempt shows answers: %s", body)
		}

		// Four right answers out of five: 80 % passes a 70 % test.
		ans := answers(a, "Pareizi")
		ans["answers"].([]map[string]any)[4]["option_ids"] = []string{}
		var res resultBody
		s.do(request{method: "POST", path: "/api/v1/attempts/" + a.ID + "/submit", token: learner, body: ans}).expect(t, 200).json(t, &res)
		if res.Score != 4 || res.MaxScore != 5 || res.Percent != 80 || !res.Passed {
			t.Fatalf("result %+v", res)
		}
		s.do(request{method: "POST", path: "/api/v1/attempts/" + a.ID + "/submit", token: learner, body: answers(a, "Pareizi")}).problem(t, 409, "attempt_submitted")

		var review struct {
			Result    *resultBody
			Questions []struct {
				Correct     *bool
				Explanation string
				Chosen      []string `json:"chosen_option_ids"`
				Options     []struct{ Correct *bool }
			}
		}
		s.do(request{method: "GET", path: "/api/v1/attempts/" + a.ID, token: s.team}).expect(t, 200).json(t, &review)
		if review.Result == nil || review.Result.Score != 4 || !*review.Questions[0].Correct || *review.Questions[4].Correct ||
			review.Questions[0].Explanation != "Drošība vispirms." || review.Questions[0].Options[0].Correct == nil || len(review.Questions[0].Chosen) != 1 {
			t.Fatalf("review %+v", review)
		}

		// All wrong: no points. Then the attempts run out.
		var b startedBody
		s.start(learner, e.ID, final).expect(t, 201).json(t, &b)
		s.do(request{method: "POST", path: "/api/v1/attempts/" + b.ID + "/submit", token: learner, body: answers(b, "Nepareizi")}).expect(t, 200).json(t, &res)
		if res.Score != 0 || res.Passed {
			t.Fatalf("all wrong: %+v", res)
		}
		var late startedBody
		s.start(learner, e.ID, final).expect(t, 201).json(t, &late)
		inProgress(t, s.start(learner, e.ID, final), late)

		// The server enforces the time limit (30 s of grace).
		if err := db.Conn(context.Background()).Exec("UPDATE attempts SET expires_at = ? WHERE id = ?", time.Now().UTC().Add(-31*time.Second), late.ID).Error; err != nil {
			t.Fatal(err)
		}
		s.do(request{method: "POST", path: "/api/v1/attempts/" + late.ID + "/submit", token: learner, body: answers(late, "Pareizi")}).problem(t, 422, "attempt_expired")
		s.start(learner, e.ID, final).problem(t, 422, "max_attempts_reached")

		// The best attempt counts: the final test stays passed.
		got := s.enrolmentNow(learner, e.ID)
		if got.Progress.TestsPassed != 1 || got.Progress.CertificateEligible {
			t.Fatalf("progress %+v (lessons are not done yet)", got.Progress)
		}
		_ = u

		// Authors see how it went.
		var stats struct {
			AttemptsSubmitted int     `json:"attempts_submitted"`
			PassRate          float64 `json:"pass_rate"`
			Questions         []struct {
				Answered int
				Correct  int
			}
		}
		s.do(request{method: "GET", path: "/api/v1/courses/" + s.published.ID + "/tests/" + final + "/stats", token: s.author}).expect(t, 200).json(t, &stats)
		if stats.AttemptsSubmitted != 2 || stats.PassRate != 0.5 || len(stats.Questions) == 0 {
			t.Fatalf("stats %+v", stats)
		}
		s.do(request{method: "GET", path: "/api/v1/courses/" + s.published.ID + "/tests/" + final + "/stats", token: s.otherAuthor}).problem(t, 403, "forbidden")
	})
}

func TestAttemptWindows(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		clock := newClock(time.Now().UTC())
		s := newSchool(t, db, options{clock: clock})
		final := s.finalTest()
		me, learner := s.signUp()
		_, waiting := s.signUp()
		early := s.cohort(1, 24*time.Hour)
		e := s.enrolled(learner, early.ID)
		w := s.enrolled(waiting, early.ID)
		s.start(learner, e.ID, final).problem(t, 403, "week_locked")
		s.start(waiting, w.ID, final).problem(t, 403, "enrolment_inactive")
		s.start(learner, w.ID, final).problem(t, 404, "not_found")
		s.start(learner, e.ID, "00000000-0000-4000-8000-000000000000").problem(t, 404, "not_found")

		// Once a cohort has ended, its tests are closed (an ended cohort
		// takes no enrolment, so the learner joins while it runs).
		s.do(request{method: "DELETE", path: "/api/v1/cohorts/" + early.ID + "/enrolments/me", token: learner}).expect(t, 204)
		running := s.cohort(200, 30*24*time.Hour)
		e2 := s.enrolled(learner, running.ID)
		clock.Set(running.EndsAt)
		learner = s.login(me.Email, "correct horse battery")
		s.start(learner, e2.ID, final).problem(t, 422, "test_closed")
	})
}

func TestAttemptRaces(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		final := s.finalTest()
		c := s.cohort(200, 30*24*time.Hour)
		_, learner := s.signUp()
		e := s.enrolled(learner, c.ID)

		// Eight starts at once: one begins, the other seven are told of it.
		const racers = 8
		replies := make([]reply, racers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range racers {
			wg.Go(func() {
				<-start
				r, err := s.try(request{method: "POST", path: "/api/v1/enrolments/" + e.ID + "/tests/" + final + "/attempts", token: learner})
				if err != nil {
					t.Error(err)
				}
				replies[i] = r
			})
		}
		close(start)
		wg.Wait()
		var began []startedBody
		for _, r := range replies {
			if r.status == 201 {
				var a startedBody
				r.json(t, &a)
				began = append(began, a)
			}
		}
		if len(began) != 1 {
			t.Fatalf("%d of %d concurrent starts began an attempt, want 1", len(began), racers)
		}
		for _, r := range replies {
			if r.status != 201 {
				inProgress(t, r, began[0])
			}
		}
		var started int64
		db.Conn(context.Background()).Table("attempts").Where("enrolment_id = ?", e.ID).Count(&started)
		if started != 1 {
			t.Fatalf("%d attempts stored, want 1", started)
		}
		id := began[0].ID

		// Two submits of one attempt at once: graded once.
		var a startedBody
		s.do(request{method: "GET", path: "/api/v1/attempts/" + id, token: learner}).expect(t, 200).json(t, &a)
		results := make(chan int, 2)
		for i := 0; i < 2; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := s.try(request{method: "POST", path: "/api/v1/attempts/" + id + "/submit", token: learner, body: answers(a, "Pareizi")})
				if err != nil {
					t.Error(err)
				}
				results <- r.status
			}()
		}
		wg.Wait()
		close(results)
		got := map[int]int{}
		for st := range results {
			got[st]++
		}
		if got[200] != 1 || got[409] != 1 {
			t.Fatalf("double submit answered %v", got)
		}
		var graded int64
		db.Conn(context.Background()).Table("attempts").Where("id = ? AND submitted_at IS NOT NULL", id).Count(&graded)
		if graded != 1 {
			t.Fatal("the attempt was not graded exactly once")
		}
	})
}

// A learner who completes every lesson and passes the final test is
// eligible for the certificate; until both hold, not.
func TestCompletionMakesEligible(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		c := s.cohort(200, 30*24*time.Hour)
		_, learner := s.signUp()
		e := s.enrolled(learner, c.ID)
		var a startedBody
		s.start(learner, e.ID, s.finalTest()).expect(t, 201).json(t, &a)
		s.do(request{method: "POST", path: "/api/v1/attempts/" + a.ID + "/submit", token: learner, body: answers(a, "Pareizi")}).expect(t, 200)
		if p := s.enrolmentNow(learner, e.ID).Progress; p.CertificateEligible || p.TestsPassed != 1 {
			t.Fatalf("eligible without the lessons: %+v", p)
		}
		s.completeLessons(learner, e.ID)
		if p := s.enrolmentNow(learner, e.ID).Progress; !p.CertificateEligible || p.Percent != 100 || p.LessonsCompleted != 25 {
			t.Fatalf("not eligible after completing everything: %+v", p)
		}
	})
}

// inProgress checks a refused start: 409 attempt_in_progress naming the
// open attempt.
func inProgress(t *testing.T, r reply, open startedBody) {
	t.Helper()
	r.problem(t, 409, "attempt_in_progress")
	var p struct {
		Attempt *struct {
			ID        string    `json:"id"`
			ExpiresAt time.Time `json:"expires_at"`
		} `json:"attempt"`
	}
	r.json(t, &p)
	if p.Attempt == nil || p.Attempt.ID != open.ID || !p.Attempt.ExpiresAt.Equal(open.ExpiresAt) {
		t.Fatalf("the refusal names %+v, want attempt %s expiring %s: %s", p.Attempt, open.ID, open.ExpiresAt, r.body)
	}
}

type reviewBody struct {
	Result    *resultBody `json:"result"`
	Questions []struct {
		Scored      *bool    `json:"scored"`
		Correct     *bool    `json:"correct"`
		Explanation string   `json:"explanation"`
		Chosen      []string `json:"chosen_option_ids"`
		Options     []struct {
			Correct *bool `json:"correct"`
		} `json:"options"`
	} `json:"questions"`
}

// review reads a submitted attempt as token sees it and checks that it
// carries the score and, per question, whether it scored (scored[i]); and
// the correct options and explanations exactly when revealed.
func (s *school) review(token, attemptID string, revealed bool, scored ...bool) {
	t := s.t
	t.Helper()
	r := s.do(request{method: "GET", path: "/api/v1/attempts/" + attemptID, token: token}).expect(t, 200)
	var v reviewBody
	r.json(t, &v)
	if v.Result == nil || len(v.Questions) != len(scored) {
		t.Fatalf("review without its result or questions: %s", r.body)
	}
	for i, q := range v.Questions {
		if q.Scored == nil || *q.Scored != scored[i] {
			t.Fatalf("question %d: scored %v, want %v: %s", i+1, q.Scored, scored[i], r.body)
		}
	}
	body := string(r.body)
	if !revealed {
		for _, leak := range []string{`"correct"`, `"explanation"`, "Drošība"} {
			if strings.Contains(body, leak) {
				t.Fatalf("the review gives away %s while attempts are left: %s", leak, body)
			}
		}
		return
	}
	for i, q := range v.Questions {
		right := 0
		for _, o := range q.Options {
			if o.Correct == nil {
				t.Fatalf("question %d: an option without its correctness: %s", i+1, body)
			}
			if *o.Correct {
				right++
			}
		}
		if right != 1 || q.Explanation != "Drošība vispirms." || q.Correct == nil || *q.Correct != scored[i] {
			t.Fatalf("question %d is not revealed: %s", i+1, body)
		}
	}
}

func all(b bool) []bool { return []bool{b, b, b, b, b} }

// The harvest of issue 13: start two attempts, submit the first empty,
// read its correct options, pass with the second. One attempt is open at a
// time, and the review keeps the answers back until no attempt is left.
func TestAttemptHarvest(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		final := s.finalTest() // three attempts
		c := s.cohort(200, 30*24*time.Hour)
		_, learner := s.signUp()
		e := s.enrolled(learner, c.ID)
		submit := func(a startedBody, pick string) resultBody {
			t.Helper()
			var res resultBody
			s.do(request{method: "POST", path: "/api/v1/attempts/" + a.ID + "/submit", token: learner, body: answers(a, pick)}).expect(t, 200).json(t, &res)
			return res
		}

		var first startedBody
		s.start(learner, e.ID, final).expect(t, 201).json(t, &first)
		inProgress(t, s.start(learner, e.ID, final), first)
		if res := submit(first, "none"); res.Score != 0 || res.Passed {
			t.Fatalf("an empty submission: %+v", res)
		}
		s.review(learner, first.ID, false, all(false)...)
		s.review(s.team, first.ID, true, all(false)...) // the team is not the learner

		var second startedBody
		s.start(learner, e.ID, final).expect(t, 201).json(t, &second)
		s.review(learner, first.ID, false, all(false)...)
		submit(second, "Pareizi")
		s.review(learner, second.ID, false, all(true)...)

		// The third and last attempt: no further one can start, but while
		// it is open the reviews still keep the answers.
		var third startedBody
		s.start(learner, e.ID, final).expect(t, 201).json(t, &third)
		s.review(learner, first.ID, false, all(false)...)
		s.review(learner, second.ID, false, all(true)...)
		submit(third, "Nepareizi")
		s.start(learner, e.ID, final).problem(t, 422, "max_attempts_reached")
		s.review(learner, first.ID, true, all(false)...)
		s.review(learner, second.ID, true, all(true)...)
		s.review(learner, third.ID, true, all(false)...)
	})
}

// Once the cohort has ended its tests are closed, and the review carries
// the answers though attempts were left.
func TestAttemptReviewAfterCohortEnds(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		clock := newClock(time.Now().UTC())
		s := newSchool(t, db, options{clock: clock})
		final := s.finalTest()
		c := s.cohort(200, 30*24*time.Hour) // ends in five days
		u, learner := s.signUp()
		e := s.enrolled(learner, c.ID)
		var a startedBody
		s.start(learner, e.ID, final).expect(t, 201).json(t, &a)
		s.do(request{method: "POST", path: "/api/v1/attempts/" + a.ID + "/submit", token: learner, body: answers(a, "Pareizi")}).expect(t, 200)
		s.review(learner, a.ID, false, all(true)...)

		clock.Set(c.EndsAt.Add(-time.Second))
		learner = s.login(u.Email, testkit.Password)
		s.review(learner, a.ID, false, all(true)...)
		clock.Set(c.EndsAt)
		learner = s.login(u.Email, testkit.Password)
		s.start(learner, e.ID, final).problem(t, 422, "test_closed")
		s.review(learner, a.ID, true, all(true)...)
	})
}

// An attempt stops blocking the next one when a submission of it would be
// refused: past expires_at plus the 30 s of grace, not before.
func TestExpiredAttemptDoesNotBlock(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		clock := newClock(time.Now().UTC())
		s := newSchool(t, db, options{clock: clock})
		final := s.finalTest()
		c := s.cohort(200, 30*24*time.Hour)
		_, learner := s.signUp()
		e := s.enrolled(learner, c.ID)
		var a startedBody
		s.start(learner, e.ID, final).expect(t, 201).json(t, &a)

		clock.Set(a.ExpiresAt.Add(30 * time.Second))
		inProgress(t, s.start(learner, e.ID, final), a)
		clock.Set(a.ExpiresAt.Add(31 * time.Second))
		var b startedBody
		s.start(learner, e.ID, final).expect(t, 201).json(t, &b)
		if b.ID == a.ID {
			t.Fatal("the expired attempt was handed out again")
		}
		s.do(request{method: "POST", path: "/api/v1/attempts/" + a.ID + "/submit", token: learner, body: answers(a, "Pareizi")}).problem(t, 422, "attempt_expired")
		inProgress(t, s.start(learner, e.ID, final), b)
	})
}

// A withdrawn learner's open attempt can no longer be submitted, nor a new
// one started; a waitlisted learner starts none.
func TestInactiveLearnerAttempts(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		final := s.finalTest()
		c := s.cohort(1, 30*24*time.Hour)
		_, learner := s.signUp()
		_, waiting := s.signUp()
		e := s.enrolled(learner, c.ID)
		w := s.enrolled(waiting, c.ID)
		if w.Status != "waitlisted" {
			t.Fatalf("the second learner is %s", w.Status)
		}
		s.start(waiting, w.ID, final).problem(t, 403, "enrolment_inactive")

		var a startedBody
		s.start(learner, e.ID, final).expect(t, 201).json(t, &a)
		s.do(request{method: "DELETE", path: "/api/v1/cohorts/" + c.ID + "/enrolments/me", token: learner}).expect(t, 204)
		s.do(request{method: "POST", path: "/api/v1/attempts/" + a.ID + "/submit", token: learner, body: answers(a, "Pareizi")}).problem(t, 403, "enrolment_inactive")
		s.start(learner, e.ID, final).problem(t, 403, "enrolment_inactive")

		var written int64
		conn := db.Conn(context.Background())
		conn.Table("attempts").Where("id = ? AND (submitted_at IS NOT NULL OR score <> 0)", a.ID).Count(&written)
		var answered int64
		conn.Table("attempt_questions").Where("attempt_id = ? AND (chosen <> '' OR correct)", a.ID).Count(&answered)
		if written != 0 || answered != 0 {
			t.Fatalf("the refused submission wrote the attempt (%d) or answers (%d)", written, answered)
		}
	})
}
