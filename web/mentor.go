package web

import (
	"github.com/gofiber/fiber/v2"

	"mooc/accounts"
	"mooc/mentoring"
	"mooc/programmes"
)

// mentorRoutes adds the mentor's page (/mentor): their participants of
// each programme with the minutes of every month, and the form that logs
// a session. The rules are the mentoring service's, as in the API.
func (p *pages) mentorRoutes(get, post routeFunc) {
	m := func(h handler) fiber.Handler { return p.withRole(accounts.RoleMentor, h) }
	get("/mentor", m(p.mentorHome))
	post("/mentor/programmes/:id/sessions", m(p.mentorLogSession))
}

// mentorPage is the mentor's programmes; Form and FormFor are what the
// session form of one programme was sent with, when it was refused.
type mentorPage struct {
	Programmes []mentorProgramme
	Form       form
	Chosen     map[string]bool
	FormFor    string
	Now        string // the latest moment a session may be held, for the control
}

type mentorProgramme struct {
	programmes.Programme
	Participants []mentoring.Participant
}

func (p *pages) mentorPage(r *request) (mentorPage, error) {
	overviews, err := p.Mentoring.Mentored(r.ctx, r.principal)
	if err != nil {
		return mentorPage{}, err
	}
	pg := mentorPage{Form: form{}, Chosen: map[string]bool{}, Now: teamLocal(p.Now())}
	for _, o := range overviews {
		pr, err := p.Programmes.Programme(r.ctx, o.ProgrammeID)
		if err != nil {
			return mentorPage{}, err
		}
		pg.Programmes = append(pg.Programmes, mentorProgramme{Programme: pr, Participants: o.Participants})
	}
	return pg, nil
}

func (p *pages) mentorHome(c *fiber.Ctx, r *request) error {
	pg, err := p.mentorPage(r)
	if err != nil {
		return err
	}
	return p.render(c, r, fiber.StatusOK, "mentor_home", r.loc.T("mentor.title"), pg, nil)
}

func (p *pages) mentorLogSession(c *fiber.Ctx, r *request) error {
	f := fields(c, "minutes", "held_at")
	tr := teamReader{f: f}
	in := mentoring.SessionForm{Minutes: tr.int("minutes"), HeldAt: tr.time("held_at")}
	chosen := map[string]bool{}
	for _, v := range c.Request().PostArgs().PeekMulti("participant_ids") {
		in.ParticipantIDs = append(in.ParticipantIDs, string(v))
		chosen[string(v)] = true
	}
	err := tr.err()
	if err == nil {
		_, err = p.Mentoring.LogSession(r.ctx, r.principal, c.Params("id"), in)
	}
	if err != nil {
		pg, perr := p.mentorPage(r)
		if perr != nil {
			return perr
		}
		pg.Form, pg.Chosen, pg.FormFor = f, chosen, c.Params("id")
		return p.formRefusal(c, r, "mentor_home", r.loc.T("mentor.title"), pg, err)
	}
	return p.redirect(c, r, "/mentor", "mentor.flash.logged")
}
