package web

import (
	"cmp"
	"errors"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"mooc/accounts"
	"mooc/api"
	"mooc/internal/svgchart"
	"mooc/internal/validation"
	"mooc/reports"
)

// reportRoutes adds the pages of the team's reports (/team/reports): the
// completions of a period as charts and tables (by course, cohort,
// municipality and planning region), distinct people who completed
// against the funders' targets, and a cohort's funnel. Each figure is an
// SVG drawn here with a table of the same numbers after it, and each is
// a download as CSV or an Excel workbook.
func (p *pages) reportRoutes(get, post routeFunc) {
	get("/team/reports", p.withRole(accounts.RoleTeam, p.reportCompletions))
	get("/team/reports/download", p.withRole(accounts.RoleTeam, p.reportCompletionsDownload))
	get("/team/reports/people", p.withRole(accounts.RoleTeam, p.reportPeople))
	get("/team/reports/people/download", p.withRole(accounts.RoleTeam, p.reportPeopleDownload))
	get("/team/reports/cohorts/:id", p.withRole(accounts.RoleTeam, p.reportCohort))
	get("/team/reports/cohorts/:id/download", p.withRole(accounts.RoleTeam, p.reportCohortDownload))
	get("/team/reports/targets", p.withRole(accounts.RoleTeam, p.reportTargets))
	post("/team/reports/targets", p.withRole(accounts.RoleTeam, p.reportSetTarget))
	get("/team/reports/surveys", p.withRole(accounts.RoleTeam, p.reportSurveys))
	get("/team/reports/surveys/download", p.withRole(accounts.RoleTeam, p.reportSurveysDownload))
}

var errNoReports = errors.New("web: the pages were built without the reports service (Deps.Reports)")

func (p *pages) reportsOf(*fiber.Ctx) (*reports.Service, error) {
	if p.Reports == nil {
		return nil, errNoReports
	}
	return p.Reports, nil
}

// reportPeriod is the period a report page was asked for, as typed (the
// form's values) and as read.
type reportPeriod struct {
	From, To string
	from, to time.Time
}

// readPeriod reads ?from= and ?to= (dates, to exclusive); either may be
// left out for a period open on that side.
func readPeriod(c *fiber.Ctx) (reportPeriod, error) {
	p := reportPeriod{From: c.Query("from"), To: c.Query("to")}
	var fields []validation.FieldError
	parse := func(name, v string) time.Time {
		if v == "" {
			return time.Time{}
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			fields = append(fields, validation.Field(name, "must be a date such as 2026-01-31"))
		}
		return t
	}
	p.from, p.to = parse("from", p.From), parse("to", p.To)
	if len(fields) == 0 && !p.from.IsZero() && !p.to.IsZero() && !p.to.After(p.from) {
		fields = append(fields, validation.Field("to", "must be after from"))
	}
	if len(fields) > 0 {
		return p, validation.Fail(fields...)
	}
	return p, nil
}

// query is the period as a link's query, after other parameters.
func (rp reportPeriod) query() string {
	v := url.Values{}
	if rp.From != "" {
		v.Set("from", rp.From)
	}
	if rp.To != "" {
		v.Set("to", rp.To)
	}
	return v.Encode()
}

// words says the period for the reader.
func (rp reportPeriod) words(l *locale) string {
	switch {
	case rp.from.IsZero() && rp.to.IsZero():
		return l.T("report.period.all")
	case rp.from.IsZero():
		return l.T("report.period.to", l.DateIn(rp.to))
	case rp.to.IsZero():
		return l.T("report.period.from", l.DateIn(rp.from))
	}
	return l.T("report.period.between", l.DateIn(rp.from), l.DateIn(rp.to))
}

// reportCell is one cell of a figure's table.
type reportCell struct {
	Text string
	Link string
	Num  bool
}

// reportFigure is a chart with the table of its numbers and its
// downloads.
type reportFigure struct {
	ID, Caption string
	Note        string // under the chart, e.g. that it shows the largest only
	Chart       template.HTML
	Head        []string
	Rows        [][]reportCell
	Foot        []reportCell
	Empty       string // instead of the chart and table when there are no rows
	CSV, XLSX   string
}

// download links a figure's files.
func (f *reportFigure) download(base, figure, query string) {
	q := url.Values{}
	if figure != "" {
		q.Set("figure", figure)
	}
	sep := "&"
	if query == "" {
		sep = ""
	}
	csv, xlsx := q, url.Values{}
	for k, v := range q {
		xlsx[k] = v
	}
	csv.Set("format", "csv")
	xlsx.Set("format", "xlsx")
	f.CSV, f.XLSX = base+"?"+csv.Encode()+sep+query, base+"?"+xlsx.Encode()+sep+query
}

// reportNav is the reports' own navigation, the period carried from one
// page to the other.
type reportNav struct {
	Current                               string
	Completions, People, Targets, Surveys string
}

