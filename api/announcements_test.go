package api_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"mooc/internal/database"
	"mooc/internal/testenv"
)

// A cohort opening reaches exactly the people who asked for it: verified
// learners on the course's interest list or wanting every new cohort,
// never one who holds a place in the course, never an author or the team;
// each e-mail says how to stop them; the course's authors see the count
// beforehand.
func TestAnnouncementsReachTheRightPeople(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		inbox := testenv.SMTP(t)
		s := newSchool(t, db, options{})
		ctx := context.Background()
		s.deliver(t, testenv.SMTP(t)) // the cast's verification e-mails
		verify := func(ids ...string) {
			for _, id := range ids {
				for _, tok := range linkTokens(t, db, id, "verify_email") {
					s.do(request{method: "POST", path: "/api/v1/auth/verify-email", body: map[string]string{"token": tok}}).expect(t, 204)
				}
			}
		}
		interest := func(token string) {
			s.do(request{method: "POST", path: "/api/v1/courses/" + s.published.ID + "/interest", token: token}).expect(t, 204)
		}
		wantsAll, _ := s.signUp()
		askedOnly, askedToken := s.signUp()
		s.do(request{method: "PATCH", path: "/api/v1/me", token: askedToken, body: map[string]any{"announcements": false}}).expect(t, 200)
		interest(askedToken)
		_, unverifiedToken := s.signUp() // asked, but the address may be someone else's
		interest(unverifiedToken)
		quiet, quietToken := s.signUp() // wants nothing
		s.do(request{method: "PATCH", path: "/api/v1/me", token: quietToken, body: map[string]any{"announcements": false}}).expect(t, 200)
		placed, placedToken := s.signUp() // holds a place in the course already
		interest(placedToken)
		waiting, waitingToken := s.signUp()
		author, _ := s.signUp("author")
		team, _ := s.signUp("team")
		verify(wantsAll.ID, askedOnly.ID, quiet.ID, placed.ID, waiting.ID, author.ID, team.ID)
		running := s.cohort(1, 0)
		s.enrolled(placedToken, running.ID)
		if e := s.enrolled(waitingToken, running.ID); e.Status != "waitlisted" {
			t.Fatalf("second learner %s", e.Status)
		}
		s.deliver(t, testenv.SMTP(t)) // their enrolment e-mails
		// The earlier cohort is announced already; only the next one counts.
		if _, err := s.platform.Cohorts.AnnounceOpenCohorts(ctx); err != nil {
			t.Fatal(err)
		}
		s.deliver(t, testenv.SMTP(t))
		interest(askedToken) // told of the first cohort, asks again for the next

		// The authors and the team see the count first; others may not.
		path := "/api/v1/courses/" + s.published.ID + "/announcement-audience"
		var count struct{ Interested, Others, Total int }
		s.do(request{method: "GET", path: path, token: s.author}).expect(t, 200).json(t, &count)
		if count.Interested != 1 || count.Others != 1 || count.Total != 2 {
			t.Fatalf("count %+v, want 1 interested (asked) and 1 other (wants all)", count)
		}
		s.do(request{method: "GET", path: path, token: s.team}).expect(t, 200)
		s.do(request{method: "GET", path: path, token: s.otherAuthor}).problem(t, 403, "forbidden")
		s.do(request{method: "GET", path: path, token: askedToken}).problem(t, 403, "forbidden")
		s.do(request{method: "GET", path: "/api/v1/courses/00000000-0000-4000-8000-000000000000/announcement-audience", token: s.team}).problem(t, 404, "not_found")

		s.cohort(200, -7*24*time.Hour) // the next cohort: its window is open
		if _, err := s.platform.Cohorts.AnnounceOpenCohorts(ctx); err != nil {
			t.Fatal(err)
		}
		if n := s.deliver(t, inbox); n != 2 {
			t.Fatalf("%d announcements, want 2", n)
		}
		byTo := map[string]string{}
		for _, m := range inbox.Messages() {
			byTo[strings.Trim(m.To, "<>")] = m.Body
		}
		if body, ok := byTo[askedOnly.Email]; !ok || !strings.Contains(body, "vienreizējs paziņojums") {
			t.Fatalf("the learner who asked got %q", body)
		}
		if body, ok := byTo[wantsAll.Email]; !ok || !strings.Contains(body, "http://mooc.test/me") {
			t.Fatalf("the learner who wants all got %q", body)
		}
		// Told once: off the interest list.
		var still []string
		db.Conn(ctx).Table("course_interest").Where("course_id = ?", s.published.ID).Pluck("user_id", &still)
		slices.Sort(still)
		if slices.Contains(still, askedOnly.ID) || !slices.Contains(still, placed.ID) {
			t.Fatalf("interest list after the announcement: %v", still)
		}
	})
}

