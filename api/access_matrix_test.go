package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
)

// The access-control matrix: every route of /openapi.json, called by six
// people, each answer checked against the status written down for that
// person. A route added to the API without a row here fails the test, so
// every new route forces a decision about who may call it.

// caller is one of the six people who call every route.
type caller int

const (
	anonymous  caller = iota // no token
	learner1                 // L1: owns the enrolment, attempt, certificate and application
	learner2                 // L2: another learner, enrolled nowhere at first
	authorA                  // A: owns the published course, the draft course and the media
	authorB                  // B: another author, who owns nothing
	teamMember               // the project team
	callers
)

var callerNames = [callers]string{"anon", "L1", "L2", "A", "B", "team"}

// accessRow is one line of the matrix: a route, the resource it is called
// on, and what each caller must get, in the order anon L1 L2 A B team.
// A cell may list several statuses ("201/409") when each is an allowed
// business answer; a cell never mixes allowed (2xx) with denied
// (401/403/404) answers.
type accessRow struct {
	route string // "METHOD path" exactly as /openapi.json has it
	what  string // the resource the call is aimed at
	want  string // anon L1 L2 A B team
	// req builds the call for one caller, so that a row may give each
	// caller a fresh resource; the method comes from route and the token
	// from the caller.
	req func(k caller) request
	// hidden must not appear in the successful replies of the callers
	// named in blind (lists that must leave out others' data).
	hidden []string
	blind  []caller
}

// matrixFixtures is everything the rows aim at.
type matrixFixtures struct {
	*school
	tokens [callers]string
	users  [callers]userBody

	cohort      cohortBody    // running for 30 days: every week open
	enrolment   enrolmentBody // L1's, in cohort
	video       lessonBody    // week 1 video lesson of the published course
	finalTest   string
	submitted   string      // L1's submitted attempt
	open        startedBody // L1's attempt still open
	certificate certificateBody
	playback    string // signed link to the video, as L1's playback gave it

	draft       courseBody // A's draft
	draftLesson lessonBody
	draftTest   string
	media       mediaBody // A's file

	programme  programmeBody   // applications open; L1 applied
	allocated  programmeBody   // applications closed and seats given; L1 holds one
	mentor     userBody        // holds the mentor role, none of the callers
	waiting    applicationBody // waitlisted in allocated, with a seat free for it
	job        string          // a bulk certificate job of cohort
	spareEmail string          // an account anyone may log in to
	spareUser  userBody        // a user the team enrols by id
}

const (
	draftTitle       = "Slepenais melnraksts: supervīzija ģimenes asistentiem"
	draftLessonTitle = "Slepenā nodarbība par supervīziju"
	draftQuestion    = "Slepenais jautājums par supervīzijas robežām"
	mediaName        = "slepenais-ieraksts-ā.vtt"
	sparePassword    = "correct horse battery"
	readingBody      = "Lasāmviela par ģimenēm ar bērniem." // every reading lesson of buildCourse
)

func newMatrixFixtures(t *testing.T, db *database.DB) *matrixFixtures {
	s := newSchool(t, db, options{}) // team, A (owns s.published), B, L1
	f := &matrixFixtures{school: s}
	f.tokens = [callers]string{anonymous: "", learner1: s.learner, authorA: s.author, authorB: s.otherAuthor, teamMember: s.team}
	_, f.tokens[learner2] = s.signUp()
	for k := learner1; k < callers; k++ {
		s.do(request{method: "GET", path: "/api/v1/me", token: f.tokens[k]}).expect(t, 200).json(t, &f.users[k])
	}
	l1 := f.tokens[learner1]
	v1 := "/api/v1"

	// L1's enrolment in a cohort that started 30 days ago (all five weeks
	// open, ends in five days): every lesson done, the final test passed,
	// the certificate issued, and a second attempt left open.
	f.cohort = s.cohort(200, 30*24*time.Hour)
	f.enrolment = s.enrolled(l1, f.cohort.ID)
	f.video = s.published.Weeks[0].Lessons[0]
	f.finalTest = s.finalTest()
	s.completeLessons(l1, f.enrolment.ID)
	var first startedBody
	s.start(l1, f.enrolment.ID, f.finalTest).expect(t, 201).json(t, &first)
	s.do(request{method: "POST", path: v1 + "/attempts/" + first.ID + "/submit", token: l1, body: answers(first, "Pareizi")}).expect(t, 200)
	f.submitted = first.ID
	s.do(request{method: "POST", path: v1 + "/enrolments/" + f.enrolment.ID + "/certificate", token: l1}).expect(t, 201).json(t, &f.certificate)
	s.start(l1, f.enrolment.ID, f.finalTest).expect(t, 201).json(t, &f.open)
	var pb struct{ URL string }
	s.do(request{method: "GET", path: v1 + "/enrolments/" + f.enrolment.ID + "/lessons/" + f.video.ID + "/playback", token: l1}).expect(t, 200).json(t, &pb)
	f.playback = pb.URL
	var reading struct{ Kind, Body string }
	lastWeek := s.published.Weeks[len(s.published.Weeks)-1].Lessons
	s.do(request{method: "GET", path: v1 + "/enrolments/" + f.enrolment.ID + "/lessons/" + lastWeek[2].ID, token: l1}).expect(t, 200).json(t, &reading)
	if reading.Kind != "reading" || reading.Body != readingBody {
		t.Fatalf("the last week's reading lesson is %+v, want the body %q", reading, readingBody)
	}

	// A's draft: two lessons and two questions in week 1, a weekly test.
	a := f.tokens[authorA]
	s.do(request{method: "POST", path: v1 + "/courses", token: a, body: map[string]any{
		"methodology_id": s.methodology, "title": draftTitle, "summary": "Vēl nav gatavs",
	}}).expect(t, 201).json(t, &f.draft)
	f.draftLesson = s.lesson(a, f.draft.ID, map[string]any{"week": 1, "title": draftLessonTitle, "kind": "reading", "minutes": 20, "body": "Teksts."})
	s.lesson(a, f.draft.ID, map[string]any{"week": 1, "title": "Otrā nodarbība", "kind": "reading", "minutes": 10, "body": "Teksts."})
	for i := 1; i <= 2; i++ {
		s.do(request{method: "POST", path: v1 + "/courses/" + f.draft.ID + "/questions", token: a, body: f.questionBody(draftQuestion + " " + strconv.Itoa(i))}).expect(t, 201)
	}
	var test struct{ ID string }
	s.do(request{method: "POST", path: v1 + "/courses/" + f.draft.ID + "/tests", token: a, body: weeklyTest()}).expect(t, 201).json(t, &test)
	f.draftTest = test.ID
	f.media = s.uploaded(a, mediaName, []byte(captionsLV))

	// Programmes: one open, where L1 applied; one whose seats are given
	// out (L1 and Z accepted, X waitlisted), after which Z gave up the
	// seat, so that X can be accepted.
	f.programme = s.programme(nil)
	apply := func(token, programmeID string) applicationBody {
		var a applicationBody
		s.do(request{method: "POST", path: v1 + "/programmes/" + programmeID + "/applications", token: token,
			body: map[string]any{"municipality": "Ogres novads", "took_part_in_pilot": false}}).expect(t, 201).json(t, &a)
		return a
	}
	apply(l1, f.programme.ID)
	// Held already, so that its attendance can be recorded.
	f.allocated = s.programme(map[string]any{"group_size": 2, "title": "Supervīzija: klātienes mācības",
		"starts_at": time.Now().UTC().Add(-60 * 24 * time.Hour), "ends_at": time.Now().UTC().Add(-time.Hour)})
	_, z := s.signUp()
	_, x := s.signUp()
	apply(l1, f.allocated.ID)
	apply(z, f.allocated.ID)
	f.waiting = apply(x, f.allocated.ID)
	now := time.Now().UTC()
	s.do(request{method: "PATCH", path: v1 + "/programmes/" + f.allocated.ID, token: s.team, body: map[string]any{
		"applications_open_at": now.Add(-2 * time.Hour), "applications_close_at": now.Add(-time.Minute),
	}}).expect(t, 200)
	s.do(request{method: "POST", path: v1 + "/programmes/" + f.allocated.ID + "/allocation", token: s.team}).expect(t, 200)
	s.do(request{method: "DELETE", path: v1 + "/programmes/" + f.allocated.ID + "/applications/me", token: z}).expect(t, 204)

	f.mentor, _ = s.signUp("mentor")

	var job struct{ ID string }
	s.do(request{method: "POST", path: v1 + "/cohorts/" + f.cohort.ID + "/certificates", token: s.team}).expect(t, 202).json(t, &job)
	f.job = job.ID

	spare := registration()
	s.do(request{method: "POST", path: v1 + "/auth/register", body: spare}).expect(t, 201)
	f.spareEmail = spare["email"].(string)
	f.spareUser, _ = s.signUp()
	return f
}

