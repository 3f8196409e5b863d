package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"mooc/programmes"
)

// programmePage is a programme with the reader's application.
type programmePage struct {
	programmes.Programme
	Mine *programmes.Application
	Form form
}

func (p *pages) programmePage(r *request, id string) (programmePage, error) {
	pr, err := p.Programmes.Programme(r.ctx, id)
	if err != nil {
		return programmePage{}, err
	}
	pg := programmePage{Programme: pr, Form: form{}}
	if r.user != nil {
		pg.Form["municipality"] = r.user.Municipality
		a, err := p.Programmes.MyApplication(r.ctx, r.principal, pr.ID)
		switch {
		case err == nil && a.Status != programmes.Withdrawn:
			pg.Mine = &a
		case err != nil && !errors.Is(err, programmes.ErrNotFound):
			return programmePage{}, err
		}
	}
	return pg, nil
}

func (p *pages) programme(c *fiber.Ctx, r *request) error {
	pg, err := p.programmePage(r, c.Params("id"))
	if err != nil {
		return err
	}
	return p.render(c, r, fiber.StatusOK, "programme", pg.Title, pg, nil)
}

func (p *pages) apply(c *fiber.Ctx, r *request) error {
	f := fields(c, "municipality", "took_part_in_pilot")
	form := programmes.ApplicationForm{Municipality: f["municipality"]}
	switch f["took_part_in_pilot"] {
	case "yes":
		form.TookPartInPilot = boolPtr(true)
	case "no":
		form.TookPartInPilot = boolPtr(false)
	}
	id := c.Params("id")
	if _, err := p.Programmes.Apply(r.ctx, r.principal, id, form); err != nil {
		pg, perr := p.programmePage(r, id)
		if perr != nil {
			return perr
		}
		pg.Form = f
		return p.formRefusal(c, r, "programme", pg.Title, pg, err)
	}
	return p.redirect(c, r, "/programmes/"+id, "flash.applied")
}

func (p *pages) withdrawApplication(c *fiber.Ctx, r *request) error {
	id := c.Params("id")
	if err := p.Programmes.Withdraw(r.ctx, r.principal, id); err != nil {
		return err
	}
	return p.redirect(c, r, "/programmes/"+id, "flash.application_withdrawn")
}

func boolPtr(b bool) *bool { return &b }
