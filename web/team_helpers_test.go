package web_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"mooc/accounts"
	"mooc/internal/lv"
)

// teamPassword is every test person's password.
const teamPassword = "zaļš kalns dzied rītā"

// teamPerson registers a person through the service, gives them roles
// and signs them in through the login form.
func (s *site) teamPerson(t *testing.T, email, given, family string, roles ...string) (*browser, accounts.User) {
	t.Helper()
	ctx := context.Background()
	u, err := s.App.Accounts.Register(ctx, accounts.Registration{Email: email, Password: teamPassword, GivenName: given,
		FamilyName: family, Municipality: "Valmieras novads"}, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if len(roles) > 0 {
		if u, err = s.App.Accounts.SetRoles(ctx, u.ID, roles); err != nil {
			t.Fatal(err)
		}
	}
	return s.teamLogin(t, email), u
}

// teamLogin signs a person in through the login form.
func (s *site) teamLogin(t *testing.T, email string) *browser {
	t.Helper()
	b := newBrowser(t, s.URL)
	b.post("/login", url.Values{"email": {email}, "password": {teamPassword}, "next": {"/learn"}}).expect(t, 303)
	return b
}

// teamLocalTime writes t as a datetime-local control sends it.
func teamLocalTime(t time.Time) string { return t.In(lv.Riga).Format("2006-01-02T15:04") }

// teamProgrammeForm is a valid programme form on the clock: applications
// open now for an hour, the programme runs from tomorrow for ten days.
func teamProgrammeForm(methodologyID, title string, now time.Time, groupSize string) url.Values {
	return url.Values{"methodology_id": {methodologyID}, "title": {title}, "hours": {"96"}, "group_size": {groupSize},
		"location": {"Valmiera, Rīgas iela 10"}, "region": {"Vidzeme"}, "completion_percent": {"90"},
		"starts_at": {teamLocalTime(now.Add(24 * time.Hour))}, "ends_at": {teamLocalTime(now.Add(11 * 24 * time.Hour))},
		"applications_open_at": {teamLocalTime(now.Add(-time.Minute))}, "applications_close_at": {teamLocalTime(now.Add(time.Hour))}}
}

// teamApply signs a person up and applies for a programme through the page.
func (s *site) teamApply(t *testing.T, email, given, family, programmeID string, pilot bool) accounts.User {
	t.Helper()
	b, u := s.teamPerson(t, email, given, family)
	answer := "no"
	if pilot {
		answer = "yes"
	}
	b.post("/programmes/"+programmeID+"/apply", url.Values{"municipality": {"Cēsu novads"}, "took_part_in_pilot": {answer}}).expect(t, 303)
	return u
}

// teamLocation is the path a form's answer sends the browser to.
func teamLocation(t *testing.T, p page) string {
	t.Helper()
	loc := p.header.Get("Location")
	if loc == "" {
		t.Fatalf("no Location in %d: %.500s", p.status, p.body)
	}
	return loc
}

// teamPaths are a GET of every kind of team page.
func (s *site) teamPaths(t *testing.T) []string {
	t.Helper()
	return []string{"/team", "/team/courses/" + s.Course.ID, "/team/cohorts/" + s.Cohort.ID, "/team/cohorts/" + s.Cohort.ID + "/export?format=csv",
		"/team/programmes", "/team/programmes/" + s.Programme.ID, "/team/programmes/" + s.Programme.ID + "/export?format=xlsx",
		"/team/certificates?q=Liepa", "/team/people?email=mooc", "/team/audit", "/team/certificate-jobs/" + s.Cohort.ID}
}

// teamMethodology is the demo's methodology.
func (s *site) teamMethodology(t *testing.T) string {
	t.Helper()
	ms, _, err := s.App.Catalogue.Methodologies(context.Background(), 10, "")
	if err != nil || len(ms) == 0 {
		t.Fatalf("methodologies: %v %v", ms, err)
	}
	return ms[0].ID
}
