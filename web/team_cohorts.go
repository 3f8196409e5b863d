package web

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"mooc/accounts"
	"mooc/api"
	"mooc/catalogue"
	"mooc/cohorts"
	"mooc/internal/validation"
)

// teamCoursePage is a published course's cohorts and the form that opens
// one, with how many people the opening will be told to.
type teamCoursePage struct {
	Course   catalogue.Header
	Cohorts  []cohorts.Cohort
	Audience cohorts.AnnouncementCount
	Form     form
}

func (p *pages) teamCourseData(r *request, courseID string, f form) (teamCoursePage, error) {
	h, err := p.Catalogue.Header(r.ctx, courseID)
	if err != nil {
		return teamCoursePage{}, err
	}
	list, _, err := p.Cohorts.Cohorts(r.ctx, cohorts.CohortFilter{CourseID: h.ID}, 100, "")
	if err != nil {
		return teamCoursePage{}, err
	}
	aud, err := p.Cohorts.AnnouncementAudience(r.ctx, r.principal, h.ID)
	if err != nil {
		return teamCoursePage{}, err
	}
	if f == nil {
		f = form{"capacity": "200"}
	}
	return teamCoursePage{Course: h, Cohorts: list, Audience: aud, Form: f}, nil
}

func (p *pages) teamCourse(c *fiber.Ctx, r *request) error {
	pg, err := p.teamCourseData(r, c.Params("id"), nil)
	if err != nil {
		return err
	}
	return p.render(c, r, fiber.StatusOK, "team_course", pg.Course.Title, pg, nil)
}

var teamCohortFields = []string{"title", "capacity", "enrolment_opens_at", "enrolment_closes_at", "starts_at"}

func (p *pages) teamOpenCohort(c *fiber.Ctx, r *request) error {
	f := fields(c, teamCohortFields...)
	tr := &teamReader{f: f}
	in := cohorts.NewCohort{Title: f["title"], Capacity: tr.int("capacity"), EnrolmentOpensAt: tr.time("enrolment_opens_at"),
		EnrolmentClosesAt: tr.time("enrolment_closes_at"), StartsAt: tr.time("starts_at")}
	err := tr.err()
	var co cohorts.Cohort
	if err == nil {
		co, err = p.Cohorts.CreateCohort(r.ctx, c.Params("id"), in)
	}
	if err != nil {
		pg, perr := p.teamCourseData(r, c.Params("id"), f)
		if perr != nil {
			return perr
		}
		return p.formRefusal(c, r, "team_course", pg.Course.Title, pg, err)
	}
	return p.redirect(c, r, "/team/cohorts/"+co.ID, "team.flash.cohort_opened")
}

// teamCohortPage is a cohort as the team runs it: its settings, who holds
// a seat and who waits, and the forms that change them.
type teamCohortPage struct {
	Cohort  cohorts.Cohort
	Course  catalogue.Header
	List    []cohorts.ListedEnrolment
	Query   cohorts.ListQuery
	Status  string // the status filter as chosen
	Filter  string // the query string of the filter, for the export links
	Form    form   // the settings form
	Enrol   form   // the enrol form
	Refused string // settings or enrol: the form a refusal is about
}

// Enrolled and Waitlisted count the list's rows of each status.
func (pg teamCohortPage) Enrolled() int   { return pg.count(cohorts.Enrolled) }
func (pg teamCohortPage) Waitlisted() int { return pg.count(cohorts.Waitlisted) }
func (pg teamCohortPage) count(status string) int {
	n := 0
	for _, e := range pg.List {
		if e.Status == status {
			n++
		}
	}
	return n
}

// teamListQuery reads the list's filter from the query string.
func teamListQuery(c *fiber.Ctx) (cohorts.ListQuery, string, string) {
	status := strings.TrimSpace(c.Query("status"))
	q := cohorts.ListQuery{Municipality: strings.TrimSpace(c.Query("municipality")), Sort: c.Query("sort")}
	if status != "" {
		q.Status = strings.Split(status, ",")
	}
	v := url.Values{}
	for k, val := range map[string]string{"status": status, "municipality": q.Municipality, "sort": q.Sort} {
		if val != "" {
			v.Set(k, val)
		}
	}
	return q, status, v.Encode()
}

func (p *pages) teamCohortData(r *request, id string, q cohorts.ListQuery) (teamCohortPage, error) {
	l, err := p.Cohorts.CohortEnrolments(r.ctx, id, q)
	if err != nil {
		return teamCohortPage{}, err
	}
	h, err := p.Catalogue.Header(r.ctx, l.Cohort.CourseID)
	if err != nil {
		return teamCohortPage{}, err
	}
	co := l.Cohort
	return teamCohortPage{Cohort: co, Course: h, List: l.Items, Query: q, Enrol: form{},
		Form: form{"title": co.Title, "capacity": strconv.Itoa(co.Capacity), "enrolment_opens_at": teamLocal(co.EnrolmentOpensAt),
			"enrolment_closes_at": teamLocal(co.EnrolmentClosesAt)}}, nil
}

