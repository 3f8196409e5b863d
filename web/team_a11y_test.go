package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"mooc/accounts"
	"mooc/internal/browsertest"
	"mooc/internal/database"
	"mooc/programmes"
)

// teamKind is one kind of team page: a GET, or a form sent empty to see
// its refusal.
type teamKind struct {
	name, path string
	refused    string // the selector of the form's submit button
	status     int
}

// Every kind of team page passes axe-core's WCAG 2.1 A and AA rules in
// Latvian and English at 1280 and 375 pixels, logs no error and breaks no
// rule of its Content Security Policy; a screenshot of each is kept.
func TestTeamPagesAreAccessible(t *testing.T) {
	clk := &clock{now: time.Now().UTC().Truncate(time.Minute)}
	s := startSite(t, siteOptions{dialect: database.SQLite, now: clk.Now})
	team, _ := s.teamPerson(t, "komanda@mooc.test", "Līga", "Ozoliņa", accounts.RoleTeam)
	_, learner := s.teamPerson(t, "ilze@mooc.test", "Ilze", "Liepa")
	team.post("/team/cohorts/"+s.Cohort.ID+"/enrolments", url.Values{"email": {"ilze@mooc.test"}}).expect(t, 303)
	job := teamLocation(t, team.post("/team/cohorts/"+s.Cohort.ID+"/certificates", nil).expect(t, 303))
	prog := teamLocation(t, team.post("/team/programmes", teamProgrammeForm(s.teamMethodology(t), "Stiprumu pieeja", clk.Now(), "1")).expect(t, 303))
	id := strings.TrimPrefix(prog, "/team/programmes/")
	applicant := s.teamApply(t, "janis@mooc.test", "Jānis", "Bērziņš", id, false)
	s.teamApply(t, "girts@mooc.test", "Ģirts", "Ķļaviņš", id, true)
	ctx := context.Background()
	clk.Add(12 * 24 * time.Hour)
	if _, err := s.App.Programmes.Allocate(ctx, id); err != nil {
		t.Fatal(err)
	}
	hours := 87
	att, err := s.App.Programmes.RecordAttendance(ctx, id, applicant.ID, programmes.AttendanceUpdate{Hours: &hours})
	if err != nil || att.CertificateCode == "" {
		t.Fatalf("attendance: %+v %v", att, err)
	}
	team = s.teamLogin(t, "komanda@mooc.test") // after twelve days

	kinds := []teamKind{
		{name: "home", path: "/team"},
		{name: "methodology-refused", path: "/team", refused: `form[action="/team/methodologies"] button`, status: 422},
		{name: "course", path: "/team/courses/" + s.Course.ID},
		{name: "course-refused", path: "/team/courses/" + s.Course.ID, refused: `form[action$="/cohorts"] button`, status: 422},
		{name: "cohort", path: "/team/cohorts/" + s.Cohort.ID},
		{name: "job", path: job},
		{name: "programmes", path: "/team/programmes"},
		{name: "programmes-refused", path: "/team/programmes", refused: `form[action="/team/programmes"] button`, status: 422},
		{name: "programme", path: prog},
		{name: "certificates", path: "/team/certificates?q=" + url.QueryEscape(att.CertificateCode)},
		{name: "people", path: "/team/people?email=mooc.test"},
		{name: "person", path: "/team/people/" + learner.ID},
		{name: "audit", path: "/team/audit"},
	}
	b := browsertest.Start(t)
	for _, lang := range []string{"lv", "en"} {
		for _, width := range []int{1280, 375} {
			tab := b.NewTab(t, browsertest.Viewport{Width: width, Height: 900, Mobile: width < 600})
			tab.SetCookie(t, s.URL, team.cookie("mooc_session"))
			for _, k := range kinds {
				sep := "?"
				if strings.Contains(k.path, "?") {
					sep = "&"
				}
				st := tab.Navigate(t, s.URL+k.path+sep+"lang="+lang)
				if k.refused != "" {
					tab.Eval(t, `document.querySelectorAll("input[required], textarea[required], select[required]").forEach(e => e.required = false)`, nil)
					st = tab.ClickNavigate(t, k.refused)
				}
				name := fmt.Sprintf("team-%s-%s-%d", k.name, lang, width)
				checkPage(t, tab, name, st, k.status)
			}
		}
	}
}
