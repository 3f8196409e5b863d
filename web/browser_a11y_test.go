package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mooc/internal/browsertest"
	"mooc/internal/database"
)

// pageKind is one kind of page, reached by a tab signed in or not.
type pageKind struct {
	name    string
	path    string // a GET, or
	refused string // a form page whose empty form is sent, to see its errors
	learner bool
	status  int
}

// Every kind of page passes axe-core's WCAG 2.1 A and AA rules, in Latvian
// and English, at 1280 and 375 pixels wide, logs no error and breaks no
// rule of its Content Security Policy; a screenshot of each is kept.
func TestEveryPageKindIsAccessible(t *testing.T) {
	clk := &clock{now: time.Now().UTC().Truncate(time.Second)}
	s := startSite(t, siteOptions{dialect: database.SQLite, now: clk.Now})
	h := newBrowser(t, s.URL)
	h.post("/register", url.Values{"email": {"ilze@mooc.test"}, "password": {"zaļš kalns dzied rītā"}, "given_name": {"Ilze"},
		"family_name": {"Liepa"}, "municipality": {"Tukuma novads"}}).expect(t, 303)
	learn := h.post("/cohorts/"+s.Cohort.ID+"/enrol", nil).expect(t, 303).header.Get("Location")
	lessons := s.Course.Lessons()
	h.post(learn+"/lessons/"+lessons[1].ID+"/done", nil).expect(t, 303)
	at := h.post(learn+"/tests/"+s.Course.Tests[0].ID+"/attempts", nil).expect(t, 303).header.Get("Location")

	b := browsertest.Start(t)
	check := func(t *testing.T, kinds []pageKind) {
		for _, lang := range []string{"lv", "en"} {
			for _, width := range []int{1280, 375} {
				anon := b.NewTab(t, browsertest.Viewport{Width: width, Height: 900, Mobile: width < 600})
				signed := b.NewTab(t, browsertest.Viewport{Width: width, Height: 900, Mobile: width < 600})
				signed.SetCookie(t, s.URL, h.cookie("mooc_session"))
				for _, k := range kinds {
					tab := anon
					if k.learner {
						tab = signed
					}
					sep := "?"
					if strings.Contains(k.path+k.refused, "?") {
						sep = "&"
					}
					var st int
					if k.refused != "" {
						tab.Navigate(t, s.URL+k.refused+sep+"lang="+lang)
						st = tab.ClickNavigate(t, "main form button[type=submit]")
					} else {
						st = tab.Navigate(t, s.URL+k.path+sep+"lang="+lang)
					}
					name := fmt.Sprintf("%s-%s-%d", k.name, lang, width)
					var htmlLang string
					tab.Eval(t, `document.documentElement.lang`, &htmlLang)
					if htmlLang != lang {
						t.Errorf("%s: <html lang=%q>", name, htmlLang)
					}
					checkPage(t, tab, name, st, k.status)
				}
			}
		}
	}

	t.Run("before the test", func(t *testing.T) {
		check(t, []pageKind{
			{name: "catalogue", path: "/"},
			{name: "course", path: "/courses/" + s.Course.ID},
			{name: "course-enrolled", path: "/courses/" + s.Course.ID, learner: true},
			{name: "register", path: "/register"},
			{name: "register-refused", refused: "/register", status: 422},
			{name: "login", path: "/login"},
			{name: "login-refused", refused: "/login", status: 401},
			{name: "forgot-password", path: "/forgot-password"},
			{name: "reset-password", path: "/reset-password?token=nav-derigs"},
			{name: "verify-email-invalid", path: "/verify-email?token=nav-derigs", status: 422},
			{name: "programme", path: "/programmes/" + s.Programme.ID},
			{name: "programme-apply", path: "/programmes/" + s.Programme.ID, learner: true},
			{name: "not-found", path: "/nav-tadas-lapas", status: 404},
			{name: "my-learning", path: "/learn", learner: true},
			{name: "learner-course", path: learn, learner: true},
			{name: "lesson-video", path: learn + "/lessons/" + lessons[0].ID, learner: true},
			{name: "lesson-reading", path: learn + "/lessons/" + lessons[1].ID, learner: true},
			{name: "test", path: learn + "/tests/" + s.Course.Tests[0].ID, learner: true},
			{name: "attempt", path: at, learner: true},
			{name: "profile", path: "/me", learner: true},
		})
	})

	// Pass the test and take the certificate, then the pages of results.
	ap := h.get(at).expect(t, 200)
	h.post(at, s.rightAnswers(t, ap.body)).expect(t, 303)
	clk.Add(2 * time.Second)
	h.reportProgress(t, learn, lessons[0].ID, 0, false)
	clk.Add(2 * time.Second)
	h.reportProgress(t, learn, lessons[0].ID, 1, true)
	h.post(learn+"/lessons/"+lessons[2].ID+"/done", nil).expect(t, 303)
	cert := h.post(learn+"/certificate", nil).expect(t, 303).header.Get("Location")
	code := strings.TrimPrefix(cert, "/certificates/")
	t.Run("after the test", func(t *testing.T) {
		check(t, []pageKind{
			{name: "attempt-result", path: at, learner: true},
			{name: "learner-course-completed", path: learn, learner: true},
			{name: "certificates", path: "/certificates", learner: true},
			{name: "certificate", path: cert, learner: true},
			{name: "verify", path: "/verify/" + code},
			{name: "verify-unknown", path: "/verify/ZZZZ-ZZZZ-ZZZZ", status: 404},
			{name: "training-hours", path: "/me/training-hours", learner: true},
			{name: "training-hours-refused", path: "/me/training-hours?year=2014", learner: true, status: 422},
		})
	})
}

// cookie is one of the client's cookies for the site.
func (b *browser) cookie(name string) *http.Cookie {
	b.t.Helper()
	u, _ := url.Parse(b.base)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return &http.Cookie{Name: c.Name, Value: c.Value, HttpOnly: true, SameSite: http.SameSiteLaxMode}
		}
	}
	b.t.Fatalf("no cookie %s", name)
	return nil
}

// reportProgress sends what the player sends about a video lesson.
func (b *browser) reportProgress(t *testing.T, learn, lessonID string, pos float64, done bool) {
	t.Helper()
	req, _ := http.NewRequest("POST", b.base+learn+"/lessons/"+lessonID+"/progress",
		strings.NewReader(fmt.Sprintf(`{"position_seconds":%g,"completed":%t}`, pos, done)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", b.csrf())
	b.send(req).expect(t, 200)
}

// checkPage holds a page to what every page keeps: the status it should
// answer (200 when want is 0), no axe-core finding, nothing in the console
// or against its CSP; and it keeps the page's screenshot.
func checkPage(t *testing.T, tab *browsertest.Tab, name string, status, want int) {
	t.Helper()
	if want == 0 {
		want = 200
	}
	if status != want {
		t.Errorf("%s: status %d, want %d: %.300s", name, status, want, tab.Text(t, "main"))
	}
	if vs := tab.Axe(t); len(vs) > 0 {
		t.Errorf("%s: axe-core finds:\n%s", name, vs)
	}
	if p := tab.Problems(t); len(p) > 0 {
		t.Errorf("%s: the page reported:\n%s", name, strings.Join(p, "\n"))
	}
	tab.Screenshot(t, name)
}
