package web

import (
	"cmp"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"mooc/api"
	"mooc/internal/svgchart"
	"mooc/reports"
	"mooc/surveys"
)

// peoplePage is /team/reports/people: the funders' figure.
type peoplePage struct {
	Nav    reportNav
	Period reportPeriod
	Words  string
	Ready  bool
	People int
	// Target is the funders' target of the whole figure: nil while none
	// is set (issue 18 keeps them), and the page says so.
	Target *reports.Target
	Figure reportFigure
}

func (p *pages) reportPeople(c *fiber.Ctx, r *request) error {
	title := r.loc.T("report.people.title")
	period, err := readPeriod(c)
	page := peoplePage{Nav: navOf("people", reportPeriod{}), Period: period}
	if err != nil {
		return p.formRefusal(c, r, "team_reports", title, page, err)
	}
	ppl, err := p.people(c, r, period)
	if err != nil {
		return err
	}
	page.Nav, page.Ready, page.Words = navOf("people", period), true, period.words(r.loc)
	page.People, page.Target = ppl.People, ppl.Target
	l := r.loc
	fig := reportFigure{ID: "fig-people", Caption: l.T("report.people.by_methodology"),
		Head: []string{l.T("report.col.methodology"), l.T("report.col.people"), l.T("report.col.target"), l.T("report.col.achieved")}}
	fig.download("/team/reports/people/download", "", period.query())
	var items []svgchart.Item
	for _, m := range ppl.ByMethodology {
		target, share := targetCells(l, m.People, m.Target)
		fig.Rows = append(fig.Rows, []reportCell{{Text: m.MethodologyTitle}, num(m.People), target, share})
		items = append(items, svgchart.Item{Label: m.MethodologyTitle, Value: m.People})
	}
	target, share := targetCells(l, ppl.People, ppl.Target)
	fig.Foot = []reportCell{{Text: l.T("report.people.total")}, num(ppl.People), target, share}
	if len(items) == 0 {
		fig.Empty = l.T("report.empty")
	} else {
		fig.Chart = svgchart.Horizontal(svgchart.Chart{ID: fig.ID, Title: fig.Caption, Desc: l.T("report.desc.people"), Items: items})
	}
	page.Figure = fig
	return p.render(c, r, fiber.StatusOK, "team_reports", title, page, nil)
}

// targetCells are the target and the share of it achieved, or "no target
// set".
func targetCells(l *locale, people int, t *reports.Target) (target, share reportCell) {
	if t == nil || t.People <= 0 {
		return reportCell{Text: l.T("report.no_target")}, reportCell{Text: "—"}
	}
	return num(t.People), reportCell{Text: strconv.Itoa(people*100/t.People) + " %", Num: true}
}

func (p *pages) people(c *fiber.Ctx, r *request, period reportPeriod) (reports.People, error) {
	svc, err := p.reportsOf(c)
	if err != nil {
		return reports.People{}, err
	}
	return svc.People(r.ctx, period.from, period.to)
}

func (p *pages) reportPeopleDownload(c *fiber.Ctx, r *request) error {
	period, err := readPeriod(c)
	if err != nil {
		return err
	}
	ppl, err := p.people(c, r, period)
	if err != nil {
		return err
	}
	t := api.Table{File: "people-completed " + period.From + " " + period.To, Sheet: "Pabeigušās personas", Columns: []api.TableColumn{
		{CSV: "methodology_id", Title: "Metodikas ID"}, {CSV: "methodology", Title: "Metodika"},
		{CSV: "people_completed", Title: "Pabeigušo personu skaits"}, {CSV: "target", Title: "Mērķis"},
	}}
	target := func(t *reports.Target) any {
		if t == nil {
			return nil
		}
		return t.People
	}
	for _, m := range ppl.ByMethodology {
		t.Rows = append(t.Rows, []any{m.MethodologyID, m.MethodologyTitle, m.People, target(m.Target)})
	}
	t.Rows = append(t.Rows, []any{nil, "Kopā (katra persona vienreiz)", ppl.People, target(ppl.Target)})
	return api.SendTable(c, c.Query("format") == "xlsx", t)
}

