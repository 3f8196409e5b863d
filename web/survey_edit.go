package web

import (
	"cmp"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"mooc/catalogue"
	"mooc/surveys"
)

// blankRows is how many empty rows the editing form offers for new
// questions.
const blankRows = 3

// surveyOwner is what a survey's pages say of the course or programme it
// belongs to, and where its pages are.
type surveyOwner struct {
	Title, Language string
	// Back is the page the survey's pages lead back to (the course's
	// builder, the team's programme page).
	Back          string
	Edit, Results string // the paths of the survey's two pages
}

// surveyEditPage is the form that sets a survey's questions: a row per
// question (its id kept in the form, so a question reordered or edited
// keeps it) and a few empty rows for new ones. A survey with responses is
// shown, not edited (surveys.ErrAnswered).
type surveyEditPage struct {
	Owner     surveyOwner
	Rows      []surveyRow
	Responses int
	Locked    bool
}

// surveyRow is one row of the editing form, as sent or as stored.
type surveyRow struct {
	ID, Kind, Text string
	Position       int
}

// Kinds are the kinds of question the form offers.
func (surveyEditPage) Kinds() []string { return []string{surveys.Scale, surveys.Text} }

// Positions are the places a row can be moved to.
func (pg surveyEditPage) Positions() []int {
	out := make([]int, len(pg.Rows))
	for i := range out {
		out[i] = i + 1
	}
	return out
}

// editRows are the rows of the stored questions and the empty ones after
// them.
func editRows(questions []surveys.Question) []surveyRow {
	rows := make([]surveyRow, 0, len(questions)+blankRows)
	for i, q := range questions {
		rows = append(rows, surveyRow{ID: q.ID, Kind: q.Kind, Text: q.Text, Position: i + 1})
	}
	for i := range blankRows {
		rows = append(rows, surveyRow{Kind: surveys.Scale, Position: len(questions) + i + 1})
	}
	return rows
}

// surveyHidden answers the 404 page for a course the caller sees but may
// not edit: to another author a survey's pages do not exist, like the
// rest of the author's pages.
func (p *pages) surveyHidden(c *fiber.Ctx, r *request, err error) error {
	if errors.Is(err, catalogue.ErrForbidden) {
		return p.refuse(c, r, fiber.StatusNotFound, "error.not_found")
	}
	return err
}

func courseOwner(co catalogue.Course) surveyOwner {
	base := "/author/courses/" + co.ID + "/survey"
	return surveyOwner{Title: co.Title, Language: co.Language, Back: "/author/courses/" + co.ID,
		Edit: base, Results: base + "/results"}
}

func (p *pages) programmeOwner(r *request, id string) (surveyOwner, error) {
	pr, err := p.Programmes.Programme(r.ctx, id)
	if err != nil {
		return surveyOwner{}, err
	}
	base := "/team/programmes/" + pr.ID + "/survey"
	return surveyOwner{Title: pr.Title, Language: "lv", Back: "/team/programmes/" + pr.ID,
		Edit: base, Results: base + "/results"}, nil
}

// editPage is the editing page of a stored survey (or an empty one).
func editPage(owner surveyOwner, cur surveys.Current, err error) (surveyEditPage, error) {
	if errors.Is(err, surveys.ErrNotFound) {
		return surveyEditPage{Owner: owner, Rows: editRows(nil)}, nil
	}
	if err != nil {
		return surveyEditPage{}, err
	}
	return surveyEditPage{Owner: owner, Rows: editRows(cur.Questions), Responses: cur.Responses, Locked: cur.Locked()}, nil
}

func (p *pages) authorSurvey(c *fiber.Ctx, r *request) error {
	co, err := p.Catalogue.Editable(r.ctx, r.principal, pathParam(c, "id"))
	if err != nil {
		return p.surveyHidden(c, r, err)
	}
	cur, err := p.Surveys.CourseSurvey(r.ctx, r.principal, co.ID)
	pg, err := editPage(courseOwner(co), cur, err)
	if err != nil {
		return err
	}
	return p.render(c, r, fiber.StatusOK, "survey_edit", r.loc.T("survey.edit.title"), pg, nil)
}

