package web

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"mooc/cohorts"
	"mooc/internal/page"
	"mooc/surveys"
)

// surveyResultsPage is a survey's results as the surveys domain sums them
// up, no answer tied to a person: all responses, and for a course each
// cohort's (the count alone under surveys.MinResponses, as the domain
// gives them), with links to the results of the course's other editions.
type surveyResultsPage struct {
	Owner    surveyOwner
	None     bool // the course or programme has no survey
	Results  surveys.Results
	Cohorts  []cohortResults
	Editions []editionLink
	Min      int
}

type cohortResults struct {
	Title   string
	Results surveys.Results
}

type editionLink struct{ Title, Path string }

// Scales are the values of a scale question, for the counts' columns.
func (surveyResultsPage) Scales() []string { return []string{"1", "2", "3", "4", "5"} }

// Suppressed reports whether results give their count alone.
func (pg surveyResultsPage) Suppressed(res surveys.Results) bool { return res.Questions == nil }

// ScaleQuestions are the scale questions of the survey, for the cohorts'
// columns (the ones with a mean).
func (pg surveyResultsPage) ScaleQuestions() []surveys.QuestionResult {
	var out []surveys.QuestionResult
	for _, q := range pg.Results.Questions {
		if q.Counts != nil {
			out = append(out, q)
		}
	}
	return out
}

// MeanOf is the mean of question id in res, for a cohort's row.
func (surveyResultsPage) MeanOf(res surveys.Results, id string) *float64 {
	for _, q := range res.Questions {
		if q.ID == id {
			return q.Mean
		}
	}
	return nil
}

func (p *pages) authorSurveyResults(c *fiber.Ctx, r *request) error {
	co, err := p.Catalogue.Editable(r.ctx, r.principal, pathParam(c, "id"))
	if err != nil {
		return p.surveyHidden(c, r, err)
	}
	pg := surveyResultsPage{Owner: courseOwner(co), Min: surveys.MinResponses}
	pg.Results, err = p.Surveys.CourseResults(r.ctx, r.principal, co.ID, "")
	if err != nil {
		return p.noSurvey(c, r, pg, err)
	}
	runs, _, err := p.Cohorts.Cohorts(r.ctx, cohorts.CohortFilter{CourseID: co.ID}, page.MaxLimit, "")
	if err != nil {
		return err
	}
	for _, run := range runs {
		res, err := p.Surveys.CourseResults(r.ctx, r.principal, co.ID, run.ID)
		if err != nil {
			return err
		}
		pg.Cohorts = append(pg.Cohorts, cohortResults{Title: run.Title, Results: res})
	}
	eds, _, err := p.Catalogue.Editions(r.ctx, r.principal, co.MethodologyID, page.MaxLimit, "")
	if err != nil {
		return err
	}
	for _, e := range eds {
		if e.ID != co.ID && (e.OwnerID == r.principal.UserID || r.principal.IsTeam()) {
			pg.Editions = append(pg.Editions, editionLink{Title: e.Title + " (" + r.loc.Date(e.CreatedAt) + ")", Path: "/author/courses/" + e.ID + "/survey/results"})
		}
	}
	return p.render(c, r, fiber.StatusOK, "survey_results", r.loc.T("survey.results.title"), pg, nil)
}

func (p *pages) teamSurveyResults(c *fiber.Ctx, r *request) error {
	owner, err := p.programmeOwner(r, pathParam(c, "id"))
	if err != nil {
		return err
	}
	pg := surveyResultsPage{Owner: owner, Min: surveys.MinResponses}
	pg.Results, err = p.Surveys.ProgrammeResults(r.ctx, pathParam(c, "id"))
	if err != nil {
		return p.noSurvey(c, r, pg, err)
	}
	return p.render(c, r, fiber.StatusOK, "survey_results", r.loc.T("survey.results.title"), pg, nil)
}

// noSurvey shows the results page of a course or programme without a
// survey as saying so, with the link to set one; other errors fail.
func (p *pages) noSurvey(c *fiber.Ctx, r *request, pg surveyResultsPage, err error) error {
	if !errors.Is(err, surveys.ErrNotFound) {
		return err
	}
	pg.None = true
	return p.render(c, r, fiber.StatusOK, "survey_results", r.loc.T("survey.results.title"), pg, nil)
}

// Mean writes a mean with two decimals, with a decimal comma in Latvian;
// a dash when there is none.
func (surveyResultsPage) Mean(l *locale, m *float64) string { return meanText(l, m) }

func meanText(l *locale, m *float64) string {
	if m == nil {
		return "—"
	}
	s := strconv.FormatFloat(*m, 'f', 2, 64)
	if l.Lang == "lv" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}
