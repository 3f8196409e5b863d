package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/reports"
)

// A learner who completes everything and then withdraws has no
// certificate: the enrolment view, issuing and the bulk job agree.
func TestEligibilityAfterWithdrawal(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		c := s.cohort(200, 30*24*time.Hour) // in its last week: the final test is open
		_, stayingToken := s.signUp()
		_, leavingToken := s.signUp()
		staying, leaving := s.enrolled(stayingToken, c.ID), s.enrolled(leavingToken, c.ID)
		s.complete(stayingToken, staying.ID)
		s.complete(leavingToken, leaving.ID)
		if p := s.enrolmentNow(leavingToken, leaving.ID).Progress; p == nil || !p.CertificateEligible {
			t.Fatalf("before withdrawing: %+v", p)
		}

		s.do(request{method: "DELETE", path: "/api/v1/cohorts/" + c.ID + "/enrolments/me", token: leavingToken}).expect(t, 204)
		if p := s.enrolmentNow(leavingToken, leaving.ID).Progress; p == nil || p.CertificateEligible {
			t.Fatalf("a withdrawn enrolment is shown eligible: %+v", p)
		}
		p := s.do(request{method: "POST", path: "/api/v1/enrolments/" + leaving.ID + "/certificate", token: leavingToken}).problem(t, 422, "not_eligible")
		if len(p.Errors) != 1 || p.Errors[0].Field != "enrolment" {
			t.Fatalf("gaps %+v, want the enrolment's", p.Errors)
		}

		var job struct {
			ID, Status                 string
			Total, Issued, NotEligible int
		}
		s.do(request{method: "POST", path: "/api/v1/cohorts/" + c.ID + "/certificates", token: s.team}).expect(t, 202).json(t, &job)
		for deadline := time.Now().Add(time.Minute); job.Status != "done"; {
			if time.Now().After(deadline) {
				t.Fatalf("the job is not done: %+v", job)
			}
			s.do(request{method: "GET", path: "/api/v1/certificate-jobs/" + job.ID, token: s.team}).expect(t, 200).json(t, &job)
		}
		if job.Issued != 1 || job.Total != 1 {
			t.Fatalf("bulk issue after a withdrawal: %+v", job)
		}
		var mine struct{ Items []certificateBody }
		s.do(request{method: "GET", path: "/api/v1/me/certificates", token: leavingToken}).expect(t, 200).json(t, &mine)
		if len(mine.Items) != 0 {
			t.Fatalf("the withdrawn learner holds %d certificates", len(mine.Items))
		}
	})
}

// The completions report states cohorts.Missing in SQL; on one fixture of
// every case, each learner counts as completed exactly when the enrolment
// view calls them eligible.
func TestReportAgreesWithEligibility(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		c := s.cohort(3, 30*24*time.Hour)
		lessons := 0
		for _, w := range s.published.Weeks {
			lessons += len(w.Lessons)
		}
		type learner struct {
			municipality, token, enrolment string
		}
		var cast []learner
		add := func(do func(l learner)) {
			u, token := s.signUpIn(fmt.Sprintf("Novads %d", len(cast)))
			l := learner{municipality: u.Municipality, token: token}
			var e enrolmentBody
			s.enrol(token, c.ID).json(t, &e)
			l.enrolment = e.ID
			do(l)
			cast = append(cast, l)
		}
		add(func(l learner) { s.complete(l.token, l.enrolment) }) // everything done
		add(func(l learner) {                                     // one lesson short, final passed
			s.complete(l.token, l.enrolment)
			s.do(request{method: "DELETE", path: "/api/v1/cohorts/" + c.ID + "/enrolments/me", token: l.token}).expect(t, 204)
		})
		add(func(l learner) {}) // nothing done
		add(func(l learner) {}) // waitlisted: the cohort has 3 seats, one freed above
		add(func(l learner) {}) // waitlisted
		if lessons == 0 {
			t.Fatal("the course has no lessons")
		}

		var rep reports.Completions
		from, to := time.Now().Add(-24*time.Hour).Format("2006-01-02"), time.Now().Add(30*24*time.Hour).Format("2006-01-02")
		s.do(request{method: "GET", path: "/api/v1/reports/completions?from=" + from + "&to=" + to, token: s.team}).expect(t, 200).json(t, &rep)
		completed := map[string]int{}
		for _, r := range rep.Rows {
			completed[r.Municipality] = r.Completed
		}
		people := 0
		for _, l := range cast {
			eligible := s.enrolmentNow(l.token, l.enrolment).Progress.CertificateEligible
			if eligible {
				people++
			}
			if (completed[l.municipality] == 1) != eligible {
				t.Errorf("%s: report completed %d, enrolment eligible %v", l.municipality, completed[l.municipality], eligible)
			}
		}
		if rep.PeopleCompleted != people || people != 1 {
			t.Fatalf("people completed %d, eligible %d (want 1)", rep.PeopleCompleted, people)
		}
	})
}

