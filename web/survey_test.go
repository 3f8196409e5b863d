package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mooc/accounts"
	"mooc/internal/browsertest"
	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/surveys"
)

// A learner's feedback survey: closed until the course is completed, then
// a form of a scale and a text question, answered once.
func TestSurveyPageOverHTTP(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		clk := &clock{now: time.Now().UTC().Truncate(time.Second)}
		s := startSite(t, siteOptions{dialect: db.Dialect(), now: clk.Now})
		team := accounts.Principal{Roles: []string{accounts.RoleTeam}}
		if _, err := s.App.Surveys.SetCourseSurvey(context.Background(), team, s.Course.ID, surveys.Definition{Questions: []surveys.Question{
			{ID: "noderigums", Kind: surveys.Scale, Text: "Cik noderīgs bija kurss?"}, {ID: "ieteikumi", Kind: surveys.Text, Text: "Ko jūs mainītu?"},
		}}); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, s.URL)
		b.post("/register", url.Values{"email": {"anna@mooc.test"}, "password": {"zaļš kalns dzied rītā"}, "given_name": {"Anna"},
			"family_name": {"Liepa"}, "municipality": {"Rīga"}}).expect(t, 303)
		learn := b.post("/cohorts/"+s.Cohort.ID+"/enrol", nil).expect(t, 303).header.Get("Location")
		b.get(learn+"/survey").expect(t, 200, "Aptauja būs pieejama, kad būsiet pabeidzis kursu.")
		b.post(learn+"/survey", url.Values{"q.noderigums": {"4"}}).expect(t, 422, "Kurss vēl nav pabeigts.")

		// Complete the course: every lesson, and the final test.
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

		b.get(learn).expect(t, 200, `href="/learn/`, "/survey", "Sniegt atsauksmi par kursu")
		b.get(learn+"/survey").expect(t, 200, "<fieldset", "<legend", `name="q.noderigums"`, `name="q.ieteikumi"`, "anonīmas")
		if db.Dialect() == database.SQLite { // the form in Chromium, once: axe-core, the console, the CSP
			tab := browsertest.Start(t).NewTab(t, browsertest.Viewport{Width: 375, Height: 900, Mobile: true})
			tab.SetCookie(t, s.URL, b.cookie("mooc_session"))
			checkPage(t, tab, "survey-lv-375", tab.Navigate(t, s.URL+learn+"/survey"), 200)
		}
		b.post(learn+"/survey", url.Values{"q.noderigums": {"7"}, "q.ieteikumi": {"Vairāk piemēru"}}).
			expect(t, 422, `href="#f-answers%5b0%5d.value"`, `id="f-answers[0].value"`, "Vairāk piemēru")
		b.post(learn+"/survey", url.Values{"q.noderigums": {"4"}, "q.ieteikumi": {"Vairāk piemēru"}}).expect(t, 303)
		b.get(learn).expect(t, 200, "Paldies par atsauksmi!")
		b.get(learn+"/survey").expect(t, 200, "jau esat atbildējis")
		b.post(learn+"/survey", url.Values{"q.noderigums": {"5"}}).expect(t, 409, "jau esat atbildējis")

		other := newBrowser(t, s.URL)
		other.post("/register", url.Values{"email": {"cits@mooc.test"}, "password": {"zils ezers klusē vakarā"}, "given_name": {"Cits"},
			"family_name": {"Cilvēks"}, "municipality": {"Rīga"}}).expect(t, 303)
		other.get(learn+"/survey").expect(t, 404)
	})
}
