package web_test

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
)

// browser is a plain HTTP client with cookies, for the pages without a
// real browser: what the forms send and what the server answers.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
	lang string
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	status int
	header http.Header
	body   string
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.base+path, nil)
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	return b.send(req)
}

func (b *browser) send(req *http.Request) page {
	b.t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	body, _ := io.ReadAll(res.Body)
	return page{status: res.StatusCode, header: res.Header, body: string(body)}
}

// post sends a form with the CSRF token of the browser's cookie.
func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf") == "" {
		form.Set("csrf", b.csrf())
	}
	req, _ := http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.send(req)
}

func (b *browser) csrf() string {
	b.t.Helper()
	u, _ := url.Parse(b.base)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "mooc_csrf" {
			return c.Value
		}
	}
	b.get("/") // the first page sets it
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "mooc_csrf" {
			return c.Value
		}
	}
	b.t.Fatal("no CSRF cookie")
	return ""
}

func (p page) expect(t *testing.T, status int, contains ...string) page {
	t.Helper()
	if p.status != status {
		t.Fatalf("status %d, want %d:\n%.3000s", p.status, status, p.body)
	}
	for _, c := range contains {
		if !strings.Contains(p.body, c) {
			t.Errorf("the page lacks %q:\n%.4000s", c, p.body)
		}
	}
	return p
}

var linkIn = regexp.MustCompile(`https?://[^\s"<>]+`)

// mailLink is the first link of the newest e-mail to addr with a path.
func (s *site) mailLink(t *testing.T, to, path string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for n := 1; ; n++ {
		for _, m := range s.Inbox.WaitFor(n, time.Until(deadline)) {
			if !strings.Contains(m.To, to) {
				continue
			}
			for _, l := range linkIn.FindAllString(m.Body, -1) {
				if strings.Contains(l, path) {
					return l
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no e-mail to %s with a link to %s arrived", to, path)
		}
	}
}

func TestAccountPagesOverHTTP(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := startSite(t, siteOptions{dialect: db.Dialect()})
		b := newBrowser(t, s.URL)

		home := b.get("/").expect(t, 200, `<html lang="lv">`, s.Course.Title, "2 nedēļas", "200 brīvas vietas", s.Programme.Title)
		csp := home.header.Get("Content-Security-Policy")
		if csp == "" || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("CSP %q", csp)
		}
		b.lang = "en-GB,en;q=0.9"
		b.get("/").expect(t, 200, `<html lang="en">`, "2 weeks", "200 seats left")
		b.lang = ""
		b.get("/?lang=en").expect(t, 200, `<html lang="en">`)
		b.get("/").expect(t, 200, `<html lang="en">`) // remembered
		b.get("/?lang=lv").expect(t, 200, `<html lang="lv">`)

		// A form without the CSRF token is refused and nothing is created.
		forged := url.Values{"csrf": {"forged-token-forged-token-forged-token-00"}, "email": {"a@mooc.test"}}
		b.post("/register", forged).expect(t, 403)

		// A refused form names its fields and keeps what was typed.
		bad := b.post("/register", url.Values{"email": {"līga@mooc.test"}, "password": {"īsa"}, "given_name": {"Līga"}})
		bad.expect(t, 422, `aria-invalid="true"`, `id="f-password-error"`, `value="Līga"`, "jābūt vismaz 12 rakstzīmēm", `href="#f-family_name"`)

		reg := b.post("/register", url.Values{"email": {"liga@mooc.test"}, "password": {"zaļš kalns dzied rītā"}, "given_name": {"Līga"},
			"family_name": {"Ozoliņa"}, "municipality": {"Cēsu novads"}})
		reg.expect(t, 303)
		if reg.header.Get("Location") != "/learn" {
			t.Fatalf("registration went to %q", reg.header.Get("Location"))
		}
		var session *http.Cookie
		for _, line := range reg.header.Values("Set-Cookie") {
			if strings.HasPrefix(line, "mooc_session=") {
				session = &http.Cookie{}
				if !strings.Contains(line, "HttpOnly") || !strings.Contains(line, "SameSite=Lax") {
					t.Errorf("session cookie %q", line)
				}
			}
		}
		if session == nil {
			t.Fatal("no session cookie")
		}
		b.get("/learn").expect(t, 200, "Konts izveidots")

		link := s.mailLink(t, "liga@mooc.test", "/verify-email?token=")
		u, _ := url.Parse(link)
		b.get(u.RequestURI()).expect(t, 200, "ir apstiprināta")
		b.get(u.RequestURI()).expect(t, 422, "Saite nav derīga")

		// Enrol from the course page.
		b.get("/courses/"+s.Course.ID).expect(t, 200, "Pieteikties", "1. nedēļa", "Video lekcija")
		enrol := b.post("/cohorts/"+s.Cohort.ID+"/enrol", nil).expect(t, 303)
		learn := enrol.header.Get("Location")
		if !strings.HasPrefix(learn, "/learn/") {
			t.Fatalf("enrolment went to %q", learn)
		}
		b.get(learn).expect(t, 200, "Kas ir krīze", "Paveikts: 0 %", "Noslēguma tests")
		b.get("/courses/"+s.Course.ID).expect(t, 200, "Jūs esat uzņemts")

		// Logging out ends the session: the cookie no longer signs in.
		b.post("/logout", nil).expect(t, 303)
		b.get("/learn").expect(t, 303)
		b.get("/nope").expect(t, 404, "nav atrasta")
	})
}

