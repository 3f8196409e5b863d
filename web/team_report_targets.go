package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"mooc/reports"
)

// targetsPage is /team/reports/targets: the funders' targets with the
// distinct people achieved towards each, and a form to set one (a key
// already used replaces that target).
type targetsPage struct {
	Nav     reportNav
	Targets []reports.TargetProgress
	Form    form
	Kinds   []string
}

// Kind tells the reports' template which page it shows.
func (targetsPage) Kind() string { return "targets" }

func (p *pages) targetsData(c *fiber.Ctx, r *request, f form) (targetsPage, error) {
	page := targetsPage{Nav: navOf("targets", reportPeriod{}), Form: f, Kinds: []string{reports.KindOnline, reports.KindInPerson}}
	svc, err := p.reportsOf(c)
	if err != nil {
		return page, err
	}
	page.Targets, _, err = svc.Targets(r.ctx, 200, "")
	return page, err
}

func (p *pages) reportTargets(c *fiber.Ctx, r *request) error {
	page, err := p.targetsData(c, r, form{})
	if err != nil {
		return err
	}
	return p.render(c, r, fiber.StatusOK, "team_reports", r.loc.T("report.targets.title"), page, nil)
}

func (p *pages) reportSetTarget(c *fiber.Ctx, r *request) error {
	f := fields(c, "key", "title", "people", "by")
	var kinds []string
	for _, k := range []string{reports.KindOnline, reports.KindInPerson} {
		if c.FormValue("kind_"+k) == "yes" {
			kinds = append(kinds, k)
			f["kind_"+k] = "yes"
		}
	}
	people, _ := strconv.Atoi(f["people"]) // not a number: 0, refused as under one person
	svc, err := p.reportsOf(c)
	if err != nil {
		return err
	}
	_, err = svc.SetTarget(r.ctx, f["key"], reports.TargetFields{Title: f["title"], People: people, By: f["by"], Kinds: kinds})
	if err != nil {
		page, perr := p.targetsData(c, r, f)
		if perr != nil {
			return perr
		}
		return p.formRefusal(c, r, "team_reports", r.loc.T("report.targets.title"), page, err)
	}
	return p.redirect(c, r, "/team/reports/targets", "report.targets.saved")
}
