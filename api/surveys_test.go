package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"mooc/config"
	"mooc/internal/app"
	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
)

type surveyResults struct {
	Responses int `json:"responses"`
	Questions []struct {
		ID      string         `json:"id"`
		Text    string         `json:"text"`
		Mean    *float64       `json:"mean"`
		Counts  map[string]int `json:"counts"`
		Answers []string       `json:"answers"`
	} `json:"questions"`
}

var surveyQuestions = map[string]any{"questions": []map[string]string{
	{"id": "noderigums", "kind": "scale", "text": "Cik noderīgs bija kurss jūsu darbā?"},
	{"id": "ieteikumi", "kind": "text", "text": "Ko jūs mainītu?"},
}}

func surveyAnswer(scale any, text string) map[string]any {
	return map[string]any{"answers": []map[string]any{{"question_id": "noderigums", "value": scale}, {"question_id": "ieteikumi", "value": text}}}
}

// completedLearners enrols n learners in c and completes the course for
// each: their enrolments are certificate-eligible.
func (s *school) completedLearners(cohortID string, n int) (enrolments, tokens []string) {
	s.t.Helper()
	for range n {
		_, token := s.signUp()
		e := s.enrolled(token, cohortID)
		s.complete(token, e.ID)
		enrolments, tokens = append(enrolments, e.ID), append(tokens, token)
	}
	return enrolments, tokens
}