func (f *matrixFixtures) questionBody(text string) map[string]any {
	return map[string]any{"week": 1, "kind": "single_choice", "text": text, "explanation": "Slepens skaidrojums.",
		"options": []map[string]any{{"text": "Pareizi", "correct": true}, {"text": "Nepareizi"}}}
}

func weeklyTest() map[string]any {
	return map[string]any{"title": "1. nedēļas tests", "week": 1, "question_count": 1, "time_limit_minutes": 10}
}

// freshUpload begins a resumable upload of a small captions file as A and,
// when sent, uploads its one part; it returns the upload and the parts.
func (f *matrixFixtures) freshUpload(sent bool) (uploadBody, []partBody) {
	content := []byte(captionsLV)
	up := f.begun(f.tokens[authorA], "daļa.vtt", int64(len(content)))
	if !sent {
		return up, nil
	}
	return up, f.sendParts(up, content)
}

// freshDraftLesson adds a lesson to A's draft, for a caller to delete.
func (f *matrixFixtures) freshDraftLesson() lessonBody {
	return f.lesson(f.tokens[authorA], f.draft.ID, map[string]any{"week": 3, "title": "Dzēšamā nodarbība", "kind": "reading", "minutes": 5, "body": "x"})
}

// weekOrder is a valid new order of week 1 of the draft: its lessons as
// they are now, reversed.
func (f *matrixFixtures) weekOrder() map[string]any {
	var ids []string
	for _, l := range f.get(f.tokens[teamMember], f.draft.ID).Weeks[0].Lessons {
		ids = append([]string{l.ID}, ids...)
	}
	return map[string]any{"lesson_ids": ids}
}

// secrets must not appear in the reply to any refused call (401, 403,
// 404): nothing of the resource leaks through an error.
func (f *matrixFixtures) secrets() []string {
	return []string{
		f.users[learner1].Email, draftTitle, draftLessonTitle, draftQuestion, "Slepens skaidrojums", mediaName,
		f.media.SHA256, f.certificate.Code, f.enrolment.ID, f.submitted, f.open.ID, f.draft.ID, f.draftLesson.ID, f.media.ID,
	}
}

func matrixCall(path string) func(caller) request {
	return func(caller) request { return request{path: path} }
}

func matrixCSV(path string) func(caller) request {
	return func(caller) request { return request{path: path, header: map[string]string{"Accept": "text/csv"}} }
}

func matrixPDF(path string) func(caller) request {
	return func(caller) request {
		return request{path: path, header: map[string]string{"Accept": "application/pdf"}}
	}
}

func matrixSend(path string, body any) func(caller) request {
	return func(caller) request { return request{path: path, body: body} }
}