// cohortReportPage is /team/reports/cohorts/{id}: a cohort's funnel and
// its weekly drop-off.
type cohortReportPage struct {
	Nav     reportNav
	Funnel  reports.Funnel
	Figures []reportFigure
}

// funnelLines are the funnel's steps and the drop-off, each a label and a
// count, in the reader's language (or in Latvian for the files).
func funnelLines(f reports.Funnel, l *locale) (steps, dropOff [][2]string, stepCounts, dropCounts []int) {
	steps = append(steps, [2]string{l.T("report.step.enrolled"), l.T("report.step.enrolled")})
	stepCounts = append(stepCounts, f.Enrolled)
	for w, n := range f.Weeks {
		s := l.T("report.step.week", w+1)
		steps, stepCounts = append(steps, [2]string{s, s}), append(stepCounts, n)
	}
	steps = append(steps, [2]string{l.T("report.step.completed_short"), l.T("report.step.completed")},
		[2]string{l.T("report.step.certified"), l.T("report.step.certified")})
	stepCounts = append(stepCounts, f.Completed, f.Certified)
	for w, n := range f.DropOff {
		var short, long string
		switch {
		case w == 0:
			short, long = l.T("report.drop.first_short"), l.T("report.drop.first")
		case w == len(f.DropOff)-1:
			short, long = l.T("report.drop.after_short", w), l.T("report.drop.last", w)
		default:
			short, long = l.T("report.drop.after_short", w), l.T("report.drop.after", w)
		}
		dropOff, dropCounts = append(dropOff, [2]string{short, long}), append(dropCounts, n)
	}
	return steps, dropOff, stepCounts, dropCounts
}

func (p *pages) reportCohort(c *fiber.Ctx, r *request) error {
	svc, err := p.reportsOf(c)
	if err != nil {
		return err
	}
	id := pathParam(c, "id")
	f, err := svc.CohortFunnel(r.ctx, id)
	if err != nil {
		return err
	}
	l := r.loc
	steps, drops, stepCounts, dropCounts := funnelLines(f, l)
	funnel := reportFigure{ID: "fig-funnel", Caption: l.T("report.funnel.title"),
		Head: []string{l.T("report.col.step"), l.T("report.col.people"), l.T("report.col.share")}}
	funnel.download("/team/reports/cohorts/"+id+"/download", "funnel", "")
	var items []svgchart.Item
	for i, s := range steps {
		share := 0
		if f.Enrolled > 0 {
			share = stepCounts[i] * 100 / f.Enrolled
		}
		funnel.Rows = append(funnel.Rows, []reportCell{{Text: s[1]}, num(stepCounts[i]), {Text: strconv.Itoa(share) + " %", Num: true}})
		items = append(items, svgchart.Item{Label: s[0], Value: stepCounts[i], Text: l.T("report.share_of", stepCounts[i], share)})
	}
	funnel.Chart = svgchart.Funnel(svgchart.Chart{ID: funnel.ID, Title: funnel.Caption, Desc: l.T("report.desc.funnel"), Items: items})

	drop := reportFigure{ID: "fig-dropoff", Caption: l.T("report.drop.title"),
		Head: []string{l.T("report.col.stopped"), l.T("report.col.people")}}
	drop.download("/team/reports/cohorts/"+id+"/download", "dropoff", "")
	items = nil
	for i, d := range drops {
		drop.Rows = append(drop.Rows, []reportCell{{Text: d[1]}, num(dropCounts[i])})
		items = append(items, svgchart.Item{Label: d[0], Value: dropCounts[i]})
	}
	drop.Chart = svgchart.Vertical(svgchart.Chart{ID: drop.ID, Title: drop.Caption, Desc: l.T("report.desc.drop"), Items: items})
	page := cohortReportPage{Nav: navOf("cohort", reportPeriod{}), Funnel: f, Figures: []reportFigure{funnel, drop}}
	return p.render(c, r, fiber.StatusOK, "team_reports", f.CourseTitle+" — "+f.CohortTitle, page, nil)
}

