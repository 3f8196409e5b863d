package web_test

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"mooc/internal/browsertest"
	"mooc/internal/database"
	"mooc/internal/testkit"
)

// A social worker's whole journey in Debian's Chromium, at phone width,
// partly by keyboard alone: register, verify the address by the link in
// the e-mail the SMTP server received, enrol, watch the video lecture
// (from MinIO, another origin, with its captions showing) until it
// counts, read the other lessons, pass the final test, download the
// certificate and open its verification page. No page may log an error
// or break its Content Security Policy.
func TestLearnerJourneyInBrowser(t *testing.T) {
	s := startSite(t, siteOptions{dialect: database.Postgres, s3: true})
	b := browsertest.Start(t)
	tab := b.NewTab(t, browsertest.Viewport{Width: 375, Height: 812, Mobile: true})
	tab.SetLanguage(t, "lv")
	clean := func(what string) {
		t.Helper()
		if p := tab.Problems(t); len(p) > 0 {
			t.Fatalf("%s: the page reported problems:\n%s", what, strings.Join(p, "\n"))
		}
	}

	// Registration by keyboard: type into a field, Tab to the next.
	if st := tab.Navigate(t, s.URL+"/register"); st != 200 {
		t.Fatalf("register page %d", st)
	}
	tab.Focus(t, "#f-email")
	for _, v := range []string{"anna@mooc.test", "zaļš kalns dzied rītā"} {
		tab.Press(t, v)
		tab.Press(t, browsertest.KeyTab)
	}
	// The password hint is text, not a stop: the next Tab stop is the given name.
	if !tab.Focused(t, "#f-given_name") {
		t.Fatalf("after the password the focus is on %s", tab.ActiveElement(t))
	}
	var outline string
	tab.Eval(t, `getComputedStyle(document.activeElement).outlineStyle`, &outline)
	if outline == "none" || outline == "" {
		t.Errorf("a focused field shows no outline (%q)", outline)
	}
	for _, v := range []string{"Anna", "Kalniņa", "Siguldas novads"} {
		tab.Press(t, v)
		tab.Press(t, browsertest.KeyTab)
	}
	tab.Screenshot(t, "journey-register-lv-375")
	if st := tab.PressNavigate(t, browsertest.KeyEnter); st != 200 || !strings.HasSuffix(tab.URL(t), "/learn") {
		t.Fatalf("registration ended on %s (%d): %s", tab.URL(t), st, tab.Text(t, "main"))
	}
	clean("registration")

	link := s.mailLink(t, "anna@mooc.test", "/verify-email?token=")
	if !strings.HasPrefix(link, s.URL) {
		t.Fatalf("the e-mail links to %s, not to the site %s", link, s.URL)
	}
	tab.Navigate(t, link)
	if got := tab.Text(t, "main"); !strings.Contains(got, "ir apstiprināta") {
		t.Fatalf("verification page: %s", got)
	}

	// Enrol: the button is reached and pressed from the keyboard.
	tab.Navigate(t, s.URL+"/courses/"+s.Course.ID)
	tab.Focus(t, "#cohort-"+s.Cohort.ID+" button")
	tab.PressNavigate(t, browsertest.KeyEnter)
	if !strings.Contains(tab.URL(t), "/learn/") || !strings.Contains(tab.Text(t, "main"), "Jūs esat uzņemts kursā") {
		t.Fatalf("after enrolling: %s: %s", tab.URL(t), tab.Text(t, "main"))
	}
	learn := tab.URL(t)
	tab.Screenshot(t, "journey-course-lv-375")

	// The video lecture: play it until the server counts it as watched.
	lessons := s.Course.Lessons()
	tab.ClickNavigate(t, "#lesson-"+lessons[0].ID+" a")
	clean("video lesson")
	if src, _ := tab.Attribute(t, "video", "src"); !strings.HasPrefix(src, "http") || strings.HasPrefix(src, s.URL) {
		t.Fatalf("the video plays from %q, not from MinIO", src)
	}
	tab.Click(t, ".player button.play")
	tab.WaitVisible(t, `.player[data-completed="1"]`)
	var played struct {
		Time    float64 `json:"time"`
		Mode    string  `json:"mode"`
		Cues    int     `json:"cues"`
		Active  int     `json:"active"`
		Pressed string  `json:"pressed"`
	}
	tab.Eval(t, `(() => { const v = document.querySelector("video"), tr = v.textTracks[0];
		return {time: v.currentTime, mode: tr.mode, cues: tr.cues ? tr.cues.length : 0,
			active: tr.activeCues ? tr.activeCues.length : 0,
			pressed: document.querySelector(".player button.cc").getAttribute("aria-pressed")}; })()`, &played)
	if played.Time <= 0 || played.Mode != "showing" || played.Cues == 0 || played.Active == 0 || played.Pressed != "true" {
		t.Fatalf("after playing: %+v", played)
	}
	tab.Screenshot(t, "journey-video-lv-375")
	clean("watching")

	// The reading and the case story: marked read with their buttons.
	for _, l := range lessons[1:] {
		tab.Navigate(t, learn+"/lessons/"+l.ID)
		tab.ClickNavigate(t, `form[action$="/done"] button`)
	}
	if got := tab.Text(t, "main"); !strings.Contains(got, "nodarbības: 3 no 3") {
		t.Fatalf("the course after the lessons: %s", got)
	}

	// The final test: the countdown runs from the server's expires_at.
	tab.Navigate(t, learn+"/tests/"+s.Course.Tests[0].ID)
	tab.ClickNavigate(t, "main form button")
	var timer string
	tab.WaitVisible(t, ".timer")
	tab.Eval(t, `document.querySelector(".timer").textContent`, &timer)
	if !strings.HasPrefix(timer, "Atlikušais laiks: 9:") && !strings.HasPrefix(timer, "Atlikušais laiks: 10:") {
		t.Errorf("the countdown shows %q", timer)
	}
	tab.Screenshot(t, "journey-test-lv-375")
	var right []string
	for _, a := range s.Answers {
		right = append(right, a)
	}
	var clicked int
	tab.Eval(t, `(() => { const right = `+jsArray(right)+`; let n = 0;
		document.querySelectorAll(".option label").forEach(l => { if (right.includes(l.textContent)) { l.click(); n++; } });
		return n; })()`, &clicked)
	if clicked != 2 {
		t.Fatalf("%d right answers found on the test page", clicked)
	}
	tab.ClickNavigate(t, "#attempt-form button[type=submit]")
	if got := tab.Text(t, "main"); !strings.Contains(got, "Tests nokārtots: 100 %") {
		t.Fatalf("the result: %s", got)
	}
	tab.Screenshot(t, "journey-result-lv-375")

	// The certificate: issued from the course page, downloaded, verified.
	tab.Navigate(t, learn)
	tab.ClickNavigate(t, ".certificate-cta button")
	if !strings.Contains(tab.URL(t), "/certificates/") {
		t.Fatalf("after asking for the certificate: %s: %s", tab.URL(t), tab.Text(t, "main"))
	}
	tab.Screenshot(t, "journey-certificate-lv-375")
	var pdf64 string
	tab.Eval(t, `fetch(document.querySelector("a[download][href$='/pdf']").href).then(r => r.arrayBuffer()).then(b => {
		let s = ""; new Uint8Array(b).forEach(c => s += String.fromCharCode(c)); return btoa(s); })`, &pdf64)
	pdf, err := base64.StdEncoding.DecodeString(pdf64)
	if err != nil || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatalf("the downloaded certificate is not a PDF (%v): %.20q", err, pdf)
	}
	if text := testkit.PDFText(t, pdf); !strings.Contains(text, "Anna Kalniņa") || !strings.Contains(text, s.Course.Title) {
		t.Errorf("the certificate reads:\n%s", text)
	}
	share := tab.Value(t, "#share")
	if u, err := url.Parse(share); err != nil || !strings.HasPrefix(share, s.URL+"/verify/") || u.Path == "" {
		t.Fatalf("the share link is %q", share)
	}
	tab.ClickNavigate(t, `a[href^="/verify/"]`)
	if got := tab.Text(t, "main"); !strings.Contains(got, "Apliecinājums ir derīgs") || !strings.Contains(got, "Anna Kalniņa") {
		t.Fatalf("the verification page: %s", got)
	}
	tab.Screenshot(t, "journey-verify-lv-375")
	clean("verification")
}

func jsArray(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
	}
	return "[" + strings.Join(q, ",") + "]"
}
