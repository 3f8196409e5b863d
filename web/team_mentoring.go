package web

import (
	"github.com/gofiber/fiber/v2"

	"mooc/mentoring"
	"mooc/programmes"
)

// The team's page of a programme's mentoring: every participant with
// their mentor and mode, a form to assign or change it (the mentors
// listed with their load, so the limits of Fits can be seen before they
// refuse), the minutes per month, and the sessions, which the team may
// log for any one mentor. Registered by teamRoutes.

func (p *pages) teamMentoringData(r *request, id string) (mentorPage, error) {
	o, err := p.Mentoring.Overview(r.ctx, r.principal, id)
	if err != nil {
		return mentorPage{}, err
	}
	mp, err := p.mentorProgramme(r, o)
	if err != nil {
		return mentorPage{}, err
	}
	l, err := p.Programmes.Applications(r.ctx, id, programmes.ListQuery{Status: []string{programmes.Accepted}, Sort: programmes.ByName})
	if err != nil {
		return mentorPage{}, err
	}
	byID := map[string]*mentoring.Participant{}
	for i := range mp.Participants {
		byID[mp.Participants[i].Participant.ID] = &mp.Participants[i]
	}
	for _, a := range l.Items {
		mp.Seated = append(mp.Seated, mentorSeat{ID: a.UserID, Name: a.User.GivenName + " " + a.User.FamilyName, Mentoring: byID[a.UserID]})
	}
	mentors, err := p.Mentoring.Mentors(r.ctx, id)
	if err != nil {
		return mentorPage{}, err
	}
	return mentorPage{Programmes: []mentorProgramme{mp}, Form: form{}, Chosen: map[string]bool{}, Now: teamLocal(p.Now()),
		Team: true, Mentors: mentors}, nil
}

func (p *pages) teamMentoring(c *fiber.Ctx, r *request) error {
	pg, err := p.teamMentoringData(r, c.Params("id"))
	if err != nil {
		return err
	}
	return p.render(c, r, fiber.StatusOK, "mentor_home", r.loc.T("mentor.team_title", pg.Programmes[0].Title), pg, nil)
}

// teamMentoringRefusal shows the page again with why one of its forms was
// refused.
func (p *pages) teamMentoringRefusal(c *fiber.Ctx, r *request, edit func(*mentorPage), err error) error {
	pg, perr := p.teamMentoringData(r, c.Params("id"))
	if perr != nil {
		return perr
	}
	edit(&pg)
	return p.formRefusal(c, r, "mentor_home", r.loc.T("mentor.team_title", pg.Programmes[0].Title), pg, err)
}

func (p *pages) teamAssignMentor(c *fiber.Ctx, r *request) error {
	f := fields(c, "mentor_id", "mode")
	participant := c.Params("participant")
	_, err := p.Mentoring.Assign(r.ctx, c.Params("id"), participant, mentoring.Assignment{MentorID: f["mentor_id"], Mode: f["mode"]})
	if err != nil {
		return p.teamMentoringRefusal(c, r, func(pg *mentorPage) { pg.Refused, pg.Form = participant, f }, err)
	}
	return p.redirect(c, r, "/team/programmes/"+c.Params("id")+"/mentoring#s-"+participant, "mentor.flash.assigned")
}

func (p *pages) teamLogSession(c *fiber.Ctx, r *request) error {
	in, f, chosen, err := sessionForm(c)
	if err == nil {
		_, err = p.Mentoring.LogSession(r.ctx, r.principal, c.Params("id"), in)
	}
	if err != nil {
		return p.teamMentoringRefusal(c, r, func(pg *mentorPage) { pg.Form, pg.Chosen, pg.FormFor = f, chosen, c.Params("id") }, err)
	}
	return p.redirect(c, r, "/team/programmes/"+c.Params("id")+"/mentoring", "mentor.flash.logged")
}
