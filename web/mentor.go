package web

import (
	"github.com/gofiber/fiber/v2"

	"mooc/accounts"
	"mooc/mentoring"
	"mooc/programmes"
)

// mentorRoutes adds the mentor's page (/mentor): their participants of
// each programme with the minutes of every month, the sessions they
// logged, and the form that logs one. The team's page of one programme's
// mentoring (team_mentoring.go) is the same page with the assignment of
// mentors added. The rules are the mentoring service's, as in the API.
func (p *pages) mentorRoutes(get, post routeFunc) {
	m := func(h handler) fiber.Handler { return p.withRole(accounts.RoleMentor, h) }
	get("/mentor", m(p.mentorHome))
	post("/mentor/programmes/:id/sessions", m(p.mentorLogSession))
}

// mentorPage is the mentor's programmes, or one programme as the team
// runs its mentoring (Team). Form and FormFor are what the session form of
// one programme was sent with, when it was refused; Refused is the
// participant whose assignment form was refused.
type mentorPage struct {
	Programmes []mentorProgramme
	Form       form
	Chosen     map[string]bool
	FormFor    string
	Now        string // the latest moment a session may be held, for the control
	Team       bool
	Mentors    []mentoring.MentorLoad
	Refused    string
}

type mentorProgramme struct {
	programmes.Programme
	Participants []mentoring.Participant
	Sessions     []mentorSession
	Seated       []mentorSeat // the team's: every participant, with or without a mentor
}

// mentorSession is a logged session with the names of those present.
type mentorSession struct {
	mentoring.Session
	Mentor string
	Names  []string
}

// mentorSeat is a participant as the team assigns their mentor.
type mentorSeat struct {
	ID, Name  string
	Mentoring *mentoring.Participant
}

// SessionAction is where the session form of a programme posts.
func (pg mentorPage) SessionAction(programmeID string) string {
	if pg.Team {
		return "/team/programmes/" + programmeID + "/mentoring/sessions"
	}
	return "/mentor/programmes/" + programmeID + "/sessions"
}

func (p *pages) mentorPage(r *request) (mentorPage, error) {
	overviews, err := p.Mentoring.Mentored(r.ctx, r.principal)
	if err != nil {
		return mentorPage{}, err
	}
	pg := mentorPage{Form: form{}, Chosen: map[string]bool{}, Now: teamLocal(p.Now())}
	for _, o := range overviews {
		mp, err := p.mentorProgramme(r, o)
		if err != nil {
			return mentorPage{}, err
		}
		pg.Programmes = append(pg.Programmes, mp)
	}
	return pg, nil
}

// mentorProgramme is one programme's overview with its sessions, named
// from the overview (a participant no longer mentored, e.g. after closing
// their account, is left unnamed).
func (p *pages) mentorProgramme(r *request, o mentoring.Overview) (mentorProgramme, error) {
	pr, err := p.Programmes.Programme(r.ctx, o.ProgrammeID)
	if err != nil {
		return mentorProgramme{}, err
	}
	sessions, err := p.Mentoring.Sessions(r.ctx, r.principal, o.ProgrammeID)
	if err != nil {
		return mentorProgramme{}, err
	}
	names := map[string]string{}
	for _, pt := range o.Participants {
		names[pt.Participant.ID] = pt.Participant.GivenName + " " + pt.Participant.FamilyName
		names[pt.Mentor.ID] = pt.Mentor.GivenName + " " + pt.Mentor.FamilyName
	}
	mp := mentorProgramme{Programme: pr, Participants: o.Participants}
	for _, s := range sessions {
		ms := mentorSession{Session: s, Mentor: names[s.MentorID]}
		for _, id := range s.ParticipantIDs {
			if n, ok := names[id]; ok {
				ms.Names = append(ms.Names, n)
			} else {
				ms.Names = append(ms.Names, "—")
			}
		}
		mp.Sessions = append(mp.Sessions, ms)
	}
	return mp, nil
}

func (p *pages) mentorHome(c *fiber.Ctx, r *request) error {
	pg, err := p.mentorPage(r)
	if err != nil {
		return err
	}
	return p.render(c, r, fiber.StatusOK, "mentor_home", r.loc.T("mentor.title"), pg, nil)
}

// sessionForm reads the session form of either page.
func sessionForm(c *fiber.Ctx) (mentoring.SessionForm, form, map[string]bool, error) {
	f := fields(c, "minutes", "held_at")
	tr := teamReader{f: f}
	in := mentoring.SessionForm{Minutes: tr.int("minutes"), HeldAt: tr.time("held_at")}
	chosen := map[string]bool{}
	for _, v := range c.Request().PostArgs().PeekMulti("participant_ids") {
		in.ParticipantIDs = append(in.ParticipantIDs, string(v))
		chosen[string(v)] = true
	}
	return in, f, chosen, tr.err()
}

func (p *pages) mentorLogSession(c *fiber.Ctx, r *request) error {
	in, f, chosen, err := sessionForm(c)
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
