package api

import (
	"cmp"
	"time"

	"github.com/gofiber/fiber/v2"

	"mooc/internal/validation"
	"mooc/reports"
)

func registerReports(r *registry, svc *reports.Service) {
	r.add(BasePath, op{method: "GET", path: "/reports/completions", summary: "Enrolled, completed and certified by course, cohort, programme, municipality and region, and distinct people who completed (JSON; CSV with Accept: text/csv; an Excel workbook with Accept: " + xlsxType + ")", tag: "reports",
		access: team, reply: reports.Completions{}, query: []param{{"from", "start of the period (YYYY-MM-DD or RFC 3339), inclusive; by when a cohort or programme ends"}, {"to", "end of the period, exclusive"}}},
		func(c *fiber.Ctx) error {
			// Absent bounds stay zero: the report covers all time on that side.
			from, err := dateParam(c, "from", time.Time{})
			if err != nil {
				return err
			}
			to, err := dateParam(c, "to", time.Time{})
			if err != nil {
				return err
			}
			if !from.IsZero() && !to.IsZero() && !to.After(from) {
				return validation.Fail(validation.Field("to", "must be after from"))
			}
			rep, err := svc.Completions(c.UserContext(), from, to)
			if err != nil {
				return err
			}
			c.Vary(fiber.HeaderAccept)
			f := negotiate(c)
			if f == asJSON {
				return c.JSON(rep)
			}
			return sendDownload(c, f, completionsDownload(rep, c.Query("from"), c.Query("to")))
		})
}

// dateParam reads a date or time query parameter; absent gives def.
func dateParam(c *fiber.Ctx, name string, def time.Time) (time.Time, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, validation.Fail(validation.Field(name, "must be a date such as 2026-01-31 or an RFC 3339 time"))
}

// completionsDownload is the report as a file: a row per course, cohort or
// programme and municipality, then the totals, whose last column is the
// funders' figure of distinct people. The file is named for the period
// asked for.
func completionsDownload(rep reports.Completions, from, to string) download {
	kinds := map[string]string{"course": "e-mācību kurss", "programme": "klātienes mācības"}
	d := download{file: "completions", sheet: "Pabeigušie", columns: []column{
		{csv: "kind", title: "Veids", width: 16},
		{csv: "course_id", title: "Kursa ID", width: 38, id: true},
		{csv: "course_title", title: "Kurss", width: 30},
		{csv: "cohort_id", title: "Grupas ID", width: 38, id: true},
		{csv: "cohort_title", title: "Grupa", width: 20},
		{csv: "programme_id", title: "Programmas ID", width: 38, id: true},
		{csv: "programme_title", title: "Programma", width: 30},
		{csv: "municipality", title: "Pašvaldība", width: 20},
		{csv: "region", title: "Plānošanas reģions", width: 12},
		{csv: "enrolled", title: "Pieteikušies", width: 11},
		{csv: "completed", title: "Pabeiguši", width: 11},
		{csv: "certified", title: "Saņēmuši apliecinājumu", width: 13},
		{csv: "people_completed", title: "Pabeigušo personu skaits", width: 13},
	}}
	if from != "" || to != "" {
		d.file = fileName("completions", from+" "+to)
	}
	for _, r := range rep.Rows {
		d.rows = append(d.rows, []any{term{r.Kind, cmp.Or(kinds[r.Kind], r.Kind)}, r.CourseID, r.CourseTitle, r.CohortID, r.CohortTitle,
			r.ProgrammeID, r.ProgrammeTitle, r.Municipality, r.Region, r.Enrolled, r.Completed, r.Certified, nil})
	}
	t := rep.Totals
	d.totals = [][]any{{term{"total", "Kopā"}, nil, nil, nil, nil, nil, nil, nil, nil, t.Enrolled, t.Completed, t.Certified, rep.PeopleCompleted}}
	return d
}
