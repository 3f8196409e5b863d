package web

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"mooc/api"
	"mooc/catalogue"
	"mooc/certificates"
	"mooc/internal/validation"
	"mooc/programmes"
)

var teamProgrammeFields = []string{"methodology_id", "title", "hours", "group_size", "location", "region", "starts_at", "ends_at",
	"applications_open_at", "applications_close_at", "completion_percent"}

// teamProgrammeFieldsOf reads a programme form; on an edit an empty field
// is left as it is.
func teamProgrammeFieldsOf(c *fiber.Ctx) (programmes.Fields, form, error) {
	f := fields(c, teamProgrammeFields...)
	tr := &teamReader{f: f}
	out := programmes.Fields{MethodologyID: tr.text("methodology_id"), Title: tr.text("title"), Hours: tr.int("hours"),
		GroupSize: tr.int("group_size"), Location: tr.text("location"), Region: tr.text("region"),
		StartsAt: tr.time("starts_at"), EndsAt: tr.time("ends_at"), ApplicationsOpenAt: tr.time("applications_open_at"),
		ApplicationsCloseAt: tr.time("applications_close_at"), CompletionPercent: tr.int("completion_percent")}
	return out, f, tr.err()
}

// teamProgrammeForm is a programme's values as its edit form shows them.
func teamProgrammeForm(pr programmes.Programme) form {
	return form{"methodology_id": pr.MethodologyID, "title": pr.Title, "hours": strconv.Itoa(pr.Hours), "group_size": strconv.Itoa(pr.GroupSize),
		"location": pr.Location, "region": pr.Region, "starts_at": teamLocal(pr.StartsAt), "ends_at": teamLocal(pr.EndsAt),
		"applications_open_at": teamLocal(pr.ApplicationsOpenAt), "applications_close_at": teamLocal(pr.ApplicationsCloseAt),
		"completion_percent": strconv.Itoa(pr.CompletionPercent)}
}

// teamProgrammesPage lists the programmes with the form for a new one.
type teamProgrammesPage struct {
	Programmes    []programmes.Programme
	Methodologies []catalogue.Methodology
	Form          form
}

// Regions are the planning regions a programme runs in.
func (teamProgrammesPage) Regions() []string { return programmes.Regions }

// List tells the template this is the list of programmes (one template
// holds the list and a programme, which share the programme's form).
func (teamProgrammesPage) List() bool { return true }

func (p *pages) teamProgrammesData(r *request, f form) (teamProgrammesPage, error) {
	list, _, err := p.Programmes.Programmes(r.ctx, "", 100, "")
	if err != nil {
		return teamProgrammesPage{}, err
	}
	ms, _, err := p.Catalogue.Methodologies(r.ctx, 100, "")
	if err != nil {
		return teamProgrammesPage{}, err
	}
	if f == nil {
		f = form{"hours": "96", "group_size": "20", "completion_percent": "90"}
	}
	return teamProgrammesPage{Programmes: list, Methodologies: ms, Form: f}, nil
}

func (p *pages) teamProgrammes(c *fiber.Ctx, r *request) error {
	pg, err := p.teamProgrammesData(r, nil)
	if err != nil {
		return err
	}
	return p.render(c, r, fiber.StatusOK, "team_programme", r.loc.T("team.programmes.title"), pg, nil)
}

func (p *pages) teamCreateProgramme(c *fiber.Ctx, r *request) error {
	in, f, err := teamProgrammeFieldsOf(c)
	var pr programmes.Programme
	if err == nil {
		pr, err = p.Programmes.Create(r.ctx, in)
	}
	if err != nil {
		pg, perr := p.teamProgrammesData(r, f)
		if perr != nil {
			return perr
		}
		return p.formRefusal(c, r, "team_programme", r.loc.T("team.programmes.title"), pg, err)
	}
	return p.redirect(c, r, "/team/programmes/"+pr.ID, "team.flash.programme_created")
}

// teamParticipant is an application in the programme's page, with the
// certificate its attendance earned.
type teamParticipant struct {
	programmes.ListedApplication
	Certificate *certificates.Certificate
}

// teamProgrammePage is a programme as the team runs it.
type teamProgrammePage struct {
	Programme     programmes.Programme
	Methodologies []catalogue.Methodology
	Applications  []teamParticipant
	Required      int // hours of attendance that earn the certificate
	Held          int // hours held so far
	Form          form
	Refused       string // settings, or the user id whose attendance was refused
	Hours         string // the hours typed in a refused attendance form
}

// Regions are the planning regions a programme runs in.
func (teamProgrammePage) Regions() []string { return programmes.Regions }

// List tells the template this is one programme, not the list.
func (teamProgrammePage) List() bool { return false }

// Accepted counts the participants.
func (pg teamProgrammePage) Accepted() int {
	n := 0
	for _, a := range pg.Applications {
		if a.Status == programmes.Accepted {
			n++
		}
	}
	return n
}

// CanAccept tells whether an application may be given a free seat now:
// waitlisted, or applied since the allocation.
func (pg teamProgrammePage) CanAccept(a teamParticipant) bool {
	return a.Status == programmes.Waitlisted || a.Status == programmes.Applied && pg.Programme.AllocatedAt != nil
}

