package web_test

import (
	"net/url"
	"testing"
	"time"

	"mooc/internal/browsertest"
	"mooc/internal/database"
	"mooc/internal/testenv"
)

// A learner's feedback survey: closed until the course is completed, then
// a form of a scale and a text question, answered once.
func TestSurveyPageOverHTTP(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		clk := &clock{now: time.Now().UTC().Truncate(time.Second)}
		s := startSite(t, siteOptions{dialect: db.Dialect(), now: clk.Now})
		s.courseSurvey(t)
		b, learn := s.surveyEnrolled(t, "anna@mooc.test")
		b.get(learn+"/survey").expect(t, 200, "Aptauja būs pieejama, kad būsiet pabeidzis kursu.")
		b.post(learn+"/survey", url.Values{"q.noderigums": {"4"}}).expect(t, 422, "Kurss vēl nav pabeigts.")
		s.completeCourse(t, clk, b, learn)

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