func (p *pages) reportCohortDownload(c *fiber.Ctx, r *request) error {
	svc, err := p.reportsOf(c)
	if err != nil {
		return err
	}
	f, err := svc.CohortFunnel(r.ctx, pathParam(c, "id"))
	if err != nil {
		return err
	}
	steps, drops, stepCounts, dropCounts := funnelLines(f, p.messages.locale("lv"))
	t := api.Table{File: "funnel " + f.CohortTitle, Sheet: "Piltuve", Columns: []api.TableColumn{{CSV: "step", Title: "Solis"}, {CSV: "people", Title: "Personas"}}}
	lines, counts := steps, stepCounts
	switch c.Query("figure") {
	case "funnel":
	case "dropoff":
		t.File, t.Sheet, lines, counts = "drop-off "+f.CohortTitle, "Atbirums", drops, dropCounts
		t.Columns[0] = api.TableColumn{CSV: "stopped", Title: "Pārtrauca"}
	default:
		return p.refuse(c, r, fiber.StatusNotFound, "error.not_found")
	}
	for i, s := range lines {
		t.Rows = append(t.Rows, []any{s[1], counts[i]})
	}
	return api.SendTable(c, c.Query("format") == "xlsx", t)
}

// Kind tells the reports' one template which page it shows.
func (completionsPage) Kind() string  { return "completions" }
func (peoplePage) Kind() string       { return "people" }
func (cohortReportPage) Kind() string { return "cohort" }

// surveysReportPage is /team/reports/surveys: the feedback surveys beside
// the reports, each survey's response rate and its scale questions' means
// (surveys.Overview), means left out under surveys.MinResponses
// responses. Responses carry no time, so the figures are not by period.
type surveysReportPage struct {
	Nav     reportNav
	Min     int
	Figures []reportFigure
}

func (surveysReportPage) Kind() string { return "surveys" }

// surveyResultsPath is where a survey's own results page is.
func surveyResultsPath(s surveys.Summary) string {
	if s.ProgrammeID != "" {
		return "/team/programmes/" + s.ProgrammeID + "/survey/results"
	}
	return "/author/courses/" + s.CourseID + "/survey/results"
}

func surveyKind(s surveys.Summary) string {
	if s.ProgrammeID != "" {
		return "report.kind.programme"
	}
	return "report.kind.course"
}

func (p *pages) reportSurveys(c *fiber.Ctx, r *request) error {
	all, err := p.Surveys.Overview(r.ctx)
	if err != nil {
		return err
	}
	l := r.loc
	rate := reportFigure{ID: "fig-survey-rate", Caption: l.T("survey.report.rate"), Note: l.T("survey.report.rate_note"),
		Head: []string{l.T("survey.report.col.survey"), l.T("survey.report.col.kind"), l.T("survey.report.col.asked"),
			l.T("survey.report.col.responses"), l.T("survey.report.col.rate")}}
	rate.download("/team/reports/surveys/download", "rate", "")
	means := reportFigure{ID: "fig-survey-means", Caption: l.T("survey.report.means"), Note: l.T("survey.report.means_note", surveys.MinResponses),
		Head: []string{l.T("survey.report.col.question"), l.T("survey.report.col.survey"), l.T("survey.report.col.mean")}}
	means.download("/team/reports/surveys/download", "means", "")
	var rates, meanItems []svgchart.Item
	for _, s := range all {
		share, text := "—", l.T("survey.report.not_asked", s.Responses)
		if s.Rate != nil {
			share, text = strconv.Itoa(*s.Rate)+" %", l.T("report.share_of", s.Responses, *s.Rate)
		}
		rate.Rows = append(rate.Rows, []reportCell{{Text: s.Title, Link: surveyResultsPath(s)}, {Text: l.T(surveyKind(s))},
			num(s.Asked), num(s.Responses), {Text: share, Num: true}})
		rates = append(rates, svgchart.Item{Label: s.Title, Value: orZero(s.Rate), Text: text})
		if s.Suppressed() {
			means.Rows = append(means.Rows, []reportCell{{Text: l.T("survey.report.too_few", s.Responses)}, {Text: s.Title, Link: surveyResultsPath(s)}, {Text: "—", Num: true}})
			continue
		}
		for _, q := range s.Means {
			means.Rows = append(means.Rows, []reportCell{{Text: q.Text}, {Text: s.Title, Link: surveyResultsPath(s)}, {Text: meanText(l, q.Mean), Num: true}})
			value := 0
			if q.Mean != nil {
				value = int(*q.Mean * 100)
			}
			meanItems = append(meanItems, svgchart.Item{Label: q.Text + " — " + s.Title, Value: value, Text: meanText(l, q.Mean)})
		}
	}
	if len(rates) == 0 {
		rate.Empty, means.Empty = l.T("survey.report.none"), l.T("survey.report.none")
	} else {
		rate.Chart = svgchart.Horizontal(svgchart.Chart{ID: rate.ID, Title: rate.Caption, Desc: l.T("survey.report.desc.rate"), Items: rates})
		if len(meanItems) > 0 {
			means.Chart = svgchart.Horizontal(svgchart.Chart{ID: means.ID, Title: means.Caption, Desc: l.T("survey.report.desc.means"), Items: meanItems})
		}
	}
	page := surveysReportPage{Nav: navOf("surveys", reportPeriod{}), Min: surveys.MinResponses, Figures: []reportFigure{rate, means}}
	return p.render(c, r, fiber.StatusOK, "team_reports", l.T("survey.report.title"), page, nil)
}