func TestCourseSurvey(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		course := "/api/v1/courses/" + s.published.ID
		results := course + "/survey/results"
		c1, c2 := s.cohort(200, 30*24*time.Hour), s.cohort(200, 30*24*time.Hour)

		// Only the author owning the course and the team set it.
		s.do(request{method: "PUT", path: course + "/survey", token: s.otherAuthor, body: surveyQuestions}).problem(t, 403, "forbidden")
		s.do(request{method: "PUT", path: course + "/survey", token: s.learner, body: surveyQuestions}).problem(t, 403, "forbidden")
		bad := map[string]any{"questions": []map[string]string{{"id": "a", "kind": "stars", "text": "x"}, {"id": "a", "kind": "text", "text": "y"}}}
		p := s.do(request{method: "PUT", path: course + "/survey", token: s.author, body: bad}).problem(t, 422, "validation_failed")
		if len(p.Errors) != 1 || p.Errors[0].Field != "questions[0].kind" {
			t.Fatalf("errors %+v", p.Errors)
		}
		bad = map[string]any{"questions": []map[string]string{{"id": "a", "kind": "scale", "text": "x"}, {"id": "a", "kind": "text", "text": "y"}}}
		p = s.do(request{method: "PUT", path: course + "/survey", token: s.author, body: bad}).problem(t, 422, "validation_failed")
		if len(p.Errors) != 1 || p.Errors[0].Field != "questions[1].id" {
			t.Fatalf("errors %+v", p.Errors)
		}
		s.do(request{method: "PUT", path: course + "/survey", token: s.author, body: bad["questions"]}).problem(t, 400, "malformed_json")
		s.do(request{method: "PUT", path: course + "/survey", token: s.author, body: surveyQuestions}).expect(t, 200)
		s.do(request{method: "PUT", path: course + "/survey", token: s.team, body: surveyQuestions}).expect(t, 200)

		// Answering: the learner's own enrolment, after completing.
		_, early := s.signUp()
		e := s.enrolled(early, c1.ID)
		s.do(request{method: "POST", path: "/api/v1/enrolments/" + e.ID + "/survey", token: early, body: surveyAnswer(5, "Nekas")}).problem(t, 422, "not_eligible")
		ids, tokens := s.completedLearners(c1.ID, 4)
		answer := func(i int, body any) reply {
			return s.do(request{method: "POST", path: "/api/v1/enrolments/" + ids[i] + "/survey", token: tokens[i], body: body})
		}
		s.do(request{method: "POST", path: "/api/v1/enrolments/" + ids[0] + "/survey", token: tokens[1], body: surveyAnswer(5, "x")}).problem(t, 404, "not_found")
		s.do(request{method: "POST", path: "/api/v1/enrolments/" + ids[0] + "/survey", token: s.team, body: surveyAnswer(5, "x")}).problem(t, 404, "not_found")

		// Bad answers name the field and store nothing.
		for _, tc := range []struct {
			body  any
			field string
		}{
			{surveyAnswer(6, "x"), "answers[0].value"},
			{surveyAnswer(2.5, "x"), "answers[0].value"},
			{surveyAnswer("5", "x"), "answers[0].value"},
			{surveyAnswer(3, strings.Repeat("ā", 2001)), "answers[1].value"},
			{surveyAnswer(3, ""), "answers[1].value"},
			{map[string]any{"answers": []map[string]any{{"question_id": "nav", "value": 3}}}, "answers[0].question_id"},
			{map[string]any{"answers": []map[string]any{{"question_id": "noderigums", "value": 3}, {"question_id": "noderigums", "value": 4}}}, "answers[1].question_id"},
			{map[string]any{"answers": []map[string]any{}}, "answers"},
		} {
			p := answer(0, tc.body).problem(t, 422, "validation_failed")
			if len(p.Errors) != 1 || p.Errors[0].Field != tc.field {
				t.Errorf("%v: errors %+v, want %s", tc.body, p.Errors, tc.field)
			}
		}
		answer(0, surveyAnswer(3, strings.Repeat("ā", 2000))).expect(t, 201)
		answer(0, surveyAnswer(3, "Vēlreiz")).problem(t, 409, "already_answered")
		answer(1, surveyAnswer(4, "Vairāk prakses")).expect(t, 201)
		answer(2, map[string]any{"answers": []map[string]any{{"question_id": "noderigums", "value": 5}}}).expect(t, 201)

		// The questions no longer change.
		s.do(request{method: "PUT", path: course + "/survey", token: s.author, body: surveyQuestions}).problem(t, 409, "survey_answered")

		// Four responses: the count alone.
		answer(3, surveyAnswer(4, "Labs kurss")).expect(t, 201)
		var r surveyResults
		raw := s.do(request{method: "GET", path: results, token: s.author}).expect(t, 200)
		raw.json(t, &r)
		if r.Responses != 4 || r.Questions != nil || strings.Contains(string(raw.body), "Labs kurss") {
			t.Fatalf("four responses: %s", raw.body)
		}
		s.do(request{method: "GET", path: results, token: s.otherAuthor}).problem(t, 403, "forbidden")
		s.do(request{method: "GET", path: results, token: tokens[0]}).problem(t, 403, "forbidden")

		// A fifth, in the other cohort: means and counts for the course, the
		// count alone for each cohort.
		ids2, tokens2 := s.completedLearners(c2.ID, 1)
		s.do(request{method: "POST", path: "/api/v1/enrolments/" + ids2[0] + "/survey", token: tokens2[0], body: surveyAnswer(1, "Abi labi")}).expect(t, 201)
		raw = s.do(request{method: "GET", path: results, token: s.team}).expect(t, 200)
		r = surveyResults{}
		raw.json(t, &r)
		if r.Responses != 5 || len(r.Questions) != 2 {
			t.Fatalf("five responses: %s", raw.body)
		}
		scale, text := r.Questions[0], r.Questions[1]
		if scale.ID != "noderigums" || scale.Mean == nil || *scale.Mean != 3.4 ||
			fmt.Sprint(scale.Counts) != "map[1:1 2:0 3:1 4:2 5:1]" || scale.Answers != nil {
			t.Fatalf("scale question %+v", scale)
		}
		if text.ID != "ieteikumi" || text.Mean != nil || text.Counts != nil || len(text.Answers) != 4 ||
			text.Answers[0] != "Abi labi" || text.Answers[1] != "Labs kurss" || text.Answers[2] != "Vairāk prakses" {
			t.Fatalf("text question %+v", text)
		}
		for _, cohort := range []struct {
			id string
			n  int
		}{{c1.ID, 4}, {c2.ID, 1}} {
			r = surveyResults{}
			raw = s.do(request{method: "GET", path: results + "?cohort_id=" + cohort.id, token: s.author}).expect(t, 200)
			raw.json(t, &r)
			if r.Responses != cohort.n || r.Questions != nil {
				t.Fatalf("cohort %s: %s", cohort.id, raw.body)
			}
		}

		// No answer names its person: the answers' tables hold no user or
		// enrolment, and the markers hold no answer.
		for _, table := range []string{"survey_responses", "survey_answers"} {
			for _, id := range append(append([]string{}, ids...), ids2...) {
				if n := s.rowsMentioning(table, id); n != 0 {
					t.Fatalf("%s mentions enrolment %s", table, id)
				}
			}
		}
		if n := s.rowCount("survey_answered"); n != 5 {
			t.Fatalf("%d answered markers", n)
		}

		// A course with no survey.
		other := s.buildCourse(s.author)
		s.do(request{method: "GET", path: "/api/v1/courses/" + other.ID + "/survey/results", token: s.author}).problem(t, 404, "not_found")
	})
}

