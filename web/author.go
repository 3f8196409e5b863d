package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"mooc/accounts"
	"mooc/catalogue"
	"mooc/internal/page"
)

// authorRoutes adds the pages of authors (/author): their courses, the
// course builder with its uploads and previews, the question bank, tests
// and their statistics, and the history of a running course's
// corrections. A team member is an author too; another author's draft is
// the catalogue's 404.
func (p *pages) authorRoutes(get, post routeFunc) {
	a := func(h handler) fiber.Handler { return p.withRole(accounts.RoleAuthor, h) }
	get("/author", a(p.authorHome))
	post("/author/courses", a(p.authorCreateCourse))
	get("/author/courses/:id", a(p.authorBuilder))
	post("/author/courses/:id/copy", a(p.authorCopy))
	post("/author/courses/:id/publish", a(p.authorPublish))
	post("/author/courses/:id/lessons", a(p.authorAddLesson))
	post("/author/courses/:id/weeks/:week/order", a(p.authorReorder))
	get("/author/courses/:id/history", a(p.authorHistory))
	post("/author/lessons/:id", a(p.authorEditLesson))
	post("/author/lessons/:id/delete", a(p.authorDeleteLesson))
	get("/author/courses/:id/lessons/:lesson/preview", a(p.authorPreview))
	post("/author/media", a(p.authorUpload))
	post("/author/captions/check", a(p.authorCheckCaptions))
	get("/author/courses/:id/questions", a(p.authorQuestions))
	post("/author/courses/:id/questions", a(p.authorAddQuestion))
	get("/author/courses/:id/questions/:question", a(p.authorQuestion))
	post("/author/courses/:id/questions/:question", a(p.authorEditQuestion))
	post("/author/courses/:id/tests", a(p.authorAddTest))
	get("/author/courses/:id/tests/:test/stats", a(p.authorStats))
}

// authorHomePage is an author's courses by status, with each methodology's
// editions and the form that starts a draft.
type authorHomePage struct {
	Drafts, Published, Archived []catalogue.Course
	Methodologies               []authorMethodology
	Form                        authorCourseForm
}

type authorMethodology struct {
	catalogue.Methodology
	Editions []catalogue.Edition
}

// authorCourseForm is what the new-course form was sent with.
type authorCourseForm struct {
	MethodologyID, Title, Summary, Language, Weeks, Hours, Pass string
}

func (p *pages) authorHome(c *fiber.Ctx, r *request) error {
	return p.authorHomeWith(c, r, fiber.StatusOK, authorCourseForm{Language: "lv", Weeks: "5", Hours: "12", Pass: "70"}, nil)
}

func (p *pages) authorHomeWith(c *fiber.Ctx, r *request, status int, form authorCourseForm, problem error) error {
	courses, _, err := p.Catalogue.Courses(r.ctx, r.principal, catalogue.CourseFilter{}, page.MaxLimit, "")
	if err != nil {
		return err
	}
	pg := authorHomePage{Form: form}
	for _, co := range courses {
		if co.OwnerID != r.user.ID && !r.principal.IsTeam() {
			continue
		}
		switch co.Status {
		case catalogue.StatusDraft:
			pg.Drafts = append(pg.Drafts, co)
		case catalogue.StatusPublished:
			pg.Published = append(pg.Published, co)
		default:
			pg.Archived = append(pg.Archived, co)
		}
	}
	ms, _, err := p.Catalogue.Methodologies(r.ctx, page.MaxLimit, "")
	if err != nil {
		return err
	}
	for _, m := range ms {
		eds, _, err := p.Catalogue.Editions(r.ctx, r.principal, m.ID, page.MaxLimit, "")
		if err != nil {
			return err
		}
		pg.Methodologies = append(pg.Methodologies, authorMethodology{Methodology: m, Editions: eds})
	}
	return p.render(c, r, status, "author_home", r.loc.T("author.title"), pg, problem)
}

func (p *pages) authorCreateCourse(c *fiber.Ctx, r *request) error {
	form := authorCourseForm{MethodologyID: c.FormValue("methodology_id"), Title: c.FormValue("title"), Summary: c.FormValue("summary"),
		Language: c.FormValue("language"), Weeks: c.FormValue("weeks"), Hours: c.FormValue("effort_hours"), Pass: c.FormValue("pass_percent")}
	in := catalogue.NewCourse{MethodologyID: form.MethodologyID, Title: form.Title, Summary: form.Summary, Language: form.Language}
	var bad []string
	in.Weeks, bad = authorNumber(form.Weeks, "weeks", bad)
	in.EffortHours, bad = authorNumber(form.Hours, "effort_hours", bad)
	in.PassPercent, bad = authorNumber(form.Pass, "pass_percent", bad)
	if len(bad) > 0 {
		return p.authorHomeWith(c, r, fiber.StatusUnprocessableEntity, form, authorNotNumbers(bad))
	}
	co, err := p.Catalogue.CreateCourse(r.ctx, r.principal, in)
	if err != nil {
		return p.authorRefusal(err, func(status int) error { return p.authorHomeWith(c, r, status, form, err) })
	}
	return p.redirect(c, r, "/author/courses/"+co.ID, "flash.author_created")
}

func (p *pages) authorCopy(c *fiber.Ctx, r *request) error {
	co, err := p.Catalogue.Copy(r.ctx, r.principal, c.Params("id"))
	if err != nil {
		return err
	}
	return p.redirect(c, r, "/author/courses/"+co.ID, "flash.author_copied")
}

// authorRefusal shows a form's page again for a refusal the reader can
// act on (4xx), and passes anything else on as a failure.
func (p *pages) authorRefusal(err error, again func(status int) error) error {
	status, _ := statusOf(err)
	if status >= 500 || status == fiber.StatusNotFound {
		return err
	}
	return again(status)
}

// authorNumber reads an optional whole number of a form; a value that is
// not one is named in bad.
func authorNumber(v, name string, bad []string) (*int, []string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, bad
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return nil, append(bad, name)
	}
	return &n, bad
}
