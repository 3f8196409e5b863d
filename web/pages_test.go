package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"mooc/internal/database"
	"mooc/internal/testenv"
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
