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
	// Seated, and left without a mentor for the team to assign.
	s.teamApply(t, "maris@mooc.test", "Māris", "Ozols", id, false)
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
func TestMentorPage(t *testing.T) { onBothDialects(t, mentorPageOn) }

// onBothDialects runs a test on the embedded SQLite and on PostgreSQL.
func onBothDialects(t *testing.T, test func(*testing.T, database.Dialect)) {
	for _, d := range []database.Dialect{database.SQLite, database.Postgres} {
		t.Run(string(d), func(t *testing.T) { test(t, d) })
	}
}

func mentorPageOn(t *testing.T, d database.Dialect) {
	s, clk, id, janis := mentorSite(t, d)
	m := s.teamLogin(t, "anna@mooc.test")
	m.get("/mentor").expect(t, 200, "Kopienas sociālais darbs", "Jānis Bērziņš", "Ģirts Ķļaviņš", "individuāli", "grupā", "0 min", "mazāk par 2 stundām")
	action := "/mentor/programmes/" + id + "/sessions"
	refused := m.post(action, url.Values{"minutes": {"601"}}).expect(t, 422)
	for _, field := range []string{`id="m-0-minutes-error"`, `id="m-0-held-error"`, `id="m-0-who-error"`, `href="#f-minutes"`, `id="f-minutes"`, `id="f-held_at"`} {
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

// The team's mentoring page of a programme: every participant with a form
// to assign their mentor (the mentors listed with their load), a refusal
// past the limits and for a bad mode, sessions logged by the team and
// seen by the mentor, and nobody else's page. On both databases: the
// mentors with their role come from a query of their own.
func TestTeamMentoringPage(t *testing.T) { onBothDialects(t, teamMentoringOn) }

func teamMentoringOn(t *testing.T, d database.Dialect) {
	s, clk, id, janis := mentorSite(t, d)
	team := s.teamLogin(t, "komanda@mooc.test")
	page := "/team/programmes/" + id + "/mentoring"
	team.get("/team/programmes/"+id).expect(t, 200, `href="`+page+`"`)
	team.get(page).expect(t, 200, "Māris Ozols", "mentors vēl nav piešķirts", "Anna Kalniņa (individuāli 1, grupā 1)", "Vēl nav reģistrēta neviena tikšanās.")
	maris := userByEmail(t, s, "maris@mooc.test")
	assign := page + "/" + maris
	team.post(assign, url.Values{"mentor_id": {mentorID(t, s)}, "mode": {"individual"}}).expect(t, 422, "Mentoram vairs nav vietas")
	team.post(assign, url.Values{"mentor_id": {mentorID(t, s)}, "mode": {"pāris"}}).expect(t, 422, `id="f-mode-error"`)
	team.post(assign, url.Values{"mode": {"group"}}).expect(t, 422, `id="f-mentor_id-error"`)
	team.post(assign, url.Values{"mentor_id": {mentorID(t, s)}, "mode": {"group"}}).expect(t, 303)
	team.get(page).expect(t, 200, "Anna Kalniņa (individuāli 1, grupā 2)", "Māris Ozols</strong>: Anna Kalniņa, grupā")

	_, peteris := s.teamPerson(t, "peteris@mooc.test", "Pēteris", "Zariņš", accounts.RoleMentor)
	team.post(page+"/"+janis, url.Values{"mentor_id": {peteris.ID}, "mode": {"individual"}}).expect(t, 303)
	held := clk.Now().Add(-2 * time.Hour).Format("2006-01-02T15:04")
	sessions := page + "/sessions"
	team.post(sessions, url.Values{"minutes": {"90"}, "held_at": {held}, "participant_ids": {janis, maris}}).expect(t, 422, "šim dalībniekam ir cits mentors")
	team.post(sessions, url.Values{"minutes": {"90"}, "held_at": {held}, "participant_ids": {maris}}).expect(t, 303)
	team.get(page).expect(t, 200, "Tikšanās (1), jaunākās vispirms", "90 min")

	anna := s.teamLogin(t, "anna@mooc.test")
	anna.get("/mentor").expect(t, 200, "Reģistrētās tikšanās", "Māris Ozols", "90 min")
	anna.get(page).expect(t, 404)
	anna.post(assign, url.Values{"mentor_id": {peteris.ID}, "mode": {"group"}}).expect(t, 404)
	s.teamLogin(t, "maris@mooc.test").get(page).expect(t, 404)
	// Pēteris sees Jānis only, and no session of Anna's.
	s.teamLogin(t, "peteris@mooc.test").get("/mentor").expect(t, 200, "Jānis Bērziņš", "Vēl nav reģistrēta neviena tikšanās.")
}

// A person's mentoring is in their data export; closing their account
// ends the mentoring, which frees the mentor's place, and the session
// logged with them stays on the programme's record.
func TestMentoringInPersonalData(t *testing.T) {
	s, clk, id, _ := mentorSite(t, database.SQLite)
	ctx := context.Background()
	maris := userByEmail(t, s, "maris@mooc.test")
	if _, err := s.App.Mentoring.Assign(ctx, id, maris, mentoring.Assignment{MentorID: mentorID(t, s), Mode: mentoring.Group}); err != nil {
		t.Fatal(err)
	}
	held := clk.Now().Add(-time.Hour)
	minutes := 45
	team := s.teamLogin(t, "komanda@mooc.test")
	page := "/team/programmes/" + id + "/mentoring"
	team.post(page+"/sessions", url.Values{"minutes": {"45"}, "held_at": {held.Format("2006-01-02T15:04")}, "participant_ids": {maris}}).expect(t, 303)
	export, err := s.App.Privacy.Export(ctx, accounts.Principal{UserID: maris, Roles: []string{accounts.RoleLearner}})
	if err != nil {
		t.Fatal(err)
	}
	m, ok := export["mentoring"].(map[string]any)
	if !ok {
		t.Fatalf("the export has no mentoring section: %v", export["mentoring"])
	}
	if got := fmt.Sprint(m["mentors"]); !strings.Contains(got, mentorID(t, s)) || !strings.Contains(got, "group") {
		t.Errorf("mentors in the export = %s", got)
	}
	if got := fmt.Sprint(m["sessions_attended"]); !strings.Contains(got, fmt.Sprint(minutes)) {
		t.Errorf("sessions in the export = %s", got)
	}
	if err := s.App.Privacy.Close(ctx, maris); err != nil {
		t.Fatal(err)
	}
	team.get(page).expect(t, 200, "Anna Kalniņa (individuāli 1, grupā 1)", "Tikšanās (1), jaunākās vispirms", "<td>—</td>")
}

// The team's mentoring page, and a refused assignment, pass axe-core in
// both languages at both widths.
func TestTeamMentoringPageIsAccessible(t *testing.T) {
	s, _, id, _ := mentorSite(t, database.SQLite)
	team := s.teamLogin(t, "komanda@mooc.test")
	maris := userByEmail(t, s, "maris@mooc.test")
	b := browsertest.Start(t)
	for _, lang := range []string{"lv", "en"} {
		for _, width := range []int{1280, 375} {
			tab := b.NewTab(t, browsertest.Viewport{Width: width, Height: 900, Mobile: width < 600})
			tab.SetCookie(t, s.URL, team.cookie("mooc_session"))
			st := tab.Navigate(t, s.URL+"/team/programmes/"+id+"/mentoring?lang="+lang)
			checkPage(t, tab, fmt.Sprintf("team-mentoring-%s-%d", lang, width), st, 200)
			st = tab.ClickNavigate(t, `form[action="/team/programmes/`+id+`/mentoring/`+maris+`"] button`)
			checkPage(t, tab, fmt.Sprintf("team-mentoring-refused-%s-%d", lang, width), st, 422)
		}
	}
}

func userByEmail(t *testing.T, s *site, email string) string {
	t.Helper()
	users, _, err := s.App.Accounts.Search(context.Background(), email, 1, "")
	if err != nil || len(users) != 1 {
		t.Fatalf("no user %s: %v", email, err)
	}
	return users[0].ID
}

func mentorID(t *testing.T, s *site) string { return userByEmail(t, s, "anna@mooc.test") }