func (p *pages) teamProgrammeData(r *request, id string) (teamProgrammePage, error) {
	l, err := p.Programmes.Applications(r.ctx, id, programmes.ListQuery{})
	if err != nil {
		return teamProgrammePage{}, err
	}
	ms, _, err := p.Catalogue.Methodologies(r.ctx, 100, "")
	if err != nil {
		return teamProgrammePage{}, err
	}
	pr := l.Programme
	var ids []string
	for _, a := range l.Items {
		if a.Status == programmes.Accepted {
			ids = append(ids, a.ID)
		}
	}
	certs, err := p.Certificates.OfSources(r.ctx, certificates.SourceParticipant, ids)
	if err != nil {
		return teamProgrammePage{}, err
	}
	pg := teamProgrammePage{Programme: pr, Methodologies: ms, Form: teamProgrammeForm(pr),
		Required: programmes.RequiredHours(pr.Hours, pr.CompletionPercent), Held: programmes.HoursHeld(pr.Hours, pr.StartsAt, pr.EndsAt, p.Now())}
	for _, a := range l.Items {
		tp := teamParticipant{ListedApplication: a}
		if cert, ok := certs[a.ID]; ok {
			tp.Certificate = &cert
		}
		pg.Applications = append(pg.Applications, tp)
	}
	return pg, nil
}

func (p *pages) teamProgramme(c *fiber.Ctx, r *request) error {
	pg, err := p.teamProgrammeData(r, c.Params("id"))
	if err != nil {
		return err
	}
	return p.render(c, r, fiber.StatusOK, "team_programme", pg.Programme.Title, pg, nil)
}

// teamProgrammeRefusal shows the programme again with why a form of it
// was refused.
func (p *pages) teamProgrammeRefusal(c *fiber.Ctx, r *request, refused string, edit func(*teamProgrammePage), err error) error {
	pg, perr := p.teamProgrammeData(r, c.Params("id"))
	if perr != nil {
		return perr
	}
	pg.Refused = refused
	if edit != nil {
		edit(&pg)
	}
	return p.formRefusal(c, r, "team_programme", pg.Programme.Title, pg, err)
}

func (p *pages) teamUpdateProgramme(c *fiber.Ctx, r *request) error {
	in, f, err := teamProgrammeFieldsOf(c)
	if err == nil {
		_, err = p.Programmes.Update(r.ctx, c.Params("id"), in)
	}
	if err != nil {
		return p.teamProgrammeRefusal(c, r, "settings", func(pg *teamProgrammePage) { pg.Form = f }, err)
	}
	return p.redirect(c, r, "/team/programmes/"+c.Params("id"), "team.flash.programme_saved")
}

func (p *pages) teamAllocate(c *fiber.Ctx, r *request) error {
	if _, err := p.Programmes.Allocate(r.ctx, c.Params("id")); err != nil {
		return p.teamProgrammeRefusal(c, r, "allocation", nil, err)
	}
	return p.redirect(c, r, "/team/programmes/"+c.Params("id")+"#allocation", "team.flash.allocated")
}

func (p *pages) teamAccept(c *fiber.Ctx, r *request) error {
	if _, err := p.Programmes.Accept(r.ctx, c.Params("id"), c.Params("application")); err != nil {
		return p.teamProgrammeRefusal(c, r, "accept", nil, err)
	}
	return p.redirect(c, r, "/team/programmes/"+c.Params("id")+"#allocation", "team.flash.accepted")
}

func (p *pages) teamAttendance(c *fiber.Ctx, r *request) error {
	hours := fields(c, "hours")["hours"]
	tr := &teamReader{f: form{"hours": hours}}
	n := tr.int("hours")
	err := tr.err()
	user := c.Params("user")
	if err == nil {
		_, err = p.Programmes.RecordAttendance(r.ctx, c.Params("id"), user, programmes.AttendanceUpdate{Hours: n})
	}
	if err != nil {
		return p.teamProgrammeRefusal(c, r, user, func(pg *teamProgrammePage) { pg.Hours = hours }, teamRenameField(err, "hours", "attended_hours"))
	}
	return p.redirect(c, r, "/team/programmes/"+c.Params("id")+"#p-"+user, "team.flash.attendance_saved")
}

// teamExportApplications downloads the applications as the API gives
// them, logged as an export of personal data.
func (p *pages) teamExportApplications(c *fiber.Ctx, r *request) error {
	workbook := c.Query("format") == "xlsx"
	format := "csv"
	if workbook {
		format = "xlsx"
	}
	l, err := p.Programmes.ExportApplications(r.ctx, c.Params("id"), programmes.ListQuery{}, format)
	if err != nil {
		return err
	}
	return api.SendApplications(c, workbook, l)
}

// teamRenameField renames a field of a validation error: the attendance
// form's hours are not the programme's hours of the edit form on the same
// page.
func teamRenameField(err error, from, to string) error {
	var verr *validation.Error
	if !errors.As(err, &verr) {
		return err
	}
	out := make([]validation.FieldError, len(verr.Fields))
	for i, f := range verr.Fields {
		if f.Field == from {
			f.Field = to
		}
		out[i] = f
	}
	return validation.Fail(out...)
}
