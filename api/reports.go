package api

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"mooc/internal/validation"
	"mooc/reports"
)

func registerReports(r *registry, svc *reports.Service) {
	r.add(BasePath, op{method: "GET", path: "/reports/completions", summary: "Enrolled, completed and certified by course, cohort, programme, municipality and region, and distinct people who completed (JSON or CSV)", tag: "reports",
		access: team, reply: reports.Completions{}, query: []param{{"from", "start of the period (YYYY-MM-DD or RFC 3339), inclusive; by when a cohort or programme ends"}, {"to", "end of the period, exclusive"}}},
		func(c *fiber.Ctx) error {
			from, err := dateParam(c, "from", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC))
			if err != nil {
				return err
			}
			to, err := dateParam(c, "to", time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC))
			if err != nil {
				return err
			}
			if !to.After(from) {
				return validation.Fail(validation.Field("to", "must be after from"))
			}
			rep, err := svc.Completions(c.UserContext(), from, to)
			if err != nil {
				return err
			}
			if !wantsCSV(c) {
				return c.JSON(rep)
			}
			header := []string{"kind", "course_id", "course_title", "cohort_id", "cohort_title", "programme_id", "programme_title",
				"municipality", "region", "enrolled", "completed", "certified", "people_completed"}
			records := make([][]string, 0, len(rep.Rows)+1)
			for _, r := range rep.Rows {
				records = append(records, []string{r.Kind, r.CourseID, r.CourseTitle, r.CohortID, r.CohortTitle, r.ProgrammeID, r.ProgrammeTitle,
					r.Municipality, r.Region, strconv.Itoa(r.Enrolled), strconv.Itoa(r.Completed), strconv.Itoa(r.Certified), ""})
			}
			records = append(records, []string{"total", "", "", "", "", "", "", "", "", strconv.Itoa(rep.Totals.Enrolled),
				strconv.Itoa(rep.Totals.Completed), strconv.Itoa(rep.Totals.Certified), strconv.Itoa(rep.PeopleCompleted)})
			return sendCSV(c, "completions.csv", header, records)
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
