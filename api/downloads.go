package api

import (
	"github.com/gofiber/fiber/v2"

	"mooc/cohorts"
	"mooc/programmes"
	"mooc/reports"
)

// The pages offer the same downloads as the API, from the same rows, so a
// CSV or workbook saved from a page and one fetched by a program are the
// same file. Workbook picks the Excel workbook over CSV.

// Table is a download the pages build themselves (a report's figure, say):
// a header in snake_case for the CSV and in Latvian for the workbook, and
// rows of text, whole numbers, booleans, times (time.Time) or nil.
type Table struct {
	File    string // the file's name without extension, ASCII
	Sheet   string // the workbook's sheet, in Latvian, at most 31 characters
	Columns []TableColumn
	Rows    [][]any
}

// TableColumn is one column of a Table.
type TableColumn struct{ CSV, Title string }

// SendTable writes t as an attachment, CSV or workbook.
func SendTable(c *fiber.Ctx, workbook bool, t Table) error {
	d := download{file: slug(t.File), sheet: t.Sheet, rows: t.Rows}
	for _, col := range t.Columns {
		d.columns = append(d.columns, column{csv: col.CSV, title: col.Title})
	}
	return sendDownload(c, formatOf(workbook), d)
}

// SendEnrolments writes a cohort's list as GET /cohorts/{id}/enrolments
// does with Accept: text/csv or the workbook.
func SendEnrolments(c *fiber.Ctx, workbook bool, l cohorts.EnrolmentList) error {
	return sendDownload(c, formatOf(workbook), enrolmentsDownload(l))
}

// SendApplications writes a programme's applications as its API route does.
func SendApplications(c *fiber.Ctx, workbook bool, l programmes.ApplicationList) error {
	return sendDownload(c, formatOf(workbook), applicationsDownload(l))
}

// SendCompletions writes the completions report as GET /reports/completions
// does; from and to are the period as the request named it.
func SendCompletions(c *fiber.Ctx, workbook bool, rep reports.Completions, from, to string) error {
	return sendDownload(c, formatOf(workbook), completionsDownload(rep, from, to))
}

func formatOf(workbook bool) format {
	if workbook {
		return asXLSX
	}
	return asCSV
}