// accessMatrix is the expected matrix. Rows run in this order, one caller
// after another (anon L1 L2 A B team), so rows that use something up come
// after the rows that need it.
func accessMatrix(f *matrixFixtures) []accessRow {
	const v1 = "/api/v1"
	e := v1 + "/enrolments/" + f.enrolment.ID
	pub := v1 + "/courses/" + f.published.ID
	draft := v1 + "/courses/" + f.draft.ID
	cohort := v1 + "/cohorts/" + f.cohort.ID
	cert := v1 + "/certificates/" + f.certificate.Code
	prog := v1 + "/programmes/" + f.programme.ID
	allocated := v1 + "/programmes/" + f.allocated.ID
	now := time.Now().UTC()
	uniqueEmail := func(caller) request { return request{path: v1 + "/auth/register", body: registration()} }
	file := []byte("WEBVTT\n\n00:00.000 --> 00:01.000\nJauns fails.\n")
	upload := func(caller) request {
		body, ct := multipartBody(f.t, "file", "jauns.vtt", "text/vtt", file)
		return request{path: v1 + "/media", body: body, header: map[string]string{"Content-Type": ct}}
	}
	// The users/{id}/roles row: everyone but the team tries to make L1 team.
	roles := func(k caller) request {
		body := map[string]any{"roles": []string{"author", "team"}}
		if k == teamMember {
			body = map[string]any{"roles": []string{"learner"}}
		}
		return request{path: v1 + "/users/" + f.users[learner1].ID + "/roles", body: body}
	}
	notHers := []caller{learner2, authorA, authorB, teamMember}
	survey := map[string]any{"questions": []map[string]string{{"id": "q1", "kind": "scale", "text": "Cik noderīgs bija kurss?"}}}
	surveyAnswers := map[string]any{"answers": []map[string]any{{"question_id": "q1", "value": 4}}}
	var publishedWeek1 []string
	for _, l := range f.published.Weeks[0].Lessons {
		publishedWeek1 = append([]string{l.ID}, publishedWeek1...)
	}

	return []accessRow{
		// Operations: public.
		{route: "GET /healthz", want: "200 200 200 200 200 200", req: matrixCall("/healthz")},
		{route: "GET /readyz", want: "200 200 200 200 200 200", req: matrixCall("/readyz")},
		{route: "GET /metrics", what: "no MOOC_METRICS_TOKEN configured: closed", want: "404 404 404 404 404 404", req: matrixCall("/metrics")},
		{route: "GET /openapi.json", want: "200 200 200 200 200 200", req: matrixCall("/openapi.json")},
		{route: "GET /docs", want: "200 200 200 200 200 200", req: matrixCall("/docs")},

		// Accounts.
		{route: "POST /api/v1/auth/register", what: "a fresh e-mail each call", want: "201 201 201 201 201 201", req: uniqueEmail},
		{route: "POST /api/v1/auth/login", what: "a spare account", want: "200 200 200 200 200 200",
			req: matrixSend(v1+"/auth/login", map[string]string{"email": f.spareEmail, "password": sparePassword})},
		{route: "GET /api/v1/me", want: "401 200 200 200 200 200", req: matrixCall(v1 + "/me")},
		{route: "POST /api/v1/auth/verify-email", what: "a token no link carries", want: "422 422 422 422 422 422",
			req: matrixSend(v1+"/auth/verify-email", map[string]string{"token": "no-such-token"})},
		{route: "POST /api/v1/auth/password-reset", what: "an unknown e-mail each call", want: "202 202 202 202 202 202",
			req: func(caller) request {
				return request{path: v1 + "/auth/password-reset", body: map[string]string{"email": fmt.Sprintf("reset.%d@example.lv", counter.Add(1))}}
			}},
		{route: "POST /api/v1/auth/password-reset/confirm", what: "a token no link carries", want: "422 422 422 422 422 422",
			req: matrixSend(v1+"/auth/password-reset/confirm", map[string]string{"token": "no-such-token", "password": "a fresh long passphrase"})},
		{route: "PUT /api/v1/me/password", what: "a wrong current password", want: "401 422 422 422 422 422",
			req: matrixSend(v1+"/me/password", map[string]string{"current_password": "not the password", "password": "a fresh long passphrase"})},
		{route: "PUT /api/v1/users/{id}/roles", what: "L1 (others try to make L1 team)", want: "401 403 403 403 403 200", req: roles},
		{route: "GET /api/v1/users", what: "search for L1's e-mail", want: "401 403 403 403 403 200",
			req: matrixCall(v1 + "/users?email=" + url.QueryEscape(f.users[learner1].Email))},
		{route: "GET /api/v1/users/{id}", what: "L1", want: "401 403 403 403 403 200", req: matrixCall(v1 + "/users/" + f.users[learner1].ID)},
		{route: "DELETE /api/v1/users/{id}", what: "a fresh account each call", want: "401 403 403 403 403 204",
			req: func(caller) request {
				u, _ := f.signUp()
				return request{path: v1 + "/users/" + u.ID}
			}},
		{route: "PATCH /api/v1/me", what: "each caller's own position", want: "401 200 200 200 200 200",
			req: matrixSend(v1+"/me", map[string]string{"position": "sociālais darbinieks"})},
		{route: "GET /api/v1/me/data", want: "401 200 200 200 200 200", req: matrixCall(v1 + "/me/data")},
		{route: "DELETE /api/v1/me", what: "a wrong password", want: "401 422 422 422 422 422",
			req: matrixSend(v1+"/me", map[string]string{"password": "not the password"})},
		{route: "POST /api/v1/auth/verify-email/resend", want: "401 202 202 202 202 202", req: matrixCall(v1 + "/auth/verify-email/resend")},
		{route: "GET /api/v1/audit", want: "401 403 403 403 403 200", req: matrixCall(v1 + "/audit")},

		// Catalogue.
		{route: "POST /api/v1/methodologies", want: "401 403 403 403 403 201",
			req: matrixSend(v1+"/methodologies", map[string]string{"title": "Motivējošā intervija", "direction": "theory"})},
		{route: "GET /api/v1/methodologies", want: "200 200 200 200 200 200", req: matrixCall(v1 + "/methodologies")},
		{route: "GET /api/v1/methodologies/{id}", want: "200 200 200 200 200 200", req: matrixCall(v1 + "/methodologies/" + f.methodology)},
		{route: "POST /api/v1/courses", want: "401 403 403 201 201 201",
			req: matrixSend(v1+"/courses", map[string]any{"methodology_id": f.methodology, "title": "Jauns kurss"})},
		{route: "GET /api/v1/courses", what: "A's draft left out", want: "200 200 200 200 200 200", req: matrixCall(v1 + "/courses"),
			hidden: []string{draftTitle, f.draft.ID}, blind: []caller{anonymous, learner1, learner2, authorB}},
		// The outline is public; the lessons' content is not: it is the
		// enrolled learner's once the lesson's week opens (403 week_locked
		// before), so the outline must not carry it to those who are not
		// enrolled (L1's weeks are all open, so L1 is not asked).
		{route: "GET /api/v1/courses", what: "published lessons' content left out", want: "200 200 200 200 200 200", req: matrixCall(v1 + "/courses?status=published"),
			hidden: []string{readingBody}, blind: []caller{anonymous, learner2, authorB}},
		{route: "GET /api/v1/courses/{id}", what: "A's published course, lessons' content left out", want: "200 200 200 200 200 200", req: matrixCall(pub),
			hidden: []string{readingBody}, blind: []caller{anonymous, learner2, authorB}},
		{route: "GET /api/v1/courses/{id}", what: "A's draft", want: "404 404 404 200 404 200", req: matrixCall(draft)},
		{route: "POST /api/v1/courses/{id}/lessons", what: "A's draft", want: "401 403 403 201 404 201",
			req: matrixSend(draft+"/lessons", map[string]any{"week": 2, "title": "Papildu nodarbība", "kind": "reading", "minutes": 5, "body": "x"})},
		{route: "PATCH /api/v1/lessons/{id}", what: "a lesson of A's draft", want: "401 403 403 200 404 200",
			req: matrixSend(v1+"/lessons/"+f.draftLesson.ID, map[string]any{"minutes": 25})},
		{route: "DELETE /api/v1/lessons/{id}", what: "a fresh lesson of A's draft per call", want: "401 403 403 204 404 204",
			req: func(caller) request { return request{path: v1 + "/lessons/" + f.freshDraftLesson().ID} }},
		{route: "PUT /api/v1/courses/{id}/weeks/{week}/order", what: "week 1 of A's draft", want: "401 403 403 200 404 200",
			req: func(caller) request { return request{path: draft + "/weeks/1/order", body: f.weekOrder()} }},
		{route: "POST /api/v1/courses/{id}/publish", what: "A's draft (incomplete: 422 lists the gaps)", want: "401 403 403 422 404 422",
			req: matrixCall(draft + "/publish")},
		// A published course is public, so another author learns nothing
		// from a 403: editing it is refused as "not yours" (403), and for
		// its editors as "published" (422 course_published).
		{route: "POST /api/v1/courses/{id}/lessons", what: "A's published course", want: "401 403 403 422 403 422",
			req: matrixSend(pub+"/lessons", map[string]any{"week": 2, "title": "Papildu nodarbība", "kind": "reading", "minutes": 5, "body": "x"})},
		{route: "PATCH /api/v1/lessons/{id}", what: "a lesson of A's published course", want: "401 403 403 422 403 422",
			req: matrixSend(v1+"/lessons/"+f.video.ID, map[string]any{"minutes": 25})},
		{route: "DELETE /api/v1/lessons/{id}", what: "a lesson of A's published course", want: "401 403 403 422 403 422", req: matrixCall(v1 + "/lessons/" + f.video.ID)},
		{route: "PUT /api/v1/courses/{id}/weeks/{week}/order", what: "week 1 of A's published course", want: "401 403 403 422 403 422",
			req: matrixSend(pub+"/weeks/1/order", map[string]any{"lesson_ids": publishedWeek1})},
		{route: "POST /api/v1/courses/{id}/publish", what: "A's published course (again: unchanged)", want: "401 403 403 200 403 200", req: matrixCall(pub + "/publish")},
		{route: "GET /api/v1/courses/{id}/announcement-audience", what: "A's published course", want: "401 403 403 200 403 200", req: matrixCall(pub + "/announcement-audience")},
		// Corrections of a published course, and its history: its editors'.
		{route: "PATCH /api/v1/lessons/{id}", what: "a correction of a lesson's title in A's published course", want: "401 403 403 200 403 200",
			req: matrixSend(v1+"/lessons/"+f.video.ID, map[string]any{"title": "1. nedēļa: video (labots)"})},
		{route: "GET /api/v1/courses/{id}/history", what: "A's published course", want: "401 403 403 200 403 200", req: matrixCall(pub + "/history")},
		{route: "GET /api/v1/courses/{id}/history", what: "A's draft", want: "401 403 403 200 404 200", req: matrixCall(draft + "/history")},
		// Editions: copies are drafts of the original's author; only a
		// draft is deleted, only a published course whose cohorts have
		// ended is archived (L1's cohort still runs).
		{route: "POST /api/v1/courses/{id}/copy", what: "A's published course", want: "401 403 403 201 403 201", req: matrixCall(pub + "/copy")},
		{route: "POST /api/v1/courses/{id}/copy", what: "A's draft", want: "401 403 403 201 404 201", req: matrixCall(draft + "/copy")},
		{route: "DELETE /api/v1/courses/{id}", what: "a fresh draft of A's per call", want: "401 403 403 204 404 204",
			req: func(caller) request { return request{path: v1 + "/courses/" + f.course(f.tokens[authorA]).ID} }},
		{route: "DELETE /api/v1/courses/{id}", what: "A's published course", want: "401 403 403 422 403 422", req: matrixCall(pub)},
		{route: "POST /api/v1/courses/{id}/archive", what: "A's published course, L1's cohort running", want: "401 403 403 422 403 422", req: matrixCall(pub + "/archive")},
		{route: "POST /api/v1/courses/{id}/archive", what: "A's draft", want: "401 403 403 422 404 422", req: matrixCall(draft + "/archive")},
		{route: "POST /api/v1/courses/{id}/archive", what: "a fresh published edition of A's course per call, no cohort", want: "401 403 403 200 403 200",
			req: func(caller) request {
				var c struct{ ID string }
				f.do(request{method: "POST", path: pub + "/copy", token: f.tokens[teamMember]}).expect(f.t, 201).json(f.t, &c)
				f.do(request{method: "POST", path: v1 + "/courses/" + c.ID + "/publish", token: f.tokens[teamMember]}).expect(f.t, 200)
				return request{path: v1 + "/courses/" + c.ID + "/archive"}
			}},
		{route: "GET /api/v1/methodologies/{id}/courses", what: "A's draft only in A's and the team's", want: "401 403 403 200 200 200",
			req: matrixCall(v1 + "/methodologies/" + f.methodology + "/courses"), hidden: []string{draftTitle, f.draft.ID}, blind: []caller{authorB}},
		{route: "POST /api/v1/courses/{id}/interest", what: "A's published course", want: "401 204 204 204 204 204", req: matrixCall(pub + "/interest")},
		{route: "POST /api/v1/courses/{id}/interest", what: "A's draft", want: "401 404 404 204 404 204", req: matrixCall(draft + "/interest")},
		{route: "DELETE /api/v1/courses/{id}/interest", what: "A's published course", want: "401 204 204 204 204 204", req: matrixCall(pub + "/interest")},
		// Leaving a list one is not on is a no-op: 204 whatever the course, so no oracle.
		{route: "DELETE /api/v1/courses/{id}/interest", what: "A's draft", want: "401 204 204 204 204 204", req: matrixCall(draft + "/interest")},

		// Assessment: the question bank and tests are their course's editors'.
		{route: "POST /api/v1/courses/{id}/questions", what: "A's draft", want: "401 403 403 201 404 201",
			req: matrixSend(draft+"/questions", f.questionBody("Vēl viens jautājums"))},
		{route: "POST /api/v1/courses/{id}/questions", what: "A's published course", want: "401 403 403 422 403 422",
			req: matrixSend(pub+"/questions", f.questionBody("Vēl viens jautājums"))},
		{route: "GET /api/v1/courses/{id}/questions", what: "A's draft", want: "401 403 403 200 404 200", req: matrixCall(draft + "/questions")},
		{route: "GET /api/v1/courses/{id}/questions", what: "A's published course", want: "401 403 403 200 403 200", req: matrixCall(pub + "/questions")},
		{route: "POST /api/v1/courses/{id}/tests", what: "A's draft", want: "401 403 403 201 404 201", req: matrixSend(draft+"/tests", weeklyTest())},
		{route: "POST /api/v1/courses/{id}/tests", what: "A's published course", want: "401 403 403 422 403 422", req: matrixSend(pub+"/tests", weeklyTest())},
		{route: "GET /api/v1/courses/{id}/tests/{test_id}/stats", what: "A's draft's weekly test", want: "401 403 403 200 404 200",
			req: matrixCall(draft + "/tests/" + f.draftTest + "/stats")},
		{route: "GET /api/v1/courses/{id}/tests/{test_id}/stats", what: "A's published final test", want: "401 403 403 200 403 200",
			req: matrixCall(pub + "/tests/" + f.finalTest + "/stats")},
		// One attempt of a test is open at a time: the start comes after
		// L1's open attempt is submitted.
		{route: "POST /api/v1/attempts/{id}/submit", what: "L1's open attempt", want: "401 200 404 404 404 404",
			req: matrixSend(v1+"/attempts/"+f.open.ID+"/submit", answers(f.open, "Pareizi"))},
		{route: "POST /api/v1/enrolments/{id}/tests/{test_id}/attempts", what: "L1's enrolment, final test (3rd of 3 attempts)", want: "401 201 404 404 404 404",
			req: matrixCall(e + "/tests/" + f.finalTest + "/attempts")},
		{route: "GET /api/v1/attempts/{id}", what: "L1's submitted attempt", want: "401 200 404 404 404 200", req: matrixCall(v1 + "/attempts/" + f.submitted)},

		// Learning: an enrolment is its learner's (and the team's to read);
		// lessons, playback and progress are the learner's alone.
		{route: "GET /api/v1/me/enrolments", what: "L1's enrolment only in L1's list", want: "401 200 200 200 200 200", req: matrixCall(v1 + "/me/enrolments"),
			hidden: []string{f.enrolment.ID}, blind: notHers},
		{route: "GET /api/v1/enrolments/{id}", what: "L1's enrolment", want: "401 200 404 404 404 200", req: matrixCall(e)},
		{route: "GET /api/v1/enrolments/{id}/lessons/{lesson_id}", what: "L1's enrolment", want: "401 200 404 404 404 404", req: matrixCall(e + "/lessons/" + f.video.ID)},
		{route: "GET /api/v1/enrolments/{id}/lessons/{lesson_id}/playback", what: "L1's enrolment", want: "401 200 404 404 404 404",
			req: matrixCall(e + "/lessons/" + f.video.ID + "/playback")},
		{route: "PUT /api/v1/enrolments/{id}/lessons/{lesson_id}/progress", what: "L1's enrolment", want: "401 200 404 404 404 404",
			req: matrixSend(e+"/lessons/"+f.video.ID+"/progress", map[string]any{"position_seconds": 0.5, "completed": true})},

		// Media: authors' own; the team sees all. Signed links are the credential.
		{route: "POST /api/v1/media", want: "401 403 403 201 201 201", req: upload},
		{route: "POST /api/v1/media/uploads", want: "401 403 403 201 201 201",
			req: matrixSend(v1+"/media/uploads", map[string]any{"filename": "liels.mp4", "content_type": "video/mp4", "size": 1 << 20})},
		{route: "POST /api/v1/media/{id}/complete", what: "a fresh upload of A's per call, its part sent", want: "401 403 403 200 404 200",
			req: func(caller) request {
				up, parts := f.freshUpload(true)
				return request{path: v1 + "/media/" + up.ID + "/complete", body: map[string]any{"parts": parts}}
			}},
		{route: "DELETE /api/v1/media/uploads/{id}", what: "a fresh upload of A's per call", want: "401 403 403 204 404 204",
			req: func(caller) request {
				up, _ := f.freshUpload(false)
				return request{path: v1 + "/media/uploads/" + up.ID}
			}},
		{route: "GET /api/v1/media/{id}", what: "A's file", want: "401 403 403 200 404 200", req: matrixCall(v1 + "/media/" + f.media.ID)},
		{route: "GET /api/v1/media", what: "A's file only in A's and the team's lists", want: "401 403 403 200 200 200", req: matrixCall(v1 + "/media"),
			hidden: []string{f.media.ID, mediaName}, blind: []caller{authorB}},
		{route: "GET /objects/{path}", what: "the signed link L1's playback gave", want: "200 200 200 200 200 200", req: matrixCall(linkPath(f.t, f.playback))},
		{route: "GET /objects/{path}", what: "that link with a forged signature", want: "403 403 403 403 403 403", req: matrixCall(tamper(f.t, f.playback))},
		{route: "PUT /objects/{path}", what: "a part URL of a fresh upload of A's per call", want: "200 200 200 200 200 200",
			req: func(caller) request {
				up, _ := f.freshUpload(false)
				return request{path: linkPath(f.t, up.Parts[0].URL), body: []byte(captionsLV)}
			}},
		{route: "PUT /objects/{path}", what: "that part URL with a forged signature", want: "403 403 403 403 403 403",
			req: func(caller) request {
				up, _ := f.freshUpload(false)
				return request{path: tamper(f.t, up.Parts[0].URL), body: []byte(captionsLV)}
			}},

		// Cohorts.
		{route: "POST /api/v1/courses/{id}/cohorts", what: "A's published course", want: "401 403 403 403 403 201",
			req: matrixSend(pub+"/cohorts", map[string]any{"title": "Rudens", "enrolment_opens_at": now.Add(-time.Hour), "enrolment_closes_at": now.Add(time.Hour), "starts_at": now.Add(24 * time.Hour)})},
		{route: "GET /api/v1/cohorts", want: "401 200 200 200 200 200", req: matrixCall(v1 + "/cohorts?course_id=" + f.published.ID)},
		{route: "GET /api/v1/cohorts/{id}", want: "401 200 200 200 200 200", req: matrixCall(cohort)},
		{route: "PATCH /api/v1/cohorts/{id}", want: "401 403 403 403 403 200", req: matrixSend(cohort, map[string]any{"title": "2026. gada pavasaris (Ogre)"})},
		{route: "GET /api/v1/cohorts/{id}/enrolments", want: "401 403 403 403 403 200", req: matrixCall(cohort + "/enrolments")},
		{route: "GET /api/v1/cohorts/{id}/enrolments", what: "as CSV", want: "401 403 403 403 403 200", req: matrixCSV(cohort + "/enrolments")},

		// Certificates.
		{route: "POST /api/v1/enrolments/{id}/certificate", what: "L1's enrolment (issued before: 200)", want: "401 200 404 404 404 404", req: matrixCall(e + "/certificate")},
		{route: "GET /api/v1/me/certificates", what: "L1's certificate only in L1's list", want: "401 200 200 200 200 200", req: matrixCall(v1 + "/me/certificates"),
			hidden: []string{f.certificate.Code}, blind: notHers},
		{route: "GET /api/v1/certificates/{code}/pdf", what: "L1's certificate", want: "401 200 404 404 404 200", req: matrixCall(cert + "/pdf")},
		{route: "GET /api/v1/certificates/{code}/verify", what: "L1's certificate", want: "200 200 200 200 200 200", req: matrixCall(cert + "/verify")},
		{route: "GET /api/v1/certificates/{code}/verify", what: "an unknown code", want: "404 404 404 404 404 404", req: matrixCall(v1 + "/certificates/2345-6789-ABCD/verify")},
		{route: "GET /verify/{code}", what: "L1's certificate", want: "200 200 200 200 200 200", req: matrixCall("/verify/" + f.certificate.Code)},
		{route: "POST /api/v1/cohorts/{id}/certificates", what: "L1's cohort", want: "401 403 403 403 403 202", req: matrixCall(cohort + "/certificates")},
		{route: "GET /api/v1/certificate-jobs/{id}", want: "401 403 403 403 403 200", req: matrixCall(v1 + "/certificate-jobs/" + f.job)},
		{route: "GET /api/v1/certificates/{code}/credential", what: "L1's certificate", want: "401 200 404 404 404 200", req: matrixCall(cert + "/credential")},
		{route: "GET /api/v1/certificates/{code}/credential", what: "an unknown code", want: "401 404 404 404 404 404", req: matrixCall(v1 + "/certificates/2345-6789-ABCD/credential")},
		{route: "POST /api/v1/credentials/verify", what: "a pasted text that is no credential", want: "200 200 200 200 200 200",
			req: matrixSend(v1+"/credentials/verify", map[string]any{"type": []string{"VerifiableCredential"}})},
		{route: "GET /.well-known/did.json", want: "200 200 200 200 200 200", req: matrixCall("/.well-known/did.json")},
		{route: "GET /credentials/status/{list}", what: "the list of L1's credential", want: "200 200 200 200 200 200", req: matrixCall("/credentials/status/1")},
		{route: "GET /credentials/status/{list}", what: "an unknown list", want: "404 404 404 404 404 404", req: matrixCall("/credentials/status/7")},
		{route: "POST /api/v1/certificates/{code}/revoke", what: "L1's certificate", want: "401 403 403 403 403 200",
			req: matrixSend(cert+"/revoke", map[string]string{"reason": "Pārbaude"})},

		// Programmes.
		{route: "POST /api/v1/programmes", want: "401 403 403 403 403 201",
			req: matrixSend(v1+"/programmes", map[string]any{"methodology_id": f.methodology, "title": "Jauna programma", "hours": 90, "location": "Rīga",
				"region": "Rīga", "starts_at": now.Add(60 * 24 * time.Hour), "ends_at": now.Add(90 * 24 * time.Hour),
				"applications_open_at": now, "applications_close_at": now.Add(24 * time.Hour)})},
		{route: "GET /api/v1/programmes", want: "401 200 200 200 200 200", req: matrixCall(v1 + "/programmes")},
		{route: "GET /api/v1/programmes/{id}", want: "401 200 200 200 200 200", req: matrixCall(prog)},
		{route: "PATCH /api/v1/programmes/{id}", want: "401 403 403 403 403 200", req: matrixSend(prog, map[string]any{"location": "Ogre, Brīvības iela 1"})},
		{route: "GET /api/v1/programmes/{id}/applications", what: "L1 applied", want: "401 403 403 403 403 200", req: matrixCall(prog + "/applications")},
		{route: "GET /api/v1/programmes/{id}/applications", what: "as CSV", want: "401 403 403 403 403 200", req: matrixCSV(prog + "/applications")},
		{route: "POST /api/v1/programmes/{id}/allocation", what: "applications closed, allocated before", want: "401 403 403 403 403 200", req: matrixCall(allocated + "/allocation")},
		{route: "POST /api/v1/programmes/{id}/applications/{application_id}/accept", what: "a waitlisted application, a seat free", want: "401 403 403 403 403 200",
			req: matrixCall(allocated + "/applications/" + f.waiting.ID + "/accept")},
		{route: "PUT /api/v1/programmes/{id}/attendance/{user_id}", what: "L1 (holds a seat)", want: "401 403 403 403 403 200",
			req: matrixSend(allocated+"/attendance/"+f.users[learner1].ID, map[string]int{"hours": 40})},

		// Reports.
		{route: "GET /api/v1/reports/completions", want: "401 403 403 403 403 200", req: matrixCall(v1 + "/reports/completions")},
		{route: "GET /api/v1/reports/completions", what: "as CSV", want: "401 403 403 403 403 200", req: matrixCSV(v1 + "/reports/completions")},
		{route: "PUT /api/v1/reports/targets/{key}", want: "401 403 403 403 403 200",
			req: matrixSend(v1+"/reports/targets/visi-2027", map[string]any{"title": "Visi", "people": 1400, "by": "2027-12-31", "kinds": []string{"online", "in_person"}})},
		{route: "GET /api/v1/reports/targets", want: "401 403 403 403 403 200", req: matrixCall(v1 + "/reports/targets")},

		// Training records.
		{route: "GET /api/v1/me/training-hours", want: "401 200 200 200 200 200", req: matrixCall(v1 + "/me/training-hours")},
		{route: "GET /api/v1/me/training-hours", what: "as PDF", want: "401 200 200 200 200 200", req: matrixPDF(v1 + "/me/training-hours")},
		{route: "GET /api/v1/users/{id}/training-hours", what: "L1", want: "401 403 403 403 403 200", req: matrixCall(v1 + "/users/" + f.users[learner1].ID + "/training-hours")},
		{route: "GET /api/v1/users/{id}/training-hours", what: "L1 as PDF", want: "401 403 403 403 403 200", req: matrixPDF(v1 + "/users/" + f.users[learner1].ID + "/training-hours")},

		// Surveys: set before answered (then they no longer change).
		{route: "PUT /api/v1/courses/{id}/survey", what: "A's published course", want: "401 403 403 200 403 200", req: matrixSend(pub+"/survey", survey)},
		{route: "POST /api/v1/enrolments/{id}/survey", what: "L1's enrolment (certificate earned)", want: "401 201 404 404 404 404",
			req: matrixSend(e+"/survey", surveyAnswers)},
		{route: "GET /api/v1/courses/{id}/survey/results", what: "A's published course", want: "401 403 403 200 403 200", req: matrixCall(pub + "/survey/results")},
		{route: "PUT /api/v1/programmes/{id}/survey", what: "the allocated programme", want: "401 403 403 403 403 200", req: matrixSend(allocated+"/survey", survey)},
		{route: "POST /api/v1/programmes/{id}/survey/answers", what: "the allocated programme (L1 short of the hours)", want: "401 422 404 404 404 404",
			req: matrixSend(allocated+"/survey/answers", surveyAnswers)},
		{route: "GET /api/v1/programmes/{id}/survey/results", what: "the allocated programme", want: "401 403 403 403 403 200", req: matrixCall(allocated + "/survey/results")},

		// Last, the rows that change who holds what. Enrolling: L1 holds a
		// place in the course already; everyone else gets one. Only the
		// team enrols someone else.
		{route: "POST /api/v1/cohorts/{id}/enrolments", what: "self", want: "401 409 201 201 201 201", req: matrixCall(cohort + "/enrolments")},
		{route: "POST /api/v1/cohorts/{id}/enrolments", what: "a named other user", want: "401 403 403 403 403 201",
			req: matrixSend(cohort+"/enrolments", map[string]string{"user_id": f.spareUser.ID})},
		{route: "POST /api/v1/programmes/{id}/applications", what: "self (L1 applied before)", want: "401 409 201 201 201 201",
			req: matrixSend(prog+"/applications", map[string]any{"municipality": "Rīga", "took_part_in_pilot": true})},
		{route: "DELETE /api/v1/programmes/{id}/applications/me", what: "each caller's own application", want: "401 204 204 204 204 204", req: matrixCall(prog + "/applications/me")},
		{route: "DELETE /api/v1/cohorts/{id}/enrolments/me", what: "each caller's own enrolment", want: "401 204 204 204 204 204", req: matrixCall(cohort + "/enrolments/me")},
		// After the withdrawal the enrolment is no longer active: L1 still
		// reads it, but its lessons answer 403 enrolment_inactive to L1 and
		// 404 to everyone else.
		{route: "GET /api/v1/enrolments/{id}/lessons/{lesson_id}/playback", what: "L1's withdrawn enrolment", want: "401 403 404 404 404 404",
			req: matrixCall(e + "/lessons/" + f.video.ID + "/playback")},
		{route: "GET /api/v1/enrolments/{id}", what: "L1's withdrawn enrolment", want: "401 200 404 404 404 200", req: matrixCall(e)},
		// A signed link is a bearer capability until it expires (two
		// minutes): it outlives the withdrawal and works for whoever holds
		// it. The short life is the bound on it (TestPlaybackLink…).
		{route: "GET /objects/{path}", what: "the link L1's playback gave, after the withdrawal", want: "200 200 200 200 200 200", req: matrixCall(linkPath(f.t, f.playback))},

		// Mentoring in the allocated programme, where L1 holds a seat:
		// the team gives L1 a mentor; no caller is a mentor, so only the
		// team logs a session and reads the overview.
		{route: "PUT /api/v1/programmes/{id}/mentoring/{participant_id}", what: "L1 (holds a seat)", want: "401 403 403 403 403 200",
			req: matrixSend(allocated+"/mentoring/"+f.users[learner1].ID, map[string]string{"mentor_id": f.mentor.ID, "mode": "individual"})},
		{route: "POST /api/v1/programmes/{id}/mentoring/sessions", what: "with L1", want: "401 403 403 403 403 201",
			req: matrixSend(allocated+"/mentoring/sessions", map[string]any{"participant_ids": []string{f.users[learner1].ID}, "minutes": 60, "held_at": now.Add(-time.Hour)})},
		{route: "GET /api/v1/programmes/{id}/mentoring", want: "401 403 403 403 403 200", req: matrixCall(allocated + "/mentoring")},

		// Last: it ends every caller's session.
		{route: "POST /api/v1/auth/logout", want: "401 204 204 204 204 204", req: matrixCall(v1 + "/auth/logout")},
	}
}

