package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"mooc/accounts"
	"mooc/internal/database"
)

// Only the team reaches /team: an author and a learner get the 404 page
// for every team page and form; the team's forms refuse what the services
// refuse, with the contract's message and the fields named, and a form
// without its CSRF token.
func TestTeamPagesOverHTTP(t *testing.T) {
	clk := &clock{now: time.Now().UTC().Truncate(time.Second)}
	s := startSite(t, siteOptions{dialect: database.SQLite, now: clk.Now})
	team, member := s.teamPerson(t, "komanda@mooc.test", "Līga", "Ozoliņa", accounts.RoleTeam)
	author, _ := s.teamPerson(t, "autors@mooc.test", "Jānis", "Bērziņš", accounts.RoleAuthor)
	learner, lu := s.teamPerson(t, "macas@mooc.test", "Ģirts", "Ķļaviņš")

	for _, path := range s.teamPaths(t) {
		want := 200
		if strings.HasPrefix(path, "/team/certificate-jobs/") {
			want = 404 // no such job
		}
		team.get(path).expect(t, want)
		author.get(path).expect(t, 404)
		learner.get(path).expect(t, 404)
	}
	for _, path := range []string{"/team/methodologies", "/team/cohorts/" + s.Cohort.ID, "/team/programmes/" + s.Programme.ID + "/allocation",
		"/team/people/" + lu.ID + "/roles"} {
		author.post(path, url.Values{"capacity": {"5"}, "role_team": {"yes"}}).expect(t, 404)
		learner.post(path, url.Values{"role_team": {"yes"}}).expect(t, 404)
	}
	if u, _ := s.App.Accounts.Get(t.Context(), lu.ID); len(u.Roles) != 1 {
		t.Fatalf("a learner's form changed roles: %v", u.Roles)
	}

	// CSRF: a form without the token, or with another, is refused.
	team.post("/team/cohorts/"+s.Cohort.ID, url.Values{"csrf": {"nav-tas-pats-tokens-nav-tas-pats-tokens"}, "capacity": {"150"}}).expect(t, 403)

	// Refusals: fields named, the contract's codes worded.
	team.get("/team?lang=en").expect(t, 200)
	team.post("/team/cohorts/"+s.Cohort.ID, url.Values{"capacity": {"0"}}).expect(t, 422, `id="f-capacity"`, `aria-invalid="true"`, "Please correct the marked fields")
	team.post("/team/cohorts/"+s.Cohort.ID, url.Values{"capacity": {"abc"}}).expect(t, 422, "must be a whole number")
	team.post("/team/courses/"+s.Course.ID+"/cohorts", url.Values{}).expect(t, 422, `href="#f-title"`, `href="#f-starts_at"`)
	team.post("/team/cohorts/"+s.Cohort.ID+"/enrolments", url.Values{"email": {"neviens@mooc.test"}}).expect(t, 422, "no user has this e-mail address")
	team.post("/team/cohorts/"+s.Cohort.ID+"/enrolments", url.Values{"email": {"macas@mooc.test"}}).expect(t, 303)
	team.post("/team/cohorts/"+s.Cohort.ID+"/enrolments", url.Values{"email": {"macas@mooc.test"}}).expect(t, 409)
	team.get("/team/cohorts/"+s.Cohort.ID).expect(t, 200, "Ķļaviņš Ģirts", "macas@mooc.test")
	team.get("/team/cohorts/"+s.Cohort.ID+"?status=nav").expect(t, 422, `Ķļaviņš`)
	team.post("/team/programmes", url.Values{"hours": {"50"}}).expect(t, 422, `href="#f-methodology_id"`, `href="#f-region"`)
	loc := teamLocation(t, team.post("/team/programmes", teamProgrammeForm(s.teamMethodology(t), "Stiprā puse", clk.Now(), "1")).expect(t, 303))
	team.post(loc+"/allocation", nil).expect(t, 422, "Applications are still open")
	team.post(loc+"/attendance/"+lu.ID, url.Values{"hours": {"10"}}).expect(t, 422, "has not started")
	team.post(loc, url.Values{"hours": {"101"}}).expect(t, 422, `href="#f-hours"`)
	team.post("/team/certificates/AAAA-BBBB-CCCC/revoke", url.Values{"reason": {"kļūda"}}).expect(t, 404)

	// The last team account is neither demoted nor closed.
	team.post("/team/people/"+member.ID+"/roles", url.Values{}).expect(t, 422, "last team account")
	team.post("/team/people/"+member.ID+"/close", url.Values{"confirm": {"yes"}}).expect(t, 422, "last team account")
	team.post("/team/people/"+member.ID+"/close", url.Values{}).expect(t, 422, `id="f-confirm-error"`)
	team.get("/team/audit?action=user.account_closed").expect(t, 200, "No entries.")
}
