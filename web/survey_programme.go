package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"mooc/programmes"
	"mooc/surveys"
)

// programmeSurveyPage is a participant's survey form of an in-person
// programme, open once their attendance earned the certificate.
type programmeSurveyPage struct {
	Programme programmes.Programme
	Form      surveys.Form
	Values    map[string]string
	none      bool // the programme has no survey
}

// Scales are the values of a scale question.
func (programmeSurveyPage) Scales() []string { return surveyPage{}.Scales() }

// What the survey template says of the programme.
func (pg programmeSurveyPage) Action() string    { return "/programmes/" + pg.Programme.ID + "/survey" }
func (pg programmeSurveyPage) BackPath() string  { return "/programmes/" + pg.Programme.ID }
func (pg programmeSurveyPage) BackTitle() string { return pg.Programme.Title }
func (programmeSurveyPage) Language() string     { return "lv" }
func (pg programmeSurveyPage) NotYet() string {
	if pg.none {
		return "survey.programme.none"
	}
	return "survey.programme.not_yet"
}

// programmeSurveyOf reads the page; to anyone who holds no seat in the
// programme it does not exist. A participant of a programme without a
// survey (the programme's page links every participant here) is told so.
func (p *pages) programmeSurveyOf(r *request, id string) (programmeSurveyPage, error) {
	pr, err := p.Programmes.Programme(r.ctx, id)
	if err != nil {
		return programmeSurveyPage{}, err
	}
	form, err := p.Surveys.ProgrammeForm(r.ctx, r.principal, pr.ID)
	pg := programmeSurveyPage{Programme: pr, Form: form, Values: map[string]string{}}
	switch {
	case errors.Is(err, programmes.ErrNotParticipant):
		err = programmes.ErrNotFound
	case errors.Is(err, surveys.ErrNotFound):
		pg.none, err = true, nil
	}
	return pg, err
}

func (p *pages) programmeSurveyForm(c *fiber.Ctx, r *request) error {
	pg, err := p.programmeSurveyOf(r, pathParam(c, "id"))
	if err != nil {
		return err
	}
	return p.render(c, r, fiber.StatusOK, "survey", r.loc.T("survey.programme.title"), pg, nil)
}

func (p *pages) answerProgrammeSurvey(c *fiber.Ctx, r *request) error {
	pg, err := p.programmeSurveyOf(r, pathParam(c, "id"))
	if err != nil {
		return err
	}
	in := formAnswers(c, pg.Form.Questions, pg.Values)
	if _, err := p.Surveys.AnswerProgramme(r.ctx, r.principal, pg.Programme.ID, in); err != nil {
		return p.formRefusal(c, r, "survey", r.loc.T("survey.programme.title"), pg, err)
	}
	return p.redirect(c, r, "/programmes/"+pg.Programme.ID, "survey.thanks")
}