// Two answers sent at once from one enrolment: one is kept, the other
// answered already_answered.
func TestSurveyAnsweredOnceUnderConcurrency(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		c := s.cohort(200, 30*24*time.Hour)
		s.do(request{method: "PUT", path: "/api/v1/courses/" + s.published.ID + "/survey", token: s.author, body: surveyQuestions}).expect(t, 200)
		ids, tokens := s.completedLearners(c.ID, 1)
		statuses := make(chan int, 2)
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := s.try(request{method: "POST", path: "/api/v1/enrolments/" + ids[0] + "/survey", token: tokens[0], body: surveyAnswer(4, "x")})
				if err != nil {
					t.Error(err)
					return
				}
				statuses <- r.status
			}()
		}
		wg.Wait()
		close(statuses)
		got := map[int]int{}
		for st := range statuses {
			got[st]++
		}
		if got[201] != 1 || got[409] != 1 || s.rowCount("survey_responses") != 1 || s.rowCount("survey_answers") != 2 {
			t.Fatalf("statuses %v, %d responses", got, s.rowCount("survey_responses"))
		}
	})
}

func TestProgrammeSurvey(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		clock := newClock(time.Now().UTC().Truncate(time.Second))
		c := catalogueOn(t, newServer(t, db.Dialect(), options{db: db, clock: clock}), map[string]string{"title": "Krīzes intervence", "direction": "crisis"})
		p := c.programme(map[string]any{"group_size": 6})
		path := "/api/v1/programmes/" + p.ID
		var emails []string
		for range 6 {
			u, token := c.signUp()
			emails = append(emails, u.Email)
			c.do(request{method: "POST", path: path + "/applications", token: token, body: map[string]any{"municipality": "Cēsu novads", "took_part_in_pilot": false}}).expect(t, 201)
		}
		c.do(request{method: "PUT", path: path + "/survey", token: c.author, body: surveyQuestions}).problem(t, 403, "forbidden")
		c.do(request{method: "PUT", path: path + "/survey", token: c.team, body: surveyQuestions}).expect(t, 200)
		c.do(request{method: "PATCH", path: path, token: c.team, body: map[string]any{"applications_close_at": time.Now().UTC().Add(-time.Minute), "applications_open_at": time.Now().UTC().Add(-2 * time.Hour)}}).expect(t, 200)
		c.do(request{method: "POST", path: path + "/allocation", token: c.team}).expect(t, 200)

		// Once held: five attended enough, one did not.
		clock.Set(clock.Now().Add(91 * 24 * time.Hour))
		_, c.team = c.signUp("team")
		var ids, tokens []string
		for _, email := range emails {
			token := c.login(email, testkit.Password)
			var me struct{ ID string }
			c.do(request{method: "GET", path: "/api/v1/me", token: token}).expect(t, 200).json(t, &me)
			ids, tokens = append(ids, me.ID), append(tokens, token)
		}
		for i, id := range ids {
			hours := 87
			if i == 5 {
				hours = 86
			}
			c.do(request{method: "PUT", path: path + "/attendance/" + id, token: c.team, body: map[string]int{"hours": hours}}).expect(t, 200)
		}
		answers := path + "/survey/answers"
		c.do(request{method: "POST", path: answers, token: tokens[5], body: surveyAnswer(5, "x")}).problem(t, 422, "not_eligible")
		_, stranger := c.signUp()
		c.do(request{method: "POST", path: answers, token: stranger, body: surveyAnswer(5, "x")}).problem(t, 404, "not_found")
		for i := range 4 {
			c.do(request{method: "POST", path: answers, token: tokens[i], body: surveyAnswer(i+1, "Paldies")}).expect(t, 201)
		}
		c.do(request{method: "POST", path: answers, token: tokens[0], body: surveyAnswer(5, "x")}).problem(t, 409, "already_answered")
		p2 := c.do(request{method: "POST", path: answers, token: tokens[4], body: surveyAnswer(0.5, "x")}).problem(t, 422, "validation_failed")
		if len(p2.Errors) != 1 || p2.Errors[0].Field != "answers[0].value" {
			t.Fatalf("errors %+v", p2.Errors)
		}
		var r surveyResults
		c.do(request{method: "GET", path: path + "/survey/results", token: c.team}).expect(t, 200).json(t, &r)
		if r.Responses != 4 || r.Questions != nil {
			t.Fatalf("four responses %+v", r)
		}
		c.do(request{method: "POST", path: answers, token: tokens[4], body: surveyAnswer(5, "Paldies")}).expect(t, 201)
		r = surveyResults{}
		c.do(request{method: "GET", path: path + "/survey/results", token: c.team}).expect(t, 200).json(t, &r)
		if r.Responses != 5 || len(r.Questions) != 2 || *r.Questions[0].Mean != 3 || len(r.Questions[1].Answers) != 5 {
			t.Fatalf("five responses %+v", r)
		}
		_, author := c.signUp("author")
		c.do(request{method: "GET", path: path + "/survey/results", token: author}).problem(t, 403, "forbidden")
		c.do(request{method: "PUT", path: path + "/survey", token: c.team, body: surveyQuestions}).problem(t, 409, "survey_answered")
	})
}

