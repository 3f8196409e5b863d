package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"mooc/accounts"
	"mooc/internal/browsertest"
	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/programmes"
	"mooc/surveys"
)

// surveyEnrolled registers a learner and enrols them in the site's
// cohort; it returns their browser and their course page.
func (s *site) surveyEnrolled(t *testing.T, email string) (*browser, string) {
	t.Helper()
	b := newBrowser(t, s.URL)
	b.post("/register", url.Values{"email": {email}, "password": {"zaļš kalns dzied rītā"}, "given_name": {"Anna"},
		"family_name": {"Liepa"}, "municipality": {"Rīga"}}).expect(t, 303)
	return b, b.post("/cohorts/"+s.Cohort.ID+"/enrol", nil).expect(t, 303).header.Get("Location")
}

// completeCourse completes the course through the pages: every lesson
// (the video watched on the clock), and the final test.
func (s *site) completeCourse(t *testing.T, clk *clock, b *browser, learn string) {
	t.Helper()
	lessons := s.Course.Lessons()
	progress := func(pos float64, done bool) {
		req, _ := http.NewRequest("POST", s.URL+learn+"/lessons/"+lessons[0].ID+"/progress",
			strings.NewReader(fmt.Sprintf(`{"position_seconds":%g,"completed":%t}`, pos, done)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", b.csrf())
		b.send(req).expect(t, 200)
	}
	progress(0, false)
	clk.Add(2 * time.Second)
	progress(1.0, true)
	for _, l := range lessons[1:] {
		b.post(learn+"/lessons/"+l.ID+"/done", nil).expect(t, 303)
	}
	at := b.post(learn+"/tests/"+s.Course.Tests[0].ID+"/attempts", nil).expect(t, 303).header.Get("Location")
	b.post(at, s.rightAnswers(t, b.get(at).body)).expect(t, 303)
}

// surveyLearner is a learner of the site's cohort who completed the
// course.
func (s *site) surveyLearner(t *testing.T, clk *clock, email string) (*browser, string) {
	t.Helper()
	b, learn := s.surveyEnrolled(t, email)
	s.completeCourse(t, clk, b, learn)
	return b, learn
}

// surveyProgramme is a programme of the team's with a survey of a scale
// and a text question, its seats given out twelve days on (the clock
// moved) to Jānis and Ģirts; it returns its team page and Jānis.
func (s *site) surveyProgramme(t *testing.T, clk *clock, team *browser) (string, accounts.User) {
	t.Helper()
	prog := teamLocation(t, team.post("/team/programmes", teamProgrammeForm(s.teamMethodology(t), "Stiprumu pieeja", clk.Now(), "5")).expect(t, 303))
	id := strings.TrimPrefix(prog, "/team/programmes/")
	team.post(prog+"/survey", url.Values{"rows": {"2"}, "text.0": {"Cik noderīgas bija mācības?"}, "kind.0": {"scale"},
		"text.1": {"Ko ieteiktu?"}, "kind.1": {"text"}}).expect(t, 303)
	janis := s.teamApply(t, "janis@mooc.test", "Jānis", "Bērziņš", id, false)
	s.teamApply(t, "girts@mooc.test", "Ģirts", "Ķļaviņš", id, true)
	clk.Add(12 * 24 * time.Hour)
	if _, err := s.App.Programmes.Allocate(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	return prog, janis
}

// courseSurvey sets the site's course a survey of a scale question
// ("noderigums") and a text question ("ieteikumi").
func (s *site) courseSurvey(t *testing.T) {
	t.Helper()
	team := accounts.Principal{Roles: []string{accounts.RoleTeam}}
	if _, err := s.App.Surveys.SetCourseSurvey(context.Background(), team, s.Course.ID, surveys.Definition{Questions: []surveys.Question{
		{ID: "noderigums", Kind: surveys.Scale, Text: "Cik noderīgs bija kurss?"}, {ID: "ieteikumi", Kind: surveys.Text, Text: "Ko jūs mainītu?"},
	}}); err != nil {
		t.Fatal(err)
	}
}

var hiddenID = regexp.MustCompile(`name="id\.(\d+)" value="([^"]*)"`)

// questionIDs are the ids the editing form keeps, row by row.
func questionIDs(body string) []string {
	var ids []string
	for _, m := range hiddenID.FindAllStringSubmatch(body, -1) {
		if m[2] != "" {
			ids = append(ids, m[2])
		}
	}
	return ids
}

// The editing pages: an author sets a draft's questions, reorders and
// removes them with their ids kept; a refused form names each field as
// the API does; another author, a learner and a visitor do not reach it;
// the team sets a programme's questions on a page of its own.
func TestSurveyEditingPages(t *testing.T) {
	clk := &clock{now: time.Now().UTC().Truncate(time.Minute)}
	s := startSite(t, siteOptions{dialect: database.SQLite, now: clk.Now})
	author := authorUser(t, s, "autore@mooc.test", accounts.RoleAuthor)
	other := authorUser(t, s, "cits@mooc.test", accounts.RoleAuthor)
	learner := authorUser(t, s, "macibas@mooc.test")
	id := authorCourse(t, s, author, "Sarunas ar klientu")
	edit := "/author/courses/" + id + "/survey"

	author.get("/author/courses/"+id).expect(t, 200, `href="`+edit+`"`)
	for _, b := range []*browser{other, learner} {
		b.get(edit).expect(t, 404)
		b.get(edit+"/results").expect(t, 404)
		b.post(edit, url.Values{"rows": {"1"}, "text.0": {"X"}, "kind.0": {"scale"}}).expect(t, 404)
	}
	other.get("/author/courses/"+s.Course.ID+"/survey").expect(t, 404) // published, seen, not theirs
	newBrowser(t, s.URL).get(edit).expect(t, 303)
	author.get(edit).expect(t, 200, `name="text.0"`, `name="text.2"`, `id="f-questions[0].text"`)
	author.get(edit+"/results").expect(t, 200, "vēl nav aptaujas")

	// Refusals name the field, and nothing is stored.
	author.post(edit, url.Values{"rows": {"3"}}).expect(t, 422, `href="#f-questions"`, "obligāti jāaizpilda")
	author.post(edit, url.Values{"rows": {"2"}, "text.0": {"Cik noderīgs?"}, "kind.0": {"stars"}, "text.1": {strings.Repeat("ā", 1001)}, "kind.1": {"text"}}).
		expect(t, 422, `id="f-questions[0].kind"`, `aria-describedby="f-questions[0].kind-error"`, `id="f-questions[1].text-error"`, "1000 rakstzīmēm", "Cik noderīgs?")
	if _, err := s.App.Surveys.CourseSurvey(context.Background(), accounts.Principal{Roles: []string{accounts.RoleTeam}}, id); err != surveys.ErrNotFound {
		t.Fatalf("a refused form stored a survey: %v", err)
	}

	// Two questions; the empty third row is left out.
	author.post(edit, url.Values{"rows": {"3"}, "text.0": {"Cik noderīgs bija kurss?"}, "kind.0": {"scale"},
		"text.1": {"Ko jūs mainītu?"}, "kind.1": {"text"}, "kind.2": {"scale"}}).expect(t, 303)
	page := author.get(edit).expect(t, 200, "Aptaujas jautājumi saglabāti.", "Cik noderīgs bija kurss?", "Ko jūs mainītu?")
	ids := questionIDs(page.body)
	if len(ids) != 2 || ids[0] == ids[1] {
		t.Fatalf("ids %v", ids)
	}
	stored := func() []surveys.Question {
		cur, err := s.App.Surveys.CourseSurvey(context.Background(), accounts.Principal{Roles: []string{accounts.RoleTeam}}, id)
		if err != nil {
			t.Fatal(err)
		}
		return cur.Questions
	}
	// Swapped, with a third added first: each keeps its id.
	author.post(edit, url.Values{"rows": {"3"}, "id.0": {ids[0]}, "text.0": {"Cik noderīgs bija kurss?"}, "kind.0": {"scale"}, "position.0": {"3"},
		"id.1": {ids[1]}, "text.1": {"Ko jūs mainītu?"}, "kind.1": {"text"}, "position.1": {"2"},
		"text.2": {"Vai ieteiktu kursu kolēģiem?"}, "kind.2": {"scale"}, "position.2": {"1"}}).expect(t, 303)
	qs := stored()
	if len(qs) != 3 || qs[0].Text != "Vai ieteiktu kursu kolēģiem?" || qs[1].ID != ids[1] || qs[2].ID != ids[0] || qs[0].ID == ids[0] || qs[0].ID == ids[1] {
		t.Fatalf("after reordering: %+v (ids %v)", qs, ids)
	}
	// The first removed.
	author.post(edit, url.Values{"rows": {"3"}, "id.0": {qs[0].ID}, "text.0": {qs[0].Text}, "kind.0": {"scale"}, "remove.0": {"yes"},
		"id.1": {qs[1].ID}, "text.1": {qs[1].Text}, "kind.1": {"text"}, "id.2": {qs[2].ID}, "text.2": {qs[2].Text}, "kind.2": {"scale"}}).expect(t, 303)
	if got := stored(); len(got) != 2 || got[0].ID != ids[1] || got[1].ID != ids[0] {
		t.Fatalf("after removing: %+v", got)
	}

	// The team's programme survey: the programme's page links to it, and
	// it is the team's alone.
	team, _ := s.teamPerson(t, "komanda@mooc.test", "Līga", "Ozoliņa", accounts.RoleTeam)
	pedit := "/team/programmes/" + s.Programme.ID + "/survey"
	team.get("/team/programmes/"+s.Programme.ID).expect(t, 200, `href="`+pedit+`"`)
	author.get(pedit).expect(t, 404)
	author.get(pedit+"/results").expect(t, 404)
	team.get("/team/programmes/00000000-0000-4000-8000-000000000000/survey").expect(t, 404)
	team.post(pedit, url.Values{"rows": {"1"}, "text.0": {""}, "kind.0": {"text"}, "id.0": {"esošs"}}).expect(t, 422, `id="f-questions[0].text-error"`)
	team.post(pedit, url.Values{"rows": {"1"}, "text.0": {"Cik noderīgas bija mācības?"}, "kind.0": {"scale"}}).expect(t, 303)
	team.get(pedit).expect(t, 200, "Cik noderīgas bija mācības?")
	// The team edits a course's survey as every author page serves it.
	team.get(edit).expect(t, 200, "Ko jūs mainītu?")
}

// Results of a course, over both databases: four responses give the
// count alone, on the page and in the team's report; a fifth gives means,
// counts and the texts in alphabetical order; the cohort's line and the
// report's figures follow. A learner whose certificate is issued is
// invited by e-mail, and the invitation counts in the response rate.
func TestSurveyResultsPagesSuppressUnderFive(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) { surveyResultsOn(t, db.Dialect()) })
}

func surveyResultsOn(t *testing.T, d database.Dialect) {
	clk := &clock{now: time.Now().UTC().Truncate(time.Second)}
	s := startSite(t, siteOptions{dialect: d, now: clk.Now})
	ctx := context.Background()
	s.courseSurvey(t)
	team, _ := s.teamPerson(t, "komanda@mooc.test", "Līga", "Ozoliņa", accounts.RoleTeam)
	results := "/author/courses/" + s.Course.ID + "/survey/results"
	texts := []string{"Vairāk piemēru", "Īsākus video", "Labs kurss", "Ar prieku", "Darba lapas"}
	for i, v := range []string{"4", "5", "3", "1", "4"} {
		if i == 4 {
			page := team.get(results).expect(t, 200, "4 atbildes", "mazāk par 5", s.Cohort.Title)
			for _, text := range texts {
				if strings.Contains(page.body, text) {
					t.Fatalf("four responses show %q", text)
				}
			}
			team.get("/team/reports/surveys").expect(t, 200, s.Course.Title, "Mazāk par 5 atbildēm (4): tikai skaits")
		}
		b, learn := s.surveyLearner(t, clk, fmt.Sprintf("anna.%d@mooc.test", i))
		b.post(learn+"/survey", url.Values{"q.noderigums": {v}, "q.ieteikumi": {texts[i]}}).expect(t, 303)
	}
	page := team.get(results).expect(t, 200, "5 atbildes", "Vidējais vērtējums:", "3,40", "Ko jūs mainītu?")
	// Alphabetical (Latvian letters by code point), not the order given.
	order := []string{"Ar prieku", "Darba lapas", "Labs kurss", "Vairāk piemēru", "Īsākus video"}
	for i := 1; i < len(order); i++ {
		if strings.Index(page.body, order[i-1]) > strings.Index(page.body, order[i]) {
			t.Errorf("%q comes after %q: the texts are not in alphabetical order", order[i-1], order[i])
		}
	}
	if strings.Contains(page.body, "Anna") || strings.Contains(page.body, "anna.") {
		t.Error("the results name a person")
	}

	// A sixth completes and gets the certificate without answering: the
	// invitation goes by e-mail, once, and the rate is 5 of 6.
	b, learn := s.surveyLearner(t, clk, "anna.6@mooc.test")
	b.post(learn+"/certificate", nil).expect(t, 303)
	if n, err := s.App.Surveys.InviteCompleted(ctx); n != 1 || err != nil {
		t.Fatalf("invited %d, %v", n, err)
	}
	if n, _ := s.App.Surveys.InviteCompleted(ctx); n != 0 {
		t.Fatalf("invited %d again", n)
	}
	if link := s.mailLink(t, "anna.6@mooc.test", learn+"/survey"); !strings.HasSuffix(link, learn+"/survey") {
		t.Fatalf("the invitation links %q", link)
	}
	team.get("/team/reports/surveys").expect(t, 200, `aria-current="page"`, s.Course.Title, "5 (83 %)", "Cik noderīgs bija kurss?", "3,40",
		`href="`+results+`"`, "/team/reports/surveys/download?figure=rate&amp;format=csv")
	csv := team.get("/team/reports/surveys/download?figure=means&format=csv").expect(t, 200, "noderigums", "3.4")
	if strings.Contains(csv.body, "Vairāk piemēru") {
		t.Error("the means file holds a text answer")
	}
	team.get("/team/reports/surveys/download?figure=rate&format=csv").expect(t, 200, "course,"+s.Course.ID, ",6,5,83")
	authorUser(t, s, "cita.autore@mooc.test", accounts.RoleAuthor).get("/team/reports/surveys").expect(t, 404)
}

// A participant of an in-person programme answers its survey once their
// attendance earned the certificate, from a link on the programme's page;
// the team's results give the count alone under five.
func TestProgrammeSurveyPage(t *testing.T) {
	clk := &clock{now: time.Now().UTC().Truncate(time.Minute)}
	s := startSite(t, siteOptions{dialect: database.SQLite, now: clk.Now})
	team, _ := s.teamPerson(t, "komanda@mooc.test", "Līga", "Ozoliņa", accounts.RoleTeam)
	prog, janis := s.surveyProgramme(t, clk, team)
	id := strings.TrimPrefix(prog, "/team/programmes/")
	ctx := context.Background()
	page := "/programmes/" + id + "/survey"
	girts := s.teamLogin(t, "girts@mooc.test")
	girts.get("/programmes/"+id).expect(t, 200, `href="`+page+`"`)
	girts.get(page).expect(t, 200, "kad būs izsniegts jūsu apliecinājums")
	girts.post(page, url.Values{"q.Q": {"4"}}).expect(t, 422)
	hours := 87
	if att, err := s.App.Programmes.RecordAttendance(ctx, id, janis.ID, programmes.AttendanceUpdate{Hours: &hours}); err != nil || att.CertificateCode == "" {
		t.Fatalf("attendance: %+v %v", att, err)
	}
	// The certificate's holder alone is invited, by e-mail, to the page.
	if n, err := s.App.Surveys.InviteCompleted(ctx); n != 1 || err != nil {
		t.Fatalf("invited %d, %v", n, err)
	}
	s.mailLink(t, "janis@mooc.test", page)
	j := s.teamLogin(t, "janis@mooc.test")
	form := j.get(page).expect(t, 200, "Cik noderīgas bija mācības?", "anonīmas", "<fieldset")
	ids := regexp.MustCompile(`name="q\.([^"]+)"`).FindAllStringSubmatch(form.body, -1)
	if len(ids) < 2 {
		t.Fatalf("the form's questions: %v", ids)
	}
	scale, text := ids[0][1], ids[len(ids)-1][1]
	j.post(page, url.Values{"q." + scale: {"9"}}).expect(t, 422, `href="#f-answers%5b0%5d.value"`, "jāizvēlas vērtējums no 1 līdz 5")
	j.post(page, url.Values{"q." + scale: {"5"}, "q." + text: {"Vairāk prakses"}}).expect(t, 303)
	j.get("/programmes/"+id).expect(t, 200, "Paldies par atsauksmi!")
	j.get(page).expect(t, 200, "jau esat atbildējis")
	j.post(page, url.Values{"q." + scale: {"4"}}).expect(t, 409)
	newBrowser(t, s.URL).get(page).expect(t, 303)
	s.teamPerson(t, "cits@mooc.test", "Cits", "Cilvēks")
	s.teamLogin(t, "cits@mooc.test").get(page).expect(t, 404)

	team = s.teamLogin(t, "komanda@mooc.test") // after twelve days
	res := team.get(prog+"/survey/results").expect(t, 200, "1 atbilde", "mazāk par 5")
	if strings.Contains(res.body, "Vairāk prakses") {
		t.Fatal("one response shows its text")
	}
	team.get(prog+"/survey").expect(t, 200, "vairs nevar mainīt")
	team.post(prog+"/survey", url.Values{"rows": {"1"}, "text.0": {"Cits"}, "kind.0": {"scale"}}).expect(t, 409, "vairs nevar mainīt")
}

// Every new survey page passes axe-core in a real browser, in Latvian and
// English, at a desktop and a phone width: the editing form (and its
// refusal), the results with means and by cohort, a programme's pages,
// a participant's form and the team's report of surveys.
func TestSurveyPagesAreAccessible(t *testing.T) {
	clk := &clock{now: time.Now().UTC().Truncate(time.Second)}
	s := startSite(t, siteOptions{dialect: database.SQLite, now: clk.Now})
	ctx := context.Background()
	s.courseSurvey(t)
	for i := range 5 {
		b, learn := s.surveyLearner(t, clk, fmt.Sprintf("anna.%d@mooc.test", i))
		b.post(learn+"/survey", url.Values{"q.noderigums": {fmt.Sprint(i%5 + 1)}, "q.ieteikumi": {fmt.Sprintf("Ieteikums %d", i)}}).expect(t, 303)
	}
	team, _ := s.teamPerson(t, "komanda@mooc.test", "Līga", "Ozoliņa", accounts.RoleTeam)
	author := authorUser(t, s, "autore@mooc.test", accounts.RoleAuthor)
	draft := authorCourse(t, s, author, "Sarunas ar klientu")
	prog, janis := s.surveyProgramme(t, clk, team)
	id := strings.TrimPrefix(prog, "/team/programmes/")
	hours := 87
	if _, err := s.App.Programmes.RecordAttendance(ctx, id, janis.ID, programmes.AttendanceUpdate{Hours: &hours}); err != nil {
		t.Fatal(err)
	}
	team = s.teamLogin(t, "komanda@mooc.test") // after twelve days
	author = newBrowser(t, s.URL)
	author.post("/login", url.Values{"email": {"autore@mooc.test"}, "password": {authorPassword}}).expect(t, 303)
	participant := s.teamLogin(t, "janis@mooc.test")

	type kind struct {
		name, path string
		who        *browser
		refused    string
		status     int
	}
	kinds := []kind{
		{name: "edit", path: "/author/courses/" + draft + "/survey", who: author},
		{name: "edit-refused", path: "/author/courses/" + draft + "/survey", who: author, refused: `form[action$="/survey"] button[type="submit"]`, status: 422},
		{name: "edit-locked", path: "/author/courses/" + s.Course.ID + "/survey", who: team},
		{name: "results", path: "/author/courses/" + s.Course.ID + "/survey/results", who: team},
		{name: "results-none", path: "/author/courses/" + draft + "/survey/results", who: author},
		{name: "programme-edit", path: prog + "/survey", who: team},
		{name: "programme-results", path: prog + "/survey/results", who: team},
		{name: "participant", path: "/programmes/" + id + "/survey", who: participant},
		{name: "report", path: "/team/reports/surveys", who: team},
	}
	b := browsertest.Start(t)
	for _, lang := range []string{"lv", "en"} {
		for _, width := range []int{1280, 375} {
			tabs := map[*browser]*browsertest.Tab{}
			for _, k := range kinds {
				tab, ok := tabs[k.who]
				if !ok {
					tab = b.NewTab(t, browsertest.Viewport{Width: width, Height: 900, Mobile: width < 600})
					tab.SetCookie(t, s.URL, k.who.cookie("mooc_session"))
					tabs[k.who] = tab
				}
				st := tab.Navigate(t, s.URL+k.path+"?lang="+lang)
				if k.refused != "" {
					st = tab.ClickNavigate(t, k.refused)
				}
				checkPage(t, tab, fmt.Sprintf("survey-%s-%s-%d", k.name, lang, width), st, k.status)
			}
		}
	}
}