// statusSet is a cell: the statuses one caller may get.
type statusSet []int

func parseWant(t *testing.T, row accessRow) [callers]statusSet {
	t.Helper()
	fields := strings.Fields(row.want)
	if len(fields) != int(callers) {
		t.Fatalf("%s (%s): want %q has %d cells, not %d", row.route, row.what, row.want, len(fields), callers)
	}
	var out [callers]statusSet
	for i, field := range fields {
		allowed, denied := false, false
		for _, part := range strings.Split(field, "/") {
			n, err := strconv.Atoi(part)
			if err != nil || n < 200 || n >= 500 {
				t.Fatalf("%s (%s): bad status %q", row.route, row.what, part)
			}
			allowed = allowed || n < 300
			denied = denied || n == 401 || n == 403 || n == 404
			out[i] = append(out[i], n)
		}
		if allowed && denied {
			t.Fatalf("%s (%s): cell %q mixes allowed and denied answers", row.route, row.what, field)
		}
	}
	return out
}

// routePattern turns /enrolments/{id} into a pattern the call's path must
// match, so that a row cannot claim one route and call another.
func routePattern(path string) *regexp.Regexp {
	quoted := regexp.QuoteMeta(path)
	quoted = strings.ReplaceAll(quoted, `\{path\}`, `.+`)
	quoted = regexp.MustCompile(`\\\{[a-z_]+\\\}`).ReplaceAllString(quoted, `[^/]+`)
	return regexp.MustCompile("^" + quoted + "$")
}