func (p *pages) authorSaveSurvey(c *fiber.Ctx, r *request) error {
	co, err := p.Catalogue.Editable(r.ctx, r.principal, pathParam(c, "id"))
	if err != nil {
		return p.surveyHidden(c, r, err)
	}
	d := readDefinition(c)
	if _, err := p.Surveys.SetCourseSurvey(r.ctx, r.principal, co.ID, d); err != nil {
		return p.surveyRefused(c, r, courseOwner(co), d, err, func() (surveys.Current, error) {
			return p.Surveys.CourseSurvey(r.ctx, r.principal, co.ID)
		})
	}
	return p.redirect(c, r, courseOwner(co).Edit, "survey.saved")
}

func (p *pages) teamSurvey(c *fiber.Ctx, r *request) error {
	owner, err := p.programmeOwner(r, pathParam(c, "id"))
	if err != nil {
		return err
	}
	cur, err := p.Surveys.ProgrammeSurvey(r.ctx, pathParam(c, "id"))
	pg, err := editPage(owner, cur, err)
	if err != nil {
		return err
	}
	return p.render(c, r, fiber.StatusOK, "survey_edit", r.loc.T("survey.edit.title"), pg, nil)
}

func (p *pages) teamSaveSurvey(c *fiber.Ctx, r *request) error {
	owner, err := p.programmeOwner(r, pathParam(c, "id"))
	if err != nil {
		return err
	}
	d := readDefinition(c)
	if _, err := p.Surveys.SetProgrammeSurvey(r.ctx, pathParam(c, "id"), d); err != nil {
		return p.surveyRefused(c, r, owner, d, err, func() (surveys.Current, error) {
			return p.Surveys.ProgrammeSurvey(r.ctx, pathParam(c, "id"))
		})
	}
	return p.redirect(c, r, owner.Edit, "survey.saved")
}

// surveyRefused shows the form again as sent (in the order it was put
// in, so that each field error names the row it is shown on), or the
// survey as stored when it has responses.
func (p *pages) surveyRefused(c *fiber.Ctx, r *request, owner surveyOwner, d surveys.Definition, err error, stored func() (surveys.Current, error)) error {
	status, _ := statusOf(err)
	if status >= 500 || status == fiber.StatusNotFound {
		return err
	}
	pg := surveyEditPage{Owner: owner, Rows: editRows(d.Questions)}
	if errors.Is(err, surveys.ErrAnswered) {
		cur, serr := stored()
		if pg, serr = editPage(owner, cur, serr); serr != nil {
			return serr
		}
	}
	return p.render(c, r, status, "survey_edit", r.loc.T("survey.edit.title"), pg, err)
}

// readDefinition reads the editing form: the rows not ticked for removal
// and not left empty as new ones, in the order of their positions (ties
// in the order of the form), a new row given an id of its own.
func readDefinition(c *fiber.Ctx) surveys.Definition {
	n, _ := strconv.Atoi(c.FormValue("rows"))
	n = min(max(n, 0), 100+blankRows)
	type sent struct {
		row   surveyRow
		index int
	}
	var kept []sent
	for i := range n {
		at := strconv.Itoa(i)
		row := surveyRow{ID: strings.TrimSpace(c.FormValue("id." + at)), Kind: c.FormValue("kind." + at), Text: strings.TrimSpace(c.FormValue("text." + at))}
		if c.FormValue("remove."+at) == "yes" || (row.ID == "" && row.Text == "") {
			continue
		}
		row.Position, _ = strconv.Atoi(c.FormValue("position." + at))
		if row.Position <= 0 {
			row.Position = i + 1
		}
		kept = append(kept, sent{row: row, index: i})
	}
	slices.SortStableFunc(kept, func(a, b sent) int { return cmp.Compare(a.row.Position, b.row.Position) })
	var d surveys.Definition
	for _, k := range kept {
		d.Questions = append(d.Questions, surveys.Question{ID: strings.Clone(k.row.ID), Kind: strings.Clone(k.row.Kind), Text: strings.Clone(k.row.Text)})
	}
	for i := range d.Questions {
		if d.Questions[i].ID == "" {
			d.Questions[i].ID = surveys.NewQuestionID(d.Questions)
		}
	}
	return d
}