func orZero(n *int) int {
	if n == nil {
		return 0
	}
	return *n
}

func (p *pages) reportSurveysDownload(c *fiber.Ctx, r *request) error {
	all, err := p.Surveys.Overview(r.ctx)
	if err != nil {
		return err
	}
	kind := func(s surveys.Summary) string {
		if s.ProgrammeID != "" {
			return "programme"
		}
		return "course"
	}
	var t api.Table
	switch c.Query("figure") {
	case "rate":
		t = api.Table{File: "survey-response-rate", Sheet: "Atsaucība", Columns: []api.TableColumn{
			{CSV: "kind", Title: "Veids"}, {CSV: "id", Title: "ID"}, {CSV: "title", Title: "Nosaukums"},
			{CSV: "asked", Title: "Uzaicināti"}, {CSV: "responses", Title: "Atbildes"}, {CSV: "rate_percent", Title: "Atsaucība, %"}}}
		for _, s := range all {
			var rate any
			if s.Rate != nil {
				rate = *s.Rate
			}
			t.Rows = append(t.Rows, []any{kind(s), cmp.Or(s.CourseID, s.ProgrammeID), s.Title, s.Asked, s.Responses, rate})
		}
	case "means":
		t = api.Table{File: "survey-means", Sheet: "Vidējie vērtējumi", Columns: []api.TableColumn{
			{CSV: "kind", Title: "Veids"}, {CSV: "id", Title: "ID"}, {CSV: "title", Title: "Nosaukums"}, {CSV: "responses", Title: "Atbildes"},
			{CSV: "question_id", Title: "Jautājuma ID"}, {CSV: "question", Title: "Jautājums"}, {CSV: "mean", Title: "Vidējais"}}}
		for _, s := range all {
			if s.Suppressed() { // the count alone
				t.Rows = append(t.Rows, []any{kind(s), cmp.Or(s.CourseID, s.ProgrammeID), s.Title, s.Responses, nil, nil, nil})
				continue
			}
			for _, q := range s.Means {
				var mean any // as text: the downloads write whole numbers and text only
				if q.Mean != nil {
					mean = strconv.FormatFloat(*q.Mean, 'f', 2, 64)
				}
				t.Rows = append(t.Rows, []any{kind(s), cmp.Or(s.CourseID, s.ProgrammeID), s.Title, s.Responses, q.ID, q.Text, mean})
			}
		}
	default:
		return p.refuse(c, r, fiber.StatusNotFound, "error.not_found")
	}
	return api.SendTable(c, c.Query("format") == "xlsx", t)
}