var (
	optionRe   = regexp.MustCompile(`name="(q-[0-9a-f-]+)" value="([0-9a-f-]+)">\s*<label for="o-[0-9a-f-]+">([^<]*)</label>`)
	attemptRe  = regexp.MustCompile(`^/attempts/[0-9a-f-]+$`)
	certLinkRe = regexp.MustCompile(`^/certificates/([A-Z0-9-]+)$`)
)

// rightAnswers picks, on an attempt page, the option whose label is a
// right answer of the seeded bank.
func (s *site) rightAnswers(t *testing.T, body string) url.Values {
	t.Helper()
	right := map[string]bool{}
	for _, a := range s.Answers {
		right[a] = true
	}
	form := url.Values{}
	for _, m := range optionRe.FindAllStringSubmatch(body, -1) {
		if right[html.UnescapeString(m[3])] {
			form.Add(m[1], m[2])
		}
	}
	if len(form) == 0 {
		t.Fatalf("no question of the attempt page was recognised:\n%.3000s", body)
	}
	return form
}

// A learner's journey over plain HTTP on a controlled clock: lessons done
// by their forms, the video by the player's reports, the final test by
// its form, the certificate issued, downloaded and verified.
func TestLearnerJourneyOverHTTP(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		clk := &clock{now: time.Now().UTC().Truncate(time.Second)}
		s := startSite(t, siteOptions{dialect: db.Dialect(), now: clk.Now})
		b := newBrowser(t, s.URL)
		b.post("/register", url.Values{"email": {"janis@mooc.test"}, "password": {"zaļš kalns dzied rītā"}, "given_name": {"Jānis"},
			"family_name": {"Bērziņš"}, "municipality": {"Valmieras novads"}}).expect(t, 303)
		learn := b.post("/cohorts/"+s.Cohort.ID+"/enrol", nil).expect(t, 303).header.Get("Location")

		lessons := s.Course.Lessons()
		video, reading, story := lessons[0], lessons[1], lessons[2]
		lp := b.get(learn+"/lessons/"+video.ID).expect(t, 200, "<video", `<track kind="captions"`, `srclang="lv"`, "player.js", "Krīze ir stāvoklis")
		if strings.Contains(lp.body, "Atzīmēt kā izlasītu") {
			t.Error("a video lesson offers to be marked read; it is completed by watching")
		}
		// The player's reports: JSON with the CSRF token in a header.
		report := func(pos float64, done bool) page {
			req, _ := http.NewRequest("POST", s.URL+learn+"/lessons/"+video.ID+"/progress",
				strings.NewReader(fmt.Sprintf(`{"position_seconds":%g,"completed":%t}`, pos, done)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-CSRF-Token", b.csrf())
			return b.send(req)
		}
		report(0, false).expect(t, 200)
		report(0.9, true).expect(t, 422, "lesson_not_watched") // no time has passed: nothing was watched
		clk.Add(2 * time.Second)
		report(1.0, true).expect(t, 200, `"completed":true`)
		noToken, _ := http.NewRequest("POST", s.URL+learn+"/lessons/"+video.ID+"/progress", strings.NewReader(`{"position_seconds":1}`))
		noToken.Header.Set("Content-Type", "application/json")
		b.send(noToken).expect(t, 403)

		b.get(learn+"/lessons/"+reading.ID).expect(t, 200, "<p>Pirmajā sarunā klausieties.</p>", "Atzīmēt kā izlasītu")
		b.post(learn+"/lessons/"+reading.ID+"/done", nil).expect(t, 303)
		b.post(learn+"/lessons/"+story.ID+"/done", nil).expect(t, 303)
		b.get(learn).expect(t, 200, "Paveikts:", "nodarbības: 3 no 3")

		test := s.Course.Tests[0]
		b.get(learn+"/tests/"+test.ID).expect(t, 200, "Sākt testu", "2 jautājumi")
		at := b.post(learn+"/tests/"+test.ID+"/attempts", nil).expect(t, 303).header.Get("Location")
		if !attemptRe.MatchString(at) {
			t.Fatalf("the attempt went to %q", at)
		}
		ap := b.get(at).expect(t, 200, `role="timer"`, "data-expires=", "Iesniegt atbildes", "<fieldset", "<legend>")
		b.post(at, s.rightAnswers(t, ap.body)).expect(t, 303)
		b.get(at).expect(t, 200, "Tests nokārtots: 100 %", "Punkti: 2 no 2")

		b.get(learn).expect(t, 200, "Saņemt apliecinājumu")
		loc := b.post(learn+"/certificate", nil).expect(t, 303).header.Get("Location")
		m := certLinkRe.FindStringSubmatch(loc)
		if m == nil {
			t.Fatalf("the certificate went to %q", loc)
		}
		code := m[1]
		b.get(loc).expect(t, 200, "Jānis Bērziņš", s.Course.Title, "/verify/"+code, s.URL+"/verify/"+code, "Lejupielādēt PDF")
		pdf := b.get(loc+"/pdf").expect(t, 200)
		if pdf.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.body, "%PDF-") {
			t.Fatalf("the download is %q, %.20q", pdf.header.Get("Content-Type"), pdf.body)
		}
		if text := testkit.PDFText(t, []byte(pdf.body)); !strings.Contains(text, "Jānis Bērziņš") {
			t.Errorf("the PDF lacks the holder's name:\n%s", text)
		}

		// The verify page is public, in the pages' look, in either language.
		anon := newBrowser(t, s.URL)
		anon.get("/verify/"+code).expect(t, 200, "Apliecinājums ir derīgs", "Jānis Bērziņš", `class="site"`)
		anon.get("/verify/"+strings.ReplaceAll(code, "-", " ")+"?lang=en").expect(t, 200, "The certificate is valid", `<html lang="en">`)
		anon.get("/verify/NOPE-NOPE-NOPE?lang=lv").expect(t, 404, "nav atrasts")
		anon.get(loc).expect(t, 303) // a certificate's own page is its holder's
		other := newBrowser(t, s.URL)
		other.post("/register", url.Values{"email": {"cits@mooc.test"}, "password": {"zils ezers klusē vakarā"}, "given_name": {"Cits"},
			"family_name": {"Cilvēks"}, "municipality": {"Rīga"}}).expect(t, 303)
		other.get(loc).expect(t, 404)
		other.get(loc+"/pdf").expect(t, 404)
		other.get(learn).expect(t, 404)

		// The programme: apply, see the status, withdraw.
		pp := "/programmes/" + s.Programme.ID
		b.get(pp).expect(t, 200, "Pieteikties programmai", `value="Valmieras novads"`)
		b.post(pp+"/apply", url.Values{"municipality": {"Valmieras novads"}}).expect(t, 422, `href="#f-took_part_in_pilot"`)
		b.post(pp+"/apply", url.Values{"municipality": {"Valmieras novads"}, "took_part_in_pilot": {"no"}}).expect(t, 303)
		b.get(pp).expect(t, 200, "Jūsu pieteikums ir saņemts", "Atsaukt pieteikumu")
		b.post(pp+"/withdraw", nil).expect(t, 303)
		b.get(pp).expect(t, 200, "Pieteikties programmai")
	})
}