func (p *pages) teamCohort(c *fiber.Ctx, r *request) error {
	q, status, filter := teamListQuery(c)
	pg, err := p.teamCohortData(r, c.Params("id"), q)
	if err != nil {
		if status, _ := statusOf(err); status == fiber.StatusUnprocessableEntity { // a wrong filter: the whole list, with the error
			pg, perr := p.teamCohortData(r, c.Params("id"), cohorts.ListQuery{})
			if perr != nil {
				return perr
			}
			return p.formRefusal(c, r, "team_cohort", pg.Cohort.Title, pg, err)
		}
		return err
	}
	pg.Status, pg.Filter = status, filter
	return p.render(c, r, fiber.StatusOK, "team_cohort", pg.Cohort.Title, pg, nil)
}

// teamCohortRefusal shows the cohort again with a refused form.
func (p *pages) teamCohortRefusal(c *fiber.Ctx, r *request, which string, f form, err error) error {
	pg, perr := p.teamCohortData(r, c.Params("id"), cohorts.ListQuery{})
	if perr != nil {
		return perr
	}
	pg.Refused = which
	if which == "settings" {
		pg.Form = f
	} else {
		pg.Enrol = f
	}
	return p.formRefusal(c, r, "team_cohort", pg.Cohort.Title, pg, err)
}

func (p *pages) teamUpdateCohort(c *fiber.Ctx, r *request) error {
	f := fields(c, "title", "capacity", "enrolment_opens_at", "enrolment_closes_at")
	tr := &teamReader{f: f}
	ch := cohorts.CohortChange{Title: tr.text("title"), Capacity: tr.int("capacity"),
		EnrolmentOpensAt: tr.time("enrolment_opens_at"), EnrolmentClosesAt: tr.time("enrolment_closes_at")}
	err := tr.err()
	if err == nil {
		_, err = p.Cohorts.UpdateCohort(r.ctx, c.Params("id"), ch)
	}
	if err != nil {
		return p.teamCohortRefusal(c, r, "settings", f, err)
	}
	return p.redirect(c, r, "/team/cohorts/"+c.Params("id"), "team.flash.cohort_saved")
}

// teamFindUser is the open account of exactly this e-mail address.
func (p *pages) teamFindUser(r *request, email string) (accounts.User, error) {
	if email == "" {
		return accounts.User{}, validation.Fail(validation.Field("email", "is required"))
	}
	users, _, err := p.Accounts.Search(r.ctx, email, 10, "")
	if err != nil {
		return accounts.User{}, err
	}
	for _, u := range users {
		if strings.EqualFold(u.Email, email) && u.ClosedAt == nil {
			return u, nil
		}
	}
	return accounts.User{}, validation.Fail(validation.Field("email", "no such user"))
}

func (p *pages) teamEnrol(c *fiber.Ctx, r *request) error {
	f := fields(c, "email")
	u, err := p.teamFindUser(r, f["email"])
	if err == nil {
		_, err = p.Cohorts.Enrol(r.ctx, c.Params("id"), u.ID)
	}
	if err != nil {
		return p.teamCohortRefusal(c, r, "enrol", f, err)
	}
	return p.redirect(c, r, "/team/cohorts/"+c.Params("id"), "team.flash.enrolled")
}

// teamExportEnrolments downloads the list as the API gives it, logged as
// an export of personal data.
func (p *pages) teamExportEnrolments(c *fiber.Ctx, r *request) error {
	q, _, _ := teamListQuery(c)
	workbook := c.Query("format") == "xlsx"
	format := "csv"
	if workbook {
		format = "xlsx"
	}
	l, err := p.Cohorts.ExportEnrolments(r.ctx, c.Params("id"), q, format)
	if err != nil {
		return err
	}
	return api.SendEnrolments(c, workbook, l)
}

// Statuses are the statuses the list can be filtered by.
func (teamCohortPage) Statuses() []string {
	return []string{cohorts.Enrolled, cohorts.Waitlisted, cohorts.Withdrawn}
}

// Export is the download of the list as filtered, in a format.
func (pg teamCohortPage) Export(format string) string {
	u := "/team/cohorts/" + pg.Cohort.ID + "/export?format=" + format
	if pg.Filter != "" {
		u += "&" + pg.Filter
	}
	return u
}