// Week N unlocks at starts_at + (N−1) × 7 days, to the second, for lessons,
// weekly tests and the final test alike.
func TestWeekUnlocking(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		clock := newClock(time.Now().UTC().Truncate(time.Second))
		c := catalogueOn(t, newServer(t, db.Dialect(), options{db: db, clock: clock}), map[string]string{"title": "Kognitīvi biheiviorālā pieeja", "direction": "theory"})
		course := c.buildCourse(c.author)
		var weekly struct{ ID string }
		c.do(request{method: "POST", path: "/api/v1/courses/" + course.ID + "/tests", token: c.author, body: map[string]any{
			"title": "2. nedēļas tests", "week": 2, "question_count": 2, "pass_percent": 50, "time_limit_minutes": 10, "max_attempts": 5,
		}}).expect(t, 201).json(t, &weekly)
		c.do(request{method: "POST", path: "/api/v1/courses/" + course.ID + "/publish", token: c.author}).expect(t, 200)
		s := &school{catalogue: c, published: c.get(c.author, course.ID)}

		starts := clock.Now().Add(time.Hour)
		var cohort cohortBody
		s.do(request{method: "POST", path: "/api/v1/courses/" + course.ID + "/cohorts", token: s.team, body: map[string]any{
			"title": "Pavasaris", "enrolment_opens_at": clock.Now().Add(-time.Hour), "enrolment_closes_at": starts.Add(30 * 24 * time.Hour), "starts_at": starts,
		}}).expect(t, 201).json(t, &cohort)
		body := registration()
		s.do(request{method: "POST", path: "/api/v1/auth/register", body: body}).expect(t, 201)
		signIn := func() string { return s.login(body["email"].(string), body["password"].(string)) }
		e := s.enrolled(signIn(), cohort.ID)

		lesson := s.published.Weeks[1].Lessons[0]
		for _, c := range []struct {
			name   string
			week   int
			try    func(token string) reply
			opened int
		}{
			{"a week 2 lesson", 2, func(token string) reply {
				return s.do(request{method: "GET", path: "/api/v1/enrolments/" + e.ID + "/lessons/" + lesson.ID, token: token})
			}, 200},
			{"progress in a week 2 lesson", 2, func(token string) reply {
				return s.do(request{method: "PUT", path: "/api/v1/enrolments/" + e.ID + "/lessons/" + lesson.ID + "/progress", token: token,
					body: map[string]any{"position_seconds": 1, "completed": false}})
			}, 200},
			{"the week 2 test", 2, func(token string) reply { return s.start(token, e.ID, weekly.ID) }, 201},
			{"the final test (week 5)", 5, func(token string) reply { return s.start(token, e.ID, s.finalTest()) }, 201},
		} {
			opens := starts.Add(time.Duration(c.week-1) * 7 * 24 * time.Hour)
			clock.Set(opens.Add(-time.Second))
			c.try(signIn()).problem(t, 403, "week_locked")
			clock.Set(opens)
			if r := c.try(signIn()); r.status != c.opened {
				t.Fatalf("%s at the second its week opens: %d %s", c.name, r.status, r.body)
			}
		}
	})
}

// A cohort that starts at midnight in Riga is announced, confirmed and
// certified on the same Latvian date.
func TestDatesAreRigaDates(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		starts := time.Date(2027, 3, 1, 22, 0, 0, 0, time.UTC) // 00:00 on 2 March in Riga (UTC+2)
		var c cohortBody
		s.do(request{method: "POST", path: "/api/v1/courses/" + s.published.ID + "/cohorts", token: s.team, body: map[string]any{
			"title": "2027. gada pavasaris", "enrolment_opens_at": time.Now().Add(-time.Hour), "enrolment_closes_at": starts, "starts_at": starts,
		}}).expect(t, 201).json(t, &c)
		_, token := s.signUp()
		e := s.enrolled(token, c.ID)
		var params string
		if err := db.Conn(context.Background()).Table("outbox").Where("id = ?", "enrolled:"+e.ID).Select("params").Take(&params).Error; err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(params, "2027. gada 2. martā") {
			t.Fatalf("the confirmation's date: %s", params)
		}
	})
}

// An ended cohort takes no enrolment, and no cohort is opened with a window
// that outlasts it.
func TestEndedCohorts(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		clock := newClock(time.Now().UTC().Truncate(time.Second))
		s := newSchool(t, db, options{clock: clock})
		starts := clock.Now().Add(-time.Hour)
		ends := starts.Add(35 * 24 * time.Hour)
		body := func(closes time.Time) map[string]any {
			return map[string]any{"title": "Vasara", "enrolment_opens_at": starts.Add(-24 * time.Hour), "enrolment_closes_at": closes, "starts_at": starts}
		}
		path := "/api/v1/courses/" + s.published.ID + "/cohorts"
		p := s.do(request{method: "POST", path: path, token: s.team, body: body(ends.Add(time.Second))}).problem(t, 422, "validation_failed")
		if len(p.Errors) != 1 || p.Errors[0].Field != "enrolment_closes_at" {
			t.Fatalf("errors %+v", p.Errors)
		}
		var c cohortBody
		s.do(request{method: "POST", path: path, token: s.team, body: body(ends)}).expect(t, 201).json(t, &c)
		s.do(request{method: "PATCH", path: "/api/v1/cohorts/" + c.ID, token: s.team, body: map[string]any{"enrolment_closes_at": ends.Add(time.Hour)}}).problem(t, 422, "validation_failed")

		body2 := registration()
		s.do(request{method: "POST", path: "/api/v1/auth/register", body: body2}).expect(t, 201)
		clock.Set(ends.Add(-time.Second)) // the last second: still open
		token := s.login(body2["email"].(string), body2["password"].(string))
		s.enrolled(token, c.ID)
		s.do(request{method: "DELETE", path: "/api/v1/cohorts/" + c.ID + "/enrolments/me", token: token}).expect(t, 204)
		clock.Set(ends)
		token = s.login(body2["email"].(string), body2["password"].(string))
		s.enrol(token, c.ID).problem(t, 422, "cohort_ended")
	})
}