// The course page of visitors who are not signed in is kept for a second:
// a seat taken shows after that second, a signed-in learner sees it at
// once, and each visitor's page carries their own CSRF token.
func TestAnonymousPagesAreKeptForASecond(t *testing.T) {
	clk := &clock{now: time.Now().UTC().Truncate(time.Second)}
	s := startSite(t, siteOptions{dialect: database.SQLite, now: clk.Now})
	path := "/courses/" + s.Course.ID
	one, two := newBrowser(t, s.URL), newBrowser(t, s.URL)
	one.get(path).expect(t, 200, "200 brīvas vietas")
	if p := two.get(path).expect(t, 200, "200 brīvas vietas"); !strings.Contains(p.body, `content="`+two.csrf()+`"`) {
		t.Fatal("a kept page carries another visitor's CSRF token")
	}
	learner := newBrowser(t, s.URL)
	learner.post("/register", url.Values{"email": {"rita@mooc.test"}, "password": {"zaļš kalns dzied rītā"}, "given_name": {"Rita"},
		"family_name": {"Ozola"}, "municipality": {"Rēzeknes novads"}}).expect(t, 303)
	learner.post("/cohorts/"+s.Cohort.ID+"/enrol", nil).expect(t, 303)
	learner.get(path).expect(t, 200, "199 brīvas vietas")
	one.get(path).expect(t, 200, "200 brīvas vietas")
	clk.Add(time.Second)
	one.get(path).expect(t, 200, "199 brīvas vietas")
	one.get("/courses/00000000-0000-0000-0000-000000000000").expect(t, 404)

	// Visitors at once, while the second runs out, each with their token.
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := newBrowser(t, s.URL)
			for j := range 10 {
				if j == 5 && i == 0 {
					clk.Add(time.Second)
				}
				res, err := v.c.Get(s.URL + path)
				if err != nil {
					t.Error(err)
					return
				}
				body, _ := io.ReadAll(res.Body)
				_ = res.Body.Close()
				token := ""
				for _, c := range res.Cookies() {
					if c.Name == "mooc_csrf" {
						token = c.Value
					}
				}
				if res.StatusCode != 200 || (token != "" && !strings.Contains(string(body), token)) {
					t.Errorf("visitor %d: %d, token %q not in the page", i, res.StatusCode, token)
				}
			}
		}()
	}
	wg.Wait()
}