// rowsMentioning counts the rows of table with a column holding value.
func (s *server) rowsMentioning(table, value string) int {
	s.t.Helper()
	rows, err := database.Records(s.db.Conn(context.Background()).Table(table))
	if err != nil {
		s.t.Fatal(err)
	}
	n := 0
	for _, row := range rows {
		for _, v := range row {
			if fmt.Sprint(v) == value {
				n++
			}
		}
	}
	return n
}

// A learner whose certificate is issued, of a course with a survey, is
// invited by one e-mail through a real SMTP relay, however often and by
// however many replicas the inviter runs; one who answered before it ran
// is not; the data export lists the invitation and the answered survey,
// and closing the account removes both markers but not the response.
func TestSurveyInvitationMailedOnce(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		relay := testkit.StartRelay(t)
		clk := newClock(time.Now().UTC().Truncate(time.Second))
		logs := &syncWriter{}
		cfg := config.Config{DataDir: t.TempDir(), TokenSecret: tokenSecret, TokenTTL: time.Hour, PublicURL: "http://mooc.test",
			MaxUploadBytes: 64 << 20, TrustedProxies: []string{"0.0.0.0"},
			SMTP: config.SMTP{Host: relay.Host, Port: relay.Port, From: "E-mācības <noreply@example.lv>"}}
		platform, err := app.New(context.Background(), cfg, app.Options{Log: slog.New(slog.NewJSONHandler(logs, nil)), Version: "test",
			DB: db, Hashing: &testkit.Hashing, Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = platform.Close() })
		srv := &server{t: t, app: platform.HTTP, platform: platform, db: db, objects: platform.Objects, users: platform.Accounts, logs: logs, clock: clk}
		c := catalogueOn(t, srv, map[string]string{"title": "Krīzes intervence", "direction": "crisis"})
		course := c.buildCourse(c.author)
		c.do(request{method: "POST", path: "/api/v1/courses/" + course.ID + "/publish", token: c.author}).expect(t, 200)
		s := &school{catalogue: c, published: c.get(c.author, course.ID)}
		s.do(request{method: "PUT", path: "/api/v1/courses/" + course.ID + "/survey", token: s.author, body: surveyQuestions}).expect(t, 200)
		cohort := s.cohort(200, 30*24*time.Hour)
		ids, tokens := s.completedLearners(cohort.ID, 2)
		for i := range ids {
			s.do(request{method: "POST", path: "/api/v1/enrolments/" + ids[i] + "/certificate", token: tokens[i]}).expect(t, 201)
		}
		// The second answers before any invitation.
		s.do(request{method: "POST", path: "/api/v1/enrolments/" + ids[1] + "/survey", token: tokens[1], body: surveyAnswer(4, "Labi")}).expect(t, 201)
		ctx := context.Background()
		if err := db.Conn(ctx).Exec("DELETE FROM outbox").Error; err != nil { // only the invitations from here on
			t.Fatal(err)
		}

		// Two replicas at once, and again: one invitation.
		counts := make(chan int, 2)
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := platform.Surveys.InviteCompleted(ctx)
				if err != nil {
					t.Error(err)
				}
				counts <- n
			}()
		}
		wg.Wait()
		close(counts)
		total := 0
		for n := range counts {
			total += n
		}
		if again, err := platform.Surveys.InviteCompleted(ctx); total != 1 || again != 0 || err != nil {
			t.Fatalf("invited %d, then %d (%v)", total, again, err)
		}
		if n, err := platform.Mail.SendDue(ctx); err != nil || n != 1 {
			t.Fatalf("sent %d, %v; log:\n%s", n, err, logs)
		}
		if n, _ := platform.Mail.SendDue(ctx); n != 0 {
			t.Fatalf("sent %d more", n)
		}
		_, rcpt, data := relay.Sent()
		if len(data) != 1 {
			t.Fatalf("%d e-mails", len(data))
		}
		msg, err := mail.ReadMessage(bytes.NewReader(data[0]))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(msg.Body)
		subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		plain := string(body)
		if !strings.Contains(subject, "atsauksme") || !strings.Contains(plain, "http://mooc.test/learn/"+ids[0]+"/survey") ||
			!strings.Contains(plain, "anonīma") || !strings.Contains(rcpt[0], "@example.lv") {
			t.Fatalf("to %v, %q:\n%s", rcpt, subject, plain)
		}

		// The export: the invitation with its time, and the survey answered,
		// never the answers.
		var export map[string]any
		s.do(request{method: "GET", path: "/api/v1/me/data", token: tokens[0]}).expect(t, 200).json(t, &export)
		invited, _ := export["survey_invitations"].([]any)
		if len(invited) != 1 || !strings.Contains(fmt.Sprint(invited[0]), course.ID) || !strings.Contains(fmt.Sprint(invited[0]), "invited_at") {
			t.Fatalf("invitations in the export: %v", export["survey_invitations"])
		}
		s.do(request{method: "GET", path: "/api/v1/me/data", token: tokens[1]}).expect(t, 200).json(t, &export)
		answered, _ := export["surveys_answered"].([]any)
		if len(answered) != 1 || strings.Contains(fmt.Sprint(export), "Labi") {
			t.Fatalf("answered in the export: %v", export["surveys_answered"])
		}

		// Closing the accounts: the markers go, the response stays, and no
		// one is invited again.
		for _, token := range tokens {
			s.do(request{method: "DELETE", path: "/api/v1/me", token: token, body: map[string]string{"password": testkit.Password}}).expect(t, 204)
		}
		if a, i, r := s.rowCount("survey_answered"), s.rowCount("survey_invitations"), s.rowCount("survey_responses"); a != 0 || i != 0 || r != 1 {
			t.Fatalf("after closing: %d answered markers, %d invitations, %d responses", a, i, r)
		}
		if n, err := platform.Surveys.InviteCompleted(ctx); n != 0 || err != nil {
			t.Fatalf("invited %d closed accounts (%v)", n, err)
		}
	})
}
