package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"mooc/accounts"
	"mooc/surveys"
)

// surveyRoutes are the feedback surveys' pages: a learner's survey of a
// course and a participant's of a programme, and the pages where authors
// and the team set the questions and read the results.
func (p *pages) surveyRoutes(get, post routeFunc) {
	get("/learn/:enrolment/survey", p.signedIn(p.surveyForm))
	post("/learn/:enrolment/survey", p.signedIn(p.answerSurvey))
	get("/programmes/:id/survey", p.signedIn(p.programmeSurveyForm))
	post("/programmes/:id/survey", p.signedIn(p.answerProgrammeSurvey))

	// The editing and results pages: a course's for its author (and the
	// team, whom every author page serves), a programme's for the team.
	a := func(h handler) fiber.Handler { return p.withRole(accounts.RoleAuthor, h) }
	get("/author/courses/:id/survey", a(p.authorSurvey))
	post("/author/courses/:id/survey", a(p.authorSaveSurvey))
	get("/author/courses/:id/survey/results", a(p.authorSurveyResults))
	t := func(h handler) fiber.Handler { return p.withRole(accounts.RoleTeam, h) }
	get("/team/programmes/:id/survey", t(p.teamSurvey))
	post("/team/programmes/:id/survey", t(p.teamSaveSurvey))
	get("/team/programmes/:id/survey/results", t(p.teamSurveyResults))
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

// What the survey template (shared with a programme's) says of the course.
func (pg surveyPage) Action() string    { return "/learn/" + pg.Enrolment.ID + "/survey" }
func (pg surveyPage) BackPath() string  { return "/learn/" + pg.Enrolment.ID }
func (pg surveyPage) BackTitle() string { return pg.Course.Title }
func (pg surveyPage) Language() string  { return pg.Course.Language }
func (surveyPage) NotYet() string       { return "survey.not_yet" }

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

// answerSurvey sends the form's answers (formAnswers).
func (p *pages) answerSurvey(c *fiber.Ctx, r *request) error {
	pg, err := p.surveyPageOf(r, c.Params("enrolment"))
	if err != nil {
		return err
	}
	in := formAnswers(c, pg.Form.Questions, pg.Values)
	if _, err := p.Surveys.AnswerEnrolment(r.ctx, r.principal, pg.Enrolment.ID, in); err != nil {
		if status, _ := statusOf(err); status < 500 {
			return p.render(c, r, status, "survey", r.loc.T("survey.title"), pg, err)
		}
		return err
	}
	return p.redirect(c, r, "/learn/"+pg.Enrolment.ID, "survey.thanks")
}

// formAnswers reads a survey form's answers, keeping each value sent in
// values to show the form again: a question left empty is not answered; a
// scale's value goes as the number the API takes.
func formAnswers(c *fiber.Ctx, questions []surveys.Question, values map[string]string) surveys.Answers {
	var in surveys.Answers
	for _, q := range questions {
		v := strings.Clone(c.FormValue("q." + q.ID))
		values[q.ID] = v
		if v == "" {
			continue
		}
		var value any = v
		if n, err := strconv.Atoi(v); err == nil && q.Kind == surveys.Scale {
			value = float64(n)
		}
		in.Answers = append(in.Answers, surveys.Answer{QuestionID: q.ID, Value: value})
	}
	return in
}
