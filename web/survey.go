package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"mooc/surveys"
)

// surveyRoutes are the learner's feedback survey of a course.
func (p *pages) surveyRoutes(get, post routeFunc) {
	get("/learn/:enrolment/survey", p.signedIn(p.surveyForm))
	post("/learn/:enrolment/survey", p.signedIn(p.answerSurvey))
}

// surveyPage is the survey form of one enrolment, with the values sent
// when a submission is shown again.
type surveyPage struct {
	learnerPage
	Form   surveys.Form
	Values map[string]string
}

// Scales are the values of a scale question.
func (surveyPage) Scales() []string { return []string{"1", "2", "3", "4", "5"} }

func (p *pages) surveyPageOf(r *request, enrolmentID string) (surveyPage, error) {
	pg, err := p.learning(r, enrolmentID)
	if err != nil {
		return surveyPage{}, err
	}
	form, err := p.Surveys.EnrolmentForm(r.ctx, r.principal, pg.Enrolment.ID)
	if err != nil {
		return surveyPage{}, err
	}
	return surveyPage{learnerPage: pg, Form: form, Values: map[string]string{}}, nil
}

func (p *pages) surveyForm(c *fiber.Ctx, r *request) error {
	pg, err := p.surveyPageOf(r, c.Params("enrolment"))
	if err != nil {
		return err
	}
	return p.render(c, r, fiber.StatusOK, "survey", r.loc.T("survey.title"), pg, nil)
}

// answerSurvey sends the form's answers: a question left empty is not
// answered; a scale's value goes as the number the API takes.
func (p *pages) answerSurvey(c *fiber.Ctx, r *request) error {
	pg, err := p.surveyPageOf(r, c.Params("enrolment"))
	if err != nil {
		return err
	}
	var in surveys.Answers
	for _, q := range pg.Form.Questions {
		v := c.FormValue("q." + q.ID)
		pg.Values[q.ID] = v
		if v == "" {
			continue
		}
		var value any = v
		if n, err := strconv.Atoi(v); err == nil && q.Kind == surveys.Scale {
			value = float64(n)
		}
		in.Answers = append(in.Answers, surveys.Answer{QuestionID: q.ID, Value: value})
	}
	if _, err := p.Surveys.AnswerEnrolment(r.ctx, r.principal, pg.Enrolment.ID, in); err != nil {
		if status, _ := statusOf(err); status < 500 {
			return p.render(c, r, status, "survey", r.loc.T("survey.title"), pg, err)
		}
		return err
	}
	return p.redirect(c, r, "/learn/"+pg.Enrolment.ID, "survey.thanks")
}
