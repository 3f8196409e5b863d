package web_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"mooc/accounts"
	"mooc/internal/browsertest"
	"mooc/internal/database"
	"mooc/mentoring"
)

// mentorSite is a site with a programme whose seats are given out and a
// mentor supporting both participants, one individually and one in the
// group; it returns the programme's id and the individual participant's.
func mentorSite(t *testing.T, d database.Dialect) (*site, *clock, string, string) {
	t.Helper()
	clk := &clock{now: time.Now().UTC().Truncate(time.Minute)}
	s := startSite(t, siteOptions{dialect: d, now: clk.Now})
	team, _ := s.teamPerson(t, "komanda@mooc.test", "Līga", "Ozoliņa", accounts.RoleTeam)
	prog := teamLocation(t, team.post("/team/programmes", teamProgrammeForm(s.teamMethodology(t), "Kopienas sociālais darbs", clk.Now(), "5")).expect(t, 303))
	id := strings.TrimPrefix(prog, "/team/programmes/")
	janis := s.teamApply(t, "janis@mooc.test", "Jānis", "Bērziņš", id, false)
	girts := s.teamApply(t, "girts@mooc.test", "Ģirts", "Ķļaviņš", id, true)
	clk.Add(2 * time.Hour)
	ctx := context.Background()
	if _, err := s.App.Programmes.Allocate(ctx, id); err != nil {
		t.Fatal(err)
	}
	_, mentor := s.teamPerson(t, "anna@mooc.test", "Anna", "Kalniņa", accounts.RoleMentor)
	for who, mode := range map[string]string{janis.ID: mentoring.Individual, girts.ID: mentoring.Group} {
		if _, err := s.App.Mentoring.Assign(ctx, id, who, mentoring.Assignment{MentorID: mentor.ID, Mode: mode}); err != nil {
			t.Fatal(err)
		}
	}
	return s, clk, id, janis.ID
}

// The mentor sees their participants, logs a session with the form, and
// the month's minutes grow; a refused form names its fields; the page is
// no one else's. On both databases: the page lists the mentor's
// programmes with a query of its own.
func TestMentorPage(t *testing.T) {
	for _, d := range []database.Dialect{database.SQLite, database.Postgres} {
		t.Run(string(d), func(t *testing.T) { mentorPageOn(t, d) })
	}
}

func mentorPageOn(t *testing.T, d database.Dialect) {
	s, clk, id, janis := mentorSite(t, d)
	m := s.teamLogin(t, "anna@mooc.test")
	m.get("/mentor").expect(t, 200, "Kopienas sociālais darbs", "Jānis Bērziņš", "Ģirts Ķļaviņš", "individuāli", "grupā", "0 min", "mazāk par 2 stundām")
	action := "/mentor/programmes/" + id + "/sessions"
	refused := m.post(action, url.Values{"minutes": {"601"}}).expect(t, 422)
	for _, field := range []string{`id="m-0-minutes-error"`, `id="m-0-held-error"`, `id="m-0-who-error"`} {
		if !strings.Contains(refused.body, field) {
			t.Errorf("the refused form has no %s", field)
		}
	}
	held := clk.Now().Add(-time.Hour).Format("2006-01-02T15:04")
	m.post(action, url.Values{"minutes": {"125"}, "held_at": {held}, "participant_ids": {janis}}).expect(t, 303)
	m.get("/mentor").expect(t, 200, "125 min", "Tikšanās reģistrēta.")
	_, _ = s.teamPerson(t, "ilze@mooc.test", "Ilze", "Liepa")
	s.teamLogin(t, "ilze@mooc.test").get("/mentor").expect(t, 404)
}

// The mentor's page, and its refused form, pass axe-core in both
// languages at both widths.
func TestMentorPageIsAccessible(t *testing.T) {
	s, _, id, _ := mentorSite(t, database.SQLite)
	m := s.teamLogin(t, "anna@mooc.test")
	b := browsertest.Start(t)
	for _, lang := range []string{"lv", "en"} {
		for _, width := range []int{1280, 375} {
			tab := b.NewTab(t, browsertest.Viewport{Width: width, Height: 900, Mobile: width < 600})
			tab.SetCookie(t, s.URL, m.cookie("mooc_session"))
			st := tab.Navigate(t, s.URL+"/mentor?lang="+lang)
			checkPage(t, tab, fmt.Sprintf("mentor-%s-%d", lang, width), st, 200)
			tab.Eval(t, `document.querySelectorAll("input[required]").forEach(e => e.required = false)`, nil)
			st = tab.ClickNavigate(t, `form[action="/mentor/programmes/`+id+`/sessions"] button`)
			checkPage(t, tab, fmt.Sprintf("mentor-refused-%s-%d", lang, width), st, 422)
		}
	}
}

// The team's person page gives and keeps the mentor role: saving the
// roles form without it would take it away.
func TestTeamGivesTheMentorRole(t *testing.T) {
	s := startSite(t, siteOptions{dialect: database.SQLite})
	team, _ := s.teamPerson(t, "komanda@mooc.test", "Līga", "Ozoliņa", accounts.RoleTeam)
	_, u := s.teamPerson(t, "anna@mooc.test", "Anna", "Kalniņa")
	team.get("/team/people/"+u.ID).expect(t, 200, `name="role_mentor"`)
	team.post("/team/people/"+u.ID+"/roles", url.Values{"role_mentor": {"yes"}}).expect(t, 303)
	got, err := s.App.Accounts.Get(context.Background(), u.ID)
	if err != nil || !slices.Contains(got.Roles, accounts.RoleMentor) {
		t.Fatalf("roles %v, %v; want mentor among them", got.Roles, err)
	}
	team.get("/team/people/"+u.ID).expect(t, 200, `name="role_mentor" value="yes" checked`)
	s.teamLogin(t, "anna@mooc.test").get("/mentor").expect(t, 200, "Jums vēl nav piešķirts neviens dalībnieks.")
}