func TestAccessMatrix(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		f := newMatrixFixtures(t, db)
		rows := accessMatrix(f)

		// Every documented route has a row, and every row a documented route.
		var doc struct {
			Paths map[string]map[string]any `json:"paths"`
		}
		f.do(request{method: "GET", path: "/openapi.json"}).expect(t, 200).json(t, &doc)
		documented := map[string]bool{}
		for path, methods := range doc.Paths {
			for method := range methods {
				documented[strings.ToUpper(method)+" "+path] = true
			}
		}
		covered := map[string]bool{}
		for _, row := range rows {
			covered[row.route] = true
			if !documented[row.route] {
				t.Errorf("the matrix has a row for %s, which /openapi.json does not list", row.route)
			}
		}
		var missing []string
		for route := range documented {
			if !covered[route] {
				missing = append(missing, route)
			}
		}
		sort.Strings(missing)
		for _, route := range missing {
			t.Errorf("%s is in /openapi.json but not in the access matrix: decide who may call it and add a row", route)
		}

		secrets := f.secrets()
		var table []string
		for _, row := range rows {
			want := parseWant(t, row)
			method, path, _ := strings.Cut(row.route, " ")
			pattern := routePattern(path)
			got := make([]string, callers)
			for k := anonymous; k < callers; k++ {
				r := row.req(k)
				r.method, r.token = method, f.tokens[k]
				if p, _, _ := strings.Cut(r.path, "?"); !pattern.MatchString(p) {
					t.Fatalf("%s (%s): the call goes to %s", row.route, row.what, r.path)
				}
				rep := f.do(r)
				got[k] = strconv.Itoa(rep.status)
				where := row.route + " [" + row.what + "] as " + callerNames[k]
				if !slices.Contains(want[k], rep.status) {
					got[k] += "!"
					t.Errorf("%s: status %d, want %v: %.300s", where, rep.status, want[k], rep.body)
				}
				switch {
				case rep.status == 401 || rep.status == 403 || rep.status == 404:
					checkRefusal(t, where, rep, secrets)
				case rep.status < 300 && slices.Contains(row.blind, k):
					for _, h := range row.hidden {
						if h != "" && bytes.Contains(rep.body, []byte(h)) {
							got[k] += "*"
							t.Errorf("%s: the reply shows %q, which is not this caller's", where, h)
						}
					}
				}
			}
			table = append(table, strings.Join(got, " ")+"  "+row.route+"  "+row.what)
		}
		t.Logf("anon L1 L2 A B team (! = unexpected status, * = shows what is not the caller's)\n%s", strings.Join(table, "\n"))

		// The refused attempt to make L1 team changed nothing.
		var me userBody
		f.do(request{method: "GET", path: "/api/v1/me", token: f.login(f.users[learner1].Email, testkit.Password)}).expect(t, 200).json(t, &me)
		if !slices.Equal(me.Roles, []string{"learner"}) {
			t.Errorf("L1's roles are %v after the matrix, want [learner]", me.Roles)
		}
	})
}