// Small things a team notices: a date without a time in a body is 422
// naming the field, a lesson never reported has no updated_at, every
// problem of a registration is told at once, and a certificate code typed
// with spaces verifies.
func TestSmallThings(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		now := time.Now().UTC()
		p := s.do(request{method: "POST", path: "/api/v1/courses/" + s.published.ID + "/cohorts", token: s.team, body: map[string]any{
			"title": "2027. gada pavasaris", "capacity": 20, "enrolment_opens_at": "2027-01-05",
			"enrolment_closes_at": 20270301, "starts_at": now.Add(24 * time.Hour),
		}}).problem(t, 422, "validation_failed")
		if len(p.Errors) != 2 || p.Errors[0].Field != "enrolment_opens_at" || p.Errors[1].Field != "enrolment_closes_at" {
			t.Fatalf("errors %+v", p.Errors)
		}

		c := s.cohort(200, 24*time.Hour)
		_, learner := s.signUp()
		e := s.enrolled(learner, c.ID)
		lesson := s.published.Weeks[0].Lessons[1]
		r := s.do(request{method: "GET", path: "/api/v1/enrolments/" + e.ID + "/lessons/" + lesson.ID, token: learner}).expect(t, 200)
		if strings.Contains(string(r.body), "0001-01-01") || strings.Contains(string(r.body), `"updated_at"`) {
			t.Fatalf("a lesson never reported: %s", r.body)
		}

		body := registration()
		body["given_name"] = ""
		body["password"] = "password1234"
		p = s.do(request{method: "POST", path: "/api/v1/auth/register", body: body}).problem(t, 422, "validation_failed")
		fields := []string{}
		for _, f := range p.Errors {
			fields = append(fields, f.Field)
		}
		if !slices.Contains(fields, "given_name") || !slices.Contains(fields, "password") {
			t.Fatalf("registration told %v at once, want given_name and password", fields)
		}
	})
}

// A certificate code typed as a person reads it aloud, lower-case with
// spaces, verifies, in the API and on the page.
func TestVerifyCodeTypedWithSpaces(t *testing.T) {
	s := newSchool(t, testenv.DB(t, database.SQLite), options{})
	c := s.cohort(200, 30*24*time.Hour)
	_, learner := s.signUp()
	e := s.enrolled(learner, c.ID)
	s.complete(learner, e.ID)
	var cert certificateBody
	s.do(request{method: "POST", path: "/api/v1/enrolments/" + e.ID + "/certificate", token: learner}).expect(t, 201).json(t, &cert)
	typed := url.PathEscape(strings.ToLower(strings.ReplaceAll(cert.Code, "-", " ")))
	var v struct {
		Code  string `json:"code"`
		Valid bool   `json:"valid"`
	}
	s.do(request{method: "GET", path: "/api/v1/certificates/" + typed + "/verify"}).expect(t, 200).json(t, &v)
	if v.Code != cert.Code || !v.Valid {
		t.Fatalf("verification of %q: %+v", typed, v)
	}
	if page := string(s.do(request{method: "GET", path: "/verify/" + typed}).expect(t, 200).body); !strings.Contains(page, cert.Code) {
		t.Fatalf("the page of %q does not show %s", typed, cert.Code)
	}
}
