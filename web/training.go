package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"mooc/training"
)

func (p *pages) trainingRoutes(get, _ routeFunc) {
	get("/me/training-hours", p.signedIn(p.trainingHours))
	get("/me/training-hours/pdf", p.signedIn(p.trainingHoursPDF))
}

// trainingPage is the learner's yearly record with the year selector.
type trainingPage struct {
	Record training.Record
	Years  []int
	// Short is how many hours the requirement still lacks (0: met).
	Short int
	PDF   string
}

// trainingHours is the learner's record of the year chosen (the current
// one by default); a year outside the range is the form's problem.
func (p *pages) trainingHours(c *fiber.Ctx, r *request) error {
	page := trainingPage{Years: training.Years(p.Now())}
	status, problem := fiber.StatusOK, error(nil)
	rec, err := p.Training.Mine(r.ctx, r.principal, c.Query("year"))
	if err != nil {
		if s, _ := statusOf(err); s != fiber.StatusUnprocessableEntity {
			return err
		}
		// The refused year is named on the form over the current year.
		status, problem = fiber.StatusUnprocessableEntity, err
		if rec, err = p.Training.Mine(r.ctx, r.principal, ""); err != nil {
			return err
		}
	}
	page.Record, page.Short, page.PDF = rec, max(rec.RequiredHours-rec.Hours, 0), "/me/training-hours/pdf?year="+strconv.Itoa(rec.Year)
	return p.render(c, r, status, "training_hours", r.loc.T("training.title"), page, problem)
}

// trainingHoursPDF downloads the year's transcript, the same as the API
// gives with Accept: application/pdf.
func (p *pages) trainingHoursPDF(c *fiber.Ctx, r *request) error {
	rec, err := p.Training.Mine(r.ctx, r.principal, c.Query("year"))
	if err != nil {
		return err
	}
	pdf, err := p.Training.PDF(rec)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="izzina-`+strconv.Itoa(rec.Year)+`.pdf"`)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(pdf)
}