// checkRefusal checks that a 401, 403 or 404 is a bare problem: the
// problem fields only, and nothing of the resource.
func checkRefusal(t *testing.T, where string, rep reply, secrets []string) {
	t.Helper()
	if ct := rep.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("%s: refusal %d has content type %q, want application/problem+json", where, rep.status, ct)
		return
	}
	var body map[string]any
	if err := json.Unmarshal(rep.body, &body); err != nil {
		t.Errorf("%s: refusal %d is not JSON: %v", where, rep.status, err)
		return
	}
	for key := range body {
		if !slices.Contains([]string{"type", "title", "status", "detail", "code", "errors", "instance"}, key) {
			t.Errorf("%s: refusal %d carries %q: %s", where, rep.status, key, rep.body)
		}
	}
	if status, _ := body["status"].(float64); int(status) != rep.status {
		t.Errorf("%s: problem status %v differs from the reply's %d", where, body["status"], rep.status)
	}
	if code, _ := body["code"].(string); code == "" {
		t.Errorf("%s: refusal %d has no code", where, rep.status)
	}
	for _, s := range secrets {
		if s != "" && bytes.Contains(rep.body, []byte(s)) {
			t.Errorf("%s: refusal %d leaks %q: %s", where, rep.status, s, rep.body)
		}
	}
}
