package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"mooc/accounts"
	"mooc/internal/database"
)

const authorPassword = "zaļš kalns dzied rītā"

// authorUser registers a person with roles and signs them in through the
// login form.
func authorUser(t *testing.T, s *site, email string, roles ...string) *browser {
	t.Helper()
	ctx := context.Background()
	u, err := s.App.Accounts.Register(ctx, accounts.Registration{Email: email, Password: authorPassword, GivenName: "Inga",
		FamilyName: "Ozola", Municipality: "Rīga"}, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if len(roles) > 0 {
		if _, err := s.App.Accounts.SetRoles(ctx, u.ID, roles); err != nil {
			t.Fatal(err)
		}
	}
	b := newBrowser(t, s.URL)
	b.post("/login", url.Values{"email": {email}, "password": {authorPassword}}).expect(t, 303)
	return b
}

// authorUpload sends a file through the builder's form without a script.
func (b *browser) authorUpload(courseID, name string, content []byte) page {
	b.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, _ := w.CreateFormFile("file", name)
	_, _ = fw.Write(content)
	_ = w.Close()
	req, _ := http.NewRequest("POST", b.base+"/author/media?course="+courseID+"&csrf="+url.QueryEscape(b.csrf()), &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.send(req)
}

var authorMediaID = regexp.MustCompile(`media=([0-9a-f-]{36})`)

// authorCourse is a draft started through the form.
func authorCourse(t *testing.T, s *site, b *browser, title string) string {
	t.Helper()
	loc := b.post("/author/courses", url.Values{"methodology_id": {s.Course.MethodologyID}, "title": {title}, "language": {"lv"},
		"weeks": {"2"}, "effort_hours": {"1"}, "pass_percent": {"70"}}).expect(t, 303).header.Get("Location")
	return strings.TrimPrefix(loc, "/author/courses/")
}

// The authors' pages over plain HTTP: who reaches them, the forms'
// refusals with their fields, CSRF, and a course built, checked and
// published from an empty draft, with its files, questions and tests.
func TestAuthorPagesOverHTTP(t *testing.T) {
	s := startSite(t, siteOptions{dialect: database.SQLite})
	author := authorUser(t, s, "autore@mooc.test", accounts.RoleAuthor)
	other := authorUser(t, s, "cits@mooc.test", accounts.RoleAuthor)
	learner := authorUser(t, s, "macibas@mooc.test")

	learner.get("/author").expect(t, 404)
	author.get("/author").expect(t, 200, "Melnraksti", s.Course.Title)
	newBrowser(t, s.URL).get("/author").expect(t, 303)

	// Refusals: fields named, 422; a form without its token, 403.
	author.post("/author/courses", url.Values{"title": {""}, "weeks": {"x"}}).expect(t, 422, `id="f-weeks"`, `aria-invalid="true"`, "jābūt veselam skaitlim")
	author.post("/author/courses", url.Values{"methodology_id": {s.Course.MethodologyID}}).expect(t, 422, `id="f-title-error"`)
	author.post("/author/courses", url.Values{"csrf": {"nepareizs-nepareizs-nepareizs-nepareizs"}, "title": {"X"}}).expect(t, 403)

	id := authorCourse(t, s, author, "Sarunas ar klientu")
	other.get("/author/courses/"+id).expect(t, 404)
	learner.get("/author/courses/"+id).expect(t, 404)
	author.get("/author/courses/"+id).expect(t, 200, "Sarunas ar klientu", "1. nedēļa")

	// Files through the form: a caption file with an error is refused with its line.
	video, err := os.ReadFile("../internal/demo/lekcija.webm")
	if err != nil {
		t.Fatal(err)
	}
	up := author.authorUpload(id, "lekcija.webm", video).expect(t, 303)
	videoID := authorMediaID.FindStringSubmatch(up.header.Get("Location"))[1]
	author.authorUpload(id, "slikti.vtt", []byte("WEBVTT\n\n00:01.000 --> 00:00.500\nSveiki\n")).expect(t, 422, "3. rinda", "jābeidzas pēc sākuma")
	up = author.authorUpload(id, "labi.vtt", []byte("WEBVTT\n\n00:00.000 --> 00:01.000\nSveiki\n")).expect(t, 303)
	vttID := authorMediaID.FindStringSubmatch(up.header.Get("Location"))[1]

	// Publishing an empty course shows every gap, linked.
	author.post("/author/courses/"+id+"/publish", nil).expect(t, 422, `href="#week-1"`, `href="#week-2"`, "/questions#tests")

	// Lessons: a refused one keeps its fields; then one of each week.
	author.post("/author/courses/"+id+"/lessons", url.Values{"week": {"1"}, "title": {""}, "kind": {"reading"}, "minutes": {"0"}}).
		expect(t, 422, `id="f-title-error"`, `id="f-minutes-error"`)
	author.post("/author/courses/"+id+"/lessons", url.Values{"week": {"1"}, "title": {"Lekcija"}, "kind": {"video"}, "minutes": {"20"},
		"media_id": {videoID}, "caption_lv": {vttID}, "body": {"Atšifrējums."}}).expect(t, 303)
	author.post("/author/courses/"+id+"/lessons", url.Values{"week": {"1"}, "title": {"Lasāmviela"}, "kind": {"reading"}, "minutes": {"10"},
		"body": {"Teksts."}}).expect(t, 303)
	author.post("/author/courses/"+id+"/lessons", url.Values{"week": {"2"}, "title": {"Intervija"}, "kind": {"interview"}, "minutes": {"15"},
		"body": {"Intervijas teksts."}}).expect(t, 303)
	co, err := s.App.Catalogue.Course(context.Background(), authorPrincipal(t, s, "autore@mooc.test"), id)
	if err != nil {
		t.Fatal(err)
	}
	first, second := co.Weeks[0].Lessons[0], co.Weeks[0].Lessons[1]

	// Reorder by the move buttons' forms.
	author.post("/author/courses/"+id+"/weeks/1/order", url.Values{"lesson": {second.ID}, "move": {"up"}}).expect(t, 303)
	co, _ = s.App.Catalogue.Course(context.Background(), authorPrincipal(t, s, "autore@mooc.test"), id)
	if co.Weeks[0].Lessons[0].ID != second.ID {
		t.Errorf("after moving up, week 1 starts with %q", co.Weeks[0].Lessons[0].Title)
	}
	author.get("/author/courses/"+id+"/lessons/"+first.ID+"/preview").expect(t, 200, "<video", "<track", `srclang="lv"`, "Atšifrējums.")

	// Questions and tests.
	author.post("/author/courses/"+id+"/questions", url.Values{"week": {"0"}, "kind": {"single_choice"}, "text": {"Kas?"},
		"option_0": {"A"}, "option_1": {"B"}}).expect(t, 422, "exactly one option must be correct")
	for _, q := range []string{"Pirmais?", "Otrais?"} {
		author.post("/author/courses/"+id+"/questions", url.Values{"week": {"0"}, "kind": {"single_choice"}, "text": {q},
			"option_0": {"Jā"}, "correct_0": {"yes"}, "option_1": {"Nē"}, "points": {"1"}, "explanation": {"Tā ir."}}).expect(t, 303)
	}
	qs, _ := s.App.Assessment.Questions(context.Background(), authorPrincipal(t, s, "autore@mooc.test"), id)
	author.post("/author/courses/"+id+"/questions/"+qs[0].ID, url.Values{"week": {"2"}, "kind": {"true_false"}, "text": {"Labots?"},
		"option_0": {"Patiess"}, "correct_0": {"yes"}, "option_1": {"Aplams"}, "points": {"2"}}).expect(t, 303)
	author.get("/author/courses/"+id+"/questions?week=2").expect(t, 200, "Labots?")
	author.post("/author/courses/"+id+"/tests", url.Values{"title": {"Noslēgums"}, "final": {"yes"}, "question_count": {"5"},
		"time_limit_minutes": {"15"}}).expect(t, 422, "the bank holds 2 questions")
	author.post("/author/courses/"+id+"/tests", url.Values{"title": {"Noslēgums"}, "final": {"yes"}, "question_count": {"2"},
		"time_limit_minutes": {"15"}}).expect(t, 303)

	// Now complete: published, then corrections only, with their history.
	author.post("/author/courses/"+id+"/publish", nil).expect(t, 303)
	author.get("/author/courses/"+id).expect(t, 200, "Kurss ir publicēts")
	author.post("/author/lessons/"+second.ID, url.Values{"course": {id}, "title": {"Lasāmviela (labota)"}, "body": {"Teksts."}}).expect(t, 303)
	author.post("/author/lessons/"+second.ID, url.Values{"course": {id}, "title": {"Lasāmviela (labota)"}, "body": {"Teksts."}, "kind": {"video"}, "minutes": {"99"}}).expect(t, 303)
	author.get("/author/courses/"+id+"/history").expect(t, 200, "Lasāmviela (labota)", "nosaukums")
	author.post("/author/lessons/"+second.ID+"/delete", url.Values{"course": {id}}).expect(t, 422, "Kurss ir publicēts")

	// Copy into a new edition.
	loc := author.post("/author/courses/"+id+"/copy", nil).expect(t, 303).header.Get("Location")
	author.get(loc).expect(t, 200, "Lekcija")
	author.get("/author").expect(t, 200, "Izdevumi", "kopija")
}

func authorPrincipal(t *testing.T, s *site, email string) accounts.Principal {
	t.Helper()
	tok, err := s.App.Accounts.Login(context.Background(), email, authorPassword, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.App.Accounts.Authenticate(context.Background(), tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