func navOf(current string, period reportPeriod) reportNav {
	n := reportNav{Current: current, Completions: "/team/reports", People: "/team/reports/people", Targets: "/team/reports/targets",
		Surveys: "/team/reports/surveys"}
	if q := period.query(); q != "" {
		n.Completions, n.People = n.Completions+"?"+q, n.People+"?"+q
	}
	return n
}

// completionsPage is /team/reports.
type completionsPage struct {
	Nav                            reportNav
	Period                         reportPeriod
	Words                          string
	Ready                          bool // a report to show (not a refused form)
	Enrolled, Completed, Certified int
	People                         int
	Figures                        []reportFigure
	All                            reportFigure // the whole report's downloads
}

// reportLine is one category of a completions figure.
type reportLine struct {
	Key, Label, Link string
	// Sub is the kind of a course's line, the region of a municipality's,
	// the course of a cohort's; Cohort is the cohort's own title.
	Sub, Cohort                    string
	Enrolled, Completed, Certified int
}

// completionsFigure names one figure of the completions page.
type completionsFigure string

const (
	byCourse       completionsFigure = "course"
	byCohort       completionsFigure = "cohort"
	byMunicipality completionsFigure = "municipality"
	byRegion       completionsFigure = "region"
)

var completionsFigures = []completionsFigure{byCourse, byCohort, byMunicipality, byRegion}

// lines sums the report's rows into one figure's categories, the most
// completions first.
func (f completionsFigure) lines(rep reports.Completions, l *locale) []reportLine {
	var order []string
	sums := map[string]*reportLine{}
	for _, row := range rep.Rows {
		var line reportLine
		switch f {
		case byCourse:
			line = reportLine{Key: row.Kind + " " + row.CourseID + row.ProgrammeID, Label: row.CourseTitle + row.ProgrammeTitle, Sub: row.Kind}
		case byCohort:
			if row.Kind != "course" {
				continue
			}
			line = reportLine{Key: row.CohortID, Label: row.CohortTitle + " — " + row.CourseTitle, Sub: row.CourseTitle, Cohort: row.CohortTitle,
				Link: "/team/reports/cohorts/" + row.CohortID}
		case byMunicipality:
			line = reportLine{Key: row.Municipality, Label: cmp.Or(row.Municipality, l.T("report.unknown")), Sub: row.Region}
		case byRegion:
			line = reportLine{Key: row.Region, Label: cmp.Or(row.Region, l.T("report.unknown"))}
		}
		s := sums[line.Key]
		if s == nil {
			s = &line
			sums[line.Key] = s
			order = append(order, line.Key)
		}
		s.Enrolled += row.Enrolled
		s.Completed += row.Completed
		s.Certified += row.Certified
	}
	if f == byRegion { // every region, in the map's order, then any unknown
		var out []reportLine
		for _, name := range svgchart.Regions {
			if s := sums[name]; s != nil {
				out = append(out, *s)
			} else {
				out = append(out, reportLine{Key: name, Label: name})
			}
		}
		if s := sums[""]; s != nil {
			out = append(out, *s)
		}
		return out
	}
	out := make([]reportLine, 0, len(order))
	for _, k := range order {
		out = append(out, *sums[k])
	}
	slices.SortStableFunc(out, func(a, b reportLine) int {
		return cmp.Or(cmp.Compare(b.Completed, a.Completed), cmp.Compare(a.Label, b.Label))
	})
	return out
}

// chartMost is how many categories a bar chart shows; the table lists all.
const chartMost = 12

func (p *pages) reportCompletions(c *fiber.Ctx, r *request) error {
	title := r.loc.T("report.title")
	period, err := readPeriod(c)
	page := completionsPage{Nav: navOf("completions", reportPeriod{}), Period: period}
	if err != nil {
		return p.formRefusal(c, r, "team_reports", title, page, err)
	}
	rep, err := p.completions(c, r, period)
	if err != nil {
		return err
	}
	page.Nav = navOf("completions", period)
	page.Ready, page.Words = true, period.words(r.loc)
	page.Enrolled, page.Completed, page.Certified, page.People = rep.Totals.Enrolled, rep.Totals.Completed, rep.Totals.Certified, rep.PeopleCompleted
	for _, f := range completionsFigures {
		page.Figures = append(page.Figures, completionsFigureOf(f, f.lines(rep, r.loc), r.loc, period))
	}
	page.All.download("/team/reports/download", "", period.query())
	return p.render(c, r, fiber.StatusOK, "team_reports", title, page, nil)
}

