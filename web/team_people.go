package web

import (
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"mooc/accounts"
	"mooc/audit"
	"mooc/certificates"
	"mooc/cohorts"
	"mooc/internal/validation"
)

// teamPeoplePage is the search of people by e-mail.
type teamPeoplePage struct {
	Query    string
	Found    []accounts.User
	Searched bool
}

func (p *pages) teamPeople(c *fiber.Ctx, r *request) error {
	pg := teamPeoplePage{Query: strings.TrimSpace(c.Query("email"))}
	if pg.Query != "" {
		found, _, err := p.Accounts.Search(r.ctx, pg.Query, 50, "")
		if err != nil {
			return err
		}
		pg.Found, pg.Searched = found, true
	}
	return p.render(c, r, fiber.StatusOK, "team_people", r.loc.T("team.people.title"), pg, nil)
}

// teamEnrolmentLine is one of a person's enrolments with its course.
type teamEnrolmentLine struct {
	cohorts.Enrolment
	CourseTitle string
	CohortTitle string
}

// teamPersonPage is one person as the team sees them.
type teamPersonPage struct {
	Person       accounts.User
	Enrolments   []teamEnrolmentLine
	Certificates []certificates.Certificate
	Refused      string // roles or close
}

// Holds tells whether the person holds a role.
func (pg teamPersonPage) Holds(role string) bool { return slices.Contains(pg.Person.Roles, role) }

func (p *pages) teamPersonData(r *request, id string) (teamPersonPage, error) {
	u, err := p.Accounts.Get(r.ctx, id)
	if err != nil {
		return teamPersonPage{}, err
	}
	pg := teamPersonPage{Person: u}
	es, err := p.Cohorts.MyEnrolments(r.ctx, u.ID)
	if err != nil {
		return teamPersonPage{}, err
	}
	ids := make([]string, 0, len(es))
	for _, e := range es {
		ids = append(ids, e.CourseID)
	}
	heads, err := p.Catalogue.Headers(r.ctx, ids)
	if err != nil {
		return teamPersonPage{}, err
	}
	for _, e := range es {
		co, err := p.Cohorts.Cohort(r.ctx, e.CohortID)
		if err != nil {
			return teamPersonPage{}, err
		}
		pg.Enrolments = append(pg.Enrolments, teamEnrolmentLine{Enrolment: e, CourseTitle: heads[e.CourseID].Title, CohortTitle: co.Title})
	}
	if pg.Certificates, err = p.Certificates.HeldBy(r.ctx, u.ID); err != nil {
		return teamPersonPage{}, err
	}
	return pg, nil
}

func (p *pages) teamPerson(c *fiber.Ctx, r *request) error {
	pg, err := p.teamPersonData(r, c.Params("id"))
	if err != nil {
		return err
	}
	return p.render(c, r, fiber.StatusOK, "team_person", pg.Person.Email, pg, nil)
}

func (p *pages) teamPersonRefusal(c *fiber.Ctx, r *request, which string, err error) error {
	pg, perr := p.teamPersonData(r, c.Params("id"))
	if perr != nil {
		return perr
	}
	pg.Refused = which
	return p.formRefusal(c, r, "team_person", pg.Person.Email, pg, err)
}

func (p *pages) teamSetRoles(c *fiber.Ctx, r *request) error {
	var roles []string
	for _, role := range []string{accounts.RoleAuthor, accounts.RoleTeam, accounts.RoleMentor} {
		if c.FormValue("role_"+role) == "yes" {
			roles = append(roles, role)
		}
	}
	if _, err := p.Accounts.SetRoles(r.ctx, c.Params("id"), roles); err != nil {
		return p.teamPersonRefusal(c, r, "roles", err)
	}
	return p.redirect(c, r, "/team/people/"+c.Params("id"), "team.flash.roles_saved")
}

func (p *pages) teamClose(c *fiber.Ctx, r *request) error {
	if c.FormValue("confirm") != "yes" {
		return p.teamPersonRefusal(c, r, "close", validation.Fail(validation.Field("confirm", "must be ticked")))
	}
	if err := p.Privacy.Close(r.ctx, c.Params("id")); err != nil {
		return p.teamPersonRefusal(c, r, "close", err)
	}
	if c.Params("id") == r.user.ID { // one's own account: signed out with it
		p.clearCookie(c, r, sessionCookie)
		return p.redirect(c, r, "/", "flash.account_closed")
	}
	return p.redirect(c, r, "/team/people/"+c.Params("id"), "team.flash.closed")
}

// teamAuditPage is a page of the audit log with its filter.
type teamAuditPage struct {
	Filter  audit.Filter
	Entries []audit.Entry
	People  map[string]accounts.User
	Next    string // the query of the next page, when there is one
}

// Actions are the logged actions, for the filter.
func (teamAuditPage) Actions() []string {
	return []string{audit.RolesChanged, audit.AccountClosed, audit.CertificateRevoked, audit.CohortChanged, audit.ProgrammeAllocated,
		audit.ApplicationAccepted, audit.AttendanceRecorded, audit.PersonalDataExported}
}

// Name is how the log names a person: their e-mail, or their id.
func (pg teamAuditPage) Name(id string) string {
	if u, ok := pg.People[id]; ok && u.Email != "" {
		return u.Email
	}
	return id
}

func (p *pages) teamAudit(c *fiber.Ctx, r *request) error {
	f := audit.Filter{Action: strings.TrimSpace(c.Query("action")), ActorID: strings.TrimSpace(c.Query("actor_id")),
		SubjectID: strings.TrimSpace(c.Query("subject_id")), TargetID: strings.TrimSpace(c.Query("target_id"))}
	entries, next, err := p.Privacy.AuditLog(r.ctx, f, 50, c.Query("cursor"))
	if err != nil {
		return err
	}
	var ids []string
	for _, e := range entries {
		ids = append(ids, e.ActorID, e.SubjectID)
	}
	people, err := p.Accounts.Users(r.ctx, slices.DeleteFunc(ids, func(s string) bool { return s == "" }))
	if err != nil {
		return err
	}
	pg := teamAuditPage{Filter: f, Entries: entries, People: people}
	if next != "" {
		pg.Next = "/team/audit?action=" + urlQueryEscape(f.Action) + "&actor_id=" + urlQueryEscape(f.ActorID) + "&subject_id=" +
			urlQueryEscape(f.SubjectID) + "&target_id=" + urlQueryEscape(f.TargetID) + "&cursor=" + urlQueryEscape(next)
	}
	return p.render(c, r, fiber.StatusOK, "team_audit", r.loc.T("team.audit.title"), pg, nil)
}
