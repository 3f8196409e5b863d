package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"mooc/accounts"
	"mooc/internal/app"
	"mooc/internal/browsertest"
	"mooc/internal/database"
	"mooc/programmes"
)

// The project team's work in Debian's Chromium, on a clock the test
// moves: open a cohort (seeing who will be told), change its capacity,
// enrol a named person, download the list, create a programme, allocate
// its seats once applications close, accept from the waitlist, record
// attendance to the threshold, revoke the certificate it earned, issue a
// cohort's certificates with a live progress bar, change a user's role
// and read it in the audit log.
func TestTeamJourneyInBrowser(t *testing.T) {
	clk := &clock{now: time.Now().UTC().Truncate(time.Minute)}
	s := startSite(t, siteOptions{dialect: database.Postgres, now: clk.Now})
	s.App.Start(app.CertificateJobs)
	team, _ := s.teamPerson(t, "komanda@mooc.test", "Līga", "Ozoliņa", accounts.RoleTeam)
	_, named := s.teamPerson(t, "ilze@mooc.test", "Ilze", "Liepa")

	b := browsertest.Start(t)
	tab := b.NewTab(t, browsertest.Viewport{Width: 1280, Height: 900})
	tab.SetLanguage(t, "lv")
	tab.SetCookie(t, s.URL, team.cookie("mooc_session"))
	clean := func(what string) {
		t.Helper()
		if p := tab.Problems(t); len(p) > 0 {
			t.Fatalf("%s: the page reported problems:\n%s", what, strings.Join(p, "\n"))
		}
	}
	set := func(sel, value string) {
		t.Helper()
		tab.Eval(t, fmt.Sprintf(`document.querySelector(%q).value = %q`, sel, value), nil)
	}
	now := clk.Now()

	// Open a cohort: the form says how many will be told.
	tab.Navigate(t, s.URL+"/team")
	if st := tab.ClickNavigate(t, `a[href="/team/courses/`+s.Course.ID+`"]`); st != 200 {
		t.Fatalf("course page %d", st)
	}
	if got := tab.Text(t, "#audience"); !strings.Contains(got, "ziņu saņems") {
		t.Fatalf("audience: %q", got)
	}
	tab.SendKeys(t, "#f-title", "Rudens grupa")
	set("#f-capacity", "1")
	set("#f-enrolment_opens_at", teamLocalTime(now.Add(-time.Hour)))
	set("#f-enrolment_closes_at", teamLocalTime(now.Add(7*24*time.Hour)))
	set("#f-starts_at", teamLocalTime(now.Add(8*24*time.Hour)))
	if st := tab.ClickNavigate(t, `form[action$="/cohorts"] button[type=submit]`); st != 200 || !strings.Contains(tab.URL(t), "/team/cohorts/") {
		t.Fatalf("opening the cohort: %d %s: %s", st, tab.URL(t), tab.Text(t, "main"))
	}
	cohortURL := tab.URL(t)
	clean("cohort opened")

	// Change its capacity, then enrol a named person.
	set("#f-capacity", "3")
	tab.ClickNavigate(t, `form[action^="/team/cohorts/"]:not([action$="enrolments"]):not([action$="certificates"]) button[type=submit]`)
	if got := tab.Text(t, "#enrolled-count"); got != "0 / 3" {
		t.Fatalf("after the change: %q: %s", got, tab.Text(t, "main"))
	}
	tab.SendKeys(t, "#f-email", "ilze@mooc.test")
	tab.ClickNavigate(t, `form[action$="/enrolments"] button[type=submit]`)
	if got := tab.Text(t, "#enrolments"); !strings.Contains(got, "Liepa Ilze") || !strings.Contains(got, "uzņemts") {
		t.Fatalf("the list: %s", got)
	}
	tab.Screenshot(t, "team-journey-cohort-lv-1280")

	// The CSV download, as the page fetches it.
	var csv string
	tab.Eval(t, `fetch(document.getElementById("export-csv").href, {credentials: "same-origin"}).then(r => r.text())`, &csv)
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], "ilze@mooc.test") || !strings.Contains(lines[1], "Liepa") {
		t.Fatalf("the CSV: %q", csv)
	}

	// Bulk issue: the bar reaches its end.
	tab.ClickNavigate(t, `form[action$="/certificates"] button[type=submit]`)
	tab.WaitVisible(t, `#job[data-status="done"]`)
	var bar int
	tab.Eval(t, `document.getElementById("job-progress").value`, &bar)
	if bar != 100 || tab.Text(t, "#job-not_eligible") != "1" {
		t.Fatalf("the job: bar %d: %s", bar, tab.Text(t, "main"))
	}
	clean("bulk issue")
	tab.Navigate(t, cohortURL)

	// A programme of one seat; a pilot municipality's applicant applies
	// first, another's later.
	tab.Navigate(t, s.URL+"/team/programmes")
	tab.SendKeys(t, "#f-title", "Stiprumu pieeja klātienē")
	for name, v := range teamProgrammeForm(s.teamMethodology(t), "", now, "1") {
		if name != "title" {
			set("#f-"+name, v[0])
		}
	}
	if st := tab.ClickNavigate(t, `form[action="/team/programmes"] button[type=submit]`); st != 200 || !strings.Contains(tab.URL(t), "/team/programmes/") {
		t.Fatalf("creating the programme: %d %s", st, tab.Text(t, "main"))
	}
	programme := tab.URL(t)
	id := programme[strings.LastIndex(programme, "/")+1:]
	pilot := s.teamApply(t, "janis@mooc.test", "Jānis", "Bērziņš", id, true)
	clk.Add(time.Minute)
	other := s.teamApply(t, "girts@mooc.test", "Ģirts", "Ķļaviņš", id, false)

	// Applications close; the allocation gives the seat by the rule.
	clk.Add(2 * time.Hour)
	tab.Navigate(t, programme)
	tab.ClickNavigate(t, "#allocate")
	rows := tab.Text(t, "#applications")
	if !strings.Contains(tab.Text(t, "#a-"+teamAppID(t, s, id, other.ID)), "uzņemts") ||
		!strings.Contains(tab.Text(t, "#a-"+teamAppID(t, s, id, pilot.ID)), "rindā") {
		t.Fatalf("allocation: %s", rows)
	}
	if !strings.Contains(tab.Text(t, "main"), "nepiedalījās metodikas pilotā") {
		t.Error("the page does not say the rule")
	}
	tab.Screenshot(t, "team-journey-allocation-lv-1280")

	// A second seat, then the waitlisted applicant accepted.
	set("#f-group_size", "2")
	tab.ClickNavigate(t, `form[action="/team/programmes/`+id+`"] button[type=submit]`)
	tab.ClickNavigate(t, "#a-"+teamAppID(t, s, id, pilot.ID)+" button")
	if !strings.Contains(tab.Text(t, "#a-"+teamAppID(t, s, id, pilot.ID)), "uzņemts") {
		t.Fatalf("accepting: %s", tab.Text(t, "main"))
	}

	// The programme over, attendance to the threshold earns the certificate.
	clk.Add(12 * 24 * time.Hour)
	tab.SetCookie(t, s.URL, s.teamLogin(t, "komanda@mooc.test").cookie("mooc_session")) // the session of 12 days ago has expired
	tab.Navigate(t, programme)
	if got := tab.Text(t, "#threshold"); !strings.Contains(got, "87") {
		t.Fatalf("threshold: %q", got)
	}
	set("#h-"+other.ID, "87")
	tab.ClickNavigate(t, "#p-"+other.ID+" button")
	href, _ := tab.Attribute(t, "#p-"+other.ID+" a.certificate", "href")
	code := strings.TrimPrefix(href, "/verify/")
	if code == "" {
		t.Fatalf("no certificate: %s", tab.Text(t, "main"))
	}
	tab.ClickNavigate(t, "#p-"+other.ID+" a.certificate")
	if got := tab.Text(t, "main"); !strings.Contains(got, "ir derīgs") || !strings.Contains(got, "Ģirts Ķļaviņš") {
		t.Fatalf("verify: %s", got)
	}

	// Revoke it with a reason: the verify page says so.
	tab.Navigate(t, s.URL+"/team/certificates?q=%C4%B7%C4%BCavi%C5%86") // "ķļaviņ", letter case aside
	tab.SendKeys(t, "#r-"+code, "Apmeklējums ierakstīts kļūdaini")
	tab.ClickNavigate(t, "#c-"+code+" button")
	tab.Navigate(t, s.URL+"/verify/"+code)
	if got := tab.Text(t, "main"); !strings.Contains(got, "atsaukts") || !strings.Contains(got, "kļūdaini") {
		t.Fatalf("verify after revoking: %s", got)
	}

	// A user's role, then the audit log.
	tab.Navigate(t, s.URL+"/team/people?email=ilze")
	tab.ClickNavigate(t, `a[href="/team/people/`+named.ID+`"]`)
	tab.Click(t, "#role-author")
	tab.ClickNavigate(t, `form[action$="/roles"] button[type=submit]`)
	if u, _ := s.App.Accounts.Get(t.Context(), named.ID); !strings.Contains(strings.Join(u.Roles, ","), "author") {
		t.Fatalf("roles: %v", u.Roles)
	}
	tab.Navigate(t, s.URL+"/team/audit")
	log := tab.Text(t, "#audit")
	for _, want := range []string{"mainītas lomas", "apliecinājums atsaukts", "apmeklējums ierakstīts", "vietas sadalītas", "pieteikums pieņemts",
		"grupa mainīta", "personas dati lejupielādēti", "komanda@mooc.test"} {
		if !strings.Contains(log, want) {
			t.Errorf("the audit log lacks %q:\n%s", want, log)
		}
	}
	clean("audit log")
}

// teamAppID is the id of a person's application for a programme.
func teamAppID(t *testing.T, s *site, programmeID, userID string) string {
	t.Helper()
	l, err := s.App.Programmes.Applications(t.Context(), programmeID, programmes.ListQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range l.Items {
		if a.UserID == userID {
			return a.ID
		}
	}
	t.Fatalf("no application of %s", userID)
	return ""
}
