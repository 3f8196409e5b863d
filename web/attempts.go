package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"mooc/assessment"
)

// attemptPage is an attempt: the questions while it is open, the result
// once submitted.
type attemptPage struct {
	Attempt assessment.AttemptView
	Open    bool // not submitted and the time not up
}

func (p *pages) attempt(c *fiber.Ctx, r *request) error {
	a, err := p.Assessment.Attempt(r.ctx, r.principal, c.Params("id"))
	if err != nil {
		return err
	}
	return p.renderAttempt(c, r, fiber.StatusOK, a, nil)
}

func (p *pages) renderAttempt(c *fiber.Ctx, r *request, status int, a assessment.AttemptView, cause error) error {
	pg := attemptPage{Attempt: a, Open: a.Result == nil && p.Now().Before(a.ExpiresAt)}
	title := r.loc.T("attempt.title", a.Number)
	if a.Result != nil {
		title = r.loc.T("attempt.result_title")
	}
	return p.render(c, r, status, "attempt", title, pg, cause)
}

// submitAttempt grades the form's answers: each question's options are
// the values of the field named after it.
func (p *pages) submitAttempt(c *fiber.Ctx, r *request) error {
	a, err := p.Assessment.Attempt(r.ctx, r.principal, c.Params("id"))
	if err != nil {
		return err
	}
	form, err := c.MultipartForm()
	values := map[string][]string{}
	if err == nil {
		values = form.Value
	} else {
		c.Request().PostArgs().VisitAll(func(k, v []byte) {
			values[string(k)] = append(values[string(k)], string(v))
		})
	}
	var sub assessment.Submission
	for _, q := range a.Questions {
		sub.Answers = append(sub.Answers, assessment.Answer{QuestionID: q.ID, OptionIDs: append([]string{}, values["q-"+q.ID]...)})
	}
	_, err = p.Assessment.Submit(r.ctx, r.principal, a.ID, sub)
	if err != nil && !errors.Is(err, assessment.ErrAttemptSubmitted) {
		if status, _ := statusOf(err); status < 500 {
			return p.renderAttempt(c, r, status, a, err)
		}
		return err
	}
	return c.Redirect("/attempts/"+a.ID, fiber.StatusSeeOther)
}
