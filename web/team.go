package web

import (
	"github.com/gofiber/fiber/v2"

	"mooc/accounts"
	"mooc/audit"
	"mooc/catalogue"
)

// teamRoutes adds the pages of the project team (/team): methodologies,
// cohorts, in-person programmes, certificates, people and the audit log.
// To anyone outside the team they are the 404 page.
func (p *pages) teamRoutes(get, post routeFunc) {
	t := p.teamOnly
	get("/team", t(p.teamHome))
	post("/team/methodologies", t(p.teamCreateMethodology))

	get("/team/courses/:id", t(p.teamCourse))
	post("/team/courses/:id/cohorts", t(p.teamOpenCohort))
	get("/team/cohorts/:id", t(p.teamCohort))
	post("/team/cohorts/:id", t(p.teamUpdateCohort))
	post("/team/cohorts/:id/enrolments", t(p.teamEnrol))
	get("/team/cohorts/:id/export", t(p.teamExportEnrolments))
	post("/team/cohorts/:id/certificates", t(p.teamStartBulk))
	get("/team/certificate-jobs/:id", t(p.teamJob))

	get("/team/programmes", t(p.teamProgrammes))
	post("/team/programmes", t(p.teamCreateProgramme))
	get("/team/programmes/:id", t(p.teamProgramme))
	post("/team/programmes/:id", t(p.teamUpdateProgramme))
	post("/team/programmes/:id/allocation", t(p.teamAllocate))
	post("/team/programmes/:id/applications/:application/accept", t(p.teamAccept))
	post("/team/programmes/:id/attendance/:user", t(p.teamAttendance))
	get("/team/programmes/:id/export", t(p.teamExportApplications))
	get("/team/programmes/:id/mentoring", t(p.teamMentoring))
	post("/team/programmes/:id/mentoring/sessions", t(p.teamLogSession)) // before :participant
	post("/team/programmes/:id/mentoring/:participant", t(p.teamAssignMentor))

	get("/team/certificates", t(p.teamCertificates))
	post("/team/certificates/:code/revoke", t(p.teamRevoke))

	get("/team/people", t(p.teamPeople))
	get("/team/people/:id", t(p.teamPerson))
	post("/team/people/:id/roles", t(p.teamSetRoles))
	post("/team/people/:id/close", t(p.teamClose))
	get("/team/audit", t(p.teamAudit))
}

// teamOnly is withRole for the team, with the team member named as the
// actor of what the domains audit.
func (p *pages) teamOnly(h handler) fiber.Handler {
	return p.withRole(accounts.RoleTeam, func(c *fiber.Ctx, r *request) error {
		r.ctx = audit.WithActor(r.ctx, r.user.ID)
		return h(c, r)
	})
}

// teamHomePage is /team: where to go, and the methodologies.
type teamHomePage struct {
	Methodologies []catalogue.Methodology
	Courses       []catalogue.Course
	Form          form
}

// teamDirections are the methodologies' directions, in the form's order.
var teamDirections = []string{"theory", "target_group", "crisis"}

func (pg teamHomePage) Directions() []string { return teamDirections }

func (p *pages) teamHomeData(r *request, f form) (teamHomePage, error) {
	ms, _, err := p.Catalogue.Methodologies(r.ctx, 100, "")
	if err != nil {
		return teamHomePage{}, err
	}
	courses, _, err := p.Catalogue.Courses(r.ctx, r.principal, catalogue.CourseFilter{Status: "published"}, 100, "")
	if err != nil {
		return teamHomePage{}, err
	}
	return teamHomePage{Methodologies: ms, Courses: courses, Form: f}, nil
}

func (p *pages) teamHome(c *fiber.Ctx, r *request) error {
	pg, err := p.teamHomeData(r, form{})
	if err != nil {
		return err
	}
	return p.render(c, r, fiber.StatusOK, "team_home", r.loc.T("team.home.title"), pg, nil)
}

func (p *pages) teamCreateMethodology(c *fiber.Ctx, r *request) error {
	f := fields(c, "title", "summary", "direction")
	_, err := p.Catalogue.CreateMethodology(r.ctx, catalogue.NewMethodology{Title: f["title"], Summary: f["summary"], Direction: f["direction"]})
	if err != nil {
		pg, perr := p.teamHomeData(r, f)
		if perr != nil {
			return perr
		}
		return p.formRefusal(c, r, "team_home", r.loc.T("team.home.title"), pg, err)
	}
	return p.redirect(c, r, "/team", "team.flash.methodology_created")
}