// completionsFigureOf draws one figure of the completions page.
func completionsFigureOf(f completionsFigure, lines []reportLine, l *locale, period reportPeriod) reportFigure {
	fig := reportFigure{ID: "fig-" + string(f), Caption: l.T("report.by." + string(f)),
		Head: []string{l.T("report.col." + string(f)), l.T("report.col.enrolled"), l.T("report.col.completed"), l.T("report.col.certified")}}
	if f == byMunicipality {
		fig.Head = slices.Insert(fig.Head, 1, l.T("report.col.region"))
	}
	if f == byCourse {
		fig.Head = slices.Insert(fig.Head, 1, l.T("report.col.kind"))
	}
	fig.download("/team/reports/download", string(f), period.query())
	var items []svgchart.Item
	var foot [3]int
	for _, line := range lines {
		row := []reportCell{{Text: line.Label, Link: line.Link}}
		switch f {
		case byMunicipality:
			row = append(row, reportCell{Text: cmp.Or(line.Sub, l.T("report.unknown"))})
		case byCourse:
			row = append(row, reportCell{Text: l.T("report.kind." + line.Sub)})
		}
		row = append(row, num(line.Enrolled), num(line.Completed), num(line.Certified))
		fig.Rows = append(fig.Rows, row)
		items = append(items, svgchart.Item{Label: line.Label, Value: line.Completed, Text: l.T("report.of", line.Completed, line.Enrolled)})
		foot[0], foot[1], foot[2] = foot[0]+line.Enrolled, foot[1]+line.Completed, foot[2]+line.Certified
	}
	fig.Foot = []reportCell{{Text: l.T("report.total")}}
	for range len(fig.Head) - 4 {
		fig.Foot = append(fig.Foot, reportCell{})
	}
	fig.Foot = append(fig.Foot, num(foot[0]), num(foot[1]), num(foot[2]))
	chart := svgchart.Chart{ID: fig.ID, Title: fig.Caption, Desc: l.T("report.desc.completed"), Items: items}
	switch {
	case f == byRegion:
		fig.Chart = svgchart.Map(chart)
		fig.Note = l.T("report.note.map")
	case len(lines) == 0:
		fig.Empty = l.T("report.empty")
	default:
		if len(items) > chartMost {
			chart.Items = items[:chartMost]
			fig.Note = l.T("report.note.most", chartMost)
		}
		fig.Chart = svgchart.Horizontal(chart)
	}
	return fig
}

func (p *pages) completions(c *fiber.Ctx, r *request, period reportPeriod) (reports.Completions, error) {
	svc, err := p.reportsOf(c)
	if err != nil {
		return reports.Completions{}, err
	}
	return svc.Completions(r.ctx, period.from, period.to)
}

func num(n int) reportCell { return reportCell{Text: strconv.Itoa(n), Num: true} }

func (p *pages) reportCompletionsDownload(c *fiber.Ctx, r *request) error {
	period, err := readPeriod(c)
	if err != nil {
		return err
	}
	rep, err := p.completions(c, r, period)
	if err != nil {
		return err
	}
	workbook := c.Query("format") == "xlsx"
	figure := completionsFigure(c.Query("figure"))
	if figure == "" {
		return api.SendCompletions(c, workbook, rep, period.From, period.To)
	}
	if !slices.Contains(completionsFigures, figure) {
		return p.refuse(c, r, fiber.StatusNotFound, "error.not_found")
	}
	return api.SendTable(c, workbook, completionsTable(figure, figure.lines(rep, p.messages.locale("lv")), period))
}

// completionsTable is one figure as a file, its headings in Latvian as
// the API's workbooks have them.
func completionsTable(f completionsFigure, lines []reportLine, period reportPeriod) api.Table {
	t := api.Table{File: "completions-by-" + string(f) + " " + period.From + " " + period.To}
	counts := []api.TableColumn{{CSV: "enrolled", Title: "Pieteikušies"}, {CSV: "completed", Title: "Pabeiguši"}, {CSV: "certified", Title: "Saņēmuši apliecinājumu"}}
	switch f {
	case byCourse:
		t.Sheet = "Pēc kursa"
		t.Columns = []api.TableColumn{{CSV: "kind", Title: "Veids"}, {CSV: "title", Title: "Kurss vai programma"}}
	case byCohort:
		t.Sheet = "Pēc grupas"
		t.Columns = []api.TableColumn{{CSV: "cohort_id", Title: "Grupas ID"}, {CSV: "course_title", Title: "Kurss"}, {CSV: "cohort_title", Title: "Grupa"}}
	case byMunicipality:
		t.Sheet = "Pēc pašvaldības"
		t.Columns = []api.TableColumn{{CSV: "municipality", Title: "Pašvaldība"}, {CSV: "region", Title: "Plānošanas reģions"}}
	case byRegion:
		t.Sheet = "Pēc plānošanas reģiona"
		t.Columns = []api.TableColumn{{CSV: "region", Title: "Plānošanas reģions"}}
	}
	t.Columns = append(t.Columns, counts...)
	kinds := map[string]string{"course": "e-mācību kurss", "programme": "klātienes mācības"}
	for _, line := range lines {
		var row []any
		switch f {
		case byCourse:
			row = []any{kinds[line.Sub], line.Label}
		case byCohort:
			row = []any{line.Key, line.Sub, line.Cohort}
		case byMunicipality:
			row = []any{line.Key, line.Sub}
		case byRegion:
			row = []any{line.Key}
		}
		t.Rows = append(t.Rows, append(row, line.Enrolled, line.Completed, line.Certified))
	}
	return t
}
